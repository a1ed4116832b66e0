import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditEntry } from "../../security/audit.js";
import { totpEnrollmentBody } from "../../security/totp.js";
import type { TotpFactor } from "../totp-factor.js";
import { unwrap } from "./http.js";
import { EmptyBody, TotpCode, TotpEnrollment, TwoFactorStatus } from "./schemas.js";

/**
 * The three TOTP routes every signed-in account kind has (console users, operators): begin enrolling, confirm with a
 * first code, disable with a current code. Each kind supplies its guard, who is asking (and how their audit records
 * read) and its two-factor status; the factor itself is the shared createTotpFactor.
 */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

export interface TotpAccount {
  id: string;
  /** The audit record of enabling and disabling, but its action. */
  audit: Omit<AuditEntry, "action">;
}

export interface TotpRoutesOptions {
  /** e.g. "/v1/console/2fa/totp"; confirm and disable hang below it. */
  path: string;
  tags: string[];
  preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  totp: TotpFactor;
  account(request: FastifyRequest): TotpAccount;
  /** The name an authenticator app lists the secret under (the account's email). */
  label(id: string): Promise<string>;
  status(id: string): Promise<{ object: "two_factor"; totp: boolean; passkeys: number }>;
  descriptions?: { begin?: string; disable?: string };
}

const Closed = { additionalProperties: false } as const;

export function registerTotpRoutes(app: App, options: TotpRoutesOptions): void {
  const { path, tags, preHandler, totp } = options;
  const described = (description: string | undefined) => (description === undefined ? {} : { description });

  app.post(
    path,
    {
      preHandler,
      schema: {
        tags,
        summary: "Start enrolling an authenticator app",
        ...described(options.descriptions?.begin),
        body: EmptyBody,
        response: { 200: TotpEnrollment },
      },
    },
    async (request) => {
      const { id } = options.account(request);
      return totpEnrollmentBody(unwrap(await totp.begin(id, await options.label(id))));
    },
  );

  app.post(
    `${path}/confirm`,
    {
      preHandler,
      schema: {
        tags,
        summary: "Confirm the authenticator app with a first code",
        body: Type.Object({ code: TotpCode }, Closed),
        response: { 200: TwoFactorStatus },
      },
    },
    async (request) => {
      const { id, audit } = options.account(request);
      unwrap(await totp.confirm(id, request.body.code, { ...audit, action: "two_factor.totp_enabled" }));
      return options.status(id);
    },
  );

  app.post(
    `${path}/disable`,
    {
      preHandler,
      schema: {
        tags,
        summary: "Turn the authenticator app off",
        ...described(options.descriptions?.disable),
        body: Type.Object({ code: TotpCode }, Closed),
        response: { 200: TwoFactorStatus },
      },
    },
    async (request) => {
      const { id, audit } = options.account(request);
      unwrap(await totp.disable(id, request.body.code, { ...audit, action: "two_factor.totp_disabled" }));
      return options.status(id);
    },
  );
}
