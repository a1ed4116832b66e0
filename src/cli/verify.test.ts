import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createCurrencyRegistry } from "../ledger/currencies.js";
import { AccountFlags } from "../ledger/model.js";
import { createLedgerService } from "../ledger/service.js";

async function verify(url: string, ...args: string[]) {
  const cli = runCli(["verify", ...args], { DATABASE_URL: url });
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

describe("coffer verify", () => {
  let db: TestDatabase;
  let walletId: bigint;

  before(async () => {
    db = await createTestDatabase();
    const ledger = createLedgerService({ pool: db.pool, currencies: createCurrencyRegistry() });
    const [bank, wallet] = await ledger.createAccounts(db.pool, [
      { ledger: "live", currency: "CNY", code: "settlement" },
      { ledger: "live", currency: "CNY", code: "wallet", flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    walletId = wallet!.id;
    const results = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: bank!.id, creditAccountId: wallet!.id, amount: 8800n, code: "top_up" },
      {
        id: randomUUID(),
        debitAccountId: wallet!.id,
        creditAccountId: bank!.id,
        amount: 800n,
        code: "withdrawal",
        pending: true,
      },
    ]);
    assert.deepEqual(
      results.map((r) => r.code),
      ["ok", "ok"],
    );
    await ledger.close();
  });
  after(async () => {
    await db.drop();
  });

  it("refuses a data folder with no database instead of creating an empty one", async () => {
    const dataDir = path.join(os.tmpdir(), `coffer-verify-missing-${randomUUID()}`);
    const cli = runCli(["verify"], { DATABASE_URL: undefined, COFFER_DATA_DIR: dataDir });
    const { code } = await cli.exited;
    assert.equal(code, 2);
    assert.match(cli.stderr(), /no coffer database in .*Set COFFER_DATA_DIR/);
    assert.equal(existsSync(dataDir), false, "nothing was created");
  });

  it("exits 0 and says OK when the books are clean", async () => {
    const result = await verify(db.url);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /2 accounts, 2 transfers/);
    assert.match(result.stdout, /OK: the books balance/);
    const live = await verify(db.url, "--ledger", "live", "--json");
    assert.equal(live.code, 0);
    assert.equal(JSON.parse(live.stdout).ok, true);
  });

  it("exits 1 with a readable report of every violation", async () => {
    await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted + 5 WHERE id = $1", [
      String(walletId),
    ]);
    try {
      const result = await verify(db.url, "--ledger", "live");
      assert.equal(result.code, 1);
      assert.match(result.stdout, /\[ledger_unbalanced\] live CNY/);
      assert.match(result.stdout, new RegExp(`\\[account_balance_mismatch\\] account ${walletId}:`));
      const otherLedger = await verify(db.url, "--ledger", "test");
      assert.equal(otherLedger.code, 0, "the test ledger is untouched");
    } finally {
      await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted - 5 WHERE id = $1", [
        String(walletId),
      ]);
    }
  });

  it("--reserves says crypto is off without a chain, and still answers for the ledger", async () => {
    const off = runCli(["verify", "--reserves"], {
      DATABASE_URL: db.url,
      COFFER_CHAINS: undefined,
      COFFER_SANDBOX_CHAIN: "off",
    });
    const { code } = await off.exited;
    assert.equal(code, 0, off.stderr());
    assert.match(off.stdout(), /OK: the books balance/);
    assert.match(off.stdout(), /Reserves, test mode: crypto is off \(no test chain in COFFER_CHAINS/);
    assert.match(off.stdout(), /Reserves, live mode: crypto is off \(no live chain in COFFER_CHAINS\)/);
  });

  it("--reserves exits 1 when a chain does not answer: the reserves are unproven", async () => {
    const down = runCli(["verify", "--reserves", "--ledger", "test", "--json"], {
      DATABASE_URL: db.url,
      COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
      COFFER_CHAINS: undefined,
      // Nothing listens on port 9 (discard) of loopback.
      COFFER_SANDBOX_CHAIN: "http://127.0.0.1:9",
    });
    const { code } = await down.exited;
    assert.equal(code, 1, down.stderr());
    const report = JSON.parse(down.stdout());
    assert.equal(report.ok, true, "the ledger part is clean");
    assert.deepEqual(report.reserves, []);
    assert.match(
      report.reserves_failures[0],
      /^Reserves, test mode: UNPROVEN: the sandbox chain at http:\/\/127\.0\.0\.1:9\/? did not answer \(HTTP request failed\.\)$/,
    );
  });

  it("refuses a bad --ledger with a usage error", async () => {
    const result = await verify(db.url, "--ledger", "prod");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--ledger must be test or live/);
  });
});
