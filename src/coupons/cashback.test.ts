import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  assertBooksBalance,
  eventTypesOf,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { type TestWalletUser, testOperatorAuthenticator, WalletClient } from "../../test/helpers/wallets.js";

/**
 * Cashback over HTTP against the real database: a merchant's rule funded from its balance credits payers after their
 * payments succeed, within its caps and budget; refunds take their share back in the refund's own chain; a
 * stored-value card earns it too; a platform rule is funded from the marketing account; deactivation returns what is
 * left; credits racing refunds stay within what was paid. `coffer verify` after every test.
 */
describe("cashback", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Cashback Tea House");
    payer = await newTestPayer(coffer, { fund: "500000" });
    // The shop's balance, to fund its rules from.
    for (let i = 0; i < 2; i++) await pay(payer, (await checkout("40000")).id);
    // Rules cover payments paid from their creation on: these sales come before any.
    coffer.clock.advance(1_000);
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const api = (method: "GET" | "POST", url: string, body?: unknown, key = shop.secretKey) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const ops = (method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: { "x-test-operator": "admin", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  async function checkout(amount: string, key = shop.secretKey) {
    const response = await api("POST", "/v1/payments", { amount, currency: "USD", method: "checkout" }, key);
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  async function pay(who: TestWalletUser | WalletClient, paymentId: string) {
    const client = who instanceof WalletClient ? who : who.client;
    const confirmed = await client.post(`/v1/wallet/payments/${paymentId}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
  }
  async function rule(body: Record<string, unknown>) {
    const response = await api("POST", "/v1/cashback_rules", { name: "Tea points", currency: "USD", ...body });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  async function deactivate(id: string) {
    const response = await api("POST", `/v1/cashback_rules/${id}/deactivate`, {});
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }
  const available = async (who: { id: string }) => (await walletLedgerBalance(coffer.services, who.id))!.available;
  const credit = () => coffer.services.coupons.creditDue();

  it("a rule funded from the balance credits the payer after success, within its caps; refunds take their share back", async () => {
    const balanceBefore = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const points = await rule({
      percent_bps: 500,
      max_per_payment: "300",
      max_per_payer_per_month: "500",
      budget: "2000",
    });
    assert.match(points.id, /^cbr_/);
    assert.deepEqual(
      [points.funded_by, points.methods, points.wallet_types],
      ["merchant", ["qr", "payment_code", "checkout"], ["account", "stored_value"]],
    );
    const balanceAfter = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(balanceBefore.available - balanceAfter.available, 2000n, "the budget left the balance");

    const first = await checkout("4000");
    const before = await available(payer);
    await pay(payer, first.id);
    assert.equal(before - (await available(payer)), 4000n);
    assert.ok((await credit()) >= 1);
    assert.equal(before - (await available(payer)), 4000n - 200n, "5 % of 4000 came back");
    const second = await checkout("10000");
    await pay(payer, second.id);
    await credit();
    const cashbacks = (await api("GET", "/v1/cashbacks")).json().data;
    // 5 % of 10000 is 500, capped at 300 per payment; the month's 500 leaves 300.
    const byPayment = new Map(cashbacks.map((c: { payment: string; amount: string }) => [c.payment, c.amount]));
    assert.deepEqual([byPayment.size, byPayment.get(first.id), byPayment.get(second.id)], [2, "200", "300"]);
    const third = await checkout("2000");
    await pay(payer, third.id);
    await credit();
    assert.equal((await api("GET", `/v1/cashbacks?payment=${third.id}`)).json().data.length, 0, "the month is used up");
    assert.equal((await api("GET", `/v1/cashback_rules/${points.id}`)).json().amount_credited, "500");
    assert.deepEqual(await eventTypesOf(coffer, cashbacks[0].id), ["cashback.credited"]);
    coffer.clock.advance(1_000);

    // A refund of half of the second payment takes half of its cashback back, then the rest with the rest.
    const half = await api("POST", "/v1/refunds", { payment: second.id, amount: "5000" });
    assert.equal(half.statusCode, 201, half.body);
    let now = (await api("GET", `/v1/cashbacks?payment=${second.id}`)).json().data[0];
    assert.equal(now.amount_reversed, "150");
    const rest = await api("POST", "/v1/refunds", { payment: second.id });
    assert.equal(rest.statusCode, 201, rest.body);
    now = (await api("GET", `/v1/cashbacks?payment=${second.id}`)).json().data[0];
    assert.equal(now.amount_reversed, "300");
    assert.equal((await api("GET", `/v1/cashback_rules/${points.id}`)).json().amount_credited, "200");
    assert.deepEqual(await eventTypesOf(coffer, now.id), [
      "cashback.credited",
      "cashback.reversed",
      "cashback.reversed",
    ]);

    // The wallet's history shows both ways.
    const history = (await payer.client.get("/v1/wallet/transactions?limit=100")).json().data as {
      type: string;
      direction: string;
      amount: string;
      description: string;
    }[];
    const cashbackRows = history.filter((t) => t.type.startsWith("cashback"));
    assert.deepEqual(cashbackRows.map((t) => [t.type, t.direction, t.amount]).sort(), [
      ["cashback", "in", "200"],
      ["cashback", "in", "300"],
      ["cashback_reversal", "out", "150"],
      ["cashback_reversal", "out", "150"],
    ]);
    assert.ok(cashbackRows.some((t) => t.description === "Cashback on a payment to Cashback Tea House"));
    const cashbackOnly = (await payer.client.get("/v1/wallet/transactions?type=cashback")).json().data;
    assert.equal(cashbackOnly.length, 2);

    // Deactivated: what is left of the budget (2000 − 200) returns to the balance.
    const beforeReturn = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const done = await deactivate(points.id);
    assert.deepEqual([done.active, done.budget], [false, "200"]);
    const afterReturn = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(afterReturn.available - beforeReturn.available, 1800n);
    const later = await checkout("1000");
    await pay(payer, later.id);
    await credit();
    assert.equal((await api("GET", `/v1/cashbacks?payment=${later.id}`)).json().data.length, 0);
  });

  it("stops at its budget, counts a stored-value card, and refuses a budget the balance does not hold", async () => {
    const poor = await newPaymentsMerchant(coffer, "Empty Tea");
    const refused = await api(
      "POST",
      "/v1/cashback_rules",
      { name: "Too much", currency: "USD", percent_bps: 100, budget: "1000" },
      poor.secretKey,
    );
    assert.equal(refused.statusCode, 402, refused.body);
    assert.equal(refused.json().error.code, "budget_funds_insufficient");

    const small = await rule({
      percent_bps: 1000,
      budget: "150",
      methods: ["checkout"],
      wallet_types: ["stored_value"],
    });
    // An account wallet earns nothing from a stored-value-only rule.
    const byAccount = await checkout("1000");
    await pay(payer, byAccount.id);
    await credit();
    assert.equal((await api("GET", `/v1/cashbacks?cashback_rule=${small.id}`)).json().data.length, 0);
    // A prepaid card of the shop does.
    const issued = await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "5000" });
    assert.equal(issued.statusCode, 201, issued.body);
    const session = await coffer.app.inject({
      method: "POST",
      url: "/v1/wallet/cards",
      headers: { "content-type": "application/json" },
      payload: { number: issued.json().number, secret: issued.json().secret },
    });
    assert.equal(session.statusCode, 201, session.body);
    const card = new WalletClient(coffer.app, session.json().token);
    const paidByCard = [await checkout("1000"), await checkout("1000")];
    for (const p of paidByCard) await pay(card, p.id);
    await credit();
    const credited = (await api("GET", `/v1/cashbacks?cashback_rule=${small.id}`)).json().data;
    // 10 % of 1000 is 100, then only the 50 left of the budget of 150.
    assert.deepEqual(credited.map((c: { amount: string }) => c.amount).sort(), ["100", "50"]);
    const balance = (await card.get(`/v1/wallet/cards/${issued.json().id}`)).json();
    assert.equal(balance.balance, String(5000 - 2000 + 150));
    assert.equal((await api("GET", `/v1/cashback_rules/${small.id}`)).json().amount_credited, "150");
  });

  it("a platform rule is funded from the marketing account and credits any merchant's payers", async () => {
    const funded = await ops("POST", "/v1/ops/marketing_accounts/fund", {
      livemode: false,
      currency: "USD",
      amount: "5000",
    });
    assert.equal(funded.statusCode, 200, funded.body);
    const platformRule = await ops("POST", "/v1/ops/cashback_rules", {
      livemode: false,
      name: "coffer week",
      currency: "USD",
      percent_bps: 200,
      budget: "1000",
    });
    assert.equal(platformRule.statusCode, 201, platformRule.body);
    assert.equal(platformRule.json().funded_by, "platform");
    const otherShop = await newPaymentsMerchant(coffer, "Other Tea");
    const payment = await checkout("2500", otherShop.secretKey);
    const before = await available(payer);
    await pay(payer, payment.id);
    await credit();
    assert.equal(before - (await available(payer)), 2500n - 50n);
    const seen = (await api("GET", "/v1/cashbacks", undefined, otherShop.secretKey)).json().data;
    assert.deepEqual(
      seen.map((c: { amount: string; funded_by: string }) => [c.amount, c.funded_by]),
      [["50", "platform"]],
    );
    const listed = (await ops("GET", "/v1/ops/cashbacks?livemode=false")).json().data;
    assert.ok(listed.some((c: { payment: string }) => c.payment === payment.id));
    const done = await ops("POST", `/v1/ops/cashback_rules/${platformRule.json().id}/deactivate`, { livemode: false });
    assert.equal(done.statusCode, 200, done.body);
    const marketing = (await ops("GET", "/v1/ops/marketing_accounts?livemode=false")).json().data[0];
    assert.equal(marketing.available, String(5000 - 50));
  });

  it("credits racing refunds never take back more than was credited nor credit more than was paid", async () => {
    const racing = await rule({ percent_bps: 1000, budget: "50000" });
    const payments = [];
    for (let i = 0; i < 8; i++) {
      const p = await checkout("2000");
      await pay(payer, p.id);
      payments.push(p);
    }
    // Credits and refunds of the same payments at the same time, in two workers' worth of passes.
    const outcomes = await Promise.all([
      credit(),
      credit(),
      ...payments.map((p) => api("POST", "/v1/refunds", { payment: p.id, amount: "1000" })),
    ]);
    const refundCodes = outcomes.slice(2).map((r) => (r as Awaited<ReturnType<typeof api>>).statusCode);
    for (const code of refundCodes) assert.ok(code === 201 || code === 400, `refund answered ${code}`);
    // What the race left is credited on the next pass, on what is left after the refunds.
    await credit();
    await credit();
    const rows = await coffer.db.pool.query<{
      id: string;
      paid: string;
      refunded: string;
      cashback: string;
      reversed: string;
    }>(
      `SELECT p.id, p.amount_captured AS paid, p.amount_refunded AS refunded, c.amount AS cashback, c.amount_reversed AS reversed
         FROM payments p JOIN cashbacks c ON c.payment_id = p.id WHERE c.rule_id = $1`,
      [racing.id],
    );
    assert.equal(rows.rows.length, payments.length, "every payment got its cashback");
    for (const row of rows.rows) {
      const paid = BigInt(row.paid);
      const refunded = BigInt(row.refunded);
      const net = BigInt(row.cashback) - BigInt(row.reversed);
      // Credited on what was paid when it was credited; a later refund took its share back.
      assert.ok(BigInt(row.cashback) <= paid / 10n, `cashback ${row.cashback} of ${row.paid}`);
      assert.ok(net <= (paid - refunded) / 10n + 1n, `net cashback ${net} after refunds of ${refunded}`);
      assert.ok(net >= 0n);
    }
    const credited = (await api("GET", `/v1/cashback_rules/${racing.id}`)).json().amount_credited;
    const sum = rows.rows.reduce((n, r) => n + BigInt(r.cashback) - BigInt(r.reversed), 0n);
    assert.equal(credited, String(sum), "the rule's count is what its cashbacks hold");
    await deactivate(racing.id);
  });

  it("a prepaid card earns cashback up to its balance cap and no further", async () => {
    // A card at its cap (USD 200.00 by default) pays 10.00; two rules each give 100 % back.
    const issued = await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "20000" });
    assert.equal(issued.statusCode, 201, issued.body);
    const session = await coffer.app.inject({
      method: "POST",
      url: "/v1/wallet/cards",
      headers: { "content-type": "application/json" },
      payload: { number: issued.json().number, secret: issued.json().secret },
    });
    const card = new WalletClient(coffer.app, session.json().token);
    const rules = [
      await rule({ name: "All back", percent_bps: 10000, budget: "1000", wallet_types: ["stored_value"] }),
      await rule({ name: "All back again", percent_bps: 10000, budget: "1000", wallet_types: ["stored_value"] }),
    ];
    coffer.clock.advance(1_000);
    const payment = await checkout("1000");
    await pay(card, payment.id);
    await credit();
    const credited = (await api("GET", `/v1/cashbacks?payment=${payment.id}`)).json().data;
    assert.deepEqual(
      credited.map((c: { amount: string }) => c.amount),
      ["1000"],
      "the first rule filled the card up to its cap; the second found no room",
    );
    assert.equal((await card.get(`/v1/wallet/cards/${issued.json().id}`)).json().balance, "20000");
    for (const r of rules) await deactivate(r.id);
  });
});
