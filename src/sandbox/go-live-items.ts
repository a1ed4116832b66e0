import type { GoLiveItem } from "../merchants/go-live.js";

/**
 * The go-live items the sandbox adds to the merchant platform's checklist: an integration is ready when it has a
 * webhook endpoint, has seen a payment succeed and a refund go through in test mode, and its webhook handler passed
 * the probe (src/sandbox/endpoint-probe.ts). All of them look at test mode: live keys are what they unlock, so there
 * is nothing live to look at yet, and the handler that passes in test mode is the one that goes live (with the live
 * endpoint's secret).
 */

export const webhookEndpointSetItem: GoLiveItem = {
  id: "webhook_endpoint_set",
  title: "A test-mode webhook endpoint is set up and enabled.",
  fix: "Create a webhook endpoint with a test key (POST /v1/webhook_endpoints {url, enabled_events}) pointing at your handler, or enable the one you have.",
  async check({ db, merchantId }) {
    const result = await db.query(
      `SELECT 1 FROM webhook_endpoints
        WHERE merchant_id = $1 AND livemode = false AND status = 'enabled' AND deleted_at IS NULL LIMIT 1`,
      [merchantId],
    );
    return result.rows.length > 0;
  },
};

export const testPaymentSucceededItem: GoLiveItem = {
  id: "test_payment_succeeded",
  title: "At least one test payment succeeded.",
  fix: 'Take a test payment to the end, e.g. POST /v1/payments {method: "payment_code", payment_code: "880000000000000001", …} with a test key (docs/sandbox.md lists the scenario codes).',
  async check({ db, merchantId }) {
    // Captured money, not the status: a payment refunded in full still succeeded once.
    const result = await db.query(
      "SELECT 1 FROM payments WHERE merchant_id = $1 AND livemode = false AND amount_captured > 0 LIMIT 1",
      [merchantId],
    );
    return result.rows.length > 0;
  },
};

export const testPaymentRefundedItem: GoLiveItem = {
  id: "test_payment_refunded",
  title: "At least one test refund succeeded.",
  fix: "Refund a succeeded test payment, in part or in full (POST /v1/refunds {payment}) with a test key.",
  async check({ db, merchantId }) {
    const result = await db.query(
      "SELECT 1 FROM refunds WHERE merchant_id = $1 AND livemode = false AND status = 'succeeded' LIMIT 1",
      [merchantId],
    );
    return result.rows.length > 0;
  },
};

interface LatestProbe {
  id: string;
  passed: boolean;
  url: string;
  steps: { step: string; expected: string; status_code: number | null; error: string | null; passed: boolean }[];
  endpoint_usable: boolean;
}

export const endpointProbePassedItem: GoLiveItem = {
  id: "endpoint_probe_passed",
  title:
    "Your webhook handler passed the probe: it accepts a signed event, refuses a badly signed one, and acknowledges a redelivery.",
  fix: "Verify the webhook-signature of every request before anything else and answer 4xx when it does not verify; acknowledge (2xx) an event whose webhook-id you already handled instead of failing it. Then run the probe again (POST /v1/console/go_live/probe).",
  async check({ db, merchantId }) {
    // The newest run counts, and only while it still describes the endpoint: a new URL or a disabled endpoint
    // needs a new run.
    const result = await db.query<LatestProbe>(
      `SELECT p.id, p.passed, p.url, p.steps,
              (e.status = 'enabled' AND e.deleted_at IS NULL AND e.url = p.url) AS endpoint_usable
         FROM go_live_probes p JOIN webhook_endpoints e ON e.id = p.webhook_endpoint_id
        WHERE p.merchant_id = $1 ORDER BY p.seq DESC LIMIT 1`,
      [merchantId],
    );
    const latest = result.rows[0];
    if (!latest) return { passed: false, detail: "The probe has not run yet." };
    if (!latest.endpoint_usable) {
      return {
        passed: false,
        detail: `The last probe (${latest.id}) ran against ${latest.url}, which is no longer an enabled endpoint with that URL.`,
      };
    }
    if (latest.passed) return { passed: true, detail: `The last probe (${latest.id}) passed against ${latest.url}.` };
    const failed = latest.steps
      .filter((s) => !s.passed)
      .map((s) => `${s.step}: expected ${s.expected}, got ${s.status_code ?? s.error ?? "no answer"}`);
    return { passed: false, detail: `The last probe (${latest.id}) failed: ${failed.join("; ")}.` };
  },
};

export const sandboxGoLiveItems: readonly GoLiveItem[] = [
  webhookEndpointSetItem,
  testPaymentSucceededItem,
  testPaymentRefundedItem,
  endpointProbePassedItem,
];
