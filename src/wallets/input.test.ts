import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  createWalletTestServices,
  linkBank,
  signUpWallet,
  type TestWalletUser,
  topUpAndSettle,
  verifyIdentity,
} from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { verifyLedger } from "../ledger/verify.js";
import type { Services } from "../runtime/services.js";

/** Bad input answers a documented code and moves nothing. */
describe("wallet API input", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-06-15T10:00:00Z");
  let alice: TestWalletUser;
  let bob: TestWalletUser;
  let aliceSource: string;
  let bobSource: string;

  before(async () => {
    db = await createTestDatabase();
    services = createWalletTestServices({ pool: db.pool, clock });
    app = await createTestApp({ pool: db.pool, services });
    alice = await signUpWallet(app, db.pool);
    bob = await signUpWallet(app, db.pool);
    await verifyIdentity(alice);
    await verifyIdentity(bob);
    aliceSource = await linkBank(alice);
    bobSource = await linkBank(bob);
    await topUpAndSettle(services, clock, alice, aliceSource, "100000");
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
  });

  /** Everything that would show money or records moving. */
  async function snapshot() {
    const result = await db.pool.query(
      `SELECT (SELECT count(*) FROM ledger_transfers)::int AS transfers,
              (SELECT count(*) FROM wallet_transfers)::int AS sends,
              (SELECT count(*) FROM wallet_top_ups)::int AS top_ups,
              (SELECT count(*) FROM wallet_withdrawals)::int AS withdrawals,
              (SELECT count(*) FROM wallet_bank_operations)::int AS bank,
              (SELECT coalesce(sum(spent), 0) FROM wallet_spend_counters)::text AS spent,
              (SELECT count(*) FROM events)::int AS events`,
    );
    return result.rows[0];
  }

  const badAmounts: [string, unknown][] = [
    ["negative", "-1"],
    ["negative number", -1],
    ["zero", "0"],
    ["zero number", 0],
    ["fraction", "1.5"],
    ["fraction number", 1.5],
    ["exponent", "1e3"],
    ["too large", "9999999999999999999999999999999999999999"],
    ["above 2^53 as a number", 2 ** 53],
    ["major units with the currency's decimals", "1000.00"],
    ["leading zero", "0100"],
    ["plus sign", "+100"],
    ["spaces", " 100"],
    ["empty", ""],
    ["NaN", "NaN"],
    ["null", null],
    ["boolean", true],
    ["object", { value: 100 }],
  ];

  for (const [name, amount] of badAmounts) {
    it(`refuses amount ${name} (${JSON.stringify(amount)}) on every money route`, async () => {
      const before = await snapshot();
      const attempts = [
        alice.client.post("/v1/wallet/transfers", { to: bob.id, amount, currency: "USD" }),
        alice.client.post("/v1/wallet/top_ups", { funding_source: aliceSource, amount }),
        alice.client.post("/v1/wallet/withdrawals", { funding_source: aliceSource, amount }),
      ];
      for (const response of await Promise.all(attempts)) {
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().error.code, "amount_invalid", response.body);
        assert.equal(response.json().error.param, "amount");
      }
      assert.deepEqual(await snapshot(), before);
    });
  }

  it("refuses a JPY amount with decimals: JPY has no minor unit", async () => {
    const response = await alice.client.post("/v1/wallet/transfers", { to: bob.id, amount: "100.5", currency: "JPY" });
    assert.equal(response.json().error.code, "amount_invalid");
  });

  it("refuses currencies wallets do not hold", async () => {
    const before = await snapshot();
    const lower = await alice.client.post("/v1/wallet/transfers", { to: bob.id, amount: "100", currency: "usd" });
    assert.deepEqual(
      [lower.statusCode, lower.json().error.code, lower.json().error.param],
      [400, "parameter_invalid", "currency"],
    );
    for (const currency of ["XYZ", "CHF", "KWD"]) {
      const response = await alice.client.post("/v1/wallet/transfers", { to: bob.id, amount: "100", currency });
      assert.deepEqual([response.statusCode, response.json().error.code], [400, "currency_not_supported"], currency);
    }
    const mismatch = await alice.client.post("/v1/wallet/top_ups", {
      funding_source: aliceSource,
      amount: "100",
      currency: "EUR",
    });
    assert.equal(mismatch.json().error.code, "funding_source_currency_mismatch");
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses sending to yourself and to nobody", async () => {
    const before = await snapshot();
    const cases: [string, number, string][] = [
      [alice.id, 400, "transfer_to_self"],
      [alice.email, 400, "transfer_to_self"],
      [alice.email.toUpperCase(), 400, "transfer_to_self"],
      ["wal_0000000000000000000000", 404, "recipient_not_found"],
      ["nobody@example.com", 404, "recipient_not_found"],
      ["+14155550199", 404, "recipient_not_found"],
      ["wal_short", 404, "recipient_not_found"],
      ["not an address", 400, "contact_invalid"],
    ];
    for (const [to, status, code] of cases) {
      const response = await alice.client.post("/v1/wallet/transfers", { to, amount: "100", currency: "USD" });
      assert.deepEqual([response.statusCode, response.json().error.code], [status, code], to);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it("treats another user's objects as not existing", async () => {
    const before = await snapshot();
    const theirSource = await alice.client.get(`/v1/wallet/funding_sources/${bobSource}`);
    assert.deepEqual([theirSource.statusCode, theirSource.json().error.code], [404, "resource_not_found"]);
    const topUp = await alice.client.post("/v1/wallet/top_ups", { funding_source: bobSource, amount: "100" });
    assert.deepEqual(
      [topUp.statusCode, topUp.json().error.code, topUp.json().error.param],
      [404, "resource_not_found", "funding_source"],
    );
    const withdrawal = await alice.client.post("/v1/wallet/withdrawals", { funding_source: bobSource, amount: "100" });
    assert.deepEqual([withdrawal.statusCode, withdrawal.json().error.code], [404, "resource_not_found"]);
    assert.equal((await alice.client.delete(`/v1/wallet/funding_sources/${bobSource}`)).statusCode, 404);
    const bobTopUp = await db.pool.query("SELECT id FROM wallet_top_ups WHERE wallet_user_id = $1", [alice.id]);
    assert.equal((await bob.client.get(`/v1/wallet/top_ups/${bobTopUp.rows[0].id}`)).statusCode, 404);
    assert.equal((await bob.client.get("/v1/wallet/withdrawals/wd_0000000000000000000000")).statusCode, 404);
    assert.equal((await bob.client.get("/v1/wallet/transfers/junk")).statusCode, 404);
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses money through unverified or removed sources, bank links below tier 1, and unknown fields", async () => {
    const closed = await linkBank(alice, "4444440003"); // sandbox: account closed
    const failed = await alice.client.get(`/v1/wallet/funding_sources/${closed}`);
    assert.equal(failed.json().status, "verification_failed");
    assert.equal(failed.json().failure_code, "account_closed");
    const tierZero = await signUpWallet(app, db.pool);
    const before = await snapshot();
    const viaClosed = await alice.client.post("/v1/wallet/top_ups", { funding_source: closed, amount: "100" });
    assert.deepEqual([viaClosed.statusCode, viaClosed.json().error.code], [409, "funding_source_not_verified"]);

    const link = await tierZero.client.post("/v1/wallet/funding_sources", {
      holder_name: "Z",
      bank_code: "110000000",
      account_number: "000123456789",
      currency: "USD",
    });
    assert.deepEqual([link.statusCode, link.json().error.code], [403, "tier_required"]);
    const unknown = await alice.client.post("/v1/wallet/transfers", {
      to: bob.id,
      amount: "100",
      currency: "USD",
      memo: "x",
    });
    assert.deepEqual([unknown.json().error.code, unknown.json().error.param], ["parameter_unknown", "memo"]);
    const missing = await alice.client.post("/v1/wallet/transfers", { to: bob.id, currency: "USD" });
    assert.deepEqual([missing.json().error.code, missing.json().error.param], ["parameter_missing", "amount"]);
    assert.deepEqual(await snapshot(), before);

    const removable = await linkBank(alice, "999999999999");
    assert.equal((await alice.client.delete(`/v1/wallet/funding_sources/${removable}`)).json().status, "removed");
    const viaRemoved = await alice.client.post("/v1/wallet/withdrawals", { funding_source: removable, amount: "100" });
    assert.equal(viaRemoved.json().error.code, "resource_not_found");
  });

  it("refuses statement months that are not months or not over", async () => {
    for (const month of ["2026-13", "2026-00", "1999-12", "2026-07"]) {
      const response = await alice.client.get(`/v1/wallet/statements/${month}.csv`);
      assert.deepEqual([response.statusCode, response.json().error.code], [400, "statement_month_invalid"], month);
    }
    assert.equal((await alice.client.get("/v1/wallet/statements/2026-1.csv")).statusCode, 404);
  });
});
