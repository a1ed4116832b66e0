import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationError,
  Coffer,
  type FetchLike,
  InvalidRequestError,
  verifyWebhook,
  type WebhookEndpointsCreateBody,
} from "../../sdk/src/index.js";
import { withTransaction } from "../../src/db/tx.js";
import { recordEvent } from "../../src/events/outbox.js";
import { dispatchEvents } from "../../src/webhooks/dispatcher.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { type CofferUnderTest, startCoffer } from "./coffer-server.js";

/** The SDK against the real coffer over HTTP: real routes, validation, idempotency store, database. */
describe("SDK against a running coffer", () => {
  let coffer: CofferUnderTest;
  let receiver: WebhookReceiver;

  const emit = (type: string, object: Record<string, unknown>) =>
    withTransaction(coffer.db.pool, (tx) =>
      recordEvent(tx, { type, merchantId: coffer.merchantId, livemode: false, object }),
    );

  /** A fetch that counts requests and keeps what it sent and got, around the real one. */
  function recordingFetch(onResponse?: (response: Response, init: RequestInit) => Promise<void>) {
    const calls: { url: string; method: string; key: string | null; replayed: string | null }[] = [];
    const fetchLike: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      calls.push({
        url: input,
        method: String(init.method),
        key: new Headers(init.headers).get("idempotency-key"),
        replayed: response.headers.get("idempotent-replayed"),
      });
      await onResponse?.(response, init);
      return response;
    };
    return { calls, fetch: fetchLike };
  }

  before(async () => {
    coffer = await startCoffer();
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.stop();
    await coffer.close();
  });

  it("creates, retrieves, updates, lists and deletes a webhook endpoint", async () => {
    const client = coffer.client();
    const created = await client.webhookEndpoints.create({
      url: `${receiver.url}/crud`,
      enabled_events: ["payment.*"],
      description: "orders",
    });
    assert.match(created.id, /^we_/);
    assert.match(created.secret, /^whsec_/);
    const retrieved = await client.webhookEndpoints.retrieve(created.id);
    assert.equal(retrieved.url, `${receiver.url}/crud`);
    assert.equal((retrieved as { secret?: string }).secret, undefined, "the secret is shown once");
    const updated = await client.webhookEndpoints.update(created.id, { disabled: true });
    assert.equal(updated.status, "disabled");
    assert.equal(updated.disabled_reason, "manual");
    const listed = await client.webhookEndpoints.list();
    assert.ok(listed.data.some((e) => e.id === created.id));
    const rotated = await client.webhookEndpoints.rotateSecret(created.id, { expires_in: 0 });
    assert.notEqual(rotated.secret, created.secret);
    assert.deepEqual(await client.webhookEndpoints.delete(created.id), {
      id: created.id,
      object: "webhook_endpoint",
      deleted: true,
    });
  });

  it("pages through events with for await, forwards and backwards, and awaits to one page", async () => {
    const payouts = [];
    for (let i = 0; i < 23; i++) {
      payouts.push((await emit("payout.paid", { id: `po_${i}`, object: "payout", amount: String(1000 + i) })).id);
      if (i % 5 === 0) await emit("payment.succeeded", { id: `pay_${i}`, object: "payment" });
    }
    const newestFirst = [...payouts].reverse();
    const recorder = recordingFetch();
    const client = coffer.client({ fetch: recorder.fetch });

    const iterated: string[] = [];
    for await (const event of client.events.list({ type: "payout.*", limit: 10 })) {
      assert.equal(typeof event.data.object.amount, "string", "amounts stay strings");
      iterated.push(event.id);
    }
    assert.deepEqual(iterated, newestFirst);
    assert.equal(recorder.calls.length, 3, "23 events in pages of 10");
    assert.match(recorder.calls[1]?.url ?? "", new RegExp(`starting_after=${newestFirst[9]}`));

    const firstPage = await client.events.list({ type: "payout.*", limit: 5 });
    assert.equal(firstPage.object, "list");
    assert.deepEqual(
      firstPage.data.map((e) => e.id),
      newestFirst.slice(0, 5),
    );
    assert.equal(firstPage.has_more, true);

    // ending_before walks the other way: from the cursor towards the newest, nearest first.
    const towardsNewest: string[] = [];
    for await (const e of client.events.list({ type: "payout.*", limit: 4, ending_before: payouts[0] })) {
      towardsNewest.push(e.id);
    }
    assert.deepEqual(towardsNewest, payouts.slice(1));
    assert.deepEqual(await client.events.list({ type: "payout.*", ending_before: newestFirst[0] }).toArray(), []);
  });

  it("retrieves an event and redelivers it", async () => {
    const client = coffer.client();
    const event = await emit("payment.succeeded", { id: "pay_retrieve", object: "payment", amount: "1999" });
    const retrieved = await client.events.retrieve(event.id);
    assert.equal(retrieved.id, event.id);
    assert.equal(retrieved.type, "payment.succeeded");
    assert.equal(retrieved.data.object.amount, "1999");
    const redelivered = await client.events.redeliver(event.id);
    assert.equal(redelivered.event, event.id);
    assert.ok(Array.isArray(redelivered.endpoints));
  });

  it("throws a typed 404 with code, param and request id", async () => {
    await assert.rejects(coffer.client().events.retrieve("evt_0000000000000000000000"), (error: unknown) => {
      assert.ok(error instanceof InvalidRequestError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.code, "resource_not_found");
      assert.equal(error.param, "id");
      assert.match(error.requestId ?? "", /^req_[0-9a-f]{24}$/);
      return true;
    });
  });

  it("throws a typed 400 naming the parameter, without retrying it", async () => {
    const recorder = recordingFetch();
    const client = coffer.client({ fetch: recorder.fetch });
    const refused = async (body: WebhookEndpointsCreateBody, code: string, param: string) => {
      await assert.rejects(client.webhookEndpoints.create(body), (error: unknown) => {
        assert.ok(error instanceof InvalidRequestError, String(error));
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, code);
        assert.equal(error.param, param);
        assert.match(error.requestId ?? "", /^req_/);
        return true;
      });
    };
    await refused({ url: `${receiver.url}/x`, enabled_events: [] }, "parameter_invalid", "enabled_events");
    await refused({ url: "not a url", enabled_events: ["*"] }, "webhook_url_invalid", "url");
    const extra = { url: `${receiver.url}/x`, enabled_events: ["*"], colour: "red" } as WebhookEndpointsCreateBody;
    await refused(extra, "parameter_unknown", "colour");
    assert.equal(recorder.calls.length, 3, "one request each");
  });

  it("throws AuthenticationError for a missing or unknown key, and refuses an unknown API version", async () => {
    const anonymous = new Coffer("not-a-key", { baseUrl: coffer.baseUrl });
    await assert.rejects(async () => await anonymous.events.list(), AuthenticationError);
    const unknown = new Coffer(`sk_test_${"0".repeat(32)}`, { baseUrl: coffer.baseUrl });
    await assert.rejects(async () => await unknown.events.list(), AuthenticationError);
    await assert.rejects(
      async () => await coffer.client({ apiVersion: "1999-01-01" }).events.list(),
      (error: unknown) => error instanceof InvalidRequestError && error.code === "api_version_invalid",
    );
  });

  it("retries a POST whose response was lost with the same key: coffer ran it once and replays its answer", async () => {
    let dropped = false;
    const recorder = recordingFetch(async (response, init) => {
      if (init.method !== "POST" || dropped) return;
      dropped = true;
      await response.text(); // coffer has answered (and stored the answer); the client never sees it
      throw new TypeError("fetch failed", { cause: new Error("socket hang up") });
    });
    const url = `${receiver.url}/lost-response`;
    const created = await coffer.client({ fetch: recorder.fetch }).webhookEndpoints.create({
      url,
      enabled_events: ["*"],
    });

    assert.equal(recorder.calls.length, 2);
    const [first, retry] = recorder.calls;
    assert.ok(first?.key);
    assert.equal(retry?.key, first.key, "the retry carries the same Idempotency-Key");
    assert.equal(first.replayed, null);
    assert.equal(retry?.replayed, "true", "the retry got the stored answer");
    assert.match(created.secret, /^whsec_/);
    const withUrl = (await coffer.client().webhookEndpoints.list({ limit: 100 }).toArray()).filter(
      (e) => e.url === url,
    );
    assert.deepEqual(
      withUrl.map((e) => e.id),
      [created.id],
      "one endpoint: the request ran once",
    );
    await coffer.client().webhookEndpoints.delete(created.id);
  });

  it("two concurrent calls with one caller key create one endpoint and both see it", async () => {
    const client = coffer.client();
    const url = `${receiver.url}/same-key`;
    const body = { url, enabled_events: ["*"] };
    const options = { idempotencyKey: `same-key-${Date.now()}` };
    const [a, b] = await Promise.all([
      client.webhookEndpoints.create(body, options),
      client.webhookEndpoints.create(body, options),
    ]);
    assert.equal(a.id, b.id);
    const withUrl = (await client.webhookEndpoints.list({ limit: 100 }).toArray()).filter((e) => e.url === url);
    assert.equal(withUrl.length, 1);
    await assert.rejects(
      client.webhookEndpoints.create({ ...body, description: "different" }, options),
      (error: unknown) => error instanceof Error && (error as { code?: string }).code === "idempotency_key_reused",
    );
    await client.webhookEndpoints.delete(a.id);
  });

  it("verifies a webhook coffer really delivered, with the secret the SDK got at creation", async () => {
    const client = coffer.client();
    const endpoint = await client.webhookEndpoints.create({
      url: `${receiver.url}/hooks`,
      enabled_events: ["refund.*"],
    });
    const event = await emit("refund.succeeded", { id: "re_1", object: "refund", amount: "500" });
    receiver.received.length = 0;
    await dispatchEvents(coffer.db.pool, coffer.services.clock);
    await coffer.services.webhookDelivery.deliverDue();
    const webhook = receiver.received.find((w) => w.headers["webhook-id"] === event.id);
    assert.ok(webhook, "coffer delivered the event");
    const verified = await verifyWebhook(webhook.body, webhook.headers, endpoint.secret);
    assert.equal(verified.id, event.id);
    assert.equal(verified.data.object.amount, "500");
    const deliveries = await client.webhookEndpoints.listDeliveries(endpoint.id).toArray();
    assert.equal(deliveries[0]?.event_id, event.id);
    assert.equal(deliveries[0]?.status, "succeeded");
    await client.webhookEndpoints.delete(endpoint.id);
  });
});
