import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { newMerchant, type SessionClient } from "../../test/helpers/merchant-console.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { loadConfig, type RateLimits } from "../config.js";
import { rateLimitBucketsMax } from "../limits.js";
import type { Services } from "../runtime/services.js";
import { createTokenBuckets } from "./token-buckets.js";

/** Small limits, so a test exhausts a bucket in a few requests; the clock only moves when a test moves it. */
const limits: RateLimits = {
  test: { requestsPerS: 2, burstRequests: 3 },
  live: { requestsPerS: 10, burstRequests: 5 },
};

describe("per-key rate limits", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  let nowMs = 0;
  let merchant: string;

  before(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services, rateLimits: limits, rateLimitNowMs: () => nowMs });
    merchant = await insertTestMerchant(db.pool, "Busy Shop");
  });
  beforeEach(() => {
    nowMs += 3_600_000; // every bucket is full again
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const get = (key: string, url = "/v1/events") =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });

  it("answers a burst, then 429 rate_limited with Retry-After and the RateLimit fields", async () => {
    const key = await issueTestApiKey(services, merchant);
    for (let i = 0; i < 3; i++) {
      const response = await get(key);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers["ratelimit-policy"], '"test";q=3;w=2');
      assert.equal(response.headers.ratelimit, `"test";r=${2 - i};t=${Math.ceil((i + 1) / 2)}`);
    }
    const refused = await get(key);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().error.code, "rate_limited");
    assert.equal(refused.json().error.type, "rate_limit_error");
    assert.equal(refused.headers["retry-after"], "1");
    assert.equal(refused.headers["ratelimit-policy"], '"test";q=3;w=2');
    assert.equal(refused.headers.ratelimit, '"test";r=0;t=2');
  });

  it("refills over time at the sustained rate, never above the burst", async () => {
    const key = await issueTestApiKey(services, merchant);
    for (let i = 0; i < 3; i++) assert.equal((await get(key)).statusCode, 200);
    assert.equal((await get(key)).statusCode, 429);
    nowMs += 499; // 2 a second: one token takes 500 ms
    assert.equal((await get(key)).statusCode, 429);
    nowMs += 1;
    const one = await get(key);
    assert.equal(one.statusCode, 200);
    assert.equal(one.headers.ratelimit, '"test";r=0;t=2');
    assert.equal((await get(key)).statusCode, 429);
    nowMs += 60_000; // a minute idle fills the bucket to its burst, not to 120
    for (let i = 0; i < 3; i++) assert.equal((await get(key)).statusCode, 200);
    assert.equal((await get(key)).statusCode, 429);
  });

  it("counts live and test apart, each with its own limits", async () => {
    const testKey = await issueTestApiKey(services, merchant);
    const liveKey = await issueTestApiKey(services, merchant, { livemode: true });
    for (let i = 0; i < 3; i++) assert.equal((await get(testKey)).statusCode, 200);
    assert.equal((await get(testKey)).statusCode, 429);
    for (let i = 0; i < 5; i++) {
      const response = await get(liveKey);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers["ratelimit-policy"], '"live";q=5;w=1');
    }
    const refused = await get(liveKey);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers.ratelimit, '"live";r=0;t=1');
  });

  it("gives every key its own bucket, publishable keys included", async () => {
    const first = await issueTestApiKey(services, merchant);
    const second = await issueTestApiKey(services, merchant);
    const publishable = await issueTestApiKey(services, merchant, { type: "publishable" });
    for (let i = 0; i < 3; i++) assert.equal((await get(first)).statusCode, 200);
    assert.equal((await get(first)).statusCode, 429);
    assert.equal((await get(second)).statusCode, 200, "another key of the same merchant is not held back");
    // A publishable key may not list events (403), but the call is counted and answered with the fields.
    for (let i = 0; i < 3; i++) {
      const response = await get(publishable);
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.headers["ratelimit-policy"], '"test";q=3;w=2');
    }
    const refused = await get(publishable);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers["retry-after"], "1");
  });

  it("counts a console user per merchant and mode like a key", async () => {
    const owner = await newMerchant(app, sink, "Console Shop");
    const console: SessionClient = owner.client;
    nowMs += 3_600_000; // signing up took a token (GET /v1/console/me)
    for (let i = 0; i < 3; i++) {
      const response = await console.get("/v1/events");
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers["ratelimit-policy"], '"test";q=3;w=2');
    }
    const refused = await console.get("/v1/events");
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers["retry-after"], "1");
  });

  it("does not count calls without credentials, wrong keys, or anything outside the API", async () => {
    const key = await issueTestApiKey(services, merchant);
    for (let i = 0; i < 5; i++) {
      const health = await get(key, "/healthz");
      assert.equal(health.statusCode, 200);
      assert.equal(health.headers.ratelimit, undefined);
      assert.equal((await get(key, "/openapi.json")).headers.ratelimit, undefined);
      const anonymous = await app.inject({ method: "GET", url: "/v1/events" });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.headers.ratelimit, undefined);
    }
    assert.equal((await get(key)).headers.ratelimit, '"test";r=2;t=1', "the key's bucket is still full");
  });

  it("refuses before the idempotency key is taken: a retry after the wait is a first attempt", async () => {
    const key = await issueTestApiKey(services, merchant);
    for (let i = 0; i < 3; i++) assert.equal((await get(key)).statusCode, 200);
    const create = () =>
      app.inject({
        method: "POST",
        url: "/v1/webhook_endpoints",
        headers: { authorization: `Bearer ${key}`, "idempotency-key": "rate-limited-once" },
        payload: { url: "https://hooks.example.com/coffer", enabled_events: ["payment.*"] },
      });
    const refused = await create();
    assert.equal(refused.statusCode, 429);
    const stored = await db.pool.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1", [
      "rate-limited-once",
    ]);
    assert.equal(stored.rows[0].n, 0, "nothing written for the refused request");
  });
});

