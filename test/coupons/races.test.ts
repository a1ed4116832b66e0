import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { balanceOf } from "../../src/ledger/model.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import { type TestWalletUser, testOperatorAuthenticator } from "../helpers/wallets.js";

/**
 * Coupons under real concurrency (Promise.all of real HTTP requests against one database): a budget of 100 units
 * exhausted by 200 parallel redemptions never overspends, whether the discount is given at creation or entered by
 * payers at checkout (a platform coupon, whose budget is real money in the ledger); a payer's limit holds when the
 * same payer pays many discounted payments at once; a code's own limit holds too. `coffer verify` after each.
 */
describe("coupon races", { timeout: 300_000 }, () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payers: TestWalletUser[];

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Busy Tea House");
    payers = [];
    for (let i = 0; i < 8; i++) payers.push(await newTestPayer(coffer, { fund: "400000" }));
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

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
  const ops = (url: string, body: unknown) =>
    coffer.app.inject({
      method: "POST",
      url,
      headers: { "x-test-operator": "admin", "content-type": "application/json" },
      payload: JSON.stringify(body),
    });
  const createPayment = (amount: string, extra: Record<string, unknown> = {}) =>
    api("POST", "/v1/payments", { amount, currency: "USD", method: "checkout", ...extra });
  const tally = (codes: number[]) =>
    codes.reduce<Record<number, number>>((all, code) => {
      all[code] = (all[code] ?? 0) + 1;
      return all;
    }, {});

  it("200 parallel payments with a code whose budget covers 100 discounts: exactly 100 get one, all paid, no overspend", async () => {
    // A budget of 100 units (USD 100.00) and USD 1.00 off each.
    const coupon = (
      await api("POST", "/v1/coupons", { name: "Hundred", currency: "USD", amount_off: "100", budget: "10000" })
    ).json();
    await api("POST", "/v1/promotion_codes", { coupon: coupon.id, code: "HUNDRED" });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => createPayment("1000", { discounts: [{ promotion_code: "HUNDRED" }] })),
    );
    assert.deepEqual(tally(answers.map((a) => a.statusCode)), { 201: 100, 409: 100 });
    for (const refused of answers.filter((a) => a.statusCode === 409)) {
      assert.equal(refused.json().error.code, "coupon_budget_exhausted");
    }
    const made = answers.filter((a) => a.statusCode === 201).map((a) => a.json());
    assert.ok(made.every((p) => p.amount === "900" && p.amount_subtotal === "1000"));
    const counted = (await api("GET", `/v1/coupons/${coupon.id}`)).json();
    assert.deepEqual([counted.times_redeemed, counted.amount_redeemed], [100, "10000"]);
    const rows = await coffer.db.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM payments WHERE merchant_id = $1 AND discount->>'coupon' = $2",
      [shop.merchantId, coupon.id],
    );
    assert.equal(Number(rows.rows[0]!.n), 100, "refused requests wrote no payment");

    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const paid = await Promise.all(
      made.map((p, i) => payers[i % payers.length]!.client.post(`/v1/wallet/payments/${p.id}/confirm`, {})),
    );
    assert.deepEqual(tally(paid.map((p) => p.statusCode)), { 200: 100 });
    const after = await merchantLedgerBalance(coffer.services, shop.merchantId);
    // 100 × (900 − a fee of 5 on 900).
    assert.equal(after.posted - before.posted, 100n * (900n - 5n));
    const redemptions = await coffer.db.pool.query<{ status: string; n: string; total: string }>(
      "SELECT status, count(*) AS n, sum(amount) AS total FROM coupon_redemptions WHERE coupon_id = $1 GROUP BY status",
      [coupon.id],
    );
    assert.deepEqual(
      redemptions.rows.map((r) => [r.status, Number(r.n), String(r.total)]),
      [["redeemed", 100, "10000"]],
    );
  });

  it("200 payers' codes entered at once on a platform coupon of 100 units: its budget account pays exactly what it holds", async () => {
    const funded = await ops("/v1/ops/marketing_accounts/fund", { livemode: false, currency: "USD", amount: "20000" });
    assert.equal(funded.statusCode, 200, funded.body);
    const coupon = await ops("/v1/ops/coupons", {
      livemode: false,
      name: "Platform hundred",
      currency: "USD",
      percent_off_bps: 1000,
      budget: "10000",
    });
    assert.equal(coupon.statusCode, 201, coupon.body);
    const code = await ops("/v1/ops/promotion_codes", {
      livemode: false,
      coupon: coupon.json().id,
      code: "PLATFORM10",
    });
    assert.equal(code.statusCode, 201, code.body);
    // 200 open payments of different sizes: 10 % of each is 50 to 149.
    const open: { id: string; amount: string }[] = [];
    for (let i = 0; i < 200; i++) open.push((await createPayment(String(500 + (i % 100) * 10))).json());
    const applied = await Promise.all(
      open.map((p) =>
        coffer.app.inject({
          method: "POST",
          url: `/v1/checkout/${p.id}/discount`,
          headers: { "content-type": "application/json" },
          payload: { promotion_code: "platform10" },
        }),
      ),
    );
    const codes = tally(applied.map((a) => a.statusCode));
    assert.deepEqual(Object.keys(codes).sort(), ["200", "409"]);
    for (const refused of applied.filter((a) => a.statusCode === 409)) {
      assert.equal(refused.json().error.code, "coupon_budget_exhausted");
    }
    const discounted = open.filter((_, i) => applied[i]!.statusCode === 200);
    const total = applied
      .filter((a) => a.statusCode === 200)
      .reduce((sum, a) => sum + BigInt(a.json().discount.amount), 0n);
    assert.ok(total <= 10_000n, `discounts of ${total} within the budget of 10000`);
    // Nothing the budget could still pay was refused: each refused payment's 10 % is more than what is left (the
    // amounts are multiples of 10, so 10 % is exact).
    const left = 10_000n - total;
    applied.forEach((answer, i) => {
      if (answer.statusCode !== 409) return;
      const wanted = BigInt(open[i]!.amount) / 10n;
      assert.ok(wanted > left, `a discount of ${wanted} was refused while ${left} was left`);
    });
    const view = (
      await coffer.app.inject({
        url: `/v1/ops/coupons/${coupon.json().id}?livemode=false`,
        headers: { "x-test-operator": "admin" },
      })
    ).json();
    assert.deepEqual([view.times_redeemed, view.amount_redeemed], [discounted.length, String(total)]);

    // Everyone pays at once; the budget account pays each merchant its discount, never below zero.
    const paid = await Promise.all(
      discounted.map((p, i) => payers[i % payers.length]!.client.post(`/v1/wallet/payments/${p.id}/confirm`, {})),
    );
    assert.deepEqual(tally(paid.map((p) => p.statusCode)), { 200: discounted.length });
    const account = await coffer.db.pool.query<{ budget_account_id: bigint }>(
      "SELECT budget_account_id FROM coupons WHERE id = $1",
      [coupon.json().id],
    );
    const budget = balanceOf((await coffer.services.ledger.getAccount(account.rows[0]!.budget_account_id))!);
    assert.equal(budget.posted, 10_000n - total);
    assert.ok(budget.posted >= 0n);
  });

  it("one payer paying ten discounted payments at once takes the coupon only as often as it allows", async () => {
    const twice = (
      await api("POST", "/v1/coupons", {
        name: "Twice each",
        currency: "USD",
        amount_off: "100",
        max_redemptions_per_payer: 2,
      })
    ).json();
    const payments = [];
    for (let i = 0; i < 10; i++)
      payments.push((await createPayment("1000", { discounts: [{ coupon: twice.id }] })).json());
    const payer = payers[0]!;
    const answers = await Promise.all(
      payments.map((p) => payer.client.post(`/v1/wallet/payments/${p.id}/confirm`, {})),
    );
    assert.deepEqual(tally(answers.map((a) => a.statusCode)), { 200: 2, 409: 8 });
    for (const refused of answers.filter((a) => a.statusCode === 409)) {
      assert.equal(refused.json().error.code, "coupon_payer_limit_reached");
    }
    const count = await coffer.db.pool.query<{ redemptions: number }>(
      "SELECT redemptions FROM coupon_payer_redemptions WHERE coupon_id = $1 AND payer_id = $2",
      [twice.id, payer.id],
    );
    assert.equal(count.rows[0]!.redemptions, 2);
  });

  it("a code limited to 5 uses, applied by 30 payers at once, is applied 5 times", async () => {
    const coupon = (await api("POST", "/v1/coupons", { name: "Five", currency: "USD", amount_off: "50" })).json();
    await api("POST", "/v1/promotion_codes", { coupon: coupon.id, code: "FIVE", max_redemptions: 5 });
    const open: { id: string; amount: string }[] = [];
    for (let i = 0; i < 30; i++) open.push((await createPayment("1000")).json());
    const applied = await Promise.all(
      open.map((p, i) =>
        payers[i % payers.length]!.client.post(`/v1/wallet/payments/${p.id}/discount`, { promotion_code: "five" }),
      ),
    );
    assert.deepEqual(tally(applied.map((a) => a.statusCode)), { 200: 5, 409: 25 });
    assert.ok(
      applied.filter((a) => a.statusCode === 409).every((a) => a.json().error.code === "promotion_code_used_up"),
    );
  });
});
