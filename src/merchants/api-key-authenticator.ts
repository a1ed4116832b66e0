import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { ApiKeyScope, AuthContext, Authenticator } from "../http/auth.js";
import { storedApiVersion } from "../http/versioning.js";
import {
  apiKeyAuthCacheEntriesMax,
  apiKeyAuthCacheMs,
  apiKeyLastUsedCacheKeysMax,
  apiKeyLastUsedWriteIntervalMs,
} from "../limits.js";
import { apiKeyTokenPattern } from "./api-keys.js";
import { merchantErrors } from "./errors.js";
import type { ApiKeyType } from "./model.js";
import { sha256 } from "./tokens.js";

/**
 * The merchant API's authenticator: `Authorization: Bearer sk_…` (or rk_…, pk_…), or HTTP Basic with the key as the
 * user name and an empty password, as curl -u sk_test_…: sends it. A header that does not hold something shaped
 * like one of our keys is left to the other authenticators (wallet tokens are bearer tokens too). A key-shaped
 * value that is unknown, revoked or expired is refused with 401 at once, never treated as anonymous.
 *
 * last_used_at is written at most once per apiKeyLastUsedWriteIntervalMs per key: this process remembers when it
 * last wrote, and the UPDATE only moves an older value, so many processes together still write about once a minute.
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(" ");
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  let candidate: string | undefined;
  if (scheme === "bearer") candidate = value;
  if (scheme === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    candidate = colon < 0 ? decoded : decoded.slice(0, colon);
  }
  return candidate !== undefined && apiKeyTokenPattern.test(candidate) ? candidate : undefined;
}

export interface KeyAuthRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  type: ApiKeyType;
  scopes: Record<string, ApiKeyScope> | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** The account's default API version, for requests that name none. */
  api_version: string;
}

/**
 * Key hash → key row, remembered for apiKeyAuthCacheMs so a request costs no database read for its key. A key
 * revoked or rolled in this process is forgotten at once (forget); in another process the change is honoured within
 * apiKeyAuthCacheMs. Expiry is checked against the clock on every request, cached or not.
 */
export interface ApiKeyAuthCache {
  get(tokenHash: string, nowMs: number): KeyAuthRow | undefined;
  set(tokenHash: string, row: KeyAuthRow, nowMs: number): void;
  forget(keyId: string): void;
  /** Every key of a merchant, when something all its keys carry changed (its default API version). */
  forgetMerchant(merchantId: string): void;
}

export function createApiKeyAuthCache(): ApiKeyAuthCache {
  const entries = new Map<string, { row: KeyAuthRow; readAtMs: number }>();
  return {
    get(tokenHash, nowMs) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (nowMs - entry.readAtMs >= apiKeyAuthCacheMs || nowMs < entry.readAtMs) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry.row;
    },
    set(tokenHash, row, nowMs) {
      if (entries.size >= apiKeyAuthCacheEntriesMax) entries.clear();
      entries.set(tokenHash, { row, readAtMs: nowMs });
    },
    forget(keyId) {
      for (const [hash, entry] of entries) if (entry.row.id === keyId) entries.delete(hash);
    },
    forgetMerchant(merchantId) {
      for (const [hash, entry] of entries) if (entry.row.merchant_id === merchantId) entries.delete(hash);
    },
  };
}

export function createApiKeyAuthenticator(deps: {
  pool: Pool;
  clock: Clock;
  log?: Logger;
  cache: ApiKeyAuthCache;
}): Authenticator {
  const lastWrites = new Map<string, number>();

  async function touch(keyId: string, now: Date): Promise<void> {
    const last = lastWrites.get(keyId);
    if (last !== undefined && now.getTime() - last < apiKeyLastUsedWriteIntervalMs) return;
    if (lastWrites.size >= apiKeyLastUsedCacheKeysMax) lastWrites.clear();
    lastWrites.set(keyId, now.getTime());
    await deps.pool
      .query(
        `UPDATE api_keys SET last_used_at = $2
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`,
        [keyId, now, new Date(now.getTime() - apiKeyLastUsedWriteIntervalMs)],
      )
      .catch((error: unknown) => deps.log?.warn({ err: error, key_id: keyId }, "api key last-used time not saved"));
  }

  return {
    name: "api_key",
    async authenticate(request: FastifyRequest): Promise<AuthContext | null> {
      const token = keyFromAuthorization(request.headers.authorization);
      if (!token) return null;
      const tokenHash = sha256(token);
      const tokenHashKey = tokenHash.toString("hex");
      const now = deps.clock.now();
      let row = deps.cache.get(tokenHashKey, Date.now());
      if (!row) {
        const result = await deps.pool.query<KeyAuthRow>(
          `SELECT k.id, k.merchant_id, k.livemode, k.type, k.scopes, k.expires_at, k.revoked_at, m.api_version
             FROM api_keys k JOIN merchants m ON m.id = k.merchant_id WHERE k.token_hash = $1`,
          [tokenHash],
        );
        row = result.rows[0];
        // Unknown keys are not remembered: a key made a moment ago in another process must work at once.
        if (row) deps.cache.set(tokenHashKey, row, Date.now());
      }
      if (!row) throw merchantErrors.toApiError("api_key_invalid");
      if (row.revoked_at) throw merchantErrors.toApiError("api_key_revoked");
      if (row.expires_at && row.expires_at.getTime() <= now.getTime()) {
        throw merchantErrors.toApiError("api_key_expired");
      }
      await touch(row.id, now);
      const accountApiVersion = storedApiVersion(row.api_version);
      if (row.type === "publishable") {
        return {
          kind: "publishable_key",
          merchantId: row.merchant_id,
          livemode: row.livemode,
          keyId: row.id,
          accountApiVersion,
        };
      }
      return {
        kind: "secret_key",
        merchantId: row.merchant_id,
        livemode: row.livemode,
        keyId: row.id,
        scopes: row.type === "restricted" ? (row.scopes ?? {}) : null,
        accountApiVersion,
      };
    },
  };
}
