import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import {
  enableTotp,
  fillKyb,
  newOperator,
  type TestMerchant,
  teamOfEveryRole,
} from "../../test/helpers/merchant-console.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../test/helpers/webhook-receiver.js";
import { createEndpointProbe } from "./endpoint-probe.js";

/**
 * The go-live checklist with the sandbox's items, walked by a merchant over HTTP: every item fails with a fix for a
 * fresh merchant, passes once its step is done, and live keys stay refused until the last one passes. The probe
 * runs against three toy webhook handlers (real HTTP servers on loopback): a correct one, one that skips signature
 * checks and one that fails redeliveries; only the correct one passes.
 */

type Toy = "correct" | "skips_signatures" | "fails_duplicates";

function headersOf(w: ReceivedWebhook): Record<string, string> {
  return {
    "webhook-id": String(w.headers["webhook-id"]),
    "webhook-timestamp": String(w.headers["webhook-timestamp"]),
    "webhook-signature": String(w.headers["webhook-signature"]),
  };
}

/** A webhook handler as a merchant writes it, in one of three qualities. */
function programToy(receiver: WebhookReceiver, kind: Toy, secret: () => string): void {
  const seen = new Set<string>();
  receiver.respond = (w) => {
    if (kind !== "skips_signatures") {
      try {
        new Webhook(secret()).verify(w.body, headersOf(w));
      } catch {
        return { status: 400, body: "bad signature" };
      }
    }
    const id = String(w.headers["webhook-id"]);
    if (seen.has(id)) return kind === "fails_duplicates" ? { status: 409, body: "already seen" } : { status: 200 };
    seen.add(id);
    return { status: 200 };
  };
}

