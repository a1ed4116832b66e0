import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import type { SessionClient } from "./merchant-console.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

/**
 * Does what the sandbox's go-live items ask, over HTTP in the console's test mode, the way a merchant would: a
 * webhook endpoint on a handler that verifies signatures and acknowledges redeliveries (a real HTTP server on
 * loopback), a test payment that succeeds (the sandbox's success code), a refund of part of it, and a passing probe.
 * KYB and two-factor stay the caller's. Stop the returned handler when done.
 */
export async function passSandboxGoLiveItems(client: SessionClient): Promise<WebhookReceiver> {
  const handler = await startWebhookReceiver();
  let secret = "";
  const seen = new Set<string>();
  handler.respond = (w) => {
    try {
      new Webhook(secret).verify(w.body, {
        "webhook-id": String(w.headers["webhook-id"]),
        "webhook-timestamp": String(w.headers["webhook-timestamp"]),
        "webhook-signature": String(w.headers["webhook-signature"]),
      });
    } catch {
      return { status: 400 };
    }
    seen.add(String(w.headers["webhook-id"]));
    return { status: 200 };
  };

  const endpoint = await client.post("/v1/webhook_endpoints", {
    url: `${handler.url}/webhooks`,
    enabled_events: ["payment.*", "refund.*"],
  });
  assert.equal(endpoint.statusCode, 201, endpoint.body);
  secret = endpoint.json().secret;

  const payment = await client.post("/v1/payments", {
    amount: "1000",
    currency: "USD",
    method: "payment_code",
    payment_code: "880000000000000001",
  });
  assert.equal(payment.statusCode, 201, payment.body);
  assert.equal(payment.json().status, "succeeded", payment.body);
  const refund = await client.post("/v1/refunds", { payment: payment.json().id, amount: "100" });
  assert.equal(refund.statusCode, 201, refund.body);
  assert.equal(refund.json().status, "succeeded", refund.body);

  const probe = await client.post("/v1/console/go_live/probe", {});
  assert.equal(probe.statusCode, 201, probe.body);
  assert.equal(probe.json().passed, true, probe.body);
  return handler;
}
