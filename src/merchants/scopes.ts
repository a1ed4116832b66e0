import type { FastifyReply, FastifyRequest } from "fastify";
import { type ApiKeyScope, authErrors, authOf, guardFor, requireAuth } from "../http/auth.js";

/**
 * Restricted keys (rk_…) carry a scope per resource: none, read or write (write includes read). A domain that adds
 * an API resource lists it here, then guards its routes with requireApiKey("<resource>", "read" | "write").
 * Unrestricted secret keys (sk_…) may do everything; publishable keys (pk_…) reach only routes that say so.
 */
export const apiKeyResources = [
  "account",
  "balance",
  "payments",
  "refunds",
  "payouts",
  "checkout_sessions",
  "coupons",
  "cashback_rules",
  "events",
  "webhook_endpoints",
  "notification_settings",
  "alert_settings",
  "analytics",
  "feedback",
  "payment_links",
  "stores",
  "stored_value",
  "disputes",
  "support",
] as const;
export type ApiKeyResource = (typeof apiKeyResources)[number];

const levels: Readonly<Record<ApiKeyScope, number>> = { none: 0, read: 1, write: 2 };

export function scopeAllows(
  scopes: Readonly<Record<string, ApiKeyScope>> | null,
  resource: ApiKeyResource,
  access: "read" | "write",
): boolean {
  if (scopes === null) return true;
  return levels[scopes[resource] ?? "none"] >= levels[access];
}

/** Validates the scopes of a new restricted key: known resources only, at least one not none. */
export function parseScopes(value: unknown): Record<ApiKeyResource, ApiKeyScope> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return null;
  const scopes = Object.fromEntries(apiKeyResources.map((r) => [r, "none"])) as Record<ApiKeyResource, ApiKeyScope>;
  for (const [resource, scope] of entries) {
    if (!(apiKeyResources as readonly string[]).includes(resource)) return null;
    if (scope !== "none" && scope !== "read" && scope !== "write") return null;
    scopes[resource as ApiKeyResource] = scope;
  }
  return Object.values(scopes).some((s) => s !== "none") ? scopes : null;
}

/**
 * A preHandler for merchant API routes: a secret or restricted key whose scopes allow `access` on `resource`
 * (publishable keys too when `publishable` is set). Without a key: 401; with a key that may not: 403.
 * Then read the merchant and mode with merchantOf(request).
 */
export function requireApiKey(
  resource: ApiKeyResource,
  access: "read" | "write",
  options: { publishable?: boolean } = {},
) {
  const kinds = requireAuth(
    ...(options.publishable ? (["secret_key", "publishable_key"] as const) : (["secret_key"] as const)),
  );
  return guardFor(
    kinds.authKinds,
    async (request: FastifyRequest, reply: FastifyReply) => {
      await kinds(request, reply);
      const auth = authOf(request, "secret_key", "publishable_key");
      if (auth.kind === "secret_key" && !scopeAllows(auth.scopes, resource, access)) {
        throw authErrors.toApiError(
          "permission_denied",
          `This restricted key may not ${access === "write" ? "change" : "read"} ${resource}.`,
        );
      }
    },
    `a restricted key needs the ${resource} scope at ${access}`,
  );
}

/** The merchant and mode of a request authenticated by an API key. */
export function merchantOf(request: FastifyRequest): { merchantId: string; livemode: boolean; keyId: string } {
  const auth = authOf(request, "secret_key", "publishable_key");
  return { merchantId: auth.merchantId, livemode: auth.livemode, keyId: auth.keyId };
}