describe("go-live checklist and endpoint probe", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  const toys = {} as Record<Toy, WebhookReceiver>;
  const secrets = {} as Record<Toy, string>;
  const endpoints = {} as Record<Toy, string>;

  before(async () => {
    // Receivers check webhook-timestamp against their own clock: start coffer's clock at the real time.
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    shop = await newPaymentsMerchant(coffer, "Probe Tea");
    for (const kind of ["correct", "skips_signatures", "fails_duplicates"] as const) {
      toys[kind] = await startWebhookReceiver();
      programToy(toys[kind], kind, () => secrets[kind]);
    }
  });
  after(async () => {
    for (const toy of Object.values(toys)) await toy.stop();
    await coffer.close();
  });

  const checklist = async () => {
    const response = await shop.console.get("/v1/console/go_live");
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as {
      ready: boolean;
      items: { id: string; passed: boolean; fix: string | null; detail: string | null }[];
    };
  };
  const passedItems = async () => (await checklist()).items.filter((i) => i.passed).map((i) => i.id);
  const liveKey = () => shop.console.post("/v1/console/api_keys", { type: "secret", livemode: true });
  const probe = (endpoint?: string) =>
    shop.console.post("/v1/console/go_live/probe", endpoint ? { webhook_endpoint: endpoint } : {});

  it("shows a fresh merchant every item failing, each with how to fix it", async () => {
    const report = await checklist();
    assert.equal(report.ready, false);
    assert.deepEqual(
      report.items.map((i) => [i.id, i.passed]),
      [
        ["kyb_approved", false],
        ["two_factor_enabled", false],
        ["webhook_endpoint_set", false],
        ["test_payment_succeeded", false],
        ["test_payment_refunded", false],
        ["endpoint_probe_passed", false],
      ],
    );
    for (const item of report.items) assert.ok(item.fix && item.fix.length > 20, `${item.id} says how to fix it`);
    assert.match(report.items.at(-1)?.detail ?? "", /not run yet/);
    const refused = await liveKey();
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "go_live_incomplete");
    assert.match(refused.json().error.message, /webhook_endpoint_set.*test_payment_succeeded.*endpoint_probe_passed/);
  });

  it("refuses to probe without an enabled test-mode endpoint, and another merchant's endpoint is not found", async () => {
    const none = await probe();
    assert.equal(none.statusCode, 409, none.body);
    assert.equal(none.json().error.code, "go_live_probe_endpoint_missing");
    const other = await newPaymentsMerchant(coffer, "Other Tea");
    const foreign = await other.sdk.webhookEndpoints.create({ url: `${toys.correct.url}/x`, enabled_events: ["*"] });
    const notFound = await probe(foreign.id);
    assert.equal(notFound.statusCode, 404, notFound.body);
    assert.equal(notFound.json().error.code, "resource_not_found");
    assert.equal(toys.correct.received.length, 0, "nothing was sent");
  });

  it("passes two-factor and KYB once done; live keys are still refused", async () => {
    await enableTotp(shop.console, coffer.clock);
    await fillKyb(shop.console);
    const applicationId = (await shop.console.post("/v1/console/kyb/submit")).json().id;
    const reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    assert.equal((await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/approve`)).statusCode, 200);
    assert.deepEqual(await passedItems(), ["kyb_approved", "two_factor_enabled"]);
    assert.equal((await liveKey()).json().error.code, "go_live_incomplete");
  });

  it("passes webhook_endpoint_set with an enabled test-mode endpoint", async () => {
    for (const kind of ["skips_signatures", "fails_duplicates", "correct"] as const) {
      const created = await shop.sdk.webhookEndpoints.create({
        url: `${toys[kind].url}/webhooks`,
        enabled_events: ["payment.*", "refund.*"],
      });
      endpoints[kind] = created.id;
      secrets[kind] = created.secret;
      coffer.clock.advance(1_000); // "the newest endpoint" is then well defined
    }
    assert.deepEqual(await passedItems(), ["kyb_approved", "two_factor_enabled", "webhook_endpoint_set"]);
  });

  it("probes three toy handlers: only the one that verifies signatures and acknowledges redeliveries passes", async () => {
    const skips = await probe(endpoints.skips_signatures);
    assert.equal(skips.statusCode, 201, skips.body);
    assert.equal(skips.json().passed, false);
    assert.deepEqual(
      skips
        .json()
        .steps.map((s: { step: string; status_code: number; passed: boolean }) => [s.step, s.status_code, s.passed]),
      [
        ["signed", 200, true],
        ["bad_signature", 200, false],
        ["duplicate", 200, true],
      ],
    );
    const item = (await checklist()).items.find((i) => i.id === "endpoint_probe_passed");
    assert.equal(item?.passed, false);
    assert.match(item?.detail ?? "", /bad_signature: expected 4xx, got 200/);

    const fails = await probe(endpoints.fails_duplicates);
    assert.equal(fails.json().passed, false);
    assert.deepEqual(
      fails
        .json()
        .steps.map((s: { step: string; status_code: number; passed: boolean }) => [s.step, s.status_code, s.passed]),
      [
        ["signed", 200, true],
        ["bad_signature", 400, true],
        ["duplicate", 409, false],
      ],
    );

    // No endpoint named: the newest enabled one, the correct handler.
    const correct = await probe();
    assert.equal(correct.statusCode, 201, correct.body);
    const run = correct.json();
    assert.equal(run.webhook_endpoint, endpoints.correct);
    assert.equal(run.url, `${toys.correct.url}/webhooks`);
    assert.equal(run.passed, true);
    assert.deepEqual(
      run.steps.map((s: { step: string; expected: string; status_code: number }) => [
        s.step,
        s.expected,
        s.status_code,
      ]),
      [
        ["signed", "2xx", 200],
        ["bad_signature", "4xx", 400],
        ["duplicate", "2xx", 200],
      ],
    );
    for (const step of run.steps) assert.ok(Number.isInteger(step.latency_ms) && step.latency_ms >= 0);

    // What the handler saw: one event, three times under one webhook-id, a real catalogued type, test mode.
    const seen = toys.correct.received;
    assert.equal(seen.length, 3);
    assert.deepEqual(new Set(seen.map((w) => w.headers["webhook-id"])), new Set([run.event_id]));
    const event = JSON.parse(seen[0]!.body);
    assert.equal(event.type, "webhook_endpoint.probe");
    assert.equal(event.livemode, false);
    assert.equal(event.data.object.id, endpoints.correct);
    // Not stored as an event: not listed, and not delivered to the merchant's other endpoints.
    const listed = await shop.sdk.events.list({ limit: 100 });
    assert.ok(listed.data.every((e) => e.id !== run.event_id && e.type !== "webhook_endpoint.probe"));

    const stored = (await shop.console.get("/v1/console/go_live/probes")).json();
    assert.deepEqual(
      stored.data.map((p: { id: string; passed: boolean }) => [p.id, p.passed]),
      [
        [run.id, true],
        [fails.json().id, false],
        [skips.json().id, false],
      ],
    );
    assert.deepEqual(stored.data[0].steps, run.steps);
    const passed = (await checklist()).items.find((i) => i.id === "endpoint_probe_passed");
    assert.equal(passed?.passed, true);
    assert.match(passed?.detail ?? "", new RegExp(run.id));
  });

  it("obeys the URL policy of deliveries: a loopback endpoint is refused where local targets are not allowed", async () => {
    const strict = createEndpointProbe({
      pool: coffer.db.pool,
      clock: coffer.clock,
      secrets: coffer.services.secrets,
      localTargets: "none",
    });
    const before = toys.correct.received.length;
    const outcome = await strict.run(shop.merchantId, null, endpoints.correct);
    assert.ok(outcome.ok);
    assert.equal(outcome.probe.passed, false);
    for (const step of outcome.probe.steps) {
      assert.equal(step.status_code, null);
      assert.match(step.error ?? "", /url refused: .*not a public address/);
    }
    assert.equal(toys.correct.received.length, before, "nothing was sent");
    // It is the newest run now, so the item fails until a run passes again.
    assert.equal((await checklist()).items.find((i) => i.id === "endpoint_probe_passed")?.passed, false);
    assert.equal((await probe(endpoints.correct)).json().passed, true);
  });

  it("passes the test payment items; then, and only then, a live key is created", async () => {
    const payer = await newTestPayer(coffer, { fund: "50000" });
    const payment = await shop.sdk.payments.create({ amount: "1200", currency: "USD", method: "qr" });
    assert.equal((await payer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload })).statusCode, 200);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);
    const report = await checklist();
    assert.deepEqual(
      report.items.filter((i) => !i.passed).map((i) => i.id),
      ["test_payment_refunded"],
    );
    assert.equal((await liveKey()).json().error.code, "go_live_incomplete");

    const refund = await shop.sdk.refunds.create({ payment: payment.id, amount: "200" });
    assert.equal(refund.status, "succeeded");
    assert.equal((await checklist()).ready, true);
    const created = await liveKey();
    assert.equal(created.statusCode, 201, created.body);
    assert.match(created.json().secret, /^sk_live_/);
  });

  it("needs a new probe after the endpoint's URL changes", async () => {
    await shop.sdk.webhookEndpoints.update(endpoints.correct, { url: `${toys.correct.url}/hooks/v2` });
    const item = (await checklist()).items.find((i) => i.id === "endpoint_probe_passed");
    assert.equal(item?.passed, false);
    assert.match(item?.detail ?? "", /no longer an enabled endpoint with that URL/);
    assert.equal((await probe()).json().passed, true);
    assert.equal((await checklist()).ready, true);
  });

  it("lets owner, admin and developer run the probe; viewers read the runs; support sees neither", async () => {
    const owner = { client: shop.console, merchantId: shop.merchantId } as TestMerchant;
    const team = await teamOfEveryRole(coffer.app, coffer.sink, owner);
    for (const role of ["admin", "developer"] as const) {
      const run = await team[role].post("/v1/console/go_live/probe", {});
      assert.equal(run.statusCode, 201, `${role}: ${run.body}`);
    }
    for (const role of ["support", "viewer"] as const) {
      const refused = await team[role].post("/v1/console/go_live/probe", {});
      assert.equal(refused.statusCode, 403, role);
      assert.equal(refused.json().error.code, "permission_denied");
    }
    assert.equal((await team.viewer.get("/v1/console/go_live/probes")).statusCode, 200);
    assert.equal((await team.support.get("/v1/console/go_live/probes")).statusCode, 403);
  });
});
