import type { Queryable } from "../db/pool.js";
import { paymentCodeMissCountCacheMs, paymentCodeMissesPerMerchantMax, paymentCodeMissWindowMs } from "../limits.js";
import { hitRateLimit, rateLimitCount, retryAfterSeconds } from "../merchants/rate-limits.js";

/**
 * The guard against guessing payment codes: unknown, used or expired codes per merchant and mode are counted in
 * PostgreSQL (so every process sees them) and, past paymentCodeMissesPerMerchantMax in a window, further charges
 * by code are refused until the window ends.
 *
 * Every charge asks whether the merchant is over the limit, and a till charging codes all day would pay a round
 * trip per payment for a counter that is nearly always far below it. So each process keeps the count it last read
 * or wrote per bucket for paymentCodeMissCountCacheMs: its own misses update it at once, other processes' misses are
 * seen within that time. A guesser gains at most that long of extra tries per process, against codes of 16 random
 * digits valid for a minute.
 */
export interface CodeMissGuard {
  /** The seconds to wait when the bucket is over the limit, else undefined. */
  retryAfter(db: Queryable, bucket: string, now: Date): Promise<number | undefined>;
  /** Counts a miss. */
  hit(db: Queryable, bucket: string, now: Date): Promise<void>;
}

interface SeenCount {
  hits: number;
  windowStartMs: number;
  readAtMs: number;
}

/** Buckets remembered at most; beyond, the oldest are forgotten (and read again when asked). */
const seenBucketsMax = 10_000;

export function createCodeMissGuard(): CodeMissGuard {
  const seen = new Map<string, SeenCount>();

  const windowStartMs = (now: Date) => Math.floor(now.getTime() / paymentCodeMissWindowMs) * paymentCodeMissWindowMs;

  function remember(bucket: string, hits: number, now: Date) {
    seen.delete(bucket); // re-inserted last: Map order is the eviction order
    seen.set(bucket, { hits, windowStartMs: windowStartMs(now), readAtMs: Date.now() });
    if (seen.size > seenBucketsMax) seen.delete(seen.keys().next().value!);
  }

  async function count(db: Queryable, bucket: string, now: Date): Promise<number> {
    const known = seen.get(bucket);
    // readAtMs is on the system clock, not the caller's (a merchant's test clock may jump).
    const fresh =
      known !== undefined &&
      known.windowStartMs === windowStartMs(now) &&
      Date.now() - known.readAtMs < paymentCodeMissCountCacheMs;
    if (fresh) return known.hits;
    const hits = await rateLimitCount(db, bucket, paymentCodeMissWindowMs, now);
    remember(bucket, hits, now);
    return hits;
  }

  return {
    async retryAfter(db, bucket, now) {
      if ((await count(db, bucket, now)) < paymentCodeMissesPerMerchantMax) return undefined;
      return retryAfterSeconds(now, paymentCodeMissWindowMs);
    },
    async hit(db, bucket, now) {
      remember(bucket, await hitRateLimit(db, bucket, paymentCodeMissWindowMs, now), now);
    },
  };
}
