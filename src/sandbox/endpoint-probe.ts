import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { CofferEvent } from "../events/outbox.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { apiVersionLatest } from "../http/versioning.js";
import { newId } from "../ids.js";
import type { SecretBox } from "../security/encryption.js";
import { type EndpointRow, endpointFromRow, seconds, secretAad } from "../webhooks/model.js";
import { postWebhook, type SendResult } from "../webhooks/sender.js";
import { generateWebhookSecret, signatureHeader } from "../webhooks/signing.js";
import { checkWebhookUrl, type LocalTargets } from "../webhooks/ssrf.js";

/**
 * The go-live probe: proves a merchant's webhook handler is production-ready by sending it three requests, the way
 * deliveries would (same signing, same sender, same SSRF policy as test-mode deliveries):
 *   1. a correctly signed event        → must answer 2xx;
 *   2. the same event, badly signed    → must answer 4xx (the handler verifies signatures before anything else);
 *   3. the signed event again, same id → must answer 2xx (a redelivery is acknowledged, not refused).
 * The event is a `webhook_endpoint.probe` carrying the endpoint: never stored as an event, so it is not listed in
 * GET /v1/events nor fanned out to other endpoints. Each run and each step's answer is stored (go_live_probes).
 */

export const probeStepNames = ["signed", "bad_signature", "duplicate"] as const;
export type ProbeStepName = (typeof probeStepNames)[number];

export interface ProbeStep {
  step: ProbeStepName;
  /** The answer the step needs to pass. */
  expected: "2xx" | "4xx";
  status_code: number | null;
  latency_ms: number;
  /** Why there was no answer (timeout, refused connection, URL refused by the SSRF policy), else null. */
  error: string | null;
  passed: boolean;
}

export interface GoLiveProbe {
  id: string;
  object: "go_live_probe";
  /** Probes go to test-mode endpoints only. */
  livemode: false;
  webhook_endpoint: string;
  url: string;
  /** The webhook-id of the probe event (the same in all three requests). */
  event_id: string;
  passed: boolean;
  steps: ProbeStep[];
  created: number;
}

interface ProbeRow {
  id: string;
  merchant_id: string;
  webhook_endpoint_id: string;
  url: string;
  event_id: string;
  passed: boolean;
  steps: ProbeStep[];
  created_at: Date;
}

export interface EndpointProbeDeps {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  localTargets: LocalTargets;
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export type ProbeOutcome =
  | { ok: true; probe: GoLiveProbe }
  | { ok: false; reason: "endpoint_not_found" | "endpoint_missing" };

export type EndpointProbe = ReturnType<typeof createEndpointProbe>;

const expectations: Record<ProbeStepName, ProbeStep["expected"]> = {
  signed: "2xx",
  bad_signature: "4xx",
  duplicate: "2xx",
};

function answered(result: SendResult, expected: ProbeStep["expected"]): boolean {
  const code = result.statusCode;
  if (code === null) return false;
  return expected === "2xx" ? code >= 200 && code < 300 : code >= 400 && code < 500;
}

export function probeFromRow(row: ProbeRow): GoLiveProbe {
  return {
    id: row.id,
    object: "go_live_probe",
    livemode: false,
    webhook_endpoint: row.webhook_endpoint_id,
    url: row.url,
    event_id: row.event_id,
    passed: row.passed,
    steps: row.steps,
    created: seconds(row.created_at),
  };
}

export function createEndpointProbe(deps: EndpointProbeDeps) {
  /** The merchant's endpoint to probe: the one named, else the newest enabled test-mode endpoint. */
  async function pickEndpoint(merchantId: string, endpointId: string | undefined): Promise<EndpointRow | undefined> {
    const result = await deps.pool.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints
        WHERE merchant_id = $1 AND livemode = false AND deleted_at IS NULL
          AND ($2::text IS NULL OR id = $2) AND ($2::text IS NOT NULL OR status = 'enabled')
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [merchantId, endpointId ?? null],
    );
    return result.rows[0];
  }

  /** Current secret and, during a rotation, the previous one: exactly what a delivery signs with. */
  async function signingSecrets(endpoint: EndpointRow, now: Date): Promise<string[]> {
    const secrets = [await deps.secrets.decryptString(endpoint.secret_enc, secretAad(endpoint.id, "current"))];
    if (
      endpoint.previous_secret_enc &&
      endpoint.previous_secret_expires_at &&
      endpoint.previous_secret_expires_at > now
    ) {
      secrets.push(await deps.secrets.decryptString(endpoint.previous_secret_enc, secretAad(endpoint.id, "previous")));
    }
    return secrets;
  }

  async function send(endpoint: EndpointRow, event: CofferEvent, secrets: readonly string[]): Promise<SendResult> {
    // Checked before every request, as deliveries are: the name may resolve elsewhere by now.
    const check = await checkWebhookUrl(endpoint.url, {
      livemode: false,
      localTargets: deps.localTargets,
      resolve: deps.resolve,
    });
    if (!check.ok)
      return { statusCode: null, latencyMs: 0, responseExcerpt: "", error: `url refused: ${check.detail}` };
    const body = JSON.stringify(event);
    const timestamp = seconds(deps.clock.now());
    const headers = {
      "webhook-id": event.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(secrets, event.id, timestamp, body),
    };
    return postWebhook(check.url, check.address, check.family, headers, body);
  }

  async function run(merchantId: string, userId: string | null, endpointId?: string): Promise<ProbeOutcome> {
    const endpoint = await pickEndpoint(merchantId, endpointId);
    if (!endpoint) return { ok: false, reason: endpointId === undefined ? "endpoint_missing" : "endpoint_not_found" };
    const now = deps.clock.now();
    const event: CofferEvent = {
      id: newId("evt"),
      object: "event",
      type: "webhook_endpoint.probe",
      created: seconds(now),
      livemode: false,
      api_version: apiVersionLatest,
      data: { object: { ...endpointFromRow(endpoint) } },
    };
    const secrets = await signingSecrets(endpoint, now);
    // A secret of the right shape that is not the endpoint's: the signature looks real and does not verify.
    const wrongSecrets = [generateWebhookSecret()];
    const steps: ProbeStep[] = [];
    for (const step of probeStepNames) {
      const result = await send(endpoint, event, step === "bad_signature" ? wrongSecrets : secrets);
      const expected = expectations[step];
      steps.push({
        step,
        expected,
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        error: result.error,
        passed: answered(result, expected),
      });
    }
    const inserted = await deps.pool.query<ProbeRow>(
      `INSERT INTO go_live_probes (id, merchant_id, webhook_endpoint_id, url, event_id, passed, steps, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        newId("glp"),
        merchantId,
        endpoint.id,
        endpoint.url,
        event.id,
        steps.every((s) => s.passed),
        JSON.stringify(steps),
        userId,
        deps.clock.now(),
      ],
    );
    return { ok: true, probe: probeFromRow(inserted.rows[0]!) };
  }

  async function list(merchantId: string, page: PageRequest): Promise<ListPage<GoLiveProbe>> {
    const rows = await keysetPage<ProbeRow>(deps.pool, page, {
      from: "go_live_probes",
      scope: "merchant_id = $1",
      params: [merchantId],
      idColumn: "id",
      sortColumns: ["seq"],
      order: "desc",
    });
    return mapPage(rows, probeFromRow);
  }

  return { run, list };
}
