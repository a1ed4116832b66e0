import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors.js";

/**
 * Dated API versions, Stripe-style. A request may pin one with `Coffer-Version: 2026-11-01`; every response says
 * which version answered it. A breaking change adds a new date here and keeps the old behaviour for the old date.
 * Later, a merchant account will carry its default version; until then, no header means the newest.
 */
export const apiVersionHeader = "Coffer-Version";
export const apiVersions = ["2026-11-01"] as const;
export type ApiVersion = (typeof apiVersions)[number];
/** The last of apiVersions (a test checks); answered when a request names none. */
export const apiVersionLatest: ApiVersion = "2026-11-01";

declare module "fastify" {
  interface FastifyRequest {
    /** The API version this request is answered in. */
    apiVersion: ApiVersion;
  }
}

export function parseApiVersion(raw: string | string[] | undefined): ApiVersion {
  if (raw === undefined) return apiVersionLatest;
  const value = Array.isArray(raw) ? raw : [raw];
  const known = value.length === 1 ? apiVersions.find((v) => v === value[0]?.trim()) : undefined;
  if (!known) {
    throw new ApiError(
      "api_version_invalid",
      `Unknown ${apiVersionHeader} "${String(value).slice(0, 40)}"; known versions: ${apiVersions.join(", ")}.`,
    );
  }
  return known;
}

export function registerVersioning(app: FastifyInstance): void {
  app.decorateRequest("apiVersion", apiVersionLatest);
  app.addHook("onRequest", async (request) => {
    request.apiVersion = parseApiVersion(request.headers["coffer-version"]);
  });
  // onSend covers errors too; a rejected version is answered in the latest one.
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header(apiVersionHeader, request.apiVersion);
    return payload;
  });
}
