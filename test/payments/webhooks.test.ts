import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { dispatchEvents } from "../../src/webhooks/dispatcher.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

/**
 * The callback a merchant relies on: a real payment and refund, made through the SDK and the wallet API, reach the
 * merchant's webhook endpoint as signed Standard Webhooks, each verified with the `standardwebhooks` package.
 */
describe("payment status callbacks", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;
  let receiver: WebhookReceiver;

  before(async () => {
    // Signatures carry the clock's time and receivers accept five minutes of skew: start the clock at now.
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    shop = await newPaymentsMerchant(coffer, "Tea House");
    payer = await newTestPayer(coffer, { fund: "50000" });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await assertBooksBalance(coffer);
    await receiver.stop();
    await coffer.close();
  });

  it("every event of a QR payment and its refund arrives, signed, exactly as GET /v1/events shows it", async () => {
    const endpoint = await shop.sdk.webhookEndpoints.create({
      url: `${receiver.url}/hooks`,
      enabled_events: ["payment.*", "refund.*"],
    });
    const payment = await shop.sdk.payments.create({
      amount: "1999",
      currency: "USD",
      method: "qr",
      description: "Oolong",
    });
    const scanned = await payer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(scanned.statusCode, 200, scanned.body);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);
    const refund = await shop.sdk.refunds.create({
      payment: payment.id,
      amount: "500",
      reason: "requested_by_customer",
    });

    await dispatchEvents(coffer.db.pool, coffer.clock);
    while ((await coffer.services.webhookDelivery.deliverDue()) > 0);

    const verifier = new Webhook(endpoint.secret);
    const delivered = receiver.received.map((w) =>
      verifier.verify(w.body, {
        "webhook-id": String(w.headers["webhook-id"]),
        "webhook-timestamp": String(w.headers["webhook-timestamp"]),
        "webhook-signature": String(w.headers["webhook-signature"]),
      }),
    ) as { id: string; type: string; data: { object: { id: string } } }[];
    const types = delivered.map((e) => e.type);
    // Deliveries run concurrently: webhooks are not ordered (docs/webhooks.md), so compare as sets.
    assert.deepEqual(types.filter((t) => t.startsWith("payment.")).sort(), ["payment.created", "payment.succeeded"]);
    assert.ok(types.includes("refund.created") && types.includes(`refund.${refund.status}`), types.join(", "));
    assert.ok(delivered.filter((e) => e.type.startsWith("payment.")).every((e) => e.data.object.id === payment.id));

    // What arrived is what the events API lists for this merchant and these objects: nothing lost, nothing extra.
    const listed = [];
    for await (const event of shop.sdk.events.list({ limit: 100 })) {
      if (event.type.startsWith("payment.") || event.type.startsWith("refund.")) listed.push(event.id);
    }
    assert.deepEqual(delivered.map((e) => e.id).sort(), listed.sort());
  });
});
