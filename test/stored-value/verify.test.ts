import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { runCli } from "../helpers/cli.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import { testOperatorAuthenticator, WalletClient } from "../helpers/wallets.js";

/**
 * `coffer verify` proves stored value from the rows: the books of real cards (a platform card from the float, a
 * merchant's card that expired into breakage) verify clean through the real CLI; then the books are broken on
 * purpose with direct SQL writes, one at a time, and verify names each break and exits 1.
 */
describe("coffer verify and stored value", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let platformCard: { id: string; number: string; secret: string };
  let shopCard: { id: string };

  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  const api = (method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function verify(env: Record<string, string> = {}) {
    const cli = runCli(["verify", "--ledger", "test"], { DATABASE_URL: coffer.db.url, ...env });
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  /** Runs a direct SQL write, checks verify names the break, and undoes it. */
  async function broken(write: string, undo: string, params: unknown[], expected: RegExp) {
    await coffer.db.pool.query(write, params);
    try {
      const result = await verify();
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, expected);
    } finally {
      await coffer.db.pool.query(undo, params);
    }
  }

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 20 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Verify Shop");
    const payer = await newTestPayer(coffer, { fund: "100000" });
    const payment = await ok(
      await api("POST", "/v1/payments", { amount: "40000", currency: "USD", method: "qr" }),
      201,
    );
    const scanned = await ok(await payer.client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
    await ok(await payer.client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}));

    platformCard = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/ops/stored_value/cards",
        headers: { "x-test-operator": "admin" },
        payload: { livemode: false, currency: "USD", amount: "6000" },
      }),
      201,
    );
    // The platform card pays 1000 at the shop.
    const session = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: platformCard.number, secret: platformCard.secret },
      }),
      201,
    );
    const card = new WalletClient(coffer.app, session.token);
    const purchase = await ok(
      await api("POST", "/v1/payments", { amount: "1000", currency: "USD", method: "qr" }),
      201,
    );
    const seen = await ok(await card.post("/v1/wallet/scan", { payload: purchase.qr.payload }));
    await ok(await card.post(`/v1/wallet/payments/${seen.id}/confirm`, {}));

    // The shop's card expires with 2000 on it: breakage.
    const expiresAt = Math.floor(coffer.clock.now().getTime() / 1000) + 60;
    shopCard = await ok(
      await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "2000", expires_at: expiresAt }),
      201,
    );
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: 61 }));
    assert.equal((await ok(await api("GET", `/v1/stored_value/cards/${shopCard.id}`))).status, "expired");
  });
  after(() => coffer?.close());

  it("verifies clean books, and names a float that does not match its platform cards", async () => {
    const clean = await verify();
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /the stored-value float and breakage are backed/);

    await broken(
      "UPDATE stored_value_cards SET initial_value = initial_value + 500 WHERE id = $1",
      "UPDATE stored_value_cards SET initial_value = initial_value - 500 WHERE id = $1",
      [platformCard.id],
      /\[stored_value_float_mismatch\] test USD: the float account's net debit 6000 ≠ platform cards' initial value 6500/,
    );
  });

  it("names breakage the account does not hold", async () => {
    await broken(
      "UPDATE stored_value_cards SET breakage_amount = breakage_amount + 1 WHERE id = $1",
      "UPDATE stored_value_cards SET breakage_amount = breakage_amount - 1 WHERE id = $1",
      [shopCard.id],
      new RegExp(
        `\\[stored_value_breakage_mismatch\\] test USD ${shop.merchantId}: the breakage account holds 2000, its cards' breakage says 2001`,
      ),
    );
  });

  it("names a card with a second wallet account, or its account in another currency", async () => {
    const [extra] = await coffer.services.ledger.createAccounts(coffer.db.pool, [
      { ledger: "test", currency: "EUR", code: "wallet", flags: 1 },
    ]);
    const user = (
      await coffer.db.pool.query<{ wallet_user_id: string }>(
        "SELECT wallet_user_id FROM stored_value_cards WHERE id = $1",
        [shopCard.id],
      )
    ).rows[0]!.wallet_user_id;
    await broken(
      "INSERT INTO wallet_accounts (wallet_user_id, currency, ledger_account_id, created_at) VALUES ($1, 'EUR', $2, now())",
      "DELETE FROM wallet_accounts WHERE wallet_user_id = $1 AND ledger_account_id = $2",
      [user, String(extra!.id)],
      new RegExp(
        `\\[stored_value_card_account_invalid\\] card ${shopCard.id}: wallet user of kind card \\(livemode false\\), 2 wallet account\\(s\\), 1 of another currency, ledger or code`,
      ),
    );
    // Its one account relabelled as another currency's.
    const account = await coffer.db.pool.query<{ wallet_user_id: string; ledger_account_id: string }>(
      "SELECT wallet_user_id, ledger_account_id::text FROM wallet_accounts WHERE wallet_user_id = $1",
      [user],
    );
    await broken(
      "UPDATE wallet_accounts SET currency = 'GBP' WHERE wallet_user_id = $1",
      "UPDATE wallet_accounts SET currency = 'USD' WHERE wallet_user_id = $1",
      [account.rows[0]!.wallet_user_id],
      new RegExp(
        `\\[stored_value_card_account_invalid\\] card ${shopCard.id}: .* 1 wallet account\\(s\\), 1 of another currency`,
      ),
    );
  });

  it("names an expired card still holding money, and a card above its cap", async () => {
    await broken(
      "UPDATE stored_value_cards SET status = 'expired', expired_at = now() WHERE id = $1",
      "UPDATE stored_value_cards SET status = 'active', expired_at = NULL WHERE id = $1",
      [platformCard.id],
      new RegExp(
        `\\[stored_value_expired_card_holds_money\\] card ${platformCard.id}: expired at .* and still holds 5000 USD`,
      ),
    );
    // Caps come from COFFER_STORED_VALUE_LIMITS, as the server reads them: under a cap of 40.00 the card is above it.
    const tight = await verify({
      COFFER_STORED_VALUE_LIMITS: JSON.stringify({
        USD: { balance_cap: "4000", per_payment: "1000", daily: "2000", monthly: "4000", loads_per_day: 5 },
      }),
    });
    assert.equal(tight.code, 1, tight.stdout + tight.stderr);
    assert.match(
      tight.stdout,
      new RegExp(
        `\\[stored_value_card_over_cap\\] card ${platformCard.id}: holds 5000 USD, above its cap 4000 plus the 0 refunds brought back`,
      ),
    );
    const bad = await verify({ COFFER_STORED_VALUE_LIMITS: "{" });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /COFFER_STORED_VALUE_LIMITS is not valid JSON/);
    assert.equal((await verify()).code, 0, "every break was undone");
  });
});
