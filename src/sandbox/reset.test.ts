import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { bearerSender } from "../../test/helpers/sandbox.js";
import { withTransaction } from "../db/tx.js";
import { transferIdFor } from "../ledger/model.js";
import { verifyLedger } from "../ledger/verify.js";
import { scenarioCatalog } from "./scenarios.js";

/**
 * Test mode everywhere: a test key sees only test objects and a live key only live ones, for payments, refunds,
 * payouts, events, webhook endpoints and the balance. And reset: it removes the merchant's test data only, leaves
 * live data and other merchants' test data alone, and keeps the test ledger balanced.
 */
describe("sandbox isolation and reset", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let liveKey: string;
  let otherKey: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Mode Shop");
    liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    otherKey = await issueTestApiKey(coffer.services, await insertTestMerchant(coffer.db.pool, "Neighbour"));
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const send = bearerSender(() => coffer.app);
  const ok = async (bearer: string, method: "GET" | "POST", url: string, body?: unknown) => {
    const response = await send(bearer, method, url, body);
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  /** A live payer: a live wallet user funded from the live ledger's sandbox settlement account (test setup only). */
  async function liveSucceededPayment(amount: string) {
    const wallets = coffer.services.wallets;
    const email = `live-${Date.now()}@example.com`;
    // The wallet service makes test-mode users directly; this test turns one live before anything references it.
    const { token, user } = await withTransaction(coffer.db.pool, async (tx) => {
      const made = await wallets.users.createTestModeUser(
        tx,
        { email, displayName: "Live payer", tier: 1, frozen: false },
        { userAgent: null, ip: null },
      );
      await tx.query("UPDATE wallet_users SET livemode = true WHERE id = $1", [made.user.id]);
      await tx.query("UPDATE events SET livemode = true WHERE wallet_user_id = $1", [made.user.id]);
      return made;
    });
    const account = await wallets.accounts.walletAccountId({ id: user.id, livemode: true }, "USD");
    const settlement = await wallets.accounts.settlementAccountId(true, "USD", "sandbox");
    const [funded] = await coffer.services.ledger.createTransfers([
      {
        id: transferIdFor(user.id, "live-test-funding"),
        debitAccountId: settlement,
        creditAccountId: account,
        amount: 50_000n,
        code: "top_up",
      },
    ]);
    assert.equal(funded?.code, "ok");
    const payment = await ok(liveKey, "POST", "/v1/payments", { amount, currency: "USD", method: "qr" });
    const confirmed = await send(token!, "POST", `/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
    return payment;
  }

  it("a test key cannot read, refund or cancel live objects, and a live key cannot touch test ones", async () => {
    // Test objects: a paid and refunded payment, an open one, a payout, a webhook endpoint.
    await setSettlementAccount(shop, "000111222333");
    const testPaid = await ok(shop.secretKey, "POST", "/v1/payments", {
      amount: "3000",
      currency: "USD",
      method: "payment_code",
      payment_code: scenarioCatalog.success.code,
    });
    const testRefund = await ok(shop.secretKey, "POST", "/v1/refunds", { payment: testPaid.id, amount: "1000" });
    const testOpen = await ok(shop.secretKey, "POST", "/v1/payments", { amount: "700", currency: "USD", method: "qr" });
    const testPayout = await ok(shop.secretKey, "POST", "/v1/payouts", { amount: "500", currency: "USD" });
    const endpointBody = { url: "https://93.184.215.14/hooks", enabled_events: ["payment.succeeded"] };
    const testEndpoint = await ok(shop.secretKey, "POST", "/v1/webhook_endpoints", endpointBody);
    const testEvent = (await ok(shop.secretKey, "GET", "/v1/events?limit=1")).data[0];

    // Live objects: a paid and refunded payment, an open one, a webhook endpoint.
    const livePaid = await liveSucceededPayment("4000");
    const liveRefund = await ok(liveKey, "POST", "/v1/refunds", { payment: livePaid.id, amount: "500" });
    const liveOpen = await ok(liveKey, "POST", "/v1/payments", { amount: "800", currency: "USD", method: "qr" });
    const liveEndpoint = await ok(liveKey, "POST", "/v1/webhook_endpoints", endpointBody);
    const liveEvent = (await ok(liveKey, "GET", "/v1/events?limit=1")).data[0];
    assert.equal(liveEvent.livemode, true);

    const crossings: [
      string,
      { payments: string[]; refund: string; events: string; endpoint: string; payout?: string },
    ][] = [
      [
        shop.secretKey,
        {
          payments: [livePaid.id, liveOpen.id],
          refund: liveRefund.id,
          events: liveEvent.id,
          endpoint: liveEndpoint.id,
        },
      ],
      [
        liveKey,
        {
          payments: [testPaid.id, testOpen.id],
          refund: testRefund.id,
          events: testEvent.id,
          endpoint: testEndpoint.id,
          payout: testPayout.id,
        },
      ],
    ];
    for (const [bearer, other] of crossings) {
      const notFound = async (method: "GET" | "POST", url: string, body?: unknown) => {
        const response = await send(bearer, method, url, body);
        assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
        assert.equal(response.json().error.code, "resource_not_found");
      };
      for (const id of other.payments) {
        await notFound("GET", `/v1/payments/${id}`);
        await notFound("POST", `/v1/payments/${id}/cancel`, {});
        await notFound("POST", "/v1/refunds", { payment: id });
      }
      await notFound("GET", `/v1/refunds/${other.refund}`);
      await notFound("GET", `/v1/events/${other.events}`);
      await notFound("GET", `/v1/webhook_endpoints/${other.endpoint}`);
      await notFound("POST", `/v1/webhook_endpoints/${other.endpoint}`, { disabled: true });
      if (other.payout) await notFound("GET", `/v1/payouts/${other.payout}`);

      // Lists show only the key's own mode.
      const livemode = bearer === liveKey;
      for (const list of ["/v1/payments", "/v1/refunds", "/v1/payouts", "/v1/events", "/v1/webhook_endpoints"]) {
        const listed = await ok(bearer, "GET", `${list}?limit=100`);
        for (const item of listed.data) assert.equal(item.livemode, livemode, `${list} leaked ${item.id}`);
      }
    }

    // The balance of each mode is that mode's ledger account.
    const testBalance = await ok(shop.secretKey, "GET", "/v1/balance");
    const liveBalance = await ok(liveKey, "GET", "/v1/balance");
    assert.equal(testBalance.livemode, false);
    assert.equal(liveBalance.livemode, true);
    const livePaidNow = await ok(liveKey, "GET", `/v1/payments/${livePaid.id}`);
    const liveLedger = await merchantLedgerBalance(coffer.services, shop.merchantId, "USD", true);
    assert.equal(liveLedger.posted, 4000n - BigInt(livePaidNow.fee) + BigInt(livePaidNow.fee_refunded) - 500n);
    const testLedger = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.notEqual(testLedger.posted, liveLedger.posted);
    assert.ok(JSON.stringify(liveBalance).includes(`"${liveLedger.available}"`), JSON.stringify(liveBalance));
    assert.ok(JSON.stringify(testBalance).includes(`"${testLedger.available}"`), JSON.stringify(testBalance));
    // The live objects are unharmed.
    assert.equal((await ok(liveKey, "GET", `/v1/payments/${liveOpen.id}`)).status, "requires_payment");
    assert.equal((await ok(liveKey, "GET", `/v1/payments/${livePaid.id}`)).amount_refunded, "500");
  });

  it("reset removes the merchant's test data only and keeps the test ledger balanced", async () => {
    // Test data of the shop: scripted payers, a test payer, payments in several states, a refund, a held payment,
    // a scripted answer still pending, and a test clock.
    const payer = await ok(shop.secretKey, "POST", "/v1/test_helpers/wallet_users", {
      currency: "USD",
      balance: "9000",
    });
    const held = await ok(shop.secretKey, "POST", "/v1/payments", {
      amount: "2000",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    await ok(shop.secretKey, "POST", `/v1/test_helpers/payments/${held.id}/approve`, { wallet_user: payer.id });
    const waiting = await ok(shop.secretKey, "POST", "/v1/payments", {
      amount: "600",
      currency: "USD",
      method: "payment_code",
      payment_code: scenarioCatalog.succeeds_after_delay.code,
    });
    assert.equal(waiting.status, "processing");
    // Promotions of test mode (src/coupons): a coupon with a code on a paid payment, and a cashback rule that paid.
    const coupon = await ok(shop.secretKey, "POST", "/v1/coupons", {
      name: "Test",
      currency: "USD",
      amount_off: "100",
    });
    await ok(shop.secretKey, "POST", "/v1/promotion_codes", { coupon: coupon.id, code: "RESETME" });
    const discounted = await ok(shop.secretKey, "POST", "/v1/payments", {
      amount: "3000",
      currency: "USD",
      method: "qr",
      discounts: [{ promotion_code: "RESETME" }],
    });
    await ok(shop.secretKey, "POST", `/v1/test_helpers/payments/${discounted.id}/approve`, { wallet_user: payer.id });
    // The test app's clock stands still: the rule starts a second after this file's earlier payments, which the
    // cashback worker may still hold queued, so only the payment below earns.
    await coffer.services.testClocks.advance(shop.merchantId, 1000);
    await ok(shop.secretKey, "POST", "/v1/cashback_rules", {
      name: "Test points",
      currency: "USD",
      percent_bps: 500,
      budget: "500",
    });
    await coffer.services.testClocks.advance(shop.merchantId, 1000);
    const earning = await ok(shop.secretKey, "POST", "/v1/payments", { amount: "1000", currency: "USD", method: "qr" });
    await ok(shop.secretKey, "POST", `/v1/test_helpers/payments/${earning.id}/approve`, { wallet_user: payer.id });
    await coffer.services.coupons.creditDue();
    assert.equal((await ok(shop.secretKey, "GET", "/v1/cashbacks")).data.length, 1);
    const liveBefore = await ok(liveKey, "GET", "/v1/payments?limit=100");
    const liveBalanceBefore = await merchantLedgerBalance(coffer.services, shop.merchantId, "USD", true);

    // The neighbour's test payment, paid by its own scripted payer, must survive.
    const neighbourPaid = await ok(otherKey, "POST", "/v1/payments", {
      amount: "1200",
      currency: "USD",
      method: "payment_code",
      payment_code: scenarioCatalog.success.code,
    });
    const neighbourBalance = await merchantLedgerBalance(
      coffer.services,
      (await coffer.db.pool.query("SELECT merchant_id FROM payments WHERE id = $1", [neighbourPaid.id])).rows[0]
        .merchant_id,
    );

    const reset = await ok(shop.secretKey, "POST", "/v1/test_helpers/reset", {});
    assert.equal(reset.object, "test_reset");
    assert.ok(reset.deleted.payments >= 3, JSON.stringify(reset));
    assert.ok(reset.deleted.refunds >= 1);
    assert.ok(reset.deleted.test_payers >= 2);
    assert.ok(reset.deleted.events > 0);
    assert.equal(reset.deleted.scripted_answers, 1);
    assert.equal(reset.deleted.test_clocks, 1);
    assert.ok(reset.deleted.ledger_accounts_zeroed >= 2);

    // Test mode is empty and at zero; the books still prove themselves.
    for (const list of [
      "/v1/payments",
      "/v1/refunds",
      "/v1/payouts",
      "/v1/events",
      "/v1/coupons",
      "/v1/promotion_codes",
      "/v1/cashback_rules",
      "/v1/cashbacks",
    ]) {
      assert.deepEqual((await ok(shop.secretKey, "GET", list)).data, [], list);
    }
    assert.equal((await merchantLedgerBalance(coffer.services, shop.merchantId)).posted, 0n);
    assert.equal(await walletLedgerBalance(coffer.services, payer.id), undefined);
    assert.equal((await send(payer.session_token, "GET", "/v1/wallet/balances")).statusCode, 401);
    assert.equal(await coffer.services.testClocks.offsetMs(shop.merchantId), 0);
    assert.equal(await coffer.services.sandbox.helpers.runDueSandboxActions(), 0);
    const report = await verifyLedger(coffer.db.pool, { now: coffer.clock.now(), ledger: "test" });
    assert.deepEqual(report.violations, []);

    // Live data and the neighbour's test data are untouched; the webhook endpoints stay.
    assert.deepEqual(await ok(liveKey, "GET", "/v1/payments?limit=100"), liveBefore);
    assert.deepEqual(await merchantLedgerBalance(coffer.services, shop.merchantId, "USD", true), liveBalanceBefore);
    assert.equal((await ok(otherKey, "GET", `/v1/payments/${neighbourPaid.id}`)).status, "succeeded");
    const neighbourId = (
      await coffer.db.pool.query("SELECT merchant_id FROM payments WHERE id = $1", [neighbourPaid.id])
    ).rows[0].merchant_id;
    assert.deepEqual(await merchantLedgerBalance(coffer.services, neighbourId), neighbourBalance);
    assert.equal((await ok(shop.secretKey, "GET", "/v1/webhook_endpoints")).data.length, 1);

    // Test mode works again after a reset: the magic codes make fresh payers.
    const again = await ok(shop.secretKey, "POST", "/v1/payments", {
      amount: "100",
      currency: "USD",
      method: "payment_code",
      payment_code: scenarioCatalog.success.code,
    });
    assert.equal(again.status, "succeeded");
  });
});
