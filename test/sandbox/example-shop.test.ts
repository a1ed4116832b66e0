import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createShop } from "../../examples/shop/src/shop.js";
import { apiVersion, signWebhookForTests, type WebhookEndpoint } from "../../sdk/src/index.js";
import {
  paymentCodeConfirmWindowMs,
  sandboxPayerApproveDelayMs,
  sandboxPayerDeclineDelayMs,
} from "../../src/limits.js";
import { dispatchEvents } from "../../src/webhooks/dispatcher.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import { eventTypeSet, ShopClient, type ShopOrder } from "./shop-client.js";

/**
 * The example shop (examples/shop) against a real coffer in test mode, the way its README walks through it: a
 * merchant with an sk_test_ key, a webhook endpoint pointing at the shop, the shop running with that key and the
 * endpoint's secret. Every scenario of the sandbox catalog (docs/sandbox.md) is reached through the shop's own
 * pages — the till for the magic payment codes, QR and hosted checkout with test payers and the payment test
 * helpers, the refund button, the payout button — and each checks the order as the shop sees it, the webhook events
 * the shop handled (a set: deliveries are unordered) and the ledger (the merchant's balance, the payer's wallet).
 */
const oolong = { id: "oolong", amount: 1250n, fee: 8n }; // 0.6 % of 12.50 = 7.5 → 8 (half up)
const teapot = { id: "teapot", amount: 4800n, fee: 29n }; // 0.6 % of 48.00 = 28.8 → 29
const settlementAccountDoNotHonor = "9988776655440006"; // the sandbox bank fails every instruction to …0006

