import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ApiError } from "../../http/errors.js";
import { clearSessionCookie, setSessionCookie, unwrap, userAgentOf } from "../../merchants/routes/http.js";
import { Accepted, Email, EmptyBody, Password, TotpCode } from "../../merchants/routes/schemas.js";
import { registerTotpRoutes } from "../../merchants/routes/totp-routes.js";
import { operatorObject } from "../model.js";
import { operatorActor, requireOperator } from "../permissions.js";
import { operatorCookieName, operatorCookiePath, operatorCsrfTokenOfRequest } from "../sessions.js";
import type { OperatorRouteDeps } from "./deps.js";
import { OperatorSession } from "./schemas.js";

/**
 * Operators sign in with their own cookie (coffer_ops, Path=/v1/ops) and CSRF header, like console users. The
 * first sign-in with a one-time password must set new_password. TOTP works as in the console.
 */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;
const cookie = { name: operatorCookieName, path: operatorCookiePath };

export const operatorAuthRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "clock" | "config" | "operators">;
}> = async (app, { services }) => {
  const ops = services.operators;

  app.post(
    "/v1/ops/login",
    {
      schema: {
        tags,
        summary: "Operator sign-in",
        description:
          "Sets the operator session cookie. A one-time password (from `coffer operator create` or an admin) must be " +
          "replaced: send new_password with it. With TOTP on, send totp_code.",
        body: Type.Object(
          {
            email: Email,
            password: Password,
            new_password: Type.Optional(Password),
            totp_code: Type.Optional(TotpCode),
          },
          Closed,
        ),
        response: { 200: OperatorSession },
      },
    },
    async (request, reply) => {
      const result = unwrap(
        await ops.accounts.login({
          email: request.body.email,
          password: request.body.password,
          newPassword: request.body.new_password,
          totpCode: request.body.totp_code,
          ip: request.ip,
          userAgent: userAgentOf(request),
        }),
        reply,
      );
      setSessionCookie(reply, request, services.config, cookie, result.session, services.clock.now());
      return {
        object: "operator_session" as const,
        operator: operatorObject(result.operator),
        csrf_token: result.session.csrfToken,
      };
    },
  );

  app.post(
    "/v1/ops/logout",
    {
      preHandler: requireOperator("self.manage"),
      schema: { tags, summary: "Operator sign-out", body: EmptyBody, response: { 200: Accepted } },
    },
    async (request, reply) => {
      await ops.accounts.logout(operatorActor(request));
      clearSessionCookie(reply, request, services.config, cookie);
      return { object: "operator_session", status: "logged_out" };
    },
  );

  app.get(
    "/v1/ops/me",
    {
      preHandler: requireOperator("self.manage"),
      schema: { tags, summary: "The signed-in operator", response: { 200: OperatorSession } },
    },
    async (request) => {
      const operator = await ops.accounts.get(operatorActor(request).operatorId);
      if (!operator) throw new ApiError("authentication_required");
      return {
        object: "operator_session" as const,
        operator: operatorObject(operator),
        csrf_token: operatorCsrfTokenOfRequest(request) ?? "",
      };
    },
  );

  const status = async (operatorId: string) => ({
    object: "two_factor" as const,
    totp: (await ops.accounts.get(operatorId))?.totpEnabled ?? false,
    passkeys: 0,
  });

  registerTotpRoutes(app, {
    path: "/v1/ops/2fa/totp",
    tags,
    preHandler: requireOperator("self.manage"),
    totp: ops.totp,
    account(request) {
      const actor = operatorActor(request);
      return {
        id: actor.operatorId,
        audit: {
          actorType: "operator",
          actorId: actor.operatorId,
          merchantId: null,
          targetType: "operator",
          targetId: actor.operatorId,
          ip: actor.ip,
        },
      };
    },
    label: async (operatorId) => (await ops.accounts.get(operatorId))?.email ?? operatorId,
    status,
  });
};
