import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { Coffer } from "../../sdk/src/index.js";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/helpers/webhook-receiver.js";
import { webhookRetryJitterRatio, webhookRetryScheduleMs } from "../limits.js";

/** A test clock, or an error. */
interface ClockAnswer {
  object?: string;
  now?: string;
  offset_seconds?: number;
  error?: { code: string };
}

/**
 * The test clock: POST /v1/test_helpers/advance_time moves one merchant's test mode forward and runs what became
 * due before answering. Live mode and other merchants keep real time.
 */
describe("test clock", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let liveKey: string;
  let receiver: WebhookReceiver;

  before(async () => {
    // Signatures carry real time and receivers accept five minutes of skew: the system clock starts at now.
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    shop = await newPaymentsMerchant(coffer, "Clockwork Tea");
    liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await assertBooksBalance(coffer);
    await receiver.stop();
    await coffer.close();
  });

  async function api(key: string, method: "GET" | "POST", path: string, body?: unknown) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json", "idempotency-key": randomUUID() }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as ClockAnswer };
  }

  const advance = (key: string, body: unknown) => api(key, "POST", "/v1/test_helpers/advance_time", body);

  async function offsetRow(merchantId: string): Promise<bigint | undefined> {
    const found = await coffer.db.pool.query<{ offset_ms: bigint }>(
      "SELECT offset_ms FROM test_clocks WHERE merchant_id = $1",
      [merchantId],
    );
    return found.rows[0]?.offset_ms;
  }

  async function eventTypes(paymentId: string, livemode: boolean): Promise<string[]> {
    const found = await coffer.db.pool.query<{ type: string }>(
      "SELECT type FROM events WHERE livemode = $1 AND data->'object'->>'id' = $2 ORDER BY seq",
      [livemode, paymentId],
    );
    return found.rows.map((r) => r.type);
  }

  it("bad input and live keys are refused and write nothing", async () => {
    const other = await newPaymentsMerchant(coffer, "Untouched Shop");
    const cases: [unknown, string][] = [
      [{ seconds: -60 }, "parameter_invalid"],
      [{ seconds: 0 }, "parameter_invalid"],
      [{ seconds: 1.5 }, "parameter_invalid"],
      [{ seconds: "1e3" }, "parameter_invalid"],
      [{ seconds: "60" }, "parameter_invalid"],
      [{ seconds: 31_536_001 }, "parameter_invalid"],
      [{}, "parameter_invalid"],
      [{ seconds: 60, to: "2030-01-01T00:00:00Z" }, "parameter_invalid"],
      [{ to: "tomorrow" }, "parameter_invalid"],
      [{ to: new Date(coffer.clock.now().getTime() - 60_000).toISOString() }, "test_clock_backwards"],
      [{ to: coffer.clock.now().toISOString() }, "test_clock_backwards"],
      [{ to: new Date(coffer.clock.now().getTime() + 400 * 86_400_000).toISOString() }, "parameter_invalid"],
    ];
    for (const [body, code] of cases) {
      const refused = await advance(other.secretKey, body);
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(refused.json)}`);
      assert.equal(refused.json.error?.code, code, JSON.stringify(body));
    }
    const live = await advance(await issueTestApiKey(coffer.services, other.merchantId, { livemode: true }), {
      seconds: 60,
    });
    assert.equal(live.status, 403);
    assert.equal(live.json.error?.code, "test_mode_only");
    const liveRead = await api(liveKey, "GET", "/v1/test_helpers/clock");
    assert.equal(liveRead.json.error?.code, "test_mode_only");

    assert.equal(await offsetRow(other.merchantId), undefined, "no clock row was written");
    const clock = await api(other.secretKey, "GET", "/v1/test_helpers/clock");
    assert.deepEqual(clock.json, {
      object: "test_clock",
      livemode: false,
      now: coffer.clock.now().toISOString(),
      offset_seconds: 0,
    });
  });

  it("a 15-minute test payment expires after 16 minutes, its webhook retries run on the schedule, live mode and other merchants keep real time", async () => {
    const neighbour = await newPaymentsMerchant(coffer, "Next Door Tea");
    const endpoint = await shop.sdk.webhookEndpoints.create({
      url: `${receiver.url}/hooks`,
      enabled_events: ["payment.expired"],
    });
    // The receiver fails the first two attempts, then accepts.
    receiver.respond = () => ({ status: receiver.received.length <= 2 ? 500 : 200 });

    const testPayment = await shop.sdk.payments.create({
      amount: "1500",
      currency: "USD",
      method: "qr",
      expires_in: 900,
    });
    const live = new Coffer(liveKey, { baseUrl: coffer.baseUrl, maxRetries: 0 });
    const livePayment = await live.payments.create({ amount: "1500", currency: "USD", method: "qr", expires_in: 900 });
    const neighbourPayment = await neighbour.sdk.payments.create({
      amount: "1500",
      currency: "USD",
      method: "qr",
      expires_in: 900,
    });

    const advanced = await advance(shop.secretKey, { seconds: 16 * 60 });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.json));
    assert.equal(advanced.json.object, "test_clock");
    assert.equal(advanced.json.offset_seconds, 960);
    assert.equal(advanced.json.now, new Date(coffer.clock.now().getTime() + 960_000).toISOString());

    // The answer came after the expiry ran: the payment is expired already, with its event, stamped on the test clock.
    const expired = await shop.sdk.payments.retrieve(testPayment.id);
    assert.equal(expired.status, "expired");
    assert.equal(expired.failure_code, "expired");
    assert.deepEqual(await eventTypes(testPayment.id, false), ["payment.created", "payment.expired"]);

    // Live mode and the other merchant's test mode run on real time: nothing expired, no clock moved.
    assert.equal((await live.payments.retrieve(livePayment.id)).status, "requires_payment");
    assert.deepEqual(await eventTypes(livePayment.id, true), ["payment.created"]);
    assert.equal((await neighbour.sdk.payments.retrieve(neighbourPayment.id)).status, "requires_payment");
    assert.equal(await offsetRow(neighbour.merchantId), undefined);
    // … also when the background workers pass over every merchant.
    await coffer.services.payments.expireDue();
    assert.equal((await live.payments.retrieve(livePayment.id)).status, "requires_payment");
    assert.equal((await neighbour.sdk.payments.retrieve(neighbourPayment.id)).status, "requires_payment");

    // The first attempt ran within advance_time and failed; the retries wait for the test clock, not real time.
    assert.equal(receiver.received.length, 1);
    const [first, second] = webhookRetryScheduleMs as [number, number];
    const early = (step: number) => Math.floor((step * (1 - webhookRetryJitterRatio)) / 1000) - 1;
    const late = (step: number) => Math.ceil((step * (1 + webhookRetryJitterRatio)) / 1000) + 1;

    assert.equal((await advance(shop.secretKey, { seconds: early(first) })).status, 200);
    await coffer.services.webhookDelivery.deliverDue(); // a worker pass finds nothing due either
    assert.equal(receiver.received.length, 1, "no retry before its backoff step");
    await advance(shop.secretKey, { seconds: late(first) - early(first) });
    assert.equal(receiver.received.length, 2, "the first retry ran when the clock passed 5 s");

    await advance(shop.secretKey, { seconds: early(second) });
    assert.equal(receiver.received.length, 2, "no second retry before 5 minutes");
    await advance(shop.secretKey, { seconds: late(second) - early(second) });
    assert.equal(receiver.received.length, 3, "the second retry ran when the clock passed 5 minutes");

    const attempts = await coffer.db.pool.query<{ status: string; attempts: number }>(
      `SELECT d.status, d.attempts FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
        WHERE e.type = 'payment.expired' AND e.data->'object'->>'id' = $1`,
      [testPayment.id],
    );
    assert.deepEqual(attempts.rows, [{ status: "succeeded", attempts: 3 }]);

    // Signatures carry real time, not the test clock (which runs ~22 minutes ahead): receivers verify them as usual.
    const verifier = new Webhook(endpoint.secret);
    for (const webhook of receiver.received) {
      const event = verifier.verify(webhook.body, {
        "webhook-id": String(webhook.headers["webhook-id"]),
        "webhook-timestamp": String(webhook.headers["webhook-timestamp"]),
        "webhook-signature": String(webhook.headers["webhook-signature"]),
      }) as { type: string; data: { object: { id: string } } };
      assert.equal(event.type, "payment.expired");
      assert.equal(event.data.object.id, testPayment.id);
    }
  });

  it("a manual-capture hold is released when the test clock passes capture_before", async () => {
    const payer = await newTestPayer(coffer, { fund: "50000" });
    const payment = await shop.sdk.payments.create({
      amount: "2000",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    const scanned = await payer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(scanned.statusCode, 200, scanned.body);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "requires_capture", confirmed.body);
    const held = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(held?.available, 48_000n);

    const authorized = await shop.sdk.payments.retrieve(payment.id);
    const clockNow = new Date((await api(shop.secretKey, "GET", "/v1/test_helpers/clock")).json.now as string);
    const captureBefore = (authorized.capture_before ?? 0) * 1000;
    assert.ok(captureBefore > clockNow.getTime(), "capture_before is on the test clock");

    await advance(shop.secretKey, { to: new Date(captureBefore + 1000).toISOString() });
    const after = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(after.status, "expired");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.available, 50_000n, "the hold is voided");
    const capture = await fetch(`${coffer.baseUrl}/v1/payments/${payment.id}/capture`, {
      method: "POST",
      headers: { authorization: `Bearer ${shop.secretKey}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(capture.status, 409);
  });

  it("concurrent advances add up, on one merchant's clock only", async () => {
    const racer = await newPaymentsMerchant(coffer, "Racing Tea");
    const before = await offsetRow(shop.merchantId);
    const answers = await Promise.all(Array.from({ length: 20 }, () => advance(racer.secretKey, { seconds: 60 })));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(20).fill(200),
    );
    assert.equal(await offsetRow(racer.merchantId), 1_200_000n);
    const clock = await api(racer.secretKey, "GET", "/v1/test_helpers/clock");
    assert.equal(clock.json.offset_seconds, 1200);
    assert.equal(await offsetRow(shop.merchantId), before, "another merchant's clock did not move");
    // The largest offset_seconds answered is the sum: every advance saw the ones before it.
    assert.equal(Math.max(...answers.map((a) => a.json.offset_seconds ?? 0)), 1200);
  });
});