describe("the example shop in test mode", () => {
  let coffer: PaymentsCoffer;
  let merchant: TestPaymentsMerchant;
  let endpoint: WebhookEndpoint;
  let webhookSecret: string;
  let server: http.Server;
  let shop: ShopClient;

  before(async () => {
    // Webhook signatures carry coffer's clock and the shop accepts five minutes of skew: start the clock at now.
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    merchant = await newPaymentsMerchant(coffer, "Tea House");
    // The endpoint comes first (the shop needs its secret); its URL is set once the shop listens on its port.
    const created = await merchant.sdk.webhookEndpoints.create({
      url: "http://127.0.0.1:9/webhooks/coffer",
      enabled_events: ["payment.*", "refund.*", "payout.*"],
    });
    webhookSecret = created.secret;
    server = createShop({ cofferUrl: coffer.baseUrl, secretKey: merchant.secretKey, webhookSecret });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    shop = new ShopClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    endpoint = await merchant.sdk.webhookEndpoints.update(created.id, { url: `${shop.url}/webhooks/coffer` });
  });
  after(async () => {
    await assertBooksBalance(coffer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await coffer.close();
  });

  /** Sends what coffer has to send now (the webhook workers do this in a running coffer). */
  async function deliverWebhooks(): Promise<void> {
    await dispatchEvents(coffer.db.pool, coffer.clock);
    while ((await coffer.services.webhookDelivery.deliverDue()) > 0);
  }

  /** Delivers webhooks and looks again until `done` holds, for at most 15 s. */
  async function eventually<T>(what: string, look: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await deliverWebhooks();
      const value = await look();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
      await sleep(20);
    }
  }

  /** Waits until the shop has the order in `status` and has handled exactly the `events` for it. */
  function orderReaches(orderId: string, status: string, events: string[]): Promise<ShopOrder> {
    const expected = [...events].sort();
    return eventually(
      `order ${orderId} to be ${status} after ${expected.join(", ")}`,
      () => shop.order(orderId),
      (order) => order.status === status && eventTypeSet(order).join() === expected.join(),
    );
  }

  async function merchantBalance() {
    const usd = (await merchant.sdk.balance.retrieve()).currencies.find((c) => c.currency === "USD");
    return { available: BigInt(usd?.available ?? "0"), inTransit: BigInt(usd?.in_transit ?? "0") };
  }
  const merchantAvailable = async () => (await merchantBalance()).available;

  async function cofferPost(path: string, body: unknown, token = merchant.secretKey) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** A pre-funded test payer (POST /v1/test_helpers/wallet_users), acting through the wallet API with its token. */
  async function newTestPayer(body: Record<string, unknown> = {}) {
    const created = await cofferPost("/v1/test_helpers/wallet_users", { currency: "USD", ...body });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    return created.json as { id: string; session_token: string; balance: string };
  }

  /** The payer's available USD in its wallet, as the payer sees it (GET /v1/wallet/balances). */
  async function payerAvailable(payer: { session_token: string }): Promise<bigint> {
    const response = await fetch(`${coffer.baseUrl}/v1/wallet/balances`, {
      headers: { authorization: `Bearer ${payer.session_token}` },
    });
    assert.equal(response.status, 200);
    const balances = (await response.json()) as { data: { currency: string; available: string }[] };
    return BigInt(balances.data.find((b) => b.currency === "USD")?.available ?? "0");
  }

  async function advanceTime(seconds: number): Promise<void> {
    const answer = await cofferPost("/v1/test_helpers/advance_time", { seconds });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(answer.json.object, "test_clock");
  }

  async function paymentHelper(paymentId: string, action: "approve" | "decline" | "expire", body = {}) {
    const answer = await cofferPost(`/v1/test_helpers/payments/${paymentId}/${action}`, body);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    return answer.json as { id: string; status: string; failure_code: string | null };
  }

  /** The magic payment codes that end at once, each typed into the shop's till. */
  const endAtOnce = [
    { scenario: "success", code: "880000000000000001", status: "paid", failure: null },
    { scenario: "insufficient_funds", code: "880000000000000002", status: "failed", failure: "insufficient_funds" },
    { scenario: "limit_exceeded", code: "880000000000000003", status: "failed", failure: "limit_exceeded" },
    { scenario: "wallet_frozen", code: "880000000000000006", status: "failed", failure: "wallet_frozen" },
    { scenario: "risk_declined", code: "880000000000000007", status: "failed", failure: "risk_declined" },
  ] as const;

  for (const scenario of endAtOnce) {
    it(`till, magic code ${scenario.scenario}: the order is ${scenario.status}, once, and the ledger agrees`, async () => {
      const before = await merchantAvailable();
      const order = await shop.charge(oolong.id, scenario.code);
      const outcome = scenario.status === "paid" ? "payment.succeeded" : "payment.failed";
      const settled = await orderReaches(order.id, scenario.status, ["payment.created", outcome]);
      assert.equal(settled.failure_code, scenario.failure);
      const payment = await merchant.sdk.payments.retrieve(settled.payment!);
      assert.equal(payment.method, "payment_code");
      assert.equal(payment.metadata.order_id, order.id);
      if (scenario.status === "paid") {
        assert.equal(payment.status, "succeeded");
        assert.equal(BigInt(payment.fee), oolong.fee);
        assert.equal(settled.paid_at, payment.paid_at);
        assert.equal(await merchantAvailable(), before + oolong.amount - oolong.fee);
      } else {
        assert.equal(payment.status, "failed");
        assert.equal(payment.failure_code, scenario.failure);
        assert.equal(await merchantAvailable(), before, "a failed payment moves nothing");
      }
    });
  }

  it("till, magic code payer_declines: processing, then failed when the scripted payer says no", async () => {
    const before = await merchantAvailable();
    const order = await shop.charge(oolong.id, "880000000000000004");
    await orderReaches(order.id, "processing", ["payment.created", "payment.processing"]);
    await advanceTime(sandboxPayerDeclineDelayMs / 1000);
    const settled = await orderReaches(order.id, "failed", ["payment.created", "payment.processing", "payment.failed"]);
    assert.equal(settled.failure_code, "payer_declined");
    assert.equal(await merchantAvailable(), before);
  });

  it("till, magic code payer_never_answers: processing, then canceled by coffer after the confirmation window", async () => {
    const before = await merchantAvailable();
    const order = await shop.charge(oolong.id, "880000000000000005");
    await orderReaches(order.id, "processing", ["payment.created", "payment.processing"]);
    await advanceTime(paymentCodeConfirmWindowMs / 1000 + 1);
    const settled = await orderReaches(order.id, "canceled", [
      "payment.created",
      "payment.processing",
      "payment.canceled",
    ]);
    assert.equal(settled.failure_code, "confirmation_timeout");
    assert.equal(await merchantAvailable(), before);
  });

  it("till, magic code succeeds_after_delay: processing, then paid when the scripted payer confirms", async () => {
    const before = await merchantAvailable();
    const order = await shop.charge(teapot.id, "880000000000000008");
    await orderReaches(order.id, "processing", ["payment.created", "payment.processing"]);
    assert.equal(await merchantAvailable(), before, "nothing is credited while the payer has not confirmed");
    await advanceTime(sandboxPayerApproveDelayMs / 1000);
    const settled = await orderReaches(order.id, "paid", [
      "payment.created",
      "payment.processing",
      "payment.succeeded",
    ]);
    assert.equal(settled.failure_code, null);
    assert.equal(await merchantAvailable(), before + teapot.amount - teapot.fee);
  });

  it("till, magic code refund_fails: paid; the refund button's refund fails and the money stays", async () => {
    const before = await merchantAvailable();
    const order = await shop.charge(oolong.id, "880000000000000009");
    await orderReaches(order.id, "paid", ["payment.created", "payment.succeeded"]);
    const afterPayment = before + oolong.amount - oolong.fee;
    assert.equal(await merchantAvailable(), afterPayment);

    const clicked = await shop.refund(order.id);
    assert.equal(clicked.status, 303, clicked.body);
    const settled = await eventually(
      "the refund to fail",
      () => shop.order(order.id),
      (o) => o.refunds[0]?.status === "failed" && o.events.length === 4,
    );
    assert.equal(settled.status, "paid", "a failed refund leaves the order paid");
    assert.deepEqual(eventTypeSet(settled), [
      "payment.created",
      "payment.succeeded",
      "refund.created",
      "refund.failed",
    ]);
    assert.equal(settled.refunds[0]?.failure_code, "refund_declined");
    const [refund] = (await merchant.sdk.refunds.list({ payment: settled.payment! })).data;
    assert.equal(refund?.status, "failed");
    assert.equal(await merchantAvailable(), afterPayment, "a failed refund moves nothing");
  });

  it("till: a code that is not a payment code is refused at the till and leaves no order", async () => {
    const orders = (await shop.orders()).length;
    const answer = await shop.submit("/pos", { product: oolong.id, payment_code: "123456" });
    assert.equal(answer.status, 422);
    assert.match(answer.body, /payment_code_invalid/);
    assert.equal((await shop.orders()).length, orders);
  });

  let qrOrder: ShopOrder;
  let qrPayer: { id: string; session_token: string; balance: string };

  it("QR: a test payer scans the shop's QR code and pays in the wallet; the order page sees it paid", async () => {
    qrPayer = await newTestPayer({ balance: "100000" });
    assert.equal(await payerAvailable(qrPayer), 100_000n);
    const merchantBefore = await merchantAvailable();
    const { order, location } = await shop.buy(oolong.id, "qr");
    assert.equal(location, `/orders/${order.id}`);
    const waiting = await shop.page(location);
    assert.match(waiting, /<svg /, "the order page shows coffer's QR code");
    assert.match(waiting, /setInterval/, "and polls the order");

    const payment = await merchant.sdk.payments.retrieve(order.payment!);
    const wallet = { authorization: `Bearer ${qrPayer.session_token}`, "content-type": "application/json" };
    const scanned = await fetch(`${coffer.baseUrl}/v1/wallet/scan`, {
      method: "POST",
      headers: wallet,
      body: JSON.stringify({ payload: payment.qr?.payload }),
    });
    assert.equal(scanned.status, 200, await scanned.clone().text());
    const confirmed = await fetch(`${coffer.baseUrl}/v1/wallet/payments/${payment.id}/confirm`, {
      method: "POST",
      headers: wallet,
      body: "{}",
    });
    assert.equal(((await confirmed.json()) as { status: string }).status, "succeeded");

    qrOrder = await orderReaches(order.id, "paid", ["payment.created", "payment.succeeded"]);
    assert.match(await shop.page(location), /Paid/);
    assert.equal(await payerAvailable(qrPayer), 100_000n - oolong.amount);
    assert.equal(await merchantAvailable(), merchantBefore + oolong.amount - oolong.fee);
  });

  it("a redelivered payment.succeeded is answered 2xx and changes nothing; a badly signed one gets 400", async () => {
    const before = await shop.order(qrOrder.id);
    const succeeded = before.events.find((e) => e.type === "payment.succeeded");
    assert.ok(succeeded);
    await merchant.sdk.events.redeliver(succeeded.id, { endpoint_id: endpoint.id });
    const delivery = await eventually(
      "the redelivery to be answered",
      async () => {
        const deliveries = await merchant.sdk.webhookEndpoints.listDeliveries(endpoint.id, { limit: 100 });
        return deliveries.data.find((d) => d.event_id === succeeded.id);
      },
      (d) => d !== undefined && d.status === "succeeded" && d.attempts.length >= 2,
    );
    const last = delivery?.attempts.at(-1);
    assert.equal(last?.status_code, 200);
    assert.match(last?.response_excerpt ?? "", /"outcome":"duplicate"/);
    assert.deepEqual(await shop.order(qrOrder.id), before, "the order was marked paid once");

    // The same event signed with another secret: refused, and still nothing changes.
    const event = await merchant.sdk.events.retrieve(succeeded.id);
    const body = JSON.stringify(event);
    const forged = await fetch(`${shop.url}/webhooks/coffer`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(await signWebhookForTests(body, `whsec_${randomBytes(24).toString("base64")}`, { id: `${event.id}_x` })),
      },
      body,
    });
    assert.equal(forged.status, 400);
    assert.deepEqual(await shop.order(qrOrder.id), before);
  });

  it("the same new event delivered ten times at once is handled once: one 200 handled, nine 200 duplicate", async () => {
    // coffer itself never sends one event twice at the same time; a retry racing a slow first attempt could.
    const { order } = await shop.buy(teapot.id, "qr");
    const payment = await merchant.sdk.payments.retrieve(order.payment!);
    const event = {
      id: `evt_race${randomBytes(8).toString("hex")}`,
      object: "event",
      type: "payment.succeeded",
      created: Math.floor(coffer.clock.now().getTime() / 1000),
      livemode: false,
      api_version: apiVersion,
      data: { object: { ...payment, status: "succeeded" } },
    };
    const body = JSON.stringify(event);
    const headers = await signWebhookForTests(body, webhookSecret, { id: event.id });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${shop.url}/webhooks/coffer`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        }).then(async (r) => ({ status: r.status, outcome: ((await r.json()) as { outcome: string }).outcome })),
      ),
    );
    assert.ok(answers.every((a) => a.status === 200));
    assert.deepEqual(answers.map((a) => a.outcome).sort(), [...Array(9).fill("duplicate"), "handled"]);
    const marked = await shop.order(order.id);
    assert.equal(marked.status, "paid");
    assert.deepEqual(
      marked.events.filter((e) => e.type === "payment.succeeded"),
      [{ id: event.id, type: "payment.succeeded" }],
    );
  });

  it("refund button: the QR order is refunded in full; the payer has the money back and the fee returns", async () => {
    const merchantBefore = await merchantAvailable();
    const clicked = await shop.refund(qrOrder.id);
    assert.equal(clicked.status, 303, clicked.body);
    const again = await shop.refund(qrOrder.id);
    assert.ok([303, 409].includes(again.status), "a second click makes no second refund");
    const settled = await orderReaches(qrOrder.id, "refunded", [
      "payment.created",
      "payment.succeeded",
      "refund.created",
      "refund.succeeded",
    ]);
    assert.equal(settled.refunds.length, 1);
    assert.equal(settled.refunds[0]?.status, "succeeded");
    assert.equal((await merchant.sdk.refunds.list({ payment: qrOrder.payment! })).data.length, 1);
    assert.equal(await payerAvailable(qrPayer), 100_000n);
    assert.equal(await merchantAvailable(), merchantBefore - (oolong.amount - oolong.fee));
  });

  it("hosted checkout: the shop sends the customer to coffer's page, a test payer approves, back to the order", async () => {
    const payer = await newTestPayer({ balance: "20000" });
    const merchantBefore = await merchantAvailable();
    const { order, location } = await shop.buy(teapot.id, "checkout");
    const payment = await merchant.sdk.payments.retrieve(order.payment!);
    assert.equal(payment.method, "checkout");
    assert.equal(location, payment.checkout_url);
    assert.match(location, new RegExp(`/checkout/${payment.id}$`));
    assert.equal(payment.return_url, `${shop.url}/orders/${order.id}`);

    const approved = await paymentHelper(payment.id, "approve", { wallet_user: payer.id });
    assert.equal(approved.status, "succeeded");
    await orderReaches(order.id, "paid", ["payment.created", "payment.succeeded"]);
    assert.match(await shop.page(new URL(payment.return_url!).pathname), /Paid/);
    assert.equal(await payerAvailable(payer), 20_000n - teapot.amount);
    assert.equal(await merchantAvailable(), merchantBefore + teapot.amount - teapot.fee);
  });

  it("QR, the payer declines (test helper): the order fails with payer_declined", async () => {
    const before = await merchantAvailable();
    const { order } = await shop.buy(oolong.id, "qr");
    const declined = await paymentHelper(order.payment!, "decline");
    assert.equal(declined.status, "failed");
    const settled = await orderReaches(order.id, "failed", ["payment.created", "payment.failed"]);
    assert.equal(settled.failure_code, "payer_declined");
    assert.equal(await merchantAvailable(), before);
  });

  it("hosted checkout nobody pays (test helper expire): the order expires", async () => {
    const before = await merchantAvailable();
    const { order } = await shop.buy(teapot.id, "checkout");
    const expired = await paymentHelper(order.payment!, "expire");
    assert.equal(expired.status, "expired");
    await orderReaches(order.id, "expired", ["payment.created", "payment.expired"]);
    assert.equal(await merchantAvailable(), before);
  });

  it("payout fails: the sandbox bank refuses the settlement account, the shop sees it, the money comes back", async () => {
    await setSettlementAccount(merchant, settlementAccountDoNotHonor);
    const before = await merchantBalance();
    assert.ok(before.available > 0n);
    const clicked = await shop.payOut();
    assert.equal(clicked.status, 303, clicked.body);
    const [payout] = await shop.payouts();
    assert.equal(payout?.amount, String(before.available));
    assert.deepEqual(await merchantBalance(), { available: 0n, inTransit: before.available });

    await advanceTime(Math.ceil(coffer.services.wallets.config.sandboxBankSettleMs / 1000) + 1);
    const settled = await eventually(
      "the payout to fail",
      async () => (await shop.payouts()).find((p) => p.id === payout?.id),
      (p) => p?.status === "failed" && p.events.length === 2,
    );
    assert.equal(settled?.failureCode, "do_not_honor");
    assert.deepEqual(settled && eventTypeSet(settled), ["payout.created", "payout.failed"]);
    assert.deepEqual(await merchantBalance(), { available: before.available, inTransit: 0n });
  });
});
