import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { runCli } from "../../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import {
  availableBalance,
  createWalletTestServices,
  signUpWallet,
  type TestWalletUser,
  verifyIdentity,
  walletTestConfig,
} from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { verifyLedger } from "../../ledger/verify.js";
import type { Services } from "../../runtime/services.js";
import { parseCsv } from "../csv.js";

/** The file connector: operators export instructions as CSV and import the bank's settlement file. */
describe("file bank connector", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let user: TestWalletUser;
  let source: string;
  let dir: string;
  const clock = manualClock("2026-07-01T09:00:00Z");
  const masterKey = randomBytes(32);

  before(async () => {
    db = await createTestDatabase();
    services = createWalletTestServices({
      pool: db.pool,
      clock,
      masterKey,
      walletConfig: walletTestConfig({ COFFER_BANK_CONNECTOR: "file" }),
    });
    app = await createTestApp({ pool: db.pool, services });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-bank-"));
    user = await signUpWallet(app, db.pool);
    await verifyIdentity(user);
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const files = () => services.wallets.bankFiles;
  const settlement = (lines: string[][]) =>
    [
      "instruction_id,status,amount,currency,bank_reference,failure_code,failure_message",
      ...lines.map((l) => l.join(",")),
    ].join("\n");

  it("verifies an account through an exported prenote", async () => {
    const linked = await user.client.post("/v1/wallet/funding_sources", {
      holder_name: "Ada, Countess of Lovelace",
      bank_code: "021000021",
      account_number: "9876543210",
      currency: "USD",
    });
    assert.equal(linked.json().status, "pending_verification");
    source = linked.json().id;
    assert.equal(await services.wallets.bank.runDue(), 0, "the file connector is never polled");

    const exported = await files().exportPending();
    assert.equal(exported.count, 1);
    const rows = parseCsv(exported.csv);
    assert.deepEqual(rows[0], [
      "instruction_id",
      "type",
      "amount",
      "currency",
      "holder_name",
      "bank_code",
      "account_number",
      "created_at",
    ]);
    assert.deepEqual(rows[1]!.slice(0, 7), [
      source,
      "verify",
      "0",
      "USD",
      "Ada, Countess of Lovelace",
      "021000021",
      "9876543210",
    ]);
    assert.equal((await files().exportPending()).count, 0, "exported instructions are not exported again");

    const report = await files().importSettlement(
      settlement([[source, "settled", "", "", "PRENOTE-1", "", ""]]),
      "s1.csv",
    );
    assert.deepEqual([report.applied, report.errors], [1, 0]);
    assert.equal((await user.client.get(`/v1/wallet/funding_sources/${source}`)).json().status, "verified");
  });

  it("credits a top-up and returns a withdrawal from settlement files, once however often imported", async () => {
    const topUp = await user.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "25000" });
    assert.equal(topUp.json().status, "pending");
    const first = parseCsv((await files().exportPending()).csv);
    assert.deepEqual(first[1]!.slice(0, 4), [topUp.json().id, "debit", "250.00", "USD"]);
    const file = settlement([[topUp.json().id, "settled", "250.00", "USD", "BANKREF-77", "", ""]]);
    assert.equal((await files().importSettlement(file, "s2.csv")).applied, 1);
    assert.equal(await availableBalance(user), "25000");
    const again = await files().importSettlement(file, "s2.csv");
    assert.deepEqual([again.applied, again.unchanged, again.errors], [0, 1, 0]);
    assert.equal(await availableBalance(user), "25000", "a second import credits nothing");

    const withdrawal = await user.client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "10000" });
    assert.equal(await availableBalance(user), "15000");
    assert.ok((await files().exportPending()).csv.includes(withdrawal.json().id));
    const returned = settlement([
      [withdrawal.json().id, "failed", "100.00", "USD", "", "account_closed", "Account closed"],
    ]);
    assert.equal((await files().importSettlement(returned, "s3.csv")).applied, 1);
    const failed = await user.client.get(`/v1/wallet/withdrawals/${withdrawal.json().id}`);
    assert.deepEqual([failed.json().status, failed.json().failure_code], ["failed", "account_closed"]);
    assert.equal(await availableBalance(user), "25000");

    const contradicting = await files().importSettlement(
      settlement([[withdrawal.json().id, "settled", "100.00", "USD", "", "", ""]]),
      "s4.csv",
    );
    assert.equal(contradicting.errors, 1);
    assert.match(contradicting.lines[0]!.problem!, /earlier settlement file said failed/);
    const wrongAmount = await user.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "100" });
    const bad = await files().importSettlement(
      settlement([
        [wrongAmount.json().id, "settled", "2.00", "USD", "", "", ""],
        ["tu_unknown", "settled", "", "", "", "", ""],
        [wrongAmount.json().id, "maybe", "", "", "", "", ""],
      ]),
      "s5.csv",
    );
    assert.equal(bad.errors, 3);
    assert.equal((await user.client.get(`/v1/wallet/top_ups/${wrongAmount.json().id}`)).json().status, "pending");

    const reconciliation = await services.wallets.reconcile("file", {
      from: new Date("2026-07-01T00:00:00Z"),
      to: new Date("2026-07-02T00:00:00Z"),
    });
    assert.deepEqual(reconciliation.issues, []);
    assert.equal(reconciliation.matched, 2);
  });

  it("runs as `coffer bank export` and `coffer bank import`", async () => {
    const topUp = await user.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "1234" });
    const env = { DATABASE_URL: db.url, COFFER_MASTER_KEY: masterKey.toString("hex"), LOG_LEVEL: "warn" };
    const out = path.join(dir, "instructions.csv");
    const exported = runCli(["bank", "export", "--out", out], env);
    assert.equal((await exported.exited).code, 0, exported.stderr());
    assert.match(exported.stderr(), /exported 2 instruction\(s\)/);
    assert.equal((await fs.stat(out)).mode & 0o777, 0o600);
    const lines = parseCsv(await fs.readFile(out, "utf8"));
    assert.ok(lines.some((l) => l[0] === topUp.json().id && l[2] === "12.34"));

    const settlementFile = path.join(dir, "settlement.csv");
    await fs.writeFile(settlementFile, settlement([[topUp.json().id, "settled", "12.34", "USD", "R-1", "", ""]]));
    const imported = runCli(["bank", "import", settlementFile], env);
    assert.equal((await imported.exited).code, 0, imported.stderr());
    assert.match(imported.stdout(), /applied 1, already applied 0, errors 0/);
    assert.equal((await user.client.get(`/v1/wallet/top_ups/${topUp.json().id}`)).json().status, "succeeded");
    const usage = runCli(["bank", "import"], env);
    assert.equal((await usage.exited).code, 2);
  });
});
