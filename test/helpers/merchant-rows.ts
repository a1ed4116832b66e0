import type { Queryable } from "../../src/db/pool.js";
import type { ApiKeyScope } from "../../src/http/auth.js";
import { newId } from "../../src/ids.js";
import type { Services } from "../../src/runtime/services.js";

/**
 * A bare merchant (its row and a KYB draft), for tests of other domains that need a real merchant id (events,
 * webhooks, payments reference merchants by foreign key) without walking the sign-up flow. Tests of the merchant
 * platform itself sign up over HTTP instead (see merchant-console.ts).
 */
export async function insertTestMerchant(db: Queryable, businessName = "Test Shop"): Promise<string> {
  const id = newId("mer");
  await db.query("INSERT INTO merchants (id, business_name, created_at) VALUES ($1, $2, now())", [id, businessName]);
  await db.query(
    "INSERT INTO kyb_applications (id, merchant_id, state, created_at, updated_at) VALUES ($1, $2, 'draft', now(), now())",
    [newId("kyb"), id],
  );
  return id;
}

/**
 * A real API key of that merchant, made by the merchant platform's key service (so the real authenticator accepts
 * it): an unrestricted secret key by default, or a restricted key with `scopes`, or a publishable key.
 */
export async function issueTestApiKey(
  services: Services,
  merchantId: string,
  options: {
    livemode?: boolean;
    type?: "secret" | "restricted" | "publishable";
    scopes?: Record<string, ApiKeyScope>;
  } = {},
): Promise<string> {
  const type = options.type ?? (options.scopes ? "restricted" : "secret");
  const issued = await services.merchants.apiKeys.issue(services.pool, {
    merchantId,
    livemode: options.livemode ?? false,
    type,
    name: "test key",
    scopes: type === "restricted" ? (options.scopes ?? {}) : null,
    createdBy: null,
  });
  return issued.token;
}
