import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

/**
 * `coffer dev` as a newcomer runs it: the real CLI, over HTTP only, against coffer's app on the test database, once
 * configured for development and once for production.
 */
describe("coffer dev", () => {
  let db: TestDatabase;
  let prodDb: TestDatabase;
  let dataDir: string;
  let services: Services[] = [];
  let apps: App[] = [];
  let apiUrl: string;
  let prodUrl: string;

  async function serve(database: TestDatabase, environment: "development" | "production"): Promise<string> {
    const built = createTestServices({ pool: database.pool, config: { environment } });
    const app = await createTestApp({ pool: database.pool, services: built });
    services.push(built);
    apps.push(app);
    return app.listen({ port: 0, host: "127.0.0.1" });
  }

  before(async () => {
    [db, prodDb] = await Promise.all([createTestDatabase({ poolSize: 10 }), createTestDatabase({ poolSize: 4 })]);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-dev-"));
    [apiUrl, prodUrl] = await Promise.all([serve(db, "development"), serve(prodDb, "production")]);
  });
  after(async () => {
    for (const app of apps) await app.close();
    for (const built of services) await built.close();
    apps = [];
    services = [];
    await Promise.all([db.drop(), prodDb.drop()]);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function runDev(args: string[], env: Record<string, string> = {}) {
    const cli = runCli(["dev", ...args], { COFFER_DATA_DIR: dataDir, ...env });
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  const field = (text: string, label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(text)?.[1];

  it("makes a verified merchant with a working test key, a webhook endpoint and a test payer, then reuses them", async () => {
    const first = await runDev(["--api-url", apiUrl, "--webhook-url", "http://localhost:3999/webhooks"]);
    assert.equal(first.code, 0, first.stderr);
    const key = field(first.stdout, "test secret key");
    assert.match(key ?? "", /^sk_test_/);
    assert.match(field(first.stdout, "signing secret") ?? "", /^whsec_/);
    assert.match(first.stdout, /webhook endpoint: +we_\S+ → http:\/\/localhost:3999\/webhooks/);
    assert.match(first.stdout, /\/wallet\/#sign_in=wst_/);
    assert.match(first.stdout, new RegExp(`npm run coffer -- trigger payment.succeeded --api-key ${key}`));

    const account = await fetch(`${apiUrl}/v1/account`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(account.status, 200);
    const payer = /test payer: +(wal_\w+)/.exec(first.stdout)?.[1];
    const payers = await db.pool.query("SELECT merchant_id FROM sandbox_payers WHERE wallet_user_id = $1", [payer]);
    assert.equal(payers.rowCount, 1, "the payer is a test payer of the merchant");
    const state = await fs.stat(path.join(dataDir, "dev-merchant.json"));
    assert.equal(state.mode & 0o777, 0o600);

    const again = await runDev(["--webhook-url", "http://localhost:3999/webhooks"], { COFFER_API_URL: apiUrl });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(field(again.stdout, "test secret key"), key, "the same key");
    assert.equal(field(again.stdout, "console sign-in"), field(first.stdout, "console sign-in"), "the same account");
    assert.equal(field(again.stdout, "signing secret"), field(first.stdout, "signing secret"), "the same endpoint");
    const merchants = await db.pool.query("SELECT count(*)::int AS n FROM merchants");
    assert.equal(merchants.rows[0].n, 1, "one merchant after two runs");
    const endpoints = await db.pool.query("SELECT count(*)::int AS n FROM webhook_endpoints");
    assert.equal(endpoints.rows[0].n, 1);
  });

  it("--env prints export lines a shell can eval, the summary on stderr; without an endpoint, the listen secret", async () => {
    const port = new URL(apiUrl).port;
    const run = await runDev(["--env"], { PORT: port });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /coffer listen` signs what it forwards with:/);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(
      lines.map((line) => /^export (\w+)='[^']*'$/.exec(line)?.[1]),
      ["COFFER_API_URL", "COFFER_API_KEY", "COFFER_WEBHOOK_SECRET", "COFFER_TEST_PAYER", "COFFER_TEST_PAYER_TOKEN"],
    );
    assert.match(run.stdout, /COFFER_WEBHOOK_SECRET='whsec_/);
    const token = /COFFER_TEST_PAYER_TOKEN='([^']+)'/.exec(run.stdout)?.[1];
    const me = await fetch(`${apiUrl}/v1/wallet/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, "the test payer's token signs in to the wallet API");
  });

  it("coffer start refuses production with the sandbox bank or identity checks on", async () => {
    const start = runCli(["start"], {
      DATABASE_URL: prodDb.url,
      COFFER_MASTER_KEY: "11".repeat(32),
      COFFER_DATA_DIR: dataDir,
      PORT: "0",
      COFFER_KYC_PROVIDER: "sandbox",
    });
    const { code } = await start.exited;
    assert.equal(code, 2);
    assert.match(start.stderr(), /COFFER_KYC_PROVIDER=sandbox is for development only/);
  });

  it("refuses a coffer in production, and one it cannot reach, in one line", async () => {
    const refused = await runDev(["--api-url", prodUrl]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /runs in production, not development/);
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    const merchants = await prodDb.pool.query("SELECT count(*)::int AS n FROM merchants");
    assert.equal(merchants.rows[0].n, 0, "nothing was made in production");

    const unreachable = await runDev(["--api-url", "http://127.0.0.1:1"]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^coffer dev: cannot reach coffer at http:\/\/127\.0\.0\.1:1 /);
    assert.equal(unreachable.stderr.trim().split("\n").length, 1, "one line, no stack trace");
  });
});
