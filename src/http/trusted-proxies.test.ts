import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { signUp } from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { ConfigError, loadConfig } from "../config.js";
import { loginFailuresPerIpMax } from "../limits.js";
import type { Services } from "../runtime/services.js";

/**
 * Behind a reverse proxy every request arrives from the proxy's address. COFFER_TRUSTED_PROXIES names the proxies
 * whose X-Forwarded-* headers are believed; request.ip is then the client's own address, for every per-address
 * decision. Anyone else's X-Forwarded-For is ignored.
 */
describe("trusted proxies", () => {
  describe("COFFER_TRUSTED_PROXIES and COFFER_DEV_MAILBOX", () => {
    it("take IP addresses and CIDR ranges, and nothing by default", () => {
      assert.deepEqual(loadConfig({}).trustedProxies, []);
      const config = loadConfig({ COFFER_TRUSTED_PROXIES: " 10.0.0.1, 10.1.0.0/16 ,fd00::/8,::1," });
      assert.deepEqual(config.trustedProxies, ["10.0.0.1", "10.1.0.0/16", "fd00::/8", "::1"]);
    });

    it("refuse anything else at start, naming every bad entry", () => {
      for (const bad of ["proxy.internal", "10.0.0.0/33", "fd00::/129", "10.0.0.1/8/1", "10.0.0.256", "10.0.0.0/"]) {
        assert.throws(
          () => loadConfig({ COFFER_TRUSTED_PROXIES: `10.0.0.1,${bad}` }),
          (error: unknown) =>
            error instanceof ConfigError &&
            error.problems.some((p) => p.startsWith("COFFER_TRUSTED_PROXIES") && p.includes(`"${bad}"`)),
          bad,
        );
      }
    });

    it("keep the dev mailbox on only with the embedded database, unless set", () => {
      assert.equal(loadConfig({}).devMailbox, true);
      const deployed = { DATABASE_URL: "postgres://coffer@db.internal/coffer" };
      assert.equal(loadConfig(deployed).devMailbox, false);
      assert.equal(loadConfig({ ...deployed, COFFER_DEV_MAILBOX: "on" }).devMailbox, true);
      assert.equal(loadConfig({ COFFER_DEV_MAILBOX: "off" }).devMailbox, false);
      assert.throws(() => loadConfig({ COFFER_DEV_MAILBOX: "maybe" }), /COFFER_DEV_MAILBOX must be on or off/);
    });
  });

  describe("over HTTP", () => {
    let db: TestDatabase;
    let sink: SmtpSink;
    let services: Services;
    let app: App;
    const proxy = "10.9.0.1";
    const masterKey = randomBytes(32);

    before(async () => {
      db = await createTestDatabase({ poolSize: 10 });
      sink = await startSmtpSink();
      services = createTestServices({
        pool: db.pool,
        masterKey,
        config: { smtpUrl: sink.url, trustedProxies: [proxy, "10.8.0.0/16"] },
      });
      app = await createTestApp({ pool: db.pool, services });
    });
    after(async () => {
      await app.close();
      await services.close();
      await sink.close();
      await db.drop();
    });

    const login = (from: { remoteAddress: string; forwardedFor?: string }, email: string, password: string) =>
      app.inject({
        method: "POST",
        url: "/v1/console/login",
        remoteAddress: from.remoteAddress,
        headers: from.forwardedFor ? { "x-forwarded-for": from.forwardedFor } : {},
        payload: { email, password },
      });

    async function sessionIpOf(email: string): Promise<string> {
      const found = await db.pool.query<{ ip: string }>(
        `SELECT s.ip FROM console_sessions s JOIN merchant_users u ON u.id = s.user_id
          WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1`,
        [email],
      );
      return found.rows[0]!.ip;
    }

    it("failed logins from one client behind the proxy do not lock out another", async () => {
      const owner = await signUp(app, sink);
      const attacker = { remoteAddress: proxy, forwardedFor: "203.0.113.5" };
      for (let sent = 0; sent < loginFailuresPerIpMax; sent += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => login(attacker, `nobody-${sent + i}@example.com`, "wrong password!")),
        );
      }
      const limited = await login(attacker, owner.email, owner.password);
      assert.equal(limited.statusCode, 429, limited.body);
      assert.equal(limited.json().error.code, "rate_limited");

      // Through a chain of trusted proxies the client is the first untrusted hop from the right.
      const neighbour = { remoteAddress: proxy, forwardedFor: "198.51.100.7, 10.8.3.4" };
      const signedIn = await login(neighbour, owner.email, owner.password);
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      assert.equal(await sessionIpOf(owner.email), "198.51.100.7");
    });

    it("ignores X-Forwarded-For and -Proto from a peer that is not a trusted proxy", async () => {
      const owner = await signUp(app, sink);
      const direct = await app.inject({
        method: "POST",
        url: "/v1/console/login",
        remoteAddress: "192.0.2.9",
        headers: { "x-forwarded-for": "198.51.100.8", "x-forwarded-proto": "https" },
        payload: { email: owner.email, password: owner.password },
      });
      assert.equal(direct.statusCode, 200, direct.body);
      assert.equal(await sessionIpOf(owner.email), "192.0.2.9");
      assert.doesNotMatch(String(direct.headers["set-cookie"]), /Secure/, "the forged https is not believed");

      const proxied = await app.inject({
        method: "POST",
        url: "/v1/console/login",
        remoteAddress: proxy,
        headers: { "x-forwarded-for": "198.51.100.9", "x-forwarded-proto": "https" },
        payload: { email: owner.email, password: owner.password },
      });
      assert.equal(proxied.statusCode, 200, proxied.body);
      assert.equal(await sessionIpOf(owner.email), "198.51.100.9");
      assert.match(String(proxied.headers["set-cookie"]), /Secure/, "the proxy terminated TLS");
    });

    it("believes no forwarded header at all when no proxy is configured", async () => {
      const plainServices = createTestServices({ pool: db.pool, masterKey, config: { smtpUrl: sink.url } });
      const plainApp = await createTestApp({ pool: db.pool, services: plainServices });
      try {
        const owner = await signUp(plainApp, sink);
        const response = await plainApp.inject({
          method: "POST",
          url: "/v1/console/login",
          remoteAddress: proxy,
          headers: { "x-forwarded-for": "198.51.100.10" },
          payload: { email: owner.email, password: owner.password },
        });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(await sessionIpOf(owner.email), proxy);
      } finally {
        await plainApp.close();
        await plainServices.close();
      }
    });
  });
});
