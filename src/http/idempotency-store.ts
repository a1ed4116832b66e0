import { createHash, randomUUID } from "node:crypto";
import { gather } from "../db/deferred-writes.js";
import type { Queryable } from "../db/pool.js";
import {
  idempotencyInProgressStaleMs,
  idempotencyKeyLengthMax,
  idempotencyKeyTtlMs,
  idempotencyPurgeBatchRowsMax,
} from "../limits.js";
import { canonicalJson } from "./canonical-json.js";
import { ApiError } from "./errors.js";

/**
 * Idempotency keys in PostgreSQL, without HTTP: the Fastify hooks in idempotency.ts use it, and so can any code
 * that must run something at most once per caller-chosen key (withIdempotency).
 *
 * A key lives idempotencyKeyTtlMs from its first use. The first caller claims it (state in_progress); a concurrent
 * caller with the same key is told it is in use; after completion, a caller with the same request gets the stored
 * response, and a caller with a different request is refused. An expired key is claimed afresh in the same
 * statement, and an in_progress key whose holder died (older than idempotencyInProgressStaleMs) can be taken over
 * by a retry of the same request.
 */

export interface IdempotencyClaim {
  /** Who is calling; keys of different scopes never meet. */
  scope: string;
  key: string;
  /** requestFingerprint() of what the caller asks for. */
  fingerprint: string;
}

export interface StoredResponse {
  statusCode: number;
  contentType: string;
  body: string;
}

export type ClaimResult =
  | { outcome: "claimed"; lease: string }
  | { outcome: "replay"; response: StoredResponse }
  | { outcome: "in_use" }
  | { outcome: "reused" };

export interface IdempotencyStore {
  claim(claim: IdempotencyClaim): Promise<ClaimResult>;
  /** Stores the response of a claimed key; a later claim with the same request replays it. */
  complete(claim: IdempotencyClaim, lease: string, response: StoredResponse): Promise<void>;
  /**
   * Stores the response inside the caller's transaction, the one that makes the effect the response answers for,
   * so the two commit together. Fails with AnswerLeaseLost (src/db/deferred-writes.ts) when the key is no longer this request's (a retry took
   * it over): the caller's transaction must then roll back, so the effect happens once, under the new holder.
   */
  completeIn(tx: Queryable, claim: IdempotencyClaim, lease: string, response: StoredResponse): Promise<void>;
  /** Forgets a claimed key, so the client may retry (after a 5xx: nothing was done, or it is safe to redo). */
  release(claim: IdempotencyClaim, lease: string): Promise<void>;
  /** Deletes expired keys in batches; returns how many. */
  purgeExpired(signal?: AbortSignal): Promise<number>;
}

const printableAscii = new RegExp(`^[\\x20-\\x7e]{1,${idempotencyKeyLengthMax}}$`);

export function isValidIdempotencyKey(key: string): boolean {
  return printableAscii.test(key);
}

