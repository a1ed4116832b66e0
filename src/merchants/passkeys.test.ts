import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { newMerchant, SessionClient, type TestMerchant } from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import { SoftwareAuthenticator } from "../../test/helpers/webauthn-authenticator.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";

/**
 * Passkeys with a software authenticator that signs with ES256 (node:crypto): register while signed in, then
 * sign in with the passkey alone. The server's verification (@simplewebauthn/server) runs for real.
 */
describe("passkeys", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  const publicUrl = "https://console.coffer.example.test";
  let m: TestMerchant;
  const authenticator = new SoftwareAuthenticator(publicUrl);

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url, publicUrl } });
    app = await createTestApp({ pool: db.pool, services });
    m = await newMerchant(app, sink, "Passkey Shop");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  it("registers a passkey, which turns two-factor on", async () => {
    const options = (await m.client.post("/v1/console/webauthn/registration/options")).json();
    assert.equal(options.rp.id, "console.coffer.example.test");
    assert.equal(options.authenticatorSelection.userVerification, "required");
    const registered = await m.client.post("/v1/console/webauthn/registration/verify", {
      response: authenticator.register(options),
      name: "Laptop",
    });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().name, "Laptop");
    const me = (await m.client.get("/v1/console/me")).json();
    assert.deepEqual(me.user.two_factor, { totp: false, passkeys: 1 });
    const checklist = (await m.client.get("/v1/console/go_live")).json();
    assert.equal(checklist.items.find((i: { id: string }) => i.id === "two_factor_enabled").passed, true);

    const reused = await m.client.post("/v1/console/webauthn/registration/verify", {
      response: authenticator.register(options),
    });
    assert.equal(reused.statusCode, 400);
    assert.equal(reused.json().error.code, "webauthn_challenge_invalid", "a challenge is answered once");
  });

  it("signs in with the passkey alone; a password alone is no longer enough", async () => {
    const client = new SessionClient(app);
    const options = (await client.post("/v1/console/webauthn/authentication/options")).json();
    assert.equal(options.userVerification, "required");
    const assertion = authenticator.authenticate(options, 0, "console.coffer.example.test");
    const signedIn = await client.post("/v1/console/webauthn/authentication/verify", { response: assertion });
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    assert.equal(signedIn.json().merchant, m.merchantId);
    assert.equal((await client.get("/v1/console/me")).statusCode, 200);

    const replay = await new SessionClient(app).post("/v1/console/webauthn/authentication/verify", {
      response: assertion,
    });
    assert.equal(replay.json().error.code, "webauthn_challenge_invalid");

    const passwordOnly = await new SessionClient(app).post("/v1/console/login", {
      email: m.email,
      password: m.password,
    });
    assert.equal(passwordOnly.statusCode, 401);
    assert.equal(passwordOnly.json().error.code, "two_factor_required");
    const sessions = await db.pool.query("SELECT 1 FROM console_sessions WHERE method = 'passkey'");
    assert.equal(sessions.rowCount, 1);
  });

  it("refuses an assertion made for another site, or with a forged signature", async () => {
    const phishing = new SoftwareAuthenticator("https://coffer-login.example.net");
    phishing.credentials.push(...authenticator.credentials);
    const options = (await app.inject({ method: "POST", url: "/v1/console/webauthn/authentication/options" })).json();
    const wrongOrigin = await new SessionClient(app).post("/v1/console/webauthn/authentication/verify", {
      response: phishing.authenticate(options, 0, "console.coffer.example.test"),
    });
    assert.equal(wrongOrigin.statusCode, 400);
    assert.equal(wrongOrigin.json().error.code, "webauthn_verification_failed");

    const options2 = (await app.inject({ method: "POST", url: "/v1/console/webauthn/authentication/options" })).json();
    const forged = authenticator.authenticate(options2, 0, "console.coffer.example.test");
    forged.response.signature = Buffer.from("not a signature").toString("base64url");
    const refused = await new SessionClient(app).post("/v1/console/webauthn/authentication/verify", {
      response: forged,
    });
    assert.equal(refused.json().error.code, "webauthn_verification_failed");

    const expired = (await app.inject({ method: "POST", url: "/v1/console/webauthn/authentication/options" })).json();
    clock.advance(5 * 60_000 + 1);
    const late = await new SessionClient(app).post("/v1/console/webauthn/authentication/verify", {
      response: authenticator.authenticate(expired, 0, "console.coffer.example.test"),
    });
    assert.equal(late.json().error.code, "webauthn_challenge_invalid");
  });

  it("lists and removes passkeys, and audits both", async () => {
    const client = new SessionClient(app);
    const options = (await client.post("/v1/console/webauthn/authentication/options")).json();
    const signedIn = await client.post("/v1/console/webauthn/authentication/verify", {
      response: authenticator.authenticate(options, 0, "console.coffer.example.test"),
    });
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    const listed = (await client.get("/v1/console/webauthn/credentials")).json();
    assert.equal(listed.data.length, 1);
    assert.notEqual(listed.data[0].last_used, null);
    const removed = await client.delete(`/v1/console/webauthn/credentials/${listed.data[0].id}`);
    assert.equal(removed.statusCode, 200);
    assert.deepEqual(removed.json(), { object: "two_factor", totp: false, passkeys: 0 });
    const audit = await db.pool.query(
      "SELECT action FROM audit_log WHERE action LIKE 'two_factor.passkey_%' ORDER BY seq",
    );
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ["two_factor.passkey_added", "two_factor.passkey_removed"],
    );
  });
});
