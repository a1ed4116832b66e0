import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { withTransaction } from "../../src/db/tx.js";
import { paymentCodeConfirmWindowMs, paymentRemindersPerPayerPerDayMax } from "../../src/limits.js";
import { getPayment } from "../../src/payments/store.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import type { ReceivedMail } from "../helpers/smtp-sink.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Receipts and reminders to payers, through real SMTP (the local sink): a receipt after a payment succeeds, one
 * reminder (in the payer's language) after a payment they engaged with fails or times out, deduplicated per
 * payment, capped per payer and day, stopped by the payer's opt-out or the merchant's settings.
 */
describe("payment receipts and reminders", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Tea House");
  });
  after(() => coffer.close());

  async function merchantApi(merchant: TestPaymentsMerchant, method: "GET" | "POST", path: string, body?: unknown) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${merchant.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** A payment code payment the payer cannot afford: it fails at once (insufficient_funds) with a known payer. */
  async function failedPaymentCodePayment(merchant: TestPaymentsMerchant, payer: TestWalletUser) {
    const shown = await payer.client.get("/v1/wallet/payment_code");
    assert.equal(shown.statusCode, 200, shown.body);
    const payment = await merchant.sdk.payments.create({
      amount: "500",
      currency: "USD",
      method: "payment_code",
      payment_code: shown.json().code,
      description: "Jasmine tea",
    });
    assert.equal(payment.status, "failed");
    return payment;
  }

  async function messagesTo(payerId: string, template: string) {
    const found = await coffer.db.pool.query<{ template: string; dedupe_key: string }>(
      "SELECT template, dedupe_key FROM outbound_messages WHERE wallet_user_id = $1 AND template LIKE $2 ORDER BY seq",
      [payerId, `${template}%`],
    );
    return found.rows;
  }

  const mailTo = (address: string, match: (mail: ReceivedMail) => boolean) =>
    coffer.sink.waitFor((mail) => mail.to.includes(address) && match(mail));

  it("a receipt reaches the payer by mail when a payment succeeds", async () => {
    const payer = await newTestPayer(coffer, { fund: "10000" });
    const payment = await shop.sdk.payments.create({
      amount: "1999",
      currency: "USD",
      method: "qr",
      description: "Two pots of oolong",
    });
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);

    const mail = await mailTo(payer.email, (m) => m.subject.includes("receipt"));
    assert.equal(mail.subject, "Your receipt from Tea House: 19.99 USD");
    assert.match(mail.text, /You paid Tea House 19\.99 USD\./);
    assert.match(mail.text, /For: Two pots of oolong/);
    assert.ok(mail.text.includes(payment.id));
    assert.deepEqual(
      (await messagesTo(payer.id, "payment.")).map((m) => m.dedupe_key),
      [`receipt:${payment.id}`],
    );
  });

  it("a zh-CN payer gets one reminder in Chinese, with the pay-again link and an unsubscribe link that works", async () => {
    const set = await merchantApi(shop, "POST", "/v1/notification_settings", {
      reminder_url: "https://tea.example/orders/again",
    });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.deepEqual(set.json, {
      object: "notification_settings",
      livemode: false,
      receipts: true,
      reminders: true,
      reminder_url: "https://tea.example/orders/again",
    });

    const payer = await newTestPayer(coffer);
    await coffer.db.pool.query("UPDATE wallet_users SET locale = 'zh-CN' WHERE id = $1", [payer.id]);
    const payment = await failedPaymentCodePayment(shop, payer);

    const mail = await mailTo(payer.email, (m) => m.text.includes(payment.id));
    assert.equal(mail.subject, "您向 Tea House 的付款未完成");
    assert.match(mail.text, /您向 Tea House 支付 5\.00 USD（Jasmine tea）未完成：钱包余额不足。/);
    assert.ok(mail.text.includes(`https://tea.example/orders/again?payment_id=${payment.id}`));

    // The same payment again (a retried worker pass, a second event): still one reminder.
    const stored = await getPayment(coffer.db.pool, payment.id);
    await withTransaction(coffer.db.pool, (tx) =>
      coffer.services.payments.notices.paymentChanged(tx, stored!, coffer.clock.now()),
    );
    assert.deepEqual(
      (await messagesTo(payer.id, "payment.reminder")).map((m) => m.dedupe_key),
      [`reminder:${payment.id}`],
    );

    // The unsubscribe link: a forged token does nothing, the real one opts the payer out.
    const link = /(http\S+\/v1\/notifications\/unsubscribe\?token=\S+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    const url = new URL(link);
    const forged = await coffer.app.inject({
      method: "GET",
      url: `${url.pathname}?token=${encodeURIComponent(`${payer.id}.AAAA`)}`,
    });
    assert.equal(forged.statusCode, 400);
    assert.equal((await payer.client.get("/v1/wallet/notifications")).json().reminders, true);
    const unsubscribed = await coffer.app.inject({
      method: "GET",
      url: `${url.pathname}${url.search}`,
      headers: { "accept-language": "zh-CN" },
    });
    assert.equal(unsubscribed.statusCode, 200);
    assert.match(unsubscribed.body, /您将不再收到付款提醒/);
    assert.equal((await payer.client.get("/v1/wallet/notifications")).json().reminders, false);
  });

  it("a payment code nobody confirmed in time sends a reminder (en, no link when the merchant set none)", async () => {
    const teaShop = await newPaymentsMerchant(coffer, "Leaf & Cup");
    const payer = await newTestPayer(coffer, { fund: "50000" });
    const shown = await payer.client.get("/v1/wallet/payment_code");
    const payment = await teaShop.sdk.payments.create({
      amount: "25000", // above the password-free amount: waits for the payer
      currency: "USD",
      method: "payment_code",
      payment_code: shown.json().code,
    });
    assert.equal(payment.status, "processing");
    coffer.clock.advance(paymentCodeConfirmWindowMs + 1_000);
    await coffer.services.payments.expireDue();
    const mail = await mailTo(payer.email, (m) => m.text.includes(payment.id));
    assert.equal(mail.subject, "Your payment to Leaf & Cup did not go through");
    assert.match(mail.text, /250\.00 USD to Leaf & Cup \(—\) did not go through: it was not confirmed in time\./);
    assert.match(mail.text, /ask Leaf & Cup for a new payment/);
  });

  it(`at most ${paymentRemindersPerPayerPerDayMax} reminders per payer a day`, async () => {
    const payer = await newTestPayer(coffer);
    const payments: Awaited<ReturnType<typeof failedPaymentCodePayment>>[] = [];
    for (let i = 0; i <= paymentRemindersPerPayerPerDayMax; i++)
      payments.push(await failedPaymentCodePayment(shop, payer));
    const reminders = await messagesTo(payer.id, "payment.reminder");
    assert.deepEqual(
      reminders.map((m) => m.dedupe_key),
      payments.slice(0, paymentRemindersPerPayerPerDayMax).map((p) => `reminder:${p.id}`),
    );
    await mailTo(payer.email, (m) => m.text.includes(payments[0]!.id));

    // A day later the payer can be reminded again.
    coffer.clock.advance(24 * 60 * 60 * 1000 + 1_000);
    const later = await failedPaymentCodePayment(shop, payer);
    assert.equal((await messagesTo(payer.id, "payment.reminder")).at(-1)?.dedupe_key, `reminder:${later.id}`);
  });

  it("a payer who opted out gets no reminders until they opt in again", async () => {
    const payer = await newTestPayer(coffer);
    const optOut = await payer.client.post("/v1/wallet/notifications", { reminders: false });
    assert.equal(optOut.statusCode, 200, optOut.body);
    assert.deepEqual(optOut.json(), { object: "wallet_notifications", reminders: false });
    await failedPaymentCodePayment(shop, payer);
    assert.deepEqual(await messagesTo(payer.id, "payment.reminder"), []);

    const optIn = await payer.client.post("/v1/wallet/notifications", { reminders: true });
    assert.equal(optIn.json().reminders, true);
    const payment = await failedPaymentCodePayment(shop, payer);
    assert.deepEqual(
      (await messagesTo(payer.id, "payment.reminder")).map((m) => m.dedupe_key),
      [`reminder:${payment.id}`],
    );
  });

  it("a merchant that turned reminders and receipts off sends neither", async () => {
    const quiet = await newPaymentsMerchant(coffer, "Quiet Teas");
    const read = await merchantApi(quiet, "GET", "/v1/notification_settings");
    assert.deepEqual(read.json, {
      object: "notification_settings",
      livemode: false,
      receipts: true,
      reminders: true,
      reminder_url: null,
    });
    const off = await merchantApi(quiet, "POST", "/v1/notification_settings", { receipts: false, reminders: false });
    assert.equal(off.status, 200);
    assert.equal(off.json.reminders, false);
    const bad = await merchantApi(quiet, "POST", "/v1/notification_settings", { reminder_url: "ftp://x.example" });
    assert.equal(bad.status, 400);

    const payer = await newTestPayer(coffer, { fund: "10000" });
    const poor = await newTestPayer(coffer);
    await failedPaymentCodePayment(quiet, poor);
    const payment = await quiet.sdk.payments.create({ amount: "300", currency: "USD", method: "qr" });
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);
    const sent = await coffer.db.pool.query(
      "SELECT 1 FROM outbound_messages WHERE merchant_id = $1 AND template LIKE 'payment.%'",
      [quiet.merchantId],
    );
    assert.equal(sent.rowCount, 0);
  });
});