/** sha256 over everything that makes two requests "the same request". */
export function requestFingerprint(request: {
  method: string;
  route: string;
  params?: unknown;
  query?: unknown;
  body?: unknown;
}): string {
  const canonical = canonicalJson({
    method: request.method.toUpperCase(),
    route: request.route,
    params: request.params ?? {},
    query: request.query ?? {},
    body: request.body ?? null,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** A key can vanish between our INSERT and SELECT (released after a 5xx); then we simply try again. */
const claimAttemptsMax = 3;

export function createIdempotencyStore(db: Queryable): IdempotencyStore {
  async function claim(c: IdempotencyClaim): Promise<ClaimResult> {
    for (let attempt = 0; attempt < claimAttemptsMax; attempt++) {
      const lease = randomUUID();
      const claimed = await db.query(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease, expires_at)
         VALUES ($1, $2, $3, 'in_progress', $4, now() + $5 * interval '1 millisecond')
         ON CONFLICT (scope, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', status_code = NULL, content_type = NULL,
               response_body = NULL, lease = EXCLUDED.lease, created_at = now(), locked_at = now(),
               expires_at = EXCLUDED.expires_at
           WHERE idempotency_keys.expires_at <= now()
              OR (idempotency_keys.state = 'in_progress'
                  AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                  AND idempotency_keys.locked_at <= now() - $6 * interval '1 millisecond')
         RETURNING 1`,
        [c.scope, c.key, c.fingerprint, lease, idempotencyKeyTtlMs, idempotencyInProgressStaleMs],
      );
      if (claimed.rowCount === 1) return { outcome: "claimed", lease };

      const existing = await db.query<{
        fingerprint: string;
        state: "in_progress" | "completed";
        status_code: number | null;
        content_type: string | null;
        response_body: string | null;
      }>(
        `SELECT fingerprint, state, status_code, content_type, response_body
           FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > now()`,
        [c.scope, c.key],
      );
      const row = existing.rows[0];
      if (!row) continue;
      if (row.fingerprint !== c.fingerprint) return { outcome: "reused" };
      if (row.state === "in_progress") return { outcome: "in_use" };
      return {
        outcome: "replay",
        response: {
          statusCode: row.status_code ?? 200,
          contentType: row.content_type ?? "application/json; charset=utf-8",
          body: row.response_body ?? "",
        },
      };
    }
    // Claimed and released by others three times in a row: tell the client to retry rather than loop here.
    return { outcome: "in_use" };
  }

  async function complete(c: IdempotencyClaim, lease: string, response: StoredResponse): Promise<void> {
    await db.query(
      `UPDATE idempotency_keys
          SET state = 'completed', status_code = $4, content_type = $5, response_body = $6
        WHERE scope = $1 AND key = $2 AND lease = $3 AND state = 'in_progress'`,
      [c.scope, c.key, lease, response.statusCode, response.contentType, response.body],
    );
  }

  async function completeIn(
    tx: Queryable,
    c: IdempotencyClaim,
    lease: string,
    response: StoredResponse,
  ): Promise<void> {
    const row = { scope: c.scope, key: c.key, lease, ...response };
    // With the transaction's other answers before its COMMIT, which then fails (AnswerLeaseLost) if the lease was
    // lost: the caller's transaction rolls back.
    await gather(tx, (writes) => writes.answer(row));
  }

  async function release(c: IdempotencyClaim, lease: string): Promise<void> {
    await db.query(
      "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND lease = $3 AND state = 'in_progress'",
      [c.scope, c.key, lease],
    );
  }

  async function purgeExpired(signal?: AbortSignal): Promise<number> {
    let total = 0;
    while (!signal?.aborted) {
      const deleted = await db.query(
        `DELETE FROM idempotency_keys WHERE (scope, key) IN (
           SELECT scope, key FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
        [idempotencyPurgeBatchRowsMax],
      );
      total += deleted.rowCount ?? 0;
      if ((deleted.rowCount ?? 0) < idempotencyPurgeBatchRowsMax) break;
    }
    return total;
  }

  return { claim, complete, completeIn, release, purgeExpired };
}

/**
 * Runs fn at most once per (scope, key) for code outside HTTP. The result must be JSON; a repeat call with the same
 * fingerprint gets the stored result back (replayed: true). If fn throws, the key is released and the error
 * rethrown, so the caller may try again.
 */
export async function withIdempotency<T>(
  store: IdempotencyStore,
  claim: IdempotencyClaim,
  fn: () => Promise<T>,
): Promise<{ value: T; replayed: boolean }> {
  const result = await store.claim(claim);
  if (result.outcome === "in_use") throw new ApiError("idempotency_key_in_use");
  if (result.outcome === "reused") throw new ApiError("idempotency_key_reused");
  if (result.outcome === "replay") return { value: JSON.parse(result.response.body) as T, replayed: true };
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    await store.release(claim, result.lease);
    throw error;
  }
  await store.complete(claim, result.lease, {
    statusCode: 200,
    contentType: "application/json",
    body: JSON.stringify(value) ?? "null",
  });
  return { value, replayed: false };
}
