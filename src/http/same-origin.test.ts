import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  newMerchant,
  newOperator,
  type SessionClient,
  type TestMerchant,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

/**
 * Writes authenticated by a session cookie (merchant console, operator console) must come from coffer's own pages:
 * a foreign Origin or a cross-site Sec-Fetch-Site is refused with 403 cross_site_request before anything changes,
 * even with the right CSRF token. Requests without those headers pass on the CSRF token; API keys are unaffected.
 */
describe("same-origin writes for cookie sessions", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  let merchant: TestMerchant;
  let secretKey: string;
  const host = "coffer.example.com";
  const masterKey = randomBytes(32); // one database, one master key, for both coffers of this file

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, masterKey, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    merchant = await newMerchant(app, sink, "Origin Tea");
    const keys = (await merchant.client.get("/v1/console/api_keys")).json();
    const revealable = keys.data.find((k: { revealable: boolean }) => k.revealable);
    secretKey = (await merchant.client.post(`/v1/console/api_keys/${revealable.id}/reveal`)).json().secret;
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  async function keyCount(): Promise<number> {
    const found = await db.pool.query("SELECT count(*)::int AS n FROM api_keys WHERE merchant_id = $1", [
      merchant.merchantId,
    ]);
    return found.rows[0].n;
  }

  /** A console write (a new restricted key) with the session's CSRF token and the given browser headers. */
  async function createKey(client: SessionClient, headers: Record<string, string>) {
    return client.post("/v1/console/api_keys", { type: "restricted", scopes: { account: "read" } }, headers);
  }

  const refusals: [string, Record<string, string>][] = [
    ["another site's Origin", { host, origin: "https://evil.example" }],
    ["Origin null", { host, origin: "null" }],
    ["Sec-Fetch-Site cross-site", { host, "sec-fetch-site": "cross-site" }],
    [
      "Sec-Fetch-Site cross-site even with our Origin",
      { host, origin: `http://${host}`, "sec-fetch-site": "cross-site" },
    ],
    [
      "Sec-Fetch-Site same-site from a sibling",
      { host, origin: "http://shop.example.com", "sec-fetch-site": "same-site" },
    ],
    ["Sec-Fetch-Site same-site without an Origin", { host, "sec-fetch-site": "same-site" }],
    ["our host on another scheme", { host, origin: `https://${host}` }],
    ["our host name on another port", { host, origin: `http://${host}:8443` }],
  ];
  for (const [name, headers] of refusals) {
    it(`refuses a console write with ${name}, and writes nothing`, async () => {
      const before = await keyCount();
      const response = await createKey(merchant.client, headers);
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().error.code, "cross_site_request");
      assert.equal(await keyCount(), before);
    });
  }

  const allowed: [string, Record<string, string>][] = [
    ["no Origin and no Sec-Fetch-Site (curl)", { host }],
    ["our own Origin", { host, origin: `http://${host}` }],
    ["our Origin, written differently", { host, origin: `HTTP://COFFER.example.com:80` }],
    ["Sec-Fetch-Site same-origin", { host, origin: `http://${host}`, "sec-fetch-site": "same-origin" }],
    ["Sec-Fetch-Site same-site from our own origin", { host, origin: `http://${host}`, "sec-fetch-site": "same-site" }],
    ["Sec-Fetch-Site none (typed by the user)", { host, "sec-fetch-site": "none" }],
  ];
  for (const [name, headers] of allowed) {
    it(`accepts a console write with ${name}`, async () => {
      const before = await keyCount();
      const response = await createKey(merchant.client, headers);
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(await keyCount(), before + 1);
    });
  }

  it("still needs the CSRF token when the Origin is ours", async () => {
    const response = await merchant.client.post(
      "/v1/console/api_keys",
      { type: "restricted", scopes: { account: "read" } },
      { host, origin: `http://${host}`, "x-csrf-token": "wrong" },
    );
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().error.code, "csrf_token_invalid");
  });

  it("leaves reads alone: a cross-site GET with the cookie answers", async () => {
    const response = await merchant.client.get("/v1/console/api_keys", {
      host,
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
    });
    assert.equal(response.statusCode, 200);
  });

  it("refuses an operator console write from another site; the session is untouched", async () => {
    const operator = await newOperator(app, services, "admin");
    const refused = await operator.post("/v1/ops/logout", {}, { host, origin: "https://evil.example" });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, "cross_site_request");
    assert.equal((await operator.get("/v1/ops/me")).statusCode, 200, "still signed in");
    const own = await operator.post("/v1/ops/logout", {}, { host, origin: `http://${host}` });
    assert.ok(own.statusCode < 300, own.body);
    assert.equal((await operator.get("/v1/ops/me")).statusCode, 401);
  });

  it("refuses a sign-in posted from another site (login CSRF), and signs nobody in", async () => {
    const login = (headers: Record<string, string>) =>
      app.inject({
        method: "POST",
        url: "/v1/console/login",
        headers: { "content-type": "application/json", ...headers },
        payload: JSON.stringify({ email: merchant.email, password: merchant.password }),
      });
    const refused = await login({ host, origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, "cross_site_request");
    assert.equal(refused.headers["set-cookie"], undefined, "no session cookie");
    const opsRefused = await app.inject({
      method: "POST",
      url: "/v1/ops/login",
      headers: { "content-type": "application/json", host, origin: "https://evil.example" },
      payload: JSON.stringify({ email: "nobody@example.com", password: "irrelevant-password" }),
    });
    assert.equal(opsRefused.json().error.code, "cross_site_request");
    const own = await login({ host, origin: `http://${host}`, "sec-fetch-site": "same-origin" });
    assert.equal(own.statusCode, 200, own.body);
  });

  it("does not touch API-key callers, whatever Origin their client sends", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: {
        authorization: `Bearer ${secretKey}`,
        "content-type": "application/json",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
      payload: JSON.stringify({ amount: "1999", currency: "USD", method: "qr" }),
    });
    assert.equal(response.statusCode, 201, response.body);
  });

  it("with COFFER_PUBLIC_URL, only that origin is ours", async () => {
    const publicServices = createTestServices({
      pool: db.pool,
      masterKey,
      config: { smtpUrl: sink.url, publicUrl: "https://pay.example.com" },
    });
    const publicApp = await createTestApp({ pool: db.pool, services: publicServices });
    try {
      const owner = await newMerchant(publicApp, sink, "Public Tea");
      const fromPublic = await createKey(owner.client, { host, origin: "https://pay.example.com" });
      assert.equal(fromPublic.statusCode, 201, fromPublic.body);
      const fromHost = await createKey(owner.client, { host, origin: `http://${host}` });
      assert.equal(fromHost.statusCode, 403);
      assert.equal(fromHost.json().error.code, "cross_site_request");
    } finally {
      await publicApp.close();
      await publicServices.close();
    }
  });
});
