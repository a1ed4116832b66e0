import type { RateLimitPolicy } from "../config.js";

/**
 * Token buckets in process memory, one per caller. A bucket starts full (burstRequests tokens), refills at
 * requestsPerS, and a request takes one token or is refused. The map keeps buckets in order of last use: when it is
 * full, the least recently used bucket is forgotten (it has most likely refilled, and a full bucket is what a new
 * caller gets anyway), so memory stays bounded whatever the number of callers.
 */
export interface TakeResult {
  allowed: boolean;
  /** Whole requests left right now. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
  /** Seconds until the next request would be allowed (0 when this one was). */
  retryAfterS: number;
}

export interface TokenBuckets {
  take(key: string, policy: RateLimitPolicy): TakeResult;
  size(): number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export function createTokenBuckets(options: { entriesMax: number; nowMs: () => number }): TokenBuckets {
  const buckets = new Map<string, Bucket>();

  function refilled(key: string, policy: RateLimitPolicy, nowMs: number): Bucket {
    const bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= options.entriesMax) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return { tokens: policy.burstRequests, atMs: nowMs };
    }
    buckets.delete(key); // set again below: the map's order is the order of last use
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(policy.burstRequests, bucket.tokens + (elapsedMs * policy.requestsPerS) / 1000);
    bucket.atMs = nowMs;
    return bucket;
  }

  return {
    take(key, policy) {
      const bucket = refilled(key, policy, options.nowMs());
      buckets.set(key, bucket);
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      return {
        allowed,
        remaining: Math.floor(bucket.tokens),
        resetS: Math.ceil((policy.burstRequests - bucket.tokens) / policy.requestsPerS),
        retryAfterS: allowed ? 0 : Math.ceil((1 - bucket.tokens) / policy.requestsPerS),
      };
    },
    size: () => buckets.size,
  };
}