describe("token buckets", () => {
  it("keep at most their bound, forgetting the least recently used", () => {
    let nowMs = 0;
    const buckets = createTokenBuckets({ entriesMax: 3, nowMs: () => nowMs });
    const policy = { requestsPerS: 1, burstRequests: 1 };
    for (const key of ["a", "b", "c"]) assert.equal(buckets.take(key, policy).allowed, true);
    assert.equal(buckets.take("a", policy).allowed, false, "a is empty and now the most recently used");
    assert.equal(buckets.take("d", policy).allowed, true, "d pushes out b, the least recently used");
    assert.equal(buckets.size(), 3);
    assert.equal(buckets.take("a", policy).allowed, false, "a was kept");
    assert.equal(buckets.take("b", policy).allowed, true, "b starts again full");
    nowMs += 1_000;
    assert.equal(buckets.take("a", policy).allowed, true);
  });

  it("have a bound and defaults named in limits.ts and readable from the environment", () => {
    assert.ok(rateLimitBucketsMax >= 10_000);
    const config = loadConfig({
      COFFER_RATE_LIMIT_LIVE_PER_S: "500",
      COFFER_RATE_LIMIT_LIVE_BURST: "1000",
      COFFER_RATE_LIMIT_TEST_PER_S: "7",
    });
    assert.deepEqual(config.rateLimits, {
      live: { requestsPerS: 500, burstRequests: 1000 },
      test: { requestsPerS: 7, burstRequests: 50 },
    });
    assert.deepEqual(loadConfig({}).rateLimits, {
      live: { requestsPerS: 100, burstRequests: 200 },
      test: { requestsPerS: 25, burstRequests: 50 },
    });
    assert.throws(() => loadConfig({ COFFER_RATE_LIMIT_TEST_BURST: "0" }), /COFFER_RATE_LIMIT_TEST_BURST must be/);
    assert.throws(() => loadConfig({ COFFER_RATE_LIMIT_LIVE_PER_S: "fast" }), /COFFER_RATE_LIMIT_LIVE_PER_S must be/);
  });
});
