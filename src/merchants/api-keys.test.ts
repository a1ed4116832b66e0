import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { logIn, newMerchant, type TestMerchant } from "../../test/helpers/merchant-console.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";
import { keyFromAuthorization } from "./api-key-authenticator.js";
import { scopeAllows } from "./scopes.js";

/** API keys over HTTP: restricted scopes, rolling with an overlap, revoking, last use, and clear 401 codes. */
describe("API keys", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let m: TestMerchant;

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    m = await newMerchant(app, sink, "Key Shop");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const account = (key: string) => app.inject({ url: "/v1/account", headers: { authorization: `Bearer ${key}` } });
  const create = async (body: Record<string, unknown>) => {
    const response = await m.client.post("/v1/console/api_keys", body);
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string; secret: string; scopes: Record<string, string> | null };
  };

  it("reads the key from Bearer or Basic, and leaves other credentials to other authenticators", () => {
    const key = `sk_test_${"a".repeat(44)}`;
    assert.equal(keyFromAuthorization(`Bearer ${key}`), key);
    assert.equal(keyFromAuthorization(`bearer ${key}`), key);
    assert.equal(keyFromAuthorization(`Basic ${Buffer.from(`${key}:`).toString("base64")}`), key);
    assert.equal(keyFromAuthorization(`Basic ${Buffer.from(key).toString("base64")}`), key);
    assert.equal(keyFromAuthorization("Bearer ws_wallet-session-token"), undefined);
    assert.equal(keyFromAuthorization("Bearer sk_test_short"), undefined);
    assert.equal(keyFromAuthorization(undefined), undefined);
  });

  it("answers 401 api_key_invalid for an unknown key, never anonymous", async () => {
    const response = await account(`sk_live_${"Z".repeat(44)}`);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, "api_key_invalid");
    const none = await app.inject({ url: "/v1/account" });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, "authentication_required");
  });

  it("gives restricted keys their scopes: account read allowed, none refused", async () => {
    const reader = await create({
      type: "restricted",
      name: "reporting",
      scopes: { account: "read", payments: "write" },
    });
    assert.match(reader.secret, /^rk_test_/);
    assert.equal(reader.scopes?.account, "read");
    assert.equal(reader.scopes?.refunds, "none", "unnamed resources are none");
    assert.equal((await account(reader.secret)).statusCode, 200);
    const blind = await create({ type: "restricted", scopes: { payments: "read" } });
    const refused = await account(blind.secret);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "permission_denied");

    for (const scopes of [{}, { account: "admin" }, { nuclear_codes: "read" }, { account: "none" }]) {
      const bad = await m.client.post("/v1/console/api_keys", { type: "restricted", scopes });
      assert.equal(bad.statusCode, 400, JSON.stringify(scopes));
      assert.ok(["api_key_scopes_invalid", "parameter_invalid"].includes(bad.json().error.code));
    }
    const scopesOnSecret = await m.client.post("/v1/console/api_keys", { type: "secret", scopes: { account: "read" } });
    assert.equal(scopesOnSecret.json().error.code, "api_key_scopes_invalid");
    assert.equal(scopeAllows({ payments: "write" }, "payments", "read"), true, "write includes read");
    assert.equal(scopeAllows(null, "payments", "write"), true, "unrestricted keys may do all");
  });

  it("rolls a key: the new one works at once, the old one until the overlap ends, then answers api_key_expired", async () => {
    const old = await create({ type: "secret", name: "web" });
    const rolled = await m.client.post(`/v1/console/api_keys/${old.id}/roll`, { overlap_seconds: 3600 });
    assert.equal(rolled.statusCode, 201, rolled.body);
    const fresh = rolled.json();
    assert.equal(fresh.rolled_from, old.id);
    assert.equal(fresh.name, "web");
    assert.notEqual(fresh.secret, old.secret);
    assert.equal((await account(fresh.secret)).statusCode, 200);
    assert.equal((await account(old.secret)).statusCode, 200, "still valid during the overlap");
    const listed = (await m.client.get("/v1/console/api_keys?limit=100")).json();
    assert.equal(listed.data.find((k: { id: string }) => k.id === old.id).status, "expiring");

    const again = await m.client.post(`/v1/console/api_keys/${old.id}/roll`, {});
    assert.equal(again.json().error.code, "api_key_not_active", "a rolled key is not rolled twice");

    clock.advance(3600 * 1000);
    m.client = await logIn(app, { email: m.email, password: m.password }); // an hour idle ends the session too
    const expired = await account(old.secret);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error.code, "api_key_expired");

    const tooLong = await m.client.post(`/v1/console/api_keys/${fresh.id}/roll`, { overlap_seconds: 8 * 86_400 });
    assert.equal(tooLong.json().error.code, "parameter_invalid");
    // No body at all (as curl -X POST sends it) means the defaults: overlap 0.
    const immediate = await m.client.send("POST", `/v1/console/api_keys/${fresh.id}/roll`);
    assert.equal(immediate.statusCode, 201, immediate.body);
    const unknown = await m.client.post(`/v1/console/api_keys/${immediate.json().id}/roll`, { overlap: 5 });
    assert.equal(unknown.json().error.code, "parameter_unknown");
    assert.equal((await account(fresh.secret)).json().error.code, "api_key_expired", "overlap 0 stops it now");
  });

  it("revokes a key at once (api_key_revoked), and revoking twice changes nothing", async () => {
    const key = await create({ type: "secret" });
    assert.equal((await account(key.secret)).statusCode, 200);
    const revoked = await m.client.delete(`/v1/console/api_keys/${key.id}`);
    assert.equal(revoked.statusCode, 200);
    assert.equal(revoked.json().status, "revoked");
    const refused = await account(key.secret);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, "api_key_revoked");
    const twice = await m.client.delete(`/v1/console/api_keys/${key.id}`);
    assert.equal(twice.json().revoked_at, revoked.json().revoked_at);
    const events = await db.pool.query(
      "SELECT type FROM events WHERE merchant_id = $1 AND data->'object'->>'id' = $2 ORDER BY seq",
      [m.merchantId, key.id],
    );
    assert.deepEqual(
      events.rows.map((r) => r.type),
      ["api_key.created", "api_key.revoked"],
    );
  });

  it("tracks the last use to the minute, without a write per request", async () => {
    const key = await create({ type: "secret" });
    const lastUsed = async () =>
      (await db.pool.query<{ last_used_at: Date | null }>("SELECT last_used_at FROM api_keys WHERE id = $1", [key.id]))
        .rows[0]!.last_used_at;
    assert.equal(await lastUsed(), null);
    await account(key.secret);
    const first = await lastUsed();
    assert.ok(first);
    clock.advance(30_000);
    await account(key.secret);
    assert.equal((await lastUsed())?.getTime(), first.getTime(), "not written again within a minute");
    clock.advance(31_000);
    await account(key.secret);
    assert.ok((await lastUsed())!.getTime() > first.getTime());
  });

  it("stores keys as SHA-256 with a visible prefix and last four, and records events without secrets", async () => {
    const key = await create({ type: "secret" });
    const row = await db.pool.query("SELECT * FROM api_keys WHERE id = $1", [key.id]);
    assert.equal(row.rows[0].token_prefix, key.secret.slice(0, 12));
    assert.equal(row.rows[0].last4, key.secret.slice(-4));
    assert.equal(row.rows[0].token_hash.length, 32);
    const events = await db.pool.query("SELECT data::text AS data FROM events WHERE merchant_id = $1", [m.merchantId]);
    assert.ok(events.rows.every((e) => !e.data.includes(key.secret)));
  });

  it("gives other domains' tests real keys for bare merchants (test/helpers/merchant-rows.ts)", async () => {
    const merchantId = await insertTestMerchant(db.pool, "Bare Shop");
    const key = await issueTestApiKey(services, merchantId);
    const response = await account(key);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().id, merchantId);
    assert.equal(response.json().kyb_status, "draft");
    const restricted = await issueTestApiKey(services, merchantId, { scopes: { payments: "read" } });
    assert.equal((await account(restricted)).statusCode, 403);
  });
});
