import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";
import { ApiError } from "./errors.js";
import { requestFingerprint } from "./idempotency-store.js";

/**
 * A counter that only moves through POST /test/counters/:name/increments, so "the handler ran" is visible in the
 * database. The caller's scope comes from a test header, standing in for authentication.
 */
function testRoutes(state: { runs: number; delayMs: number; fail: "none" | "4xx" | "5xx" }): FastifyPluginAsync {
  return async (app) => {
    app.addHook("onRequest", async (request) => {
      const caller = request.headers["x-test-caller"];
      if (typeof caller === "string") request.idempotencyScope = `test:${caller}`;
    });
    app.post(
      "/test/counters/:name/increments",
      {
        config: { idempotent: true },
        schema: {
          params: Type.Object({ name: Type.String() }),
          body: Type.Object({ by: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const { name } = request.params as { name: string };
        const { by } = request.body as { by: number };
        state.runs++;
        if (state.delayMs > 0) await sleep(state.delayMs);
        if (state.fail === "4xx") throw new ApiError("parameter_invalid", "by is not allowed today", "by");
        if (state.fail === "5xx") throw new Error("database went away");
        reply.code(201);
        return { object: "increment", name, by, run: state.runs, at: new Date().toISOString() };
      },
    );
  };
}

describe("Idempotency-Key", () => {
  let db: TestDatabase;
  let app: App;
  const state = { runs: 0, delayMs: 0, fail: "none" as "none" | "4xx" | "5xx" };

  before(async () => {
    db = await createTestDatabase({ poolSize: 25 });
    app = await createTestApp({ pool: db.pool, routes: testRoutes(state) });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });
  beforeEach(() => {
    state.runs = 0;
    state.delayMs = 0;
    state.fail = "none";
  });

  const send = (key: string | undefined, body: unknown, options: { caller?: string; counter?: string } = {}) =>
    app.inject({
      method: "POST",
      url: `/test/counters/${options.counter ?? "a"}/increments`,
      headers: {
        "content-type": "application/json",
        ...(key === undefined ? {} : { "idempotency-key": key }),
        ...(options.caller ? { "x-test-caller": options.caller } : {}),
      },
      payload: JSON.stringify(body),
    });

  it("runs the handler exactly once for 20 concurrent requests with one key", async () => {
    state.delayMs = 150;
    const responses = await Promise.all(Array.from({ length: 20 }, () => send("concurrent-1", { by: 1 })));
    assert.equal(state.runs, 1);
    const created = responses.filter((r) => r.statusCode === 201);
    const conflicts = responses.filter((r) => r.statusCode === 409);
    assert.equal(created.length + conflicts.length, 20);
    assert.ok(
      created.some((r) => r.headers["idempotent-replayed"] === undefined),
      "one request really ran",
    );
    for (const r of conflicts) assert.equal(r.json().error.code, "idempotency_key_in_use");
    for (const r of created.filter((r) => r.headers["idempotent-replayed"] === "true")) {
      assert.equal(r.body, created.find((c) => c.headers["idempotent-replayed"] === undefined)?.body);
    }
  });

  it("replays the stored response byte for byte after completion", async () => {
    const first = await send("replay-1", { by: 2 });
    await sleep(5);
    const second = await send("replay-1", { by: 2 });
    assert.equal(state.runs, 1);
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.body, first.body);
    assert.equal(second.headers["idempotent-replayed"], "true");
    assert.equal(first.headers["idempotent-replayed"], undefined);
    assert.notEqual(second.headers["request-id"], first.headers["request-id"]);
    assert.match(String(second.headers["content-type"]), /application\/json/);
  });

  it("treats the same body with keys in another order as the same request", async () => {
    await send("order-1", { by: 3 });
    const again = await app.inject({
      method: "POST",
      url: "/test/counters/a/increments",
      headers: { "content-type": "application/json", "idempotency-key": "order-1" },
      payload: '{ "by" : 3 }',
    });
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(state.runs, 1);
  });

  it("refuses the same key with a different body or path with idempotency_key_reused", async () => {
    await send("reuse-1", { by: 1 });
    const otherBody = await send("reuse-1", { by: 5 });
    assert.equal(otherBody.statusCode, 409);
    assert.equal(otherBody.json().error.code, "idempotency_key_reused");
    assert.equal(otherBody.json().error.type, "idempotency_error");
    const otherPath = await send("reuse-1", { by: 1 }, { counter: "b" });
    assert.equal(otherPath.statusCode, 409);
    assert.equal(otherPath.json().error.code, "idempotency_key_reused");
    assert.equal(state.runs, 1);
  });

  it("keeps keys of different callers apart", async () => {
    const alice = await send("shared-key", { by: 1 }, { caller: "alice" });
    const bob = await send("shared-key", { by: 7 }, { caller: "bob" });
    const anonymous = await send("shared-key", { by: 9 });
    assert.equal(alice.statusCode, 201);
    assert.equal(bob.statusCode, 201);
    assert.equal(anonymous.statusCode, 201);
    assert.equal(state.runs, 3);
    const scopes = await db.pool.query("SELECT scope FROM idempotency_keys WHERE key = 'shared-key' ORDER BY scope");
    assert.deepEqual(
      scopes.rows.map((r) => r.scope),
      ["public", "test:alice", "test:bob"],
    );
  });

  it("runs again once the key has expired", async () => {
    await send("expiring-1", { by: 1 });
    await db.pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring-1'",
    );
    const again = await send("expiring-1", { by: 4 });
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], undefined);
    assert.equal(state.runs, 2);
  });

  it("stores a 4xx answer and replays it", async () => {
    state.fail = "4xx";
    const first = await send("client-error-1", { by: 1 });
    state.fail = "none";
    const second = await send("client-error-1", { by: 1 });
    assert.equal(first.statusCode, 400);
    assert.equal(second.statusCode, 400);
    assert.equal(second.headers["idempotent-replayed"], "true");
    assert.equal(second.json().error.request_id, first.json().error.request_id);
    assert.equal(state.runs, 1);
  });

  it("releases the key after a 5xx so the client can retry", async () => {
    state.fail = "5xx";
    const first = await send("server-error-1", { by: 1 });
    assert.equal(first.statusCode, 500);
    state.fail = "none";
    const retry = await send("server-error-1", { by: 1 });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers["idempotent-replayed"], undefined);
    assert.equal(state.runs, 2);
  });

  it("takes over a key whose holder died, for the same request only", async () => {
    await db.pool.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease, locked_at, expires_at)
       VALUES ('public', 'orphan-1', 'not-this-request', 'in_progress', 'dead', now() - interval '1 hour',
               now() + interval '1 hour')`,
    );
    const other = await send("orphan-1", { by: 1 });
    assert.equal(other.json().error.code, "idempotency_key_reused");
    const sameRequest = requestFingerprint({
      method: "POST",
      route: "/test/counters/:name/increments",
      params: { name: "a" },
      query: {},
      body: { by: 1 },
    });
    await db.pool.query("UPDATE idempotency_keys SET fingerprint = $1 WHERE key = 'orphan-1'", [sameRequest]);
    const retried = await send("orphan-1", { by: 1 });
    assert.equal(retried.statusCode, 201);
    assert.equal(state.runs, 1);
  });

  it("runs every request without a key", async () => {
    await send(undefined, { by: 1 });
    await send(undefined, { by: 1 });
    assert.equal(state.runs, 2);
  });

  it("refuses a key that is too long or not printable ASCII", async () => {
    for (const key of ["x".repeat(256), "naïve-key"]) {
      const response = await send(key, { by: 1 });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, "idempotency_key_invalid");
    }
    assert.equal(state.runs, 0);
  });

  it("does not use up a key on a request its schema refuses", async () => {
    const invalid = await send("schema-1", { by: 0 });
    assert.equal(invalid.json().error.code, "parameter_invalid");
    const valid = await send("schema-1", { by: 1 });
    assert.equal(valid.statusCode, 201);
    assert.equal(state.runs, 1);
  });
});
