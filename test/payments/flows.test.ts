import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { webPageContentSecurityPolicy } from "../../src/http/web-app.js";
import { paymentCaptureWindowMs, paymentCodeConfirmWindowMs } from "../../src/limits.js";
import { totpCodeAt } from "../../src/security/totp.js";
import { ensureWebBuilt } from "../helpers/browser.js";
import {
  assertBooksBalance,
  eventTypesOf,
  feeLedgerBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Payments end to end, the way a merchant integrates: the SDK with a real sk_test_ key against coffer over HTTP,
 * and real test-mode payers in the wallet API. Every flow checks the ledger balances it moved and ends with
 * coffer verify finding nothing wrong. Fees: the default 0.6 %, rounded half up.
 */
describe("payments end to end", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    await ensureWebBuilt(); // the checkout page is the web app's
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Tea House");
    payer = await newTestPayer(coffer, { fund: "150000", displayName: "Ada" });
  });
  // coffer verify after every test: whatever a test moved, the books balance.
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const usd = (userId: string) => walletLedgerBalance(coffer.services, userId).then((b) => b?.available ?? 0n);
  const merchantAvailable = () => merchantLedgerBalance(coffer.services, shop.merchantId).then((b) => b.available);
  const fees = () => feeLedgerBalance(coffer.services).then((b) => b.posted);

  it("QR: the merchant shows a QR code, the payer scans and confirms, money and fee move once", async () => {
    const before = { payer: await usd(payer.id), merchant: await merchantAvailable(), fees: await fees() };
    const payment = await shop.sdk.payments.create({
      amount: "1999",
      currency: "USD",
      method: "qr",
      description: "Two pots of oolong",
      metadata: { order: "A-1001" },
    });
    assert.equal(payment.status, "requires_payment");
    assert.match(payment.qr?.payload ?? "", /\/q\/[0-9A-Za-z]{22}$/);
    assert.match(payment.qr?.svg ?? "", /^<svg /);
    assert.deepEqual(payment.metadata, { order: "A-1001" });

    const scanned = await payer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(scanned.statusCode, 200, scanned.body);
    assert.deepEqual(
      {
        id: scanned.json().id,
        merchant: scanned.json().merchant,
        amount: scanned.json().amount,
        description: scanned.json().description,
      },
      { id: payment.id, merchant: { name: "Tea House" }, amount: "1999", description: "Two pots of oolong" },
    );
    assert.equal(scanned.json().step_up_required, false);

    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");

    const paid = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(paid.status, "succeeded");
    assert.equal(paid.amount_received, "1999");
    assert.equal(paid.fee, "12"); // 0.6 % of 19.99 = 11.994 → 12
    assert.equal(await usd(payer.id), before.payer - 1999n);
    assert.equal(await merchantAvailable(), before.merchant + 1999n - 12n);
    assert.equal(await fees(), before.fees + 12n);
    assert.deepEqual(await eventTypesOf(coffer, payment.id), ["payment.created", "payment.succeeded"]);

    const balance = await shop.sdk.balance.retrieve();
    assert.deepEqual(
      balance.currencies.find((c) => c.currency === "USD")?.available,
      String(await merchantAvailable()),
    );

    // Paying again changes nothing; a second scan shows the payment no longer open to others.
    const again = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(again.json().status, "succeeded");
    assert.equal(await usd(payer.id), before.payer - 1999n);
    const other = await newTestPayer(coffer);
    const late = await other.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(late.statusCode, 404);
    await assertBooksBalance(coffer);
  });

  it("payment code, small: the POS scans the payer's code and the payment succeeds at once; a code works once", async () => {
    const before = { payer: await usd(payer.id), merchant: await merchantAvailable() };
    const shown = await payer.client.get("/v1/wallet/payment_code");
    assert.equal(shown.statusCode, 200, shown.body);
    const { code, barcode_svg, qr_svg } = shown.json();
    assert.match(code, /^88\d{16}$/);
    assert.match(barcode_svg, /^<svg /);
    assert.match(qr_svg, /^<svg /);
    assert.equal(shown.headers["cache-control"], "no-store");

    const payment = await shop.sdk.payments.create({
      amount: "850",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(payment.status, "succeeded");
    assert.equal(payment.qr, null);
    assert.equal(payment.checkout_url, null);
    assert.equal(payment.fee, "5"); // 5.1 → 5
    assert.equal(await usd(payer.id), before.payer - 850n);
    assert.equal(await merchantAvailable(), before.merchant + 850n - 5n);
    assert.deepEqual(await eventTypesOf(coffer, payment.id), ["payment.created", "payment.succeeded"]);

    await assert.rejects(
      shop.sdk.payments.create({ amount: "850", currency: "USD", method: "payment_code", payment_code: code }),
      (error: { code?: string; statusCode?: number }) =>
        error.code === "payment_code_invalid" && error.statusCode === 402,
    );
    // A fresh code retires the one before it; a code older than a minute has expired.
    const first = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const second = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    await assert.rejects(
      shop.sdk.payments.create({ amount: "100", currency: "USD", method: "payment_code", payment_code: first }),
      (error: { code?: string }) => error.code === "payment_code_expired",
    );
    coffer.clock.advance(61_000);
    await assert.rejects(
      shop.sdk.payments.create({ amount: "100", currency: "USD", method: "payment_code", payment_code: second }),
      (error: { code?: string }) => error.code === "payment_code_expired",
    );
    assert.equal(await usd(payer.id), before.payer - 850n, "nothing else moved");
  });

  it("payment code above the password-free amount: waits in processing until the payer confirms", async () => {
    const before = { payer: await usd(payer.id), merchant: await merchantAvailable() };
    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const payment = await shop.sdk.payments.create({
      amount: "25000", // USD 250.00, above the default USD 200.00
      currency: "USD",
      method: "payment_code",
      payment_code: code,
      description: "A tea set",
    });
    assert.equal(payment.status, "processing");
    assert.equal(await usd(payer.id), before.payer, "nothing moves before the payer confirms");

    const waiting = await payer.client.get("/v1/wallet/payments?status=processing");
    assert.deepEqual(
      waiting.json().data.map((p: { id: string }) => p.id),
      [payment.id],
    );
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
    const paid = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(paid.status, "succeeded");
    assert.equal(paid.fee, "150");
    assert.equal(await usd(payer.id), before.payer - 25000n);
    assert.equal(await merchantAvailable(), before.merchant + 25000n - 150n);
    assert.deepEqual(await eventTypesOf(coffer, payment.id), [
      "payment.created",
      "payment.processing",
      "payment.succeeded",
    ]);
  });

  it("payment code nobody confirms: coffer cancels it after the confirmation window, nothing moves", async () => {
    const before = await usd(payer.id);
    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const payment = await shop.sdk.payments.create({
      amount: "30000",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(payment.status, "processing");
    coffer.clock.advance(paymentCodeConfirmWindowMs - 1_000);
    await coffer.services.payments.expireDue();
    assert.equal((await shop.sdk.payments.retrieve(payment.id)).status, "processing");
    coffer.clock.advance(1_000);
    assert.ok((await coffer.services.payments.expireDue()) >= 1);
    const canceled = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(canceled.status, "canceled");
    assert.equal(canceled.cancellation_reason, "confirmation_timeout");
    const late = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(late.statusCode, 409);
    assert.equal(late.json().error.code, "payment_status_invalid");
    assert.equal(await usd(payer.id), before);
    assert.deepEqual(await eventTypesOf(coffer, payment.id), [
      "payment.created",
      "payment.processing",
      "payment.canceled",
    ]);

    // Declining a payment code waiting for you fails it with payer_declined.
    const next = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const declined = await shop.sdk.payments.create({
      amount: "30000",
      currency: "USD",
      method: "payment_code",
      payment_code: next,
    });
    const answer = await payer.client.post(`/v1/wallet/payments/${declined.id}/decline`, {});
    assert.equal(answer.statusCode, 200, answer.body);
    const failed = await shop.sdk.payments.retrieve(declined.id);
    assert.equal(failed.status, "failed");
    assert.equal(failed.failure_code, "payer_declined");
    assert.equal(await usd(payer.id), before);
  });

  it("checkout: the hosted page shows the payment; the payer confirms and is sent back to return_url", async () => {
    const before = await usd(payer.id);
    const payment = await shop.sdk.payments.create({
      amount: "4200",
      currency: "USD",
      method: "checkout",
      description: "Gift box",
      return_url: "https://shop.example.com/thanks?order=77",
    });
    assert.equal(payment.checkout_url, `${coffer.services.payments.links.base}/checkout/${payment.id}`);

    // The page is the web app's checkout (its behaviour in Chromium: test/web/checkout.test.ts): served with the web
    // app's CSP, never cached; everything it shows comes from the summary below.
    const page = await fetch(`${coffer.baseUrl}/checkout/${payment.id}`, {
      headers: { accept: "text/html", "accept-language": "zh-CN" },
    });
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(page.headers.get("content-security-policy"), webPageContentSecurityPolicy);
    assert.equal(page.headers.get("cache-control"), "no-store");
    assert.match(await page.text(), /<div id="root"><\/div>/);

    const summary = await shop.sdk.checkout.retrieve(payment.id);
    assert.equal(summary.amount_display, "42.00");
    assert.equal(summary.merchant.name, "Tea House");
    assert.equal(summary.description, "Gift box");
    assert.equal(summary.failure_code, null);
    assert.equal(summary.redirect_url, null);
    const viaQr = await fetch(`${coffer.baseUrl}/q/${summary.qr!.payload.split("/q/")[1]}`, { redirect: "manual" });
    assert.equal(viaQr.status, 302);
    assert.equal(viaQr.headers.get("location"), `/checkout/${payment.id}`);

    const confirmed = await payer.client.post(
      `/v1/wallet/payments/${payment.id}/confirm`,
      {},
      { "idempotency-key": "co-1" },
    );
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().redirect_url, `https://shop.example.com/thanks?order=77&payment_id=${payment.id}`);
    assert.equal((await shop.sdk.checkout.retrieve(payment.id)).redirect_url, confirmed.json().redirect_url);
    assert.equal((await shop.sdk.payments.retrieve(payment.id)).status, "succeeded");
    assert.equal(await usd(payer.id), before - 4200n);
  });

  it("step-up: above the wallet's threshold the payer confirms with a TOTP code", async () => {
    const rich = await newTestPayer(coffer, { fund: "200000" });
    const payment = await shop.sdk.payments.create({ amount: "60000", currency: "USD", method: "qr" });
    const without = await rich.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(without.statusCode, 403);
    assert.equal(without.json().error.code, "step_up_required");
    const enrollment = (await rich.client.post("/v1/wallet/totp")).json();
    const confirmTotp = await rich.client.post("/v1/wallet/totp/confirm", {
      code: await totpCodeAt(enrollment.secret, coffer.clock.now()),
    });
    assert.equal(confirmTotp.statusCode, 200, confirmTotp.body);
    coffer.clock.advance(30_000);
    const paid = await rich.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {
      step_up: { totp: await totpCodeAt(enrollment.secret, coffer.clock.now()) },
    });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(paid.json().status, "succeeded");
    assert.equal(await usd(rich.id), 200000n - 60000n);
  });

  it("manual capture: a hold on the payer's wallet, captured partly; the rest returns at once", async () => {
    const before = {
      payer: await usd(payer.id),
      merchant: await merchantLedgerBalance(coffer.services, shop.merchantId),
    };
    const payment = await shop.sdk.payments.create({
      amount: "10000",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    const held = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(held.json().status, "requires_capture");
    const authorized = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(authorized.amount_capturable, "10000");
    assert.equal(authorized.capture_before, Math.floor((coffer.clock.now().getTime() + paymentCaptureWindowMs) / 1000));
    assert.equal(await usd(payer.id), before.payer - 10000n, "the hold counts against the payer at once");
    const pending = (await shop.sdk.balance.retrieve()).currencies.find((c) => c.currency === "USD");
    assert.equal(pending?.pending, "10000");

    await assert.rejects(
      shop.sdk.payments.capture(payment.id, { amount_to_capture: "10001" }),
      (error: { code?: string }) => error.code === "capture_exceeds_authorized",
    );
    const captured = await shop.sdk.payments.capture(payment.id, { amount_to_capture: "7500" });
    assert.equal(captured.status, "succeeded");
    assert.equal(captured.amount_received, "7500");
    assert.equal(captured.fee, "45");
    assert.equal(await usd(payer.id), before.payer - 7500n);
    const after = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(after.available, before.merchant.available + 7500n - 45n);
    assert.equal(after.creditsPending, before.merchant.creditsPending);
    // The same capture again (a retry) answers the payment; another amount is refused.
    assert.equal((await shop.sdk.payments.capture(payment.id, { amount_to_capture: "7500" })).amount_received, "7500");
    await assert.rejects(
      shop.sdk.payments.capture(payment.id, { amount_to_capture: "7000" }),
      (error: { code?: string }) => error.code === "payment_status_invalid",
    );
    assert.deepEqual(await eventTypesOf(coffer, payment.id), [
      "payment.created",
      "payment.requires_capture",
      "payment.succeeded",
    ]);
    await assertBooksBalance(coffer);
  });

  it("cancel: an open payment and a held one (the hold is released)", async () => {
    const before = await usd(payer.id);
    const open = await shop.sdk.payments.create({ amount: "1000", currency: "USD", method: "qr" });
    const canceled = await shop.sdk.payments.cancel(open.id, { cancellation_reason: "abandoned" });
    assert.equal(canceled.status, "canceled");
    assert.equal(canceled.cancellation_reason, "abandoned");
    const refused = await payer.client.post(`/v1/wallet/payments/${open.id}/confirm`, {});
    assert.equal(refused.statusCode, 404, "a canceled QR payment is no longer open to payers");

    const held = await shop.sdk.payments.create({
      amount: "3000",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    await payer.client.post(`/v1/wallet/payments/${held.id}/confirm`, {});
    assert.equal(await usd(payer.id), before - 3000n);
    const released = await shop.sdk.payments.cancel(held.id);
    assert.equal(released.status, "canceled");
    assert.equal(await usd(payer.id), before);
    await assert.rejects(
      shop.sdk.payments.capture(held.id),
      (error: { code?: string }) => error.code === "payment_status_invalid",
    );
    await assert.rejects(
      shop.sdk.payments.cancel(held.id),
      (error: { code?: string }) => error.code === "payment_status_invalid",
    );
    assert.deepEqual(await eventTypesOf(coffer, held.id), [
      "payment.created",
      "payment.requires_capture",
      "payment.canceled",
    ]);
  });

  it("refunds: two partial refunds, each with its events; the fee comes back in proportion, all of it at the end", async () => {
    const payment = await shop.sdk.payments.create({ amount: "10000", currency: "USD", method: "qr" });
    const paid = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(paid.statusCode, 200, paid.body);
    const before = { payer: await usd(payer.id), merchant: await merchantAvailable(), fees: await fees() };

    const first = await shop.sdk.refunds.create({
      payment: payment.id,
      amount: "2500",
      reason: "requested_by_customer",
    });
    assert.equal(first.status, "succeeded");
    assert.equal(first.fee_returned, "15"); // 60 × 2500 / 10000
    coffer.clock.advance(1_000);
    const second = await shop.sdk.refunds.create({
      payment: payment.id,
      reason: "duplicate",
      description: "sent twice",
    });
    assert.equal(second.amount, "7500", "no amount: all that is left");
    assert.equal(second.fee_returned, "45");
    assert.equal((await shop.sdk.refunds.retrieve(second.id)).description, "sent twice");

    const refunded = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(refunded.amount_refunded, "10000");
    assert.equal(refunded.fee_refunded, "60");
    assert.equal(await usd(payer.id), before.payer + 10000n);
    assert.equal(await merchantAvailable(), before.merchant - 10000n + 60n);
    assert.equal(await fees(), before.fees - 60n);
    await assert.rejects(
      shop.sdk.refunds.create({ payment: payment.id, amount: "1" }),
      (error: { code?: string }) => error.code === "refund_exceeds_captured",
    );
    assert.deepEqual(await eventTypesOf(coffer, first.id), ["refund.created", "refund.succeeded"]);
    const listed = await shop.sdk.refunds.list({ payment: payment.id });
    assert.deepEqual(
      listed.data.map((r) => r.id),
      [second.id, first.id],
    );
    await assertBooksBalance(coffer);
  });

  it("payouts: one the bank pays, one the bank fails (the money comes back)", async () => {
    await setSettlementAccount(shop, "6222020200112233445");
    const available = await merchantAvailable();
    assert.ok(available > 3000n);
    const payout = await shop.sdk.payouts.create({ amount: "2000", currency: "USD", description: "Weekly" });
    assert.equal(payout.status, "pending");
    assert.equal(payout.destination.last4, "3445");
    let balance = (await shop.sdk.balance.retrieve()).currencies.find((c) => c.currency === "USD");
    assert.equal(balance?.available, String(available - 2000n));
    assert.equal(balance?.in_transit, "2000");

    coffer.clock.advance(coffer.services.wallets.config.sandboxBankSettleMs);
    assert.equal(await coffer.services.payments.payouts.runDue(), 1);
    const paid = await shop.sdk.payouts.retrieve(payout.id);
    assert.equal(paid.status, "paid");
    assert.match(paid.bank_reference ?? "", /^sbx_po_/);
    assert.deepEqual(await eventTypesOf(coffer, payout.id), ["payout.created", "payout.paid"]);
    balance = (await shop.sdk.balance.retrieve()).currencies.find((c) => c.currency === "USD");
    assert.equal(balance?.available, String(available - 2000n));
    assert.equal(balance?.in_transit, "0");

    // The sandbox bank fails credits to accounts ending in 0005.
    await setSettlementAccount(shop, "9988776655440005");
    const refused = await shop.sdk.payouts.create({ amount: "1000", currency: "USD" });
    assert.equal(await merchantAvailable(), available - 3000n);
    coffer.clock.advance(coffer.services.wallets.config.sandboxBankSettleMs);
    await coffer.services.payments.payouts.runDue();
    const failed = await shop.sdk.payouts.retrieve(refused.id);
    assert.equal(failed.status, "failed");
    assert.equal(failed.failure_code, "account_frozen");
    assert.equal(await merchantAvailable(), available - 2000n, "the failed payout's money is available again");
    assert.deepEqual(await eventTypesOf(coffer, refused.id), ["payout.created", "payout.failed"]);

    await assert.rejects(
      shop.sdk.payouts.create({ amount: String(available), currency: "USD" }),
      (error: { code?: string }) => error.code === "balance_insufficient",
    );
    const listed = await shop.sdk.payouts.list();
    assert.deepEqual(
      listed.data.map((p) => p.id),
      [refused.id, payout.id],
    );
    await assertBooksBalance(coffer);
  });

  it("the daily payout schedule pays out the whole available balance once a UTC day", async () => {
    await setSettlementAccount(shop, "6222020200112233445");
    assert.equal((await shop.sdk.payoutSchedule.retrieve()).interval, "manual");
    assert.equal((await shop.sdk.payoutSchedule.update({ interval: "daily" })).interval, "daily");
    const available = await merchantAvailable();
    assert.equal(await coffer.services.payments.payouts.runSchedule(), 1);
    assert.equal(await coffer.services.payments.payouts.runSchedule(), 0, "once a day");
    const [scheduled] = (await shop.sdk.payouts.list({ limit: 1 })).data;
    assert.equal(scheduled?.automatic, true);
    assert.equal(scheduled?.amount, String(available));
    assert.equal(await merchantAvailable(), 0n);
    await shop.sdk.payoutSchedule.update({ interval: "manual" });
    coffer.clock.advance(coffer.services.wallets.config.sandboxBankSettleMs);
    await coffer.services.payments.payouts.runDue();
    assert.equal((await shop.sdk.payouts.retrieve(scheduled!.id)).status, "paid");
    await assertBooksBalance(coffer);
  });

  // Last: it moves the clock by the capture window, past the wallet and console sessions' lifetimes.
  it("expiry: an unpaid payment expires; an uncaptured hold is released at capture_before", async () => {
    const before = await usd(payer.id);
    // Not payable again after expiry (checkout payments allow retries by default from API version 2026-12-14).
    const unpaid = await shop.sdk.payments.create({
      amount: "500",
      currency: "USD",
      method: "checkout",
      expires_in: 120,
      allow_retries: false,
    });
    const held = await shop.sdk.payments.create({
      amount: "700",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    await payer.client.post(`/v1/wallet/payments/${held.id}/confirm`, {});
    coffer.clock.advance(121_000);
    await coffer.services.payments.expireDue();
    const expired = await shop.sdk.payments.retrieve(unpaid.id);
    assert.equal(expired.status, "expired");
    assert.equal(expired.failure_code, "expired");
    const late = await payer.client.post(`/v1/wallet/payments/${unpaid.id}/confirm`, {});
    assert.equal(late.statusCode, 404);
    assert.equal((await shop.sdk.payments.retrieve(held.id)).status, "requires_capture");
    assert.equal(await usd(payer.id), before - 700n);

    coffer.clock.advance(paymentCaptureWindowMs);
    await coffer.services.payments.expireDue();
    const released = await shop.sdk.payments.retrieve(held.id);
    assert.equal(released.status, "expired");
    assert.equal(await usd(payer.id), before);
    assert.deepEqual(await eventTypesOf(coffer, held.id), [
      "payment.created",
      "payment.requires_capture",
      "payment.expired",
    ]);
    assert.deepEqual(await eventTypesOf(coffer, unpaid.id), ["payment.created", "payment.expired"]);
    await assertBooksBalance(coffer);
  });
});
