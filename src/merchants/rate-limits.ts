import type { Queryable } from "../db/pool.js";

/**
 * Fixed-window counters in PostgreSQL, so a limit holds across every coffer process: one row per bucket and window,
 * incremented with one upsert. Used for sign-ups and failed logins per address and for mails per recipient.
 * Old windows are deleted by the merchant-housekeeping worker.
 */
function windowStart(now: Date, windowMs: number): Date {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** Counts one hit and returns the count in the current window, this hit included. */
export async function hitRateLimit(db: Queryable, bucket: string, windowMs: number, now: Date): Promise<number> {
  const result = await db.query<{ hits: number }>(
    `INSERT INTO console_rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = console_rate_limits.hits + 1
     RETURNING hits`,
    [bucket, windowStart(now, windowMs)],
  );
  return result.rows[0]?.hits ?? 1;
}

/** The count in the current window, without counting. */
export async function rateLimitCount(db: Queryable, bucket: string, windowMs: number, now: Date): Promise<number> {
  const result = await db.query<{ hits: number }>(
    "SELECT hits FROM console_rate_limits WHERE bucket = $1 AND window_start = $2",
    [bucket, windowStart(now, windowMs)],
  );
  return result.rows[0]?.hits ?? 0;
}

/** Seconds until the current window ends, for Retry-After. */
export function retryAfterSeconds(now: Date, windowMs: number): number {
  const end = windowStart(now, windowMs).getTime() + windowMs;
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}
