import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  availableBalance,
  createWalletTestServices,
  linkBank,
  settleBank,
  signUpWallet,
  type TestWalletUser,
  topUpAndSettle,
  verifyIdentity,
  WalletClient,
  walletTestConfig,
} from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { createPool } from "../db/pool.js";
import { verifyLedger } from "../ledger/verify.js";
import type { Services } from "../runtime/services.js";

/** Money races for real: many HTTP requests at once against one balance, one daily limit, one balance cap. */
describe("account wallets under concurrency", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-04-01T08:00:00Z");
  const masterKey = randomBytes(32);
  // USD: tier 0 cap 250.00; tier 1 daily limit 500.00, cap 10,000.00; step-up above 1,000.00.
  const tiers = {
    USD: [
      { balance_cap: "25000", per_payment: "10000", daily: "10000", monthly: "50000" },
      { balance_cap: "1000000", per_payment: "50000", daily: "50000", monthly: "200000" },
      { balance_cap: "10000000", per_payment: "1000000", daily: "1000000", monthly: "4000000" },
    ],
  };

  before(async () => {
    db = await createTestDatabase({ poolSize: 30 });
    services = createWalletTestServices({
      pool: db.pool,
      clock,
      masterKey,
      walletConfig: walletTestConfig({
        COFFER_WALLET_TIERS: JSON.stringify(tiers),
        COFFER_WALLET_STEP_UP_ABOVE: JSON.stringify({ USD: "100000" }),
      }),
    });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
  });

  async function fundedUser(amount: string): Promise<{ user: TestWalletUser; source: string }> {
    const user = await signUpWallet(app, db.pool);
    await verifyIdentity(user);
    const source = await linkBank(user);
    await topUpAndSettle(services, clock, user, source, amount);
    return { user, source };
  }

  const codesOf = (responses: { statusCode: number; json(): { error?: { code: string } } }[]) => {
    const counts: Record<string, number> = {};
    for (const r of responses) {
      const key = r.statusCode === 201 ? "201" : (r.json().error?.code ?? String(r.statusCode));
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  it("200 parallel sends from a wallet that can afford 10: exactly 10 go through", async () => {
    const { user: payer } = await fundedUser("10000");
    const payee = await signUpWallet(app, db.pool);
    await verifyIdentity(payee);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        payer.client.post("/v1/wallet/transfers", { to: payee.id, amount: "1000", currency: "USD" }),
      ),
    );
    assert.deepEqual(codesOf(responses), { "201": 10, insufficient_funds: 190 });
    assert.equal(await availableBalance(payer), "0");
    assert.equal(await availableBalance(payee), "10000");
    const records = await db.pool.query("SELECT count(*)::int AS n FROM wallet_transfers WHERE sender_id = $1", [
      payer.id,
    ]);
    assert.equal(records.rows[0].n, 10, "one record per transfer that moved money, none for the others");
    const events = await db.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE wallet_user_id = $1 AND type = 'wallet_transfer.sent'",
      [payer.id],
    );
    assert.equal(events.rows[0].n, 10);
    const spent = await db.pool.query(
      "SELECT spent FROM wallet_spend_counters WHERE wallet_user_id = $1 AND period LIKE 'd:%'",
      [payer.id],
    );
    assert.equal(spent.rows[0].spent, 10000n, "limits count only the sends that moved money");
  });

  it("parallel sends and withdrawals through two coffer instances never pass the daily limit together", async () => {
    const { user: payer, source } = await fundedUser("500000");
    const payee = await signUpWallet(app, db.pool);
    await verifyIdentity(payee);
    // A second coffer on the same database (its own pool, ledger writer and per-wallet queue), as another process.
    const otherPool = createPool({ connectionString: db.url, max: 10 });
    const otherServices = createWalletTestServices({
      pool: otherPool,
      clock,
      masterKey,
      walletConfig: services.wallets.config,
    });
    const otherApp = await createTestApp({ pool: otherPool, services: otherServices });
    const clients = [payer.client, new WalletClient(otherApp, payer.token)];
    // 120 spends of 10.00 against a daily limit of 500.00, with plenty of money: exactly 50 may pass.
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const client = clients[i % 2]!;
        return i % 3 === 0
          ? client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "1000" })
          : client.post("/v1/wallet/transfers", { to: payee.id, amount: "1000", currency: "USD" });
      }),
    );
    await otherApp.close();
    await otherServices.close();
    await otherPool.end();
    const counts = codesOf(responses);
    assert.deepEqual(counts, { "201": 50, daily_limit_exceeded: 70 });
    const out = await db.pool.query(
      `SELECT (SELECT coalesce(sum(amount), 0) FROM wallet_transfers WHERE sender_id = $1)
            + (SELECT coalesce(sum(amount), 0) FROM wallet_withdrawals WHERE wallet_user_id = $1) AS total`,
      [payer.id],
    );
    assert.equal(out.rows[0].total, 50000n);
    assert.equal(await availableBalance(payer), "450000");
    await settleBank(services, clock);
    const pending = await db.pool.query(
      "SELECT count(*)::int AS n FROM wallet_withdrawals WHERE wallet_user_id = $1 AND status <> 'succeeded'",
      [payer.id],
    );
    assert.equal(pending.rows[0].n, 0);
  });

  it("parallel transfers into a tier-0 wallet stop at its balance cap", async () => {
    const { user: payer } = await fundedUser("100000");
    const payee = await signUpWallet(app, db.pool); // tier 0: cap 250.00
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        payer.client.post("/v1/wallet/transfers", { to: payee.id, amount: "2000", currency: "USD" }),
      ),
    );
    assert.deepEqual(codesOf(responses), { "201": 12, recipient_unavailable: 18 });
    assert.equal(await availableBalance(payee), "24000");
    assert.equal(await availableBalance(payer), "76000");
  });
});
