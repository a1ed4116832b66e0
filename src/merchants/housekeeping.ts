import type { Queryable } from "../db/pool.js";
import { endedSessionsKeptMs, merchantHousekeepingBatchRowsMax, rateLimitWindowsKeptMs } from "../limits.js";
import { purgeSignIns } from "../security/sign-ins/service.js";

/**
 * Deletes what the merchant platform no longer needs: sessions a day past their end, email links and WebAuthn
 * challenges past their expiry, rate-limit windows older than rateLimitWindowsKeptMs, and old sign-ins and devices
 * (src/security/sign-ins). In batches, so no statement holds many locks; run by the merchant-housekeeping worker.
 * Returns the rows deleted.
 */
export async function purgeExpiredMerchantRows(db: Queryable, now: Date): Promise<number> {
  const dayAgo = new Date(now.getTime() - endedSessionsKeptMs);
  const statements: [string, unknown[]][] = [
    [
      `DELETE FROM console_sessions WHERE id IN (SELECT id FROM console_sessions
         WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)`,
      [dayAgo],
    ],
    [
      `DELETE FROM operator_sessions WHERE id IN (SELECT id FROM operator_sessions
         WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)`,
      [dayAgo],
    ],
    [
      `DELETE FROM email_links WHERE token_hash IN (SELECT token_hash FROM email_links WHERE expires_at < $1 LIMIT $2)`,
      [dayAgo],
    ],
    [
      `DELETE FROM webauthn_challenges WHERE challenge IN (SELECT challenge FROM webauthn_challenges
         WHERE expires_at < $1 LIMIT $2)`,
      [now],
    ],
    [
      `DELETE FROM console_rate_limits WHERE (bucket, window_start) IN (SELECT bucket, window_start
         FROM console_rate_limits WHERE window_start < $1 LIMIT $2)`,
      [new Date(now.getTime() - rateLimitWindowsKeptMs)],
    ],
  ];
  let deleted = 0;
  for (const [sql, params] of statements) {
    const result = await db.query(sql, [...params, merchantHousekeepingBatchRowsMax]);
    deleted += result.rowCount ?? 0;
  }
  deleted += await purgeSignIns(db, now, merchantHousekeepingBatchRowsMax);
  return deleted;
}
