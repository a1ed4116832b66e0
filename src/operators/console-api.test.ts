import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  newMerchant,
  newOperator,
  type SessionClient,
  type TestMerchant,
} from "../../test/helpers/merchant-console.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import { signUpWallet, type TestWalletUser, verifyIdentity, walletTestConfig } from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { createLogger } from "../logging.js";
import { createServices, type Services } from "../runtime/services.js";
import { parseCsv } from "../wallets/csv.js";

/**
 * The operator console's own API: merchant and wallet user search, the file bank connector from the browser, and
 * verify runs; who may call each route (every operator role against a table written apart from the code).
 */
type OperatorRole = "admin" | "reviewer" | "support";
const everyone: OperatorRole[] = ["admin", "reviewer", "support"];
const admins: OperatorRole[] = ["admin"];

describe("operator console API", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-07-01T09:00:00Z");
  let operators: Record<OperatorRole, SessionClient & { operatorId: string }>;
  let tea: TestMerchant;
  let books: TestMerchant;
  let payer: TestWalletUser;

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
      walletConfig: walletTestConfig({ COFFER_BANK_CONNECTOR: "file" }),
    });
    app = await createTestApp({ pool: db.pool, services });
    operators = {
      admin: await newOperator(app, services, "admin"),
      reviewer: await newOperator(app, services, "reviewer"),
      support: await newOperator(app, services, "support"),
    };
    tea = await newMerchant(app, sink, "Jasmine Tea House");
    clock.advance(1000);
    books = await newMerchant(app, sink, "50%_off Books");
    payer = await signUpWallet(app, sink, { displayName: "Grace" });
    await verifyIdentity(payer, "Grace Hopper");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const admin = () => operators.admin;

  it("finds merchants by name, member email and id, with KYB state and live status, paged", async () => {
    const byName = (await admin().get("/v1/ops/merchants?query=jasmine")).json();
    assert.deepEqual(
      byName.data.map((m: { id: string }) => m.id),
      [tea.merchantId],
    );
    assert.deepEqual(
      {
        business_name: byName.data[0].business_name,
        owner_email: byName.data[0].owner_email,
        kyb_state: byName.data[0].kyb_state,
        live_payments: byName.data[0].live_payments,
        live_api_keys: byName.data[0].live_api_keys,
      },
      {
        business_name: "Jasmine Tea House",
        owner_email: tea.email,
        kyb_state: "draft",
        live_payments: "inactive",
        live_api_keys: 0,
      },
    );
    const byEmail = (
      await admin().get(`/v1/ops/merchants?query=${encodeURIComponent(books.email.toUpperCase())}`)
    ).json();
    assert.deepEqual(
      byEmail.data.map((m: { id: string }) => m.id),
      [books.merchantId],
    );
    const byId = (await admin().get(`/v1/ops/merchants?query=${tea.merchantId}`)).json();
    assert.deepEqual(
      byId.data.map((m: { id: string }) => m.id),
      [tea.merchantId],
    );
    const literal = (await admin().get(`/v1/ops/merchants?query=${encodeURIComponent("%_")}`)).json();
    assert.deepEqual(
      literal.data.map((m: { id: string }) => m.id),
      [books.merchantId],
      "LIKE wildcards in the query are matched literally",
    );
    assert.equal((await admin().get("/v1/ops/merchants?query=nobody-has-this")).json().data.length, 0);

    const first = (await admin().get("/v1/ops/merchants?limit=1")).json();
    assert.equal(first.has_more, true);
    assert.equal(first.data[0].id, books.merchantId, "newest first");
    const second = (await admin().get(`/v1/ops/merchants?limit=1&starting_after=${first.data[0].id}`)).json();
    assert.equal(second.data[0].id, tea.merchantId);
    const tooLong = await admin().get(`/v1/ops/merchants?query=${"x".repeat(255)}`);
    assert.equal(tooLong.statusCode, 400);
  });

  it("finds wallet users by email, phone digits, name and id", async () => {
    const byEmail = (await admin().get(`/v1/ops/wallet_users?query=${encodeURIComponent(payer.email)}`)).json();
    assert.deepEqual(
      byEmail.data.map((u: { id: string }) => u.id),
      [payer.id],
    );
    assert.equal(byEmail.data[0].object, "wallet_user");
    assert.equal(byEmail.data[0].frozen, false);
    await db.pool.query("UPDATE wallet_users SET phone = '+8613800138000' WHERE id = $1", [payer.id]);
    for (const query of ["+86 138 0013 8000", "13800138000", "grace", payer.id]) {
      const found = (await admin().get(`/v1/ops/wallet_users?query=${encodeURIComponent(query)}`)).json();
      assert.deepEqual(
        found.data.map((u: { id: string }) => u.id),
        [payer.id],
        query,
      );
    }
    assert.equal((await admin().get("/v1/ops/wallet_users?query=999999")).json().data.length, 0);
  });

  it("keeps every verify run, from the console and the CLI, and shows the latest with each check", async () => {
    const none = await admin().get("/v1/ops/verify/latest");
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().error.code, "verify_never_run");

    const ran = await admin().post("/v1/ops/verify", {});
    assert.equal(ran.statusCode, 201, ran.body);
    const run = ran.json();
    assert.equal(run.ok, true);
    assert.equal(run.source, "operator");
    assert.equal(run.operator, admin().operatorId);
    assert.equal(run.checks.length, 12, "the ledger's seven checks and stored value's five");
    assert.ok(run.checks.every((c: { passed: boolean }) => c.passed));
    assert.deepEqual((await operators.support.get("/v1/ops/verify/latest")).json(), run);

    const cli = runCli(["verify", "--ledger", "live"], { DATABASE_URL: db.url });
    assert.equal((await cli.exited).code, 0, cli.stderr());
    const latest = (await admin().get("/v1/ops/verify/latest")).json();
    assert.deepEqual([latest.source, latest.ledger, latest.operator, latest.ok], ["cli", "live", null, true]);

    // A broken balance: the run says which check failed, and it is still an answer, not an error.
    const [account] = await services.ledger.createAccounts(db.pool, [
      { ledger: "live", currency: "CNY", code: "settlement" },
    ]);
    await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted + 5 WHERE id = $1", [
      String(account!.id),
    ]);
    try {
      const failed = (await admin().post("/v1/ops/verify", {})).json();
      assert.equal(failed.ok, false);
      const mismatch = failed.checks.find((c: { check: string }) => c.check === "account_balance_mismatch");
      assert.equal(mismatch.passed, false);
      assert.ok(failed.violations.some((v: { check: string }) => v.check === "account_balance_mismatch"));
    } finally {
      await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted - 5 WHERE id = $1", [
        String(account!.id),
      ]);
    }
    const audit = (await admin().get("/v1/ops/audit_log?action=ledger.verified")).json();
    assert.deepEqual(
      audit.data.map((r: { actor: { type: string } }) => r.actor.type),
      ["operator", "system", "operator"],
    );
  });

  it("exports instructions for the bank and imports its settlement file, listing and auditing both", async () => {
    const linked = await payer.client.post("/v1/wallet/funding_sources", {
      holder_name: "Grace Hopper",
      bank_code: "021000021",
      account_number: "1234567890",
      currency: "USD",
    });
    assert.equal(linked.statusCode, 201, linked.body);
    const source = linked.json().id as string;

    const exported = await admin().post("/v1/ops/bank_files/export", {});
    assert.equal(exported.statusCode, 201, exported.body);
    const { batch, file } = exported.json();
    assert.equal(batch.instruction_count, 1);
    assert.equal(batch.direction, "export");
    assert.equal(exported.headers["cache-control"], "no-store");
    assert.match(file.filename, /^coffer-bank-export_[0-9TZ-]+\.csv$/);
    const rows = parseCsv(file.content);
    assert.deepEqual(rows[1]!.slice(0, 2), [source, "verify"]);
    assert.equal((await admin().post("/v1/ops/bank_files/export", {})).json().batch.instruction_count, 0);

    const settlement = `instruction_id,status,bank_reference\n${source},settled,PRENOTE-9\ntu_unknown,settled,\n`;
    const imported = await admin().post("/v1/ops/bank_files/import", {
      filename: "../incoming/settlement 1.csv",
      content: settlement,
    });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.deepEqual(
      [imported.json().name, imported.json().applied, imported.json().errors],
      ["settlement 1.csv", 1, 1],
    );
    assert.equal(imported.json().problems[0].instruction_id, "tu_unknown");
    assert.equal((await payer.client.get(`/v1/wallet/funding_sources/${source}`)).json().status, "verified");
    const again = (await admin().post("/v1/ops/bank_files/import", { filename: "s.csv", content: settlement })).json();
    assert.deepEqual([again.applied, again.unchanged], [0, 1]);

    const headless = await admin().post("/v1/ops/bank_files/import", { filename: "x.csv", content: "a,b\n1,2\n" });
    assert.equal(headless.statusCode, 400);
    assert.equal(headless.json().error.code, "bank_file_invalid");

    const listed = (await admin().get("/v1/ops/bank_files")).json();
    assert.deepEqual(
      listed.data.map((b: { direction: string }) => b.direction),
      ["import", "import", "export", "export"],
    );
    const audit = (await admin().get("/v1/ops/audit_log?limit=100")).json();
    const actions = audit.data.map((r: { action: string }) => r.action);
    assert.equal(actions.filter((a: string) => a === "bank_file.exported").length, 2);
    assert.equal(actions.filter((a: string) => a === "bank_file.imported").length, 2);
  });

  const cases: {
    name: string;
    allowed: OperatorRole[];
    ok: number;
    method: "GET" | "POST";
    url: string;
    body?: unknown;
  }[] = [
    { name: "search merchants", allowed: everyone, ok: 200, method: "GET", url: "/v1/ops/merchants?query=tea" },
    { name: "search wallet users", allowed: everyone, ok: 200, method: "GET", url: "/v1/ops/wallet_users" },
    { name: "read the latest verify", allowed: everyone, ok: 200, method: "GET", url: "/v1/ops/verify/latest" },
    { name: "run verify", allowed: admins, ok: 201, method: "POST", url: "/v1/ops/verify", body: {} },
    { name: "list bank files", allowed: admins, ok: 200, method: "GET", url: "/v1/ops/bank_files" },
    {
      name: "export a bank file",
      allowed: admins,
      ok: 201,
      method: "POST",
      url: "/v1/ops/bank_files/export",
      body: {},
    },
    {
      name: "import a bank file",
      allowed: admins,
      ok: 201,
      method: "POST",
      url: "/v1/ops/bank_files/import",
      body: { filename: "empty.csv", content: "instruction_id,status\n" },
    },
  ];

  for (const route of cases) {
    it(`lets ${route.allowed.join(", ")} ${route.name}, and no one else`, async () => {
      for (const role of everyone) {
        const client = operators[role];
        const response =
          route.method === "GET" ? await client.get(route.url) : await client.post(route.url, route.body);
        const expected = route.allowed.includes(role) ? route.ok : 403;
        assert.equal(response.statusCode, expected, `${role}: ${response.body}`);
        if (expected === 403) assert.equal(response.json().error.code, "permission_denied");
      }
      const anonymous = await app.inject({ method: route.method, url: route.url, payload: route.body as object });
      assert.equal(anonymous.statusCode, 401);
    });
  }
});
