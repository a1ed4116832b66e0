import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  assertBooksBalance,
  eventTypesOf,
  feeLedgerBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { type TestWalletUser, testOperatorAuthenticator } from "../../test/helpers/wallets.js";
import { balanceOf } from "../ledger/model.js";

/**
 * Coupons and promotion codes over HTTP against the real database: a discount given at creation and one entered by
 * the payer at checkout, the payment's amount, subtotal and discount, the merchant's money and the coupon's counts,
 * refusals that write nothing, the payer's own limits at payment, discounts given back when a payment ends unpaid or
 * is refunded, and a platform coupon paid to the merchant from its budget. `coffer verify` after every test.
 */
describe("coupons and promotion codes", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Coupon Tea House");
    payer = await newTestPayer(coffer, { fund: "200000" });
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
  const publicPost = (url: string, body: unknown) =>
    coffer.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json" },
      payload: body as object,
    });

  async function created(response: Awaited<ReturnType<typeof api>>) {
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  async function coupon(body: Record<string, unknown>) {
    return created(await api("POST", "/v1/coupons", { currency: "USD", name: "Spring tea", ...body }));
  }
  async function code(couponId: string, body: Record<string, unknown> = {}) {
    return created(await api("POST", "/v1/promotion_codes", { coupon: couponId, ...body }));
  }
  async function checkout(amount: string, extra: Record<string, unknown> = {}) {
    return created(await api("POST", "/v1/payments", { amount, currency: "USD", method: "checkout", ...extra }));
  }
  async function pay(who: TestWalletUser, paymentId: string) {
    const confirmed = await who.client.post(`/v1/wallet/payments/${paymentId}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
    return confirmed.json();
  }
  async function rows() {
    const result = await coffer.db.pool.query<{ payments: string; redemptions: string; events: string }>(
      `SELECT (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM coupon_redemptions) AS redemptions,
              (SELECT count(*) FROM events) AS events`,
    );
    return result.rows[0];
  }

  it("a merchant's promotion code given at creation: the payer pays less, the merchant takes less, the coupon counts it", async () => {
    const spring = await coupon({ amount_off: "500", min_amount: "1000", max_redemptions: 10, budget: "5000" });
    assert.match(spring.id, /^cpn_/);
    assert.equal(spring.funded_by, "merchant");
    const promo = await code(spring.id, { code: "spring-5" });
    assert.equal(promo.code, "SPRING-5");
    assert.equal(promo.coupon.id, spring.id);

    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const payment = await checkout("2500", { discounts: [{ promotion_code: "Spring-5" }] });
    assert.deepEqual(
      { amount: payment.amount, subtotal: payment.amount_subtotal, discounts: payment.discounts },
      {
        amount: "2000",
        subtotal: "2500",
        discounts: [
          {
            coupon: spring.id,
            promotion_code: promo.id,
            redemption: payment.discounts[0].redemption,
            amount: "500",
            funded_by: "merchant",
            applied_by: "merchant",
          },
        ],
      },
    );
    const summary = await coffer.app.inject({ url: `/v1/checkout/${payment.id}` });
    assert.deepEqual(
      { amount: summary.json().amount, subtotal: summary.json().amount_subtotal, discount: summary.json().discount },
      {
        amount: "2000",
        subtotal: "2500",
        discount: {
          name: "Spring tea",
          code: "SPRING-5",
          amount: "500",
          amount_display: "5.00",
          subtotal_display: "25.00",
          applied_by: "merchant",
        },
      },
    );
    const wallet = (await payer.client.get(`/v1/wallet/payments/${payment.id}`)).json();
    assert.equal(wallet.amount, "2000");
    assert.equal(wallet.discount.code, "SPRING-5");

    const paid = await pay(payer, payment.id);
    assert.equal(paid.amount, "2000");
    const after = await merchantLedgerBalance(coffer.services, shop.merchantId);
    // 2000 paid, fee 0.6 % of it (12).
    assert.equal(after.posted - before.posted, 2000n - 12n);
    const counted = (await api("GET", `/v1/coupons/${spring.id}`)).json();
    assert.deepEqual([counted.times_redeemed, counted.amount_redeemed], [1, "500"]);
    const promoNow = await api("GET", `/v1/promotion_codes/${promo.id}`);
    assert.equal(promoNow.json().times_redeemed, 1, promoNow.body);
    const redemptions = (await api("GET", `/v1/coupons/${spring.id}/redemptions`)).json().data;
    assert.deepEqual(
      redemptions.map((r: { status: string; payment: string }) => [r.status, r.payment]),
      [["redeemed", payment.id]],
    );
    assert.deepEqual(
      (await eventTypesOf(coffer, redemptions[0].id)).filter((t) => t.startsWith("coupon.")),
      ["coupon.redeemed"],
    );
  });

  it("the payer enters a code at checkout, changes it, removes it: the amount follows and payment.updated says so", async () => {
    const ten = await coupon({ percent_off_bps: 1000 });
    const other = await coupon({ amount_off: "300" });
    await code(ten.id, { code: "TEN" });
    await code(other.id, { code: "THREE" });
    const payment = await checkout("4000");

    const applied = await publicPost(`/v1/checkout/${payment.id}/discount`, { promotion_code: "ten" });
    assert.equal(applied.statusCode, 200, applied.body);
    assert.deepEqual([applied.json().amount, applied.json().amount_subtotal], ["3600", "4000"]);
    assert.equal(applied.json().discount.applied_by, "payer");
    const swapped = await publicPost(`/v1/checkout/${payment.id}/discount`, { promotion_code: "THREE" });
    assert.equal(swapped.json().amount, "3700");
    assert.deepEqual(
      [
        (await api("GET", `/v1/coupons/${ten.id}`)).json().times_redeemed,
        (await api("GET", `/v1/coupons/${other.id}`)).json().times_redeemed,
      ],
      [0, 1],
      "the first code's count went back when the payer changed it",
    );
    const removed = await publicPost(`/v1/checkout/${payment.id}/discount/remove`, {});
    assert.deepEqual([removed.json().amount, removed.json().discount], ["4000", null]);
    assert.equal((await api("GET", `/v1/coupons/${other.id}`)).json().times_redeemed, 0);

    const again = await publicPost(`/v1/checkout/${payment.id}/discount`, { promotion_code: "ten" });
    assert.equal(again.json().amount, "3600");
    await pay(payer, payment.id);
    const types = await eventTypesOf(coffer, payment.id);
    assert.deepEqual(
      types.filter((t) => t === "payment.updated").length,
      4,
      "apply, change, remove and apply again each sent payment.updated",
    );
    const updated = await coffer.db.pool.query<{ data: { previous_attributes: { amount: string } } }>(
      "SELECT data FROM events WHERE type = 'payment.updated' AND data->'object'->>'id' = $1 ORDER BY seq LIMIT 1",
      [payment.id],
    );
    assert.equal(updated.rows[0]!.data.previous_attributes.amount, "4000");
  });

  it("a code entered while a confirmation was planned: the confirmation is refused, nothing is charged twice", async () => {
    const five = await coupon({ amount_off: "500" });
    await code(five.id, { code: "RACE5" });
    const payment = await checkout("3000");
    const both = await Promise.all([
      payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {}),
      publicPost(`/v1/checkout/${payment.id}/discount`, { promotion_code: "RACE5" }),
    ]);
    const [confirm, apply] = both;
    const after = (await api("GET", `/v1/payments/${payment.id}`)).json();
    if (confirm.statusCode === 200) {
      // The charge won: the code came too late.
      assert.equal(apply.statusCode, 409, apply.body);
      assert.equal(apply.json().error.code, "discount_not_changeable");
      assert.deepEqual([after.status, after.amount, after.amount_received], ["succeeded", "3000", "3000"]);
    } else {
      assert.equal(apply.statusCode, 200, apply.body);
      assert.equal(confirm.json().error.code, "payment_amount_changed");
      assert.deepEqual([after.status, after.amount], ["requires_payment", "2500"]);
      await pay(payer, payment.id);
      assert.equal((await api("GET", `/v1/payments/${payment.id}`)).json().amount_received, "2500");
    }
  });

  it("refuses what a coupon does not allow with its own code, and writes nothing", async () => {
    const euro = await coupon({ amount_off: "100", currency: "EUR" });
    const big = await coupon({ amount_off: "5000" });
    const minimum = await coupon({ amount_off: "100", min_amount: "2000" });
    const off = await coupon({ amount_off: "100" });
    await api("POST", `/v1/coupons/${off.id}/deactivate`, {});
    const other = await newPaymentsMerchant(coffer, "Other Tea");
    const foreign = (
      await api("POST", "/v1/coupons", { currency: "USD", name: "Theirs", amount_off: "100" }, other.secretKey)
    ).json();
    const foreignCode = (
      await api("POST", "/v1/promotion_codes", { coupon: foreign.id, code: "THEIRS" }, other.secretKey)
    ).json();
    const counts = await rows();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ discounts: [{ coupon: euro.id }] }, 400, "coupon_currency_mismatch"],
      [{ discounts: [{ coupon: big.id }] }, 400, "discount_exceeds_amount"],
      [{ discounts: [{ coupon: minimum.id }] }, 400, "coupon_minimum_not_met"],
      [{ discounts: [{ coupon: off.id }] }, 409, "coupon_inactive"],
      [{ discounts: [{ coupon: foreign.id }] }, 404, "resource_not_found"],
      [{ discounts: [{ promotion_code: "THEIRS" }] }, 400, "promotion_code_invalid"],
      [{ discounts: [{ promotion_code: foreignCode.id }] }, 400, "promotion_code_invalid"],
      [{ discounts: [{ promotion_code: "NO-SUCH" }] }, 400, "promotion_code_invalid"],
      [{ discounts: [{ coupon: big.id, promotion_code: "X" }] }, 400, "parameter_invalid"],
      [{ discounts: [{ coupon: big.id }, { coupon: off.id }] }, 400, "parameter_invalid"],
      [
        { discounts: [{ coupon: minimum.id }], capture_method: "manual", amount: "3000" },
        400,
        "discount_not_applicable",
      ],
    ];
    for (const [extra, status, errorCode] of cases) {
      const response = await api("POST", "/v1/payments", {
        amount: "1500",
        currency: "USD",
        method: "checkout",
        ...extra,
      });
      assert.equal(response.statusCode, status, `${JSON.stringify(extra)}: ${response.body}`);
      assert.equal(response.json().error.code, errorCode, JSON.stringify(extra));
    }
    assert.deepEqual(await rows(), counts);
    const duplicate = await api("POST", "/v1/promotion_codes", { coupon: big.id, code: "theirs" });
    assert.equal(duplicate.statusCode, 201, "another merchant's code text is free here");
    const taken = await api("POST", "/v1/promotion_codes", { coupon: big.id, code: "Theirs" });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().error.code, "promotion_code_taken");
    const bad = await api("POST", "/v1/coupons", {
      currency: "USD",
      name: "Both",
      amount_off: "1",
      percent_off_bps: 5,
    });
    assert.equal(bad.json().error.code, "parameter_invalid");
    const tooMuch = await api("POST", "/v1/coupons", { currency: "USD", name: "Pct", percent_off_bps: 10001 });
    assert.equal(tooMuch.json().error.param, "percent_off_bps");
  });

  it("per-payer limits and first-time payers are held when the payer pays, and early in the wallet", async () => {
    const once = await coupon({ amount_off: "100", max_redemptions_per_payer: 1 });
    await code(once.id, { code: "ONCE" });
    const first = await checkout("1000", { discounts: [{ coupon: once.id }] });
    const second = await checkout("1000", { discounts: [{ coupon: once.id }] });
    await pay(payer, first.id);
    const refused = await payer.client.post(`/v1/wallet/payments/${second.id}/confirm`, {});
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.code, "coupon_payer_limit_reached");
    assert.equal((await api("GET", `/v1/payments/${second.id}`)).json().status, "requires_payment");
    // Another payer may pay it.
    const friend = await newTestPayer(coffer, { fund: "10000" });
    await pay(friend, second.id);

    // In the wallet the limit answers when the code is entered.
    const third = await checkout("1000");
    const early = await payer.client.post(`/v1/wallet/payments/${third.id}/discount`, { promotion_code: "once" });
    assert.equal(early.statusCode, 409, early.body);
    assert.equal(early.json().error.code, "coupon_payer_limit_reached");

    const welcome = await coupon({ amount_off: "200", first_time_payers_only: true });
    await code(welcome.id, { code: "WELCOME" });
    const newcomer = await newTestPayer(coffer, { fund: "10000" });
    const fourth = await checkout("1000");
    const entered = await newcomer.client.post(`/v1/wallet/payments/${fourth.id}/discount`, {
      promotion_code: "welcome",
    });
    assert.equal(entered.statusCode, 200, entered.body);
    assert.deepEqual([entered.json().amount, entered.json().amount_subtotal], ["800", "1000"]);
    await pay(newcomer, fourth.id);
    const fifth = await checkout("1000");
    const again = await newcomer.client.post(`/v1/wallet/payments/${fifth.id}/discount`, { promotion_code: "welcome" });
    assert.equal(again.json().error.code, "coupon_first_time_only");
    const veteran = await checkout("1000", { discounts: [{ coupon: welcome.id }] });
    const byVeteran = await payer.client.post(`/v1/wallet/payments/${veteran.id}/confirm`, {});
    assert.equal(byVeteran.json().error.code, "coupon_first_time_only");
  });

  it("a payment that ends unpaid gives its discount back; a refund gives back its share, a full refund the redemption", async () => {
    const pair = await coupon({ amount_off: "1000", max_redemptions: 1, budget: "1000" });
    const lapsed = await checkout("5000", { discounts: [{ coupon: pair.id }], expires_in: 60 });
    const blocked = await api("POST", "/v1/payments", {
      amount: "5000",
      currency: "USD",
      method: "checkout",
      discounts: [{ coupon: pair.id }],
    });
    assert.equal(blocked.json().error.code, "coupon_used_up");
    coffer.clock.advance(61_000);
    await coffer.services.payments.expireDue();
    assert.equal(await coffer.services.coupons.releaseDue(), 1);
    assert.equal((await api("GET", `/v1/coupons/${pair.id}`)).json().times_redeemed, 0);
    assert.equal((await api("GET", `/v1/payments/${lapsed.id}`)).json().status, "expired");
    const redemption = (await api("GET", `/v1/coupons/${pair.id}/redemptions`)).json().data[0];
    assert.equal(redemption.status, "released");

    const payment = await checkout("5000", { discounts: [{ coupon: pair.id }] });
    await pay(payer, payment.id);
    const partial = await api("POST", "/v1/refunds", { payment: payment.id, amount: "1000" });
    assert.equal(partial.statusCode, 201, partial.body);
    let counted = (await api("GET", `/v1/coupons/${pair.id}`)).json();
    // 1000 of the 4000 paid: a quarter of the 1000 discount back to the budget.
    assert.deepEqual([counted.times_redeemed, counted.amount_redeemed], [1, "750"]);
    const rest = await api("POST", "/v1/refunds", { payment: payment.id });
    assert.equal(rest.statusCode, 201, rest.body);
    counted = (await api("GET", `/v1/coupons/${pair.id}`)).json();
    assert.deepEqual([counted.times_redeemed, counted.amount_redeemed], [0, "0"]);
    const returned = (await api("GET", `/v1/coupons/${pair.id}/redemptions`)).json().data[0];
    assert.deepEqual([returned.status, returned.amount_returned], ["returned", "1000"]);
    // The place is free again.
    await checkout("5000", { discounts: [{ coupon: pair.id }] });
  });

  it("a platform coupon: funded from the marketing account, paid to the merchant in full, returned in proportion", async () => {
    const refusedFunding = await ops("POST", "/v1/ops/coupons", {
      livemode: false,
      name: "coffer welcome",
      currency: "USD",
      amount_off: "300",
      budget: "3000",
    });
    assert.equal(refusedFunding.statusCode, 402, refusedFunding.body);
    assert.equal(refusedFunding.json().error.code, "budget_funds_insufficient");
    const funded = await ops("POST", "/v1/ops/marketing_accounts/fund", {
      livemode: false,
      currency: "USD",
      amount: "10000",
    });
    assert.equal(funded.statusCode, 200, funded.body);
    assert.equal(funded.json().available, "10000");
    const platformCoupon = await created(
      await ops("POST", "/v1/ops/coupons", {
        livemode: false,
        name: "coffer welcome",
        currency: "USD",
        amount_off: "300",
        budget: "3000",
      }),
    );
    assert.equal(platformCoupon.funded_by, "platform");
    const platformCode = await created(
      await ops("POST", "/v1/ops/promotion_codes", { livemode: false, coupon: platformCoupon.id, code: "COFFER3" }),
    );
    const accounts = (await ops("GET", "/v1/ops/marketing_accounts?livemode=false")).json().data;
    assert.deepEqual(
      accounts.map((a: { available: string }) => a.available),
      ["7000"],
    );
    // The merchant sees neither the platform coupon nor its code by id.
    assert.equal((await api("GET", `/v1/coupons/${platformCoupon.id}`)).statusCode, 404);
    assert.equal((await api("GET", `/v1/promotion_codes/${platformCode.id}`)).statusCode, 404);

    const merchantBefore = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const feesBefore = await feeLedgerBalance(coffer.services);
    const payment = await checkout("2000");
    const applied = await payer.client.post(`/v1/wallet/payments/${payment.id}/discount`, {
      promotion_code: "coffer3",
    });
    assert.equal(applied.statusCode, 200, applied.body);
    assert.equal(applied.json().amount, "1700");
    const payerBefore = await walletLedgerBalance(coffer.services, payer.id);
    await pay(payer, payment.id);
    const payerAfter = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(payerBefore!.posted - payerAfter!.posted, 1700n, "the payer pays the discounted amount");
    const merchantAfter = await merchantLedgerBalance(coffer.services, shop.merchantId);
    // Paid in full: 1700 from the payer and 300 from the platform, less the fee on 2000 (12).
    assert.equal(merchantAfter.posted - merchantBefore.posted, 2000n - 12n);
    assert.equal((await feeLedgerBalance(coffer.services)).posted - feesBefore.posted, 12n);
    const view = (await api("GET", `/v1/payments/${payment.id}`)).json();
    assert.deepEqual(
      [view.amount, view.amount_subtotal, view.fee, view.discounts[0].funded_by],
      ["1700", "2000", "12", "platform"],
    );

    // A refund of half of what the payer paid: the merchant gives back half the platform's 300 too.
    const refund = await api("POST", "/v1/refunds", { payment: payment.id, amount: "850" });
    assert.equal(refund.statusCode, 201, refund.body);
    const afterRefund = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(merchantAfter.posted - afterRefund.posted, 850n + 150n - 6n);
    const platformView = (await ops("GET", `/v1/ops/coupons/${platformCoupon.id}?livemode=false`)).json();
    assert.deepEqual([platformView.times_redeemed, platformView.amount_redeemed], [1, "150"]);

    // Deactivated: what no payment holds returns to the marketing account.
    const done = await ops("POST", `/v1/ops/coupons/${platformCoupon.id}/deactivate`, { livemode: false });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual([done.json().active, done.json().budget], [false, "150"]);
    const marketing = (await ops("GET", "/v1/ops/marketing_accounts?livemode=false")).json().data[0];
    assert.equal(marketing.available, String(7000 + 3000 - 150));
    const budgetAccount = await coffer.db.pool.query<{ budget_account_id: bigint }>(
      "SELECT budget_account_id FROM coupons WHERE id = $1",
      [platformCoupon.id],
    );
    const account = await coffer.services.ledger.getAccount(budgetAccount.rows[0]!.budget_account_id);
    assert.equal(balanceOf(account!).posted, 0n, "the budget account holds what the redeemed discount left: nothing");
    const unusable = await checkout("2000");
    const late = await payer.client.post(`/v1/wallet/payments/${unusable.id}/discount`, { promotion_code: "COFFER3" });
    assert.equal(late.json().error.code, "coupon_inactive");
  });

  it("a payment code's payment with a discount is charged the discounted amount at once, or refused whole for the payer's limit", async () => {
    const once = await coupon({ amount_off: "300", max_redemptions_per_payer: 1 });
    const payCode = async (body: Record<string, unknown> = {}) => {
      const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
      return api("POST", "/v1/payments", {
        amount: "1500",
        currency: "USD",
        method: "payment_code",
        payment_code: code,
        discounts: [{ coupon: once.id }],
        ...body,
      });
    };
    const before = await walletLedgerBalance(coffer.services, payer.id);
    const charged = await payCode();
    assert.equal(charged.statusCode, 201, charged.body);
    assert.deepEqual(
      [charged.json().status, charged.json().amount, charged.json().amount_received],
      ["succeeded", "1200", "1200"],
    );
    assert.equal(before!.posted - (await walletLedgerBalance(coffer.services, payer.id))!.posted, 1200n);
    const counts = await rows();
    const again = await payCode();
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().error.code, "coupon_payer_limit_reached");
    assert.deepEqual(await rows(), counts, "the refused charge wrote nothing, not even its payment");
    assert.equal((await api("GET", `/v1/coupons/${once.id}`)).json().times_redeemed, 1);
  });

  it("a discounted payment that expired unpaid and is paid again takes its coupon's place again", async () => {
    const single = await coupon({ amount_off: "200", max_redemptions: 1 });
    const payment = await checkout("2000", { discounts: [{ coupon: single.id }], expires_in: 60, allow_retries: true });
    assert.equal(payment.allow_retries, true);
    coffer.clock.advance(61_000);
    await coffer.services.payments.expireDue();
    assert.equal(await coffer.services.coupons.releaseDue(), 1);
    assert.equal((await api("GET", `/v1/coupons/${single.id}`)).json().times_redeemed, 0);
    const paidAgain = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(paidAgain.statusCode, 200, paidAgain.body);
    assert.deepEqual([paidAgain.json().status, paidAgain.json().amount], ["succeeded", "1800"]);
    const counted = (await api("GET", `/v1/coupons/${single.id}`)).json();
    assert.deepEqual([counted.times_redeemed, counted.amount_redeemed], [1, "200"]);
    const redemption = (await api("GET", `/v1/coupons/${single.id}/redemptions`)).json().data[0];
    assert.equal(redemption.status, "redeemed");

    // Its place taken by another payment meanwhile, paying it again is refused with the coupon's reason.
    const other = await checkout("2000", {
      discounts: [{ coupon: (await coupon({ amount_off: "100", max_redemptions: 1 })).id }],
      expires_in: 60,
      allow_retries: true,
    });
    coffer.clock.advance(61_000);
    await coffer.services.payments.expireDue();
    await coffer.services.coupons.releaseDue();
    const taker = await checkout("2000", { discounts: [{ coupon: other.discounts[0].coupon }] });
    assert.equal(taker.discounts.length, 1);
    const refused = await payer.client.post(`/v1/wallet/payments/${other.id}/confirm`, {});
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.code, "coupon_used_up");
  });
});
