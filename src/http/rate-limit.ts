import type { FastifyInstance, FastifyReply } from "fastify";
import type { RateLimitPolicy, RateLimits } from "../config.js";
import { rateLimitBucketsMax } from "../limits.js";
import type { AuthContext } from "./auth.js";
import { ApiError } from "./errors.js";
import { createTokenBuckets, type TakeResult } from "./token-buckets.js";

/**
 * Per-key rate limits of the API, so one tenant cannot take the whole server: a token bucket per API key (secret,
 * restricted or publishable) and per console user and merchant, each mode counted apart, with the mode's rates.
 * Wallet users, operators and calls without credentials are not counted here (logins and sign-ups have their own
 * limits in PostgreSQL); neither is anything outside /v1 (health, metrics, docs, web pages).
 *
 * The buckets live in this process's memory: a database or Redis round trip on every API call would cost the
 * payment path more than the limit is worth. So the limits hold per coffer process; behind a load balancer with N
 * API processes a key may reach N times them.
 *
 * Every counted response says where the caller stands, in the fields of the IETF draft
 * draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "live";q=<burst>;w=<seconds to refill from empty>` and
 * `RateLimit: "live";r=<requests left>;t=<seconds until full>`. A refused request gets 429 rate_limited with
 * Retry-After in whole seconds.
 */
export interface RateLimitOptions {
  limits: RateLimits;
  /** Milliseconds on a monotonic clock; tests move their own. */
  nowMs?: () => number;
}

const apiPrefix = "/v1/";

/** The bucket a caller draws from, or undefined for callers that are not counted here. */
function bucketOf(auth: AuthContext): { key: string; livemode: boolean } | undefined {
  const mode = "livemode" in auth && auth.livemode ? "live" : "test";
  switch (auth.kind) {
    case "secret_key":
    case "publishable_key":
      return { key: `key:${auth.keyId}:${mode}`, livemode: auth.livemode };
    case "console":
      return { key: `console:${auth.userId}:${auth.merchantId}:${mode}`, livemode: auth.livemode };
    default:
      return undefined;
  }
}

interface ModePolicy {
  name: "live" | "test";
  policy: RateLimitPolicy;
  policyHeader: string;
}

function modePolicy(name: "live" | "test", policy: RateLimitPolicy): ModePolicy {
  const refillS = Math.max(1, Math.ceil(policy.burstRequests / policy.requestsPerS));
  return { name, policy, policyHeader: `"${name}";q=${policy.burstRequests};w=${refillS}` };
}

function setHeaders(reply: FastifyReply, mode: ModePolicy, result: TakeResult): void {
  reply.header("RateLimit-Policy", mode.policyHeader);
  reply.header("RateLimit", `"${mode.name}";r=${result.remaining};t=${result.resetS}`);
}

/** Register after registerAuthentication: it counts the caller that authentication found. */
export function registerRateLimits(app: FastifyInstance, options: RateLimitOptions): void {
  const buckets = createTokenBuckets({
    entriesMax: rateLimitBucketsMax,
    nowMs: options.nowMs ?? (() => performance.now()),
  });
  const live = modePolicy("live", options.limits.live);
  const test = modePolicy("test", options.limits.test);

  app.addHook("onRequest", async (request, reply) => {
    if (!request.auth || !request.url.startsWith(apiPrefix)) return;
    const bucket = bucketOf(request.auth);
    if (!bucket) return;
    const mode = bucket.livemode ? live : test;
    const result = buckets.take(bucket.key, mode.policy);
    setHeaders(reply, mode, result);
    if (!result.allowed) {
      reply.header("Retry-After", String(result.retryAfterS));
      throw new ApiError(
        "rate_limited",
        `Too many requests with these credentials in ${mode.name} mode: at most ${mode.policy.requestsPerS} a second ` +
          `(bursts of ${mode.policy.burstRequests}); retry after ${result.retryAfterS} s.`,
      );
    }
  });
}
