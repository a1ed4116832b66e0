import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { idempotencyPurgeBatchRowsMax } from "../limits.js";
import { canonicalJson } from "./canonical-json.js";
import { ApiError } from "./errors.js";
import {
  createIdempotencyStore,
  type IdempotencyStore,
  isValidIdempotencyKey,
  requestFingerprint,
  withIdempotency,
} from "./idempotency-store.js";

describe("idempotency store", () => {
  let db: TestDatabase;
  let store: IdempotencyStore;
  before(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    store = createIdempotencyStore(db.pool);
  });
  after(async () => {
    await db.drop();
  });

  it("canonical JSON ignores key order and keeps array order", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  it("fingerprints method, route, parameters, query and body", () => {
    const base = { method: "post", route: "/v1/x/:id", params: { id: "1" }, query: {}, body: { a: 1 } };
    const same = requestFingerprint({ ...base, method: "POST", body: { a: 1 } });
    assert.equal(requestFingerprint(base), same);
    assert.match(same, /^[0-9a-f]{64}$/);
    for (const change of [{ params: { id: "2" } }, { query: { q: "1" } }, { body: { a: 2 } }, { route: "/v1/y/:id" }]) {
      assert.notEqual(requestFingerprint({ ...base, ...change }), same, JSON.stringify(change));
    }
  });

  it("accepts printable ASCII keys up to 255 characters", () => {
    assert.equal(isValidIdempotencyKey("a"), true);
    assert.equal(isValidIdempotencyKey("order 42/attempt:1"), true);
    assert.equal(isValidIdempotencyKey("k".repeat(255)), true);
    assert.equal(isValidIdempotencyKey(""), false);
    assert.equal(isValidIdempotencyKey("k".repeat(256)), false);
    assert.equal(isValidIdempotencyKey("tab\there"), false);
    assert.equal(isValidIdempotencyKey("ключ"), false);
  });

  it("withIdempotency runs once and returns the stored result after", async () => {
    const claim = { scope: "svc", key: "job-1", fingerprint: "f1" };
    let runs = 0;
    const first = await withIdempotency(store, claim, async () => ({ n: ++runs }));
    const second = await withIdempotency(store, claim, async () => ({ n: ++runs }));
    assert.deepEqual(first, { value: { n: 1 }, replayed: false });
    assert.deepEqual(second, { value: { n: 1 }, replayed: true });
    await assert.rejects(
      withIdempotency(store, { ...claim, fingerprint: "f2" }, async () => ({ n: ++runs })),
      (error: unknown) => error instanceof ApiError && error.code === "idempotency_key_reused",
    );
    assert.equal(runs, 1);
  });

  it("withIdempotency releases the key when the work throws", async () => {
    const claim = { scope: "svc", key: "job-2", fingerprint: "f" };
    await assert.rejects(
      withIdempotency(store, claim, async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    const retried = await withIdempotency(store, claim, async () => "done");
    assert.deepEqual(retried, { value: "done", replayed: false });
  });

  it("only the holder of the lease can finish a key", async () => {
    const claim = { scope: "svc", key: "job-3", fingerprint: "f" };
    const held = await store.claim(claim);
    assert.equal(held.outcome, "claimed");
    await store.complete(claim, "someone-else", { statusCode: 200, contentType: "application/json", body: "{}" });
    assert.equal((await store.claim(claim)).outcome, "in_use");
  });

  it("purges expired keys in batches and keeps live ones", async () => {
    const expired = idempotencyPurgeBatchRowsMax + 5;
    await db.pool.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease, expires_at)
       SELECT 'purge', 'old-' || i, 'f', 'in_progress', 'l', now() - interval '1 minute'
         FROM generate_series(1, $1) AS i`,
      [expired],
    );
    await store.claim({ scope: "purge", key: "live", fingerprint: "f" });
    const purged = await store.purgeExpired();
    assert.ok(purged >= expired, `purged ${purged}`);
    const left = await db.pool.query("SELECT key FROM idempotency_keys WHERE scope = 'purge'");
    assert.deepEqual(
      left.rows.map((r) => r.key),
      ["live"],
    );
  });
});
