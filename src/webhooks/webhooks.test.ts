import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Webhook } from "standardwebhooks";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/helpers/webhook-receiver.js";
import { manualClock } from "../clock.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { webhookEndpointFailingDisableMs, webhookRetryScheduleMs } from "../limits.js";
import type { Services } from "../runtime/services.js";
import { dispatchEvents } from "./dispatcher.js";
import { verifySignature } from "./signing.js";

describe("webhooks", () => {
  let db: TestDatabase;
  let services: Services;
  let app: FastifyInstance;
  let receiver: WebhookReceiver;
  let merchant: string;
  let other: string;
  const clock = manualClock(new Date());
  // Every process of one deployment shares the master key (webhook secrets are encrypted under it).
  const masterKey = randomBytes(32);
  const anotherProcess = () =>
    createTestServices({ pool: db.pool, clock, masterKey, config: { webhookLocalTargets: "test" } });

  const keys = new Map<string, string>();
  const as = (merchantId: string, mode: "test" | "live" = "test") => ({
    authorization: `Bearer ${keys.get(`${merchantId}:${mode}`)}`,
  });

  async function createEndpoint(url: string, events: string[] = ["payment.*"], merchantId = merchant) {
    const response = await app.inject({
      method: "POST",
      url: "/v1/webhook_endpoints",
      headers: as(merchantId),
      payload: { url, enabled_events: events },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { id: string; secret: string };
  }

  async function emit(type: string, object: Record<string, unknown>, merchantId = merchant) {
    return withTransaction(db.pool, (tx) =>
      recordEvent(tx, { type, merchantId, livemode: false, object }, clock.now()),
    );
  }

  /** One worker pass, as the dispatch and delivery workers run it. */
  async function pump(s: Services = services) {
    await dispatchEvents(db.pool, s.clock);
    return s.webhookDelivery.deliverDue();
  }

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    services = anotherProcess();
    app = await createTestApp({ pool: db.pool, services });
    merchant = await insertTestMerchant(db.pool, "Tea House");
    other = await insertTestMerchant(db.pool, "Other Shop");
    for (const m of [merchant, other]) {
      for (const mode of ["test", "live"] as const) {
        keys.set(`${m}:${mode}`, await issueTestApiKey(services, m, { livemode: mode === "live" }));
      }
    }
    // The merchant's owner, who is told when coffer disables an endpoint.
    await db.pool.query(
      `INSERT INTO merchant_users (id, email, password_hash, locale, email_verified_at, created_at)
       VALUES ('usr_0000000000000000000001', 'owner@tea.example', '$argon2id$unused', 'zh-CN', now(), now())`,
    );
    await db.pool.query("INSERT INTO merchant_members VALUES ($1, 'usr_0000000000000000000001', 'owner', now())", [
      merchant,
    ]);
    receiver = await startWebhookReceiver();
  });
  beforeEach(async () => {
    clock.set(new Date()); // signatures carry the clock's time; receivers accept five minutes of skew
    // Each test starts from quiet endpoints: earlier tests' endpoints are deleted, pending events dispatched.
    for (const m of [merchant, other]) {
      const list = await app.inject({ url: "/v1/webhook_endpoints?limit=100", headers: as(m) });
      for (const e of list.json().data)
        await app.inject({ method: "DELETE", url: `/v1/webhook_endpoints/${e.id}`, headers: as(m) });
    }
    await dispatchEvents(db.pool, clock, 10_000);
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 200 });
  });
  after(async () => {
    await receiver.stop();
    await app.close();
    await services.close();
    await db.drop();
  });

  it("delivers every event of a payment flow, each verified with the standardwebhooks package", async () => {
    const endpoint = await createEndpoint(`${receiver.url}/hooks`, ["payment.*", "refund.succeeded"]);
    assert.match(endpoint.secret, /^whsec_/);
    const shown = await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}`, headers: as(merchant) });
    assert.equal(shown.json().secret, undefined, "the secret is shown once");

    const flow = ["payment.created", "payment.processing", "payment.succeeded", "refund.succeeded"];
    const sent = [];
    for (const type of flow)
      sent.push(await emit(type, { id: "pay_1", object: "payment", amount: "1999", currency: "CNY" }));
    await emit("payout.paid", { id: "po_1" }); // not subscribed
    await pump();

    assert.equal(receiver.received.length, flow.length);
    const verifier = new Webhook(endpoint.secret);
    for (const webhook of receiver.received) {
      const payload = verifier.verify(webhook.body, {
        "webhook-id": String(webhook.headers["webhook-id"]),
        "webhook-timestamp": String(webhook.headers["webhook-timestamp"]),
        "webhook-signature": String(webhook.headers["webhook-signature"]),
      }) as { id: string; type: string; data: { object: { amount: string } } };
      assert.equal(payload.id, webhook.headers["webhook-id"]);
      assert.equal(payload.data.object.amount, "1999");
    }
    assert.deepEqual(receiver.received.map((w) => JSON.parse(w.body).type).sort(), [...flow].sort());
    assert.deepEqual(receiver.received.map((w) => w.headers["webhook-id"]).sort(), sent.map((e) => e.id).sort());
    // A tampered body fails verification.
    assert.throws(() =>
      verifier.verify(receiver.received[0]!.body.replace("1999", "9999"), {
        "webhook-id": String(receiver.received[0]!.headers["webhook-id"]),
        "webhook-timestamp": String(receiver.received[0]!.headers["webhook-timestamp"]),
        "webhook-signature": String(receiver.received[0]!.headers["webhook-signature"]),
      }),
    );
  });

  it("retries on schedule while the receiver is down, then delivers once it is up", async () => {
    const down = await startWebhookReceiver();
    const port = down.port;
    const endpoint = await createEndpoint(`${down.url}/hooks`);
    await down.stop();
    await emit("payment.succeeded", { id: "pay_retry" });
    await pump();
    const log = async () =>
      (await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}/deliveries`, headers: as(merchant) })).json()
        .data[0];
    let delivery = await log();
    assert.equal(delivery.status, "pending");
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].status_code, null);
    assert.match(delivery.attempts[0].error, /ECONNREFUSED/);
    const firstDelay = delivery.next_attempt_at - delivery.attempts[0].attempted_at;
    assert.ok(firstDelay >= 4 && firstDelay <= 6, `first retry after about 5 s, got ${firstDelay}`);

    clock.advance(webhookRetryScheduleMs[0]! * 0.85);
    assert.equal(await pump(), 0, "not before its time");
    clock.advance(webhookRetryScheduleMs[0]! * 0.3);
    assert.equal(await pump(), 1);
    delivery = await log();
    assert.equal(delivery.attempts.length, 2);
    const secondDelay = delivery.next_attempt_at - delivery.attempts[1].attempted_at;
    assert.ok(secondDelay >= 270 && secondDelay <= 330, `second retry after about 5 min, got ${secondDelay}`);

    const back = await startWebhookReceiver(port);
    clock.advance(webhookRetryScheduleMs[1]! * 1.11);
    assert.equal(await pump(), 1);
    delivery = await log();
    assert.equal(delivery.status, "succeeded");
    assert.equal(delivery.attempts.length, 3);
    assert.equal(delivery.attempts[2].status_code, 200);
    assert.equal(back.received.length, 1);
    const webhook = back.received[0]!;
    assert.ok(
      verifySignature(
        endpoint.secret,
        String(webhook.headers["webhook-id"]),
        Number(webhook.headers["webhook-timestamp"]),
        webhook.body,
        String(webhook.headers["webhook-signature"]),
      ),
    );
    await back.stop();
  });

  it("delivers after a restart what a crashed process committed but never sent, and reclaims abandoned claims", async () => {
    await createEndpoint(`${receiver.url}/hooks`);
    // The event committed; the process died before any worker ran.
    await emit("payment.succeeded", { id: "pay_crash_1" });
    // A second event was claimed by a worker that then died mid-send: its lease is left behind.
    await emit("payment.succeeded", { id: "pay_crash_2" });
    await dispatchEvents(db.pool, clock);
    await db.pool.query(
      "UPDATE webhook_deliveries SET status = 'delivering', attempts = 1, locked_until = $1 WHERE event_id IN (SELECT id FROM events WHERE data->'object'->>'id' = 'pay_crash_2')",
      [new Date(clock.now().getTime() + 60_000)],
    );
    const restarted = anotherProcess();
    await pump(restarted);
    assert.deepEqual(
      receiver.received.map((w) => JSON.parse(w.body).data.object.id),
      ["pay_crash_1"],
    );
    clock.advance(61_000);
    await pump(restarted);
    assert.deepEqual(receiver.received.map((w) => JSON.parse(w.body).data.object.id).sort(), [
      "pay_crash_1",
      "pay_crash_2",
    ]);
    await restarted.close();
  });

  it("two workers at once: every event delivered, none twice at the same time", async () => {
    await createEndpoint(`${receiver.url}/hooks`);
    receiver.respond = () => ({ status: 200, delayMs: 20 });
    const emitted = [];
    for (let i = 0; i < 60; i++) emitted.push((await emit("payment.succeeded", { id: `pay_many_${i}` })).id);
    const workerA = anotherProcess();
    const workerB = anotherProcess();
    await Promise.all([dispatchEvents(db.pool, clock), dispatchEvents(db.pool, clock)]);
    await Promise.all([workerA.webhookDelivery.deliverDue(10), workerB.webhookDelivery.deliverDue(10)]);
    while (
      (await Promise.all([workerA.webhookDelivery.deliverDue(10), workerB.webhookDelivery.deliverDue(10)])).some(
        (n) => n > 0,
      )
    );
    const ids = receiver.received.map((w) => String(w.headers["webhook-id"]));
    assert.equal(receiver.maxConcurrentPerId(), 1);
    assert.deepEqual([...new Set(ids)].sort(), emitted.sort());
    assert.equal(ids.length, emitted.length, "each delivered exactly once here (no failures to retry)");
    await workerA.close();
    await workerB.close();
  });

  it("410 Gone disables the endpoint; a 302 to an internal address is a failure, never followed", async () => {
    const internal = await startWebhookReceiver();
    receiver.respond = (w) =>
      JSON.parse(w.body).data.object.id === "pay_redirect"
        ? { status: 302, headers: { location: `${internal.url}/admin` } }
        : { status: 410 };
    const endpoint = await createEndpoint(`${receiver.url}/hooks`);
    await emit("payment.succeeded", { id: "pay_redirect" });
    await pump();
    assert.equal(internal.received.length, 0, "the redirect was not followed");
    const afterRedirect = (
      await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}/deliveries`, headers: as(merchant) })
    ).json().data[0];
    assert.equal(afterRedirect.status, "pending");
    assert.equal(afterRedirect.attempts[0].status_code, 302);

    await emit("payment.succeeded", { id: "pay_gone" });
    await pump();
    const shown = (await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}`, headers: as(merchant) })).json();
    assert.equal(shown.status, "disabled");
    assert.equal(shown.disabled_reason, "gone");
    const events = (
      await app.inject({ url: "/v1/events?type=webhook_endpoint.disabled", headers: as(merchant) })
    ).json();
    assert.equal(events.data[0].data.object.id, endpoint.id);
    // The dev mailbox lists mail once it is "sent": by this pass, or by the kick after the commit (bounded wait).
    let mails = await services.notifications.listDevMessages({ to: "owner@tea.example", limit: 10 });
    for (let i = 0; i < 100 && mails.length === 0; i++) {
      await services.notifications.deliverDue();
      await new Promise((resolve) => setTimeout(resolve, 50));
      mails = await services.notifications.listDevMessages({ to: "owner@tea.example", limit: 10 });
    }
    assert.equal(mails.length, 1, "the owner is told, once");
    assert.match(mails[0]!.subject ?? "", /已停止向 .* 发送 Webhook/);
    assert.match(mails[0]!.text, /返回了 410 Gone/);
    await internal.stop();
  });

  it("an endpoint failing for days without a success is disabled", async () => {
    receiver.respond = () => ({ status: 500, body: "boom" });
    const endpoint = await createEndpoint(`${receiver.url}/hooks`);
    await emit("payment.succeeded", { id: "pay_failing" });
    await pump();
    for (
      let hour = 0;
      hour < 120 &&
      (await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}`, headers: as(merchant) })).json().status ===
        "enabled";
      hour++
    ) {
      clock.advance(3_600_000);
      await pump();
    }
    const shown = (await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}`, headers: as(merchant) })).json();
    assert.equal(shown.status, "disabled");
    assert.equal(shown.disabled_reason, "failing");
    const delivery = (
      await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}/deliveries`, headers: as(merchant) })
    ).json().data[0];
    const span = delivery.attempts.at(-1).attempted_at - delivery.attempts[0].attempted_at;
    // The whole retry schedule (about three days, less at most the 10% jitter) passed before giving up.
    const scheduleMs = webhookRetryScheduleMs.reduce((a, b) => a + b, 0);
    assert.ok(span * 1000 >= scheduleMs * 0.9 - 1000, `disabled after ${span} s of failures`);
    assert.ok(scheduleMs >= webhookEndpointFailingDisableMs, "the schedule spans the failing threshold");
    assert.equal(delivery.attempts[0].response_excerpt, "boom");
  });

  it("rotating the secret sends both signatures during the overlap", async () => {
    const endpoint = await createEndpoint(`${receiver.url}/hooks`);
    const rotated = await app.inject({
      method: "POST",
      url: `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`,
      headers: as(merchant),
      payload: { expires_in: 3600 },
    });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const newSecret = rotated.json().secret as string;
    assert.notEqual(newSecret, endpoint.secret);
    await emit("payment.succeeded", { id: "pay_rotation" });
    await pump();
    const webhook = receiver.received[0]!;
    const headers = {
      "webhook-id": String(webhook.headers["webhook-id"]),
      "webhook-timestamp": String(webhook.headers["webhook-timestamp"]),
      "webhook-signature": String(webhook.headers["webhook-signature"]),
    };
    assert.equal(headers["webhook-signature"].split(" ").length, 2);
    new Webhook(newSecret).verify(webhook.body, headers);
    new Webhook(endpoint.secret).verify(webhook.body, headers);
  });

  it("lists, filters and redelivers events; another merchant sees none of them", async () => {
    const endpoint = await createEndpoint(`${receiver.url}/hooks`, ["payment.succeeded"]);
    const first = await emit("payment.succeeded", { id: "pay_list_1" });
    await emit("refund.created", { id: "re_list_1" });
    await pump();
    const page = (await app.inject({ url: "/v1/events?type=payment.*&limit=1", headers: as(merchant) })).json();
    assert.equal(page.data.length, 1);
    assert.equal(page.has_more, true);
    assert.equal(page.data[0].type, "payment.succeeded");
    assert.equal((await app.inject({ url: `/v1/events/${first.id}`, headers: as(other) })).statusCode, 404);
    assert.equal((await app.inject({ url: `/v1/events/${first.id}`, headers: as(merchant, "live") })).statusCode, 404);
    assert.equal(
      (await app.inject({ url: `/v1/webhook_endpoints/${endpoint.id}`, headers: as(other) })).statusCode,
      404,
    );
    assert.equal(
      (await app.inject({ url: "/v1/events", headers: as(other) }))
        .json()
        .data.some((e: { id: string }) => e.id === first.id),
      false,
    );

    receiver.received.length = 0;
    const redelivered = await app.inject({
      method: "POST",
      url: `/v1/events/${first.id}/redeliver`,
      headers: as(merchant),
      payload: {},
    });
    assert.equal(redelivered.statusCode, 200, redelivered.body);
    assert.deepEqual(redelivered.json().endpoints, [endpoint.id]);
    await pump();
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]!.headers["webhook-id"], first.id, "the same webhook-id as the first delivery");
  });

  it("refuses internal and insecure URLs for live endpoints, and bad event lists", async () => {
    for (const url of [
      "http://example.com/hook",
      "https://127.0.0.1/hook",
      "https://169.254.169.254/",
      "https://[::1]/x",
      "https://2130706433/",
    ]) {
      const response = await app.inject({
        method: "POST",
        url: "/v1/webhook_endpoints",
        headers: as(merchant, "live"),
        payload: { url, enabled_events: ["*"] },
      });
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.json().error.code, "webhook_url_not_allowed", url);
    }
    const events = await app.inject({
      method: "POST",
      url: "/v1/webhook_endpoints",
      headers: as(merchant),
      payload: { url: `${receiver.url}/x`, enabled_events: ["Payment Succeeded"] },
    });
    assert.equal(events.json().error.code, "webhook_events_invalid");
    const count = await db.pool.query("SELECT count(*)::int AS n FROM webhook_endpoints WHERE livemode");
    assert.equal(count.rows[0].n, 0, "nothing written");
  });
});
