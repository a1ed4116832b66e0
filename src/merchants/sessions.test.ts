import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { logIn, newMerchant, SessionClient, type TestMerchant } from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { consoleSessionTtlMs, sessionIdleTimeoutMs } from "../limits.js";
import type { Services } from "../runtime/services.js";
import { purgeExpiredMerchantRows } from "./housekeeping.js";
import { sha256 } from "./tokens.js";

/** Console sessions: cookie attributes, hashed storage, idle and absolute expiry, logout. */
describe("console sessions", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let m: TestMerchant;

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    // No COFFER_PUBLIC_URL and plain http: the cookie is not Secure (a browser would drop it on http).
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    m = await newMerchant(app, sink, "Session Shop");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const credentials = () => ({ email: m.email, password: m.password });

  it("sets an HttpOnly, SameSite=Lax cookie scoped to the API (Path=/v1), Secure only over TLS", async () => {
    const response = await new SessionClient(app).post("/v1/console/login", credentials());
    const lines = [response.headers["set-cookie"]].flat().map(String);
    const cookie = lines.find((line) => line.startsWith("coffer_console=")) ?? "";
    assert.match(cookie, /; Path=\/v1; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    // The browser's device cookie (new-device alerts): HttpOnly too, sent only to the console's sign-in routes.
    assert.ok(
      lines.some((line) =>
        /^coffer_device=dvt_[A-Za-z0-9_-]{43}; Path=\/v1\/console; Max-Age=34560000; HttpOnly; SameSite=Lax$/.test(
          line,
        ),
      ),
      lines.join("\n"),
    );
    assert.doesNotMatch(lines.join("\n"), /Secure/);
  });

  it("keeps only the SHA-256 of the session token", async () => {
    const client = await logIn(app, credentials());
    const rows = await db.pool.query("SELECT token_hash FROM console_sessions");
    assert.ok(rows.rows.some((r) => Buffer.compare(r.token_hash, sha256(client.cookie!)) === 0));
    const dump = await db.pool.query("SELECT string_agg(t::text, '|') AS all FROM console_sessions t");
    assert.ok(!dump.rows[0].all.includes(client.cookie!));
  });

  it("ends after sessionIdleTimeoutMs without a request", async () => {
    const client = await logIn(app, credentials());
    clock.advance(sessionIdleTimeoutMs - 60_000);
    assert.equal((await client.get("/v1/console/me")).statusCode, 200, "a request moves the idle deadline");
    clock.advance(sessionIdleTimeoutMs - 60_000);
    assert.equal((await client.get("/v1/console/me")).statusCode, 200);
    clock.advance(sessionIdleTimeoutMs + 1);
    const idle = await client.get("/v1/console/me");
    assert.equal(idle.statusCode, 401);
    assert.equal(idle.json().error.code, "authentication_required");
  });

  it("ends consoleSessionTtlMs after sign-in however busy it is", async () => {
    const client = await logIn(app, credentials());
    for (let elapsed = 0; elapsed < consoleSessionTtlMs - 20 * 60_000; elapsed += 20 * 60_000) {
      clock.advance(20 * 60_000);
      assert.equal((await client.get("/v1/console/me")).statusCode, 200);
    }
    clock.advance(20 * 60_000);
    assert.equal((await client.get("/v1/console/me")).statusCode, 401);
  });

  it("signs out: the session is revoked and the cookie cleared; an old cookie does not block signing in again", async () => {
    const client = await logIn(app, credentials());
    const cookie = client.cookie;
    const out = await client.post("/v1/console/logout");
    assert.equal(out.statusCode, 200);
    assert.match(String(out.headers["set-cookie"]), /^coffer_console=; Path=\/v1; Max-Age=0/);
    const stale = new SessionClient(app);
    stale.cookie = cookie;
    assert.equal((await stale.get("/v1/console/me")).statusCode, 401);
    assert.equal((await stale.post("/v1/console/login", credentials())).statusCode, 200);
    const audit = await db.pool.query("SELECT 1 FROM audit_log WHERE action = 'console.logged_out'");
    assert.equal(audit.rowCount, 1);
  });

  it("gives the CSRF token again on GET /me, so a reloaded console can continue", async () => {
    const client = await logIn(app, credentials());
    const csrf = client.csrf;
    client.csrf = undefined;
    assert.equal((await client.post("/v1/console/api_keys", { type: "publishable" })).statusCode, 403);
    const me = (await client.get("/v1/console/me")).json();
    assert.equal(me.csrf_token, csrf);
    assert.equal((await client.post("/v1/console/api_keys", { type: "publishable" })).statusCode, 201);
  });

  it("is deleted by housekeeping a day after it ended", async () => {
    const client = await logIn(app, credentials());
    await client.post("/v1/console/logout");
    const count = async () => (await db.pool.query("SELECT count(*)::int AS n FROM console_sessions")).rows[0].n;
    const before = await count();
    await purgeExpiredMerchantRows(db.pool, clock.now());
    assert.equal(await count(), before, "not yet");
    clock.advance(consoleSessionTtlMs + 24 * 60 * 60 * 1000 + 1);
    assert.ok((await purgeExpiredMerchantRows(db.pool, clock.now())) > 0);
    assert.equal(await count(), 0);
  });
});
