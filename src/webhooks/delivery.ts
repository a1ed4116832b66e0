import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { type CofferEvent, eventFromRow, recordEvent } from "../events/outbox.js";
import { storedApiVersion } from "../http/versioning.js";
import {
  webhookDeliveryBatchMax,
  webhookDeliveryConcurrencyMax,
  webhookDeliveryLeaseMs,
  webhookEndpointFailingDisableMs,
  webhookRetryJitterRatio,
  webhookRetryScheduleMs,
} from "../limits.js";
import type { BusinessMetrics } from "../monitoring/business-metrics.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { testClockDueSql } from "../sandbox/test-clock.js";
import type { SecretBox } from "../security/encryption.js";
import { disabledReasonText, endpointDisabledTemplate } from "./messages.js";
import { type EndpointRow, endpointFromRow, seconds, secretAad } from "./model.js";
import { postWebhook, type SendResult } from "./sender.js";
import { signatureHeader } from "./signing.js";
import { checkWebhookUrl, type LocalTargets } from "./ssrf.js";

/**
 * Delivers webhooks at least once. Workers claim due deliveries with FOR UPDATE SKIP LOCKED and a lease (several
 * workers, several processes: a delivery is in one worker's hands at a time), send, log the attempt, and decide:
 * 2xx delivered; 410 the endpoint is gone (disabled); anything else (3xx, 4xx, 5xx, timeouts, refused URLs) is
 * retried on the schedule (about three days), then failed. An endpoint failing for days with no success is disabled
 * and its merchant told.
 */

export interface WebhookDeliveryDeps {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  localTargets: LocalTargets;
  log?: Logger;
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
  notifications: NotificationService;
  /**
   * Who hears about the merchant's disabled endpoints of a mode: the recipients of its alert settings (src/alerts),
   * by default the owner and admins with a verified address; nobody when the merchant turned that mail off.
   */
  merchantContacts: (
    db: Queryable,
    merchantId: string,
    livemode: boolean,
  ) => Promise<{ email: string; locale: Locale }[]>;
  random?: () => number;
  /**
   * A test-mode delivery lives on its merchant's test clock: its retries are scheduled from it and due on it, so
   * advancing the clock runs them. Signatures always carry real time (receivers check it against theirs).
   */
  testClocks: TestClocks;
  /** Counts attempts by outcome and the delivery lag for /metrics. */
  metrics?: Pick<BusinessMetrics, "webhookAttempt">;
}

interface ClaimedRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  schedule_base: number;
}

export type WebhookDeliveryWorker = ReturnType<typeof createWebhookDelivery>;

export function createWebhookDelivery(deps: WebhookDeliveryDeps) {
  const random = deps.random ?? Math.random;

  /** The delay before the next attempt, or null when the schedule is spent. */
  function retryDelayMs(step: number): number | null {
    const base = webhookRetryScheduleMs[step];
    if (base === undefined) return null;
    const jitter = 1 + (random() * 2 - 1) * webhookRetryJitterRatio;
    return Math.round(base * jitter);
  }

  /**
   * Claims due deliveries: pending ones due on the system clock or (test mode) on their merchant's test clock, and
   * ones whose lease (real time) ran out. onlyMerchant: only that merchant's pending test-mode deliveries.
   */
  async function claim(limit: number, onlyMerchant?: string): Promise<ClaimedRow[]> {
    const now = deps.clock.now();
    const testDue = testClockDueSql({
      table: "webhook_deliveries",
      dueColumn: "next_attempt_at",
      condition: "x.status = 'pending'",
      now: "$1",
      limit: "$3",
      merchant: onlyMerchant === undefined ? undefined : "$4",
    });
    const result = await deps.pool.query<ClaimedRow>(
      `UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1, locked_until = $2
        WHERE ${
          onlyMerchant === undefined
            ? `d.id IN (SELECT id FROM webhook_deliveries
                         WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'delivering' AND locked_until < $1)
                         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               OR d.id IN (${testDue})`
            : `d.id IN (${testDue})`
        }
        RETURNING d.id, d.event_id, d.endpoint_id, d.attempts, d.schedule_base`,
      [
        now,
        new Date(now.getTime() + webhookDeliveryLeaseMs),
        limit,
        ...(onlyMerchant === undefined ? [] : [onlyMerchant]),
      ],
    );
    return result.rows;
  }

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

  /**
   * The event as the endpoint's pinned API version writes it. Event objects have the same fields in every version
   * so far (docs/changelog.md), so only api_version differs; a version that changes an object's shape renders it here.
   */
  function eventInVersion(event: CofferEvent, version: string): CofferEvent {
    return { ...event, api_version: storedApiVersion(version) };
  }

  async function send(endpoint: EndpointRow, event: CofferEvent): Promise<SendResult> {
    const check = await checkWebhookUrl(endpoint.url, {
      livemode: endpoint.livemode,
      localTargets: deps.localTargets,
      resolve: deps.resolve,
    });
    if (!check.ok)
      return { statusCode: null, latencyMs: 0, responseExcerpt: "", error: `url refused: ${check.detail}` };
    const now = deps.clock.now();
    const body = JSON.stringify(eventInVersion(event, endpoint.api_version));
    const timestamp = seconds(now);
    // webhook-id is the event id: the same event resent carries the same id, so receivers can deduplicate.
    const headers = {
      "webhook-id": event.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(await signingSecrets(endpoint, now), event.id, timestamp, body),
    };
    return postWebhook(check.url, check.address, check.family, headers, body);
  }

  /** What a pass knows of a claimed delivery before sending: its endpoint and its event, read for the whole pass. */
  interface Loaded {
    row: ClaimedRow;
    endpoint: EndpointRow;
    event: CofferEvent;
    eventCreatedAt: Date;
  }

  async function load(claimed: readonly ClaimedRow[]): Promise<Loaded[]> {
    const [endpoints, events] = await Promise.all([
      deps.pool.query<EndpointRow>("SELECT * FROM webhook_endpoints WHERE id = ANY($1::text[])", [
        [...new Set(claimed.map((r) => r.endpoint_id))],
      ]),
      deps.pool.query("SELECT * FROM events WHERE id = ANY($1::text[])", [claimed.map((r) => r.event_id)]),
    ]);
    const endpointById = new Map(endpoints.rows.map((e) => [e.id, e]));
    const eventById = new Map(events.rows.map((e) => [e.id as string, e]));
    return claimed.map((row) => ({
      row,
      endpoint: endpointById.get(row.endpoint_id)!,
      event: eventFromRow(eventById.get(row.event_id)),
      eventCreatedAt: eventById.get(row.event_id)?.created_at as Date,
    }));
  }

  /** A delivered attempt, written with the pass's other successes in one transaction. */
  interface Delivered {
    row: ClaimedRow;
    endpointId: string;
    attemptedAt: Date;
    eventCreatedAt: Date;
    result: SendResult;
  }

  async function recordDelivered(delivered: readonly Delivered[]): Promise<void> {
    if (delivered.length === 0) return;
    await withTransaction(deps.pool, async (tx) => {
      await tx.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, latency_ms, error, response_excerpt)
         SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[])`,
        [
          delivered.map((d) => d.row.id),
          delivered.map((d) => d.row.attempts),
          delivered.map((d) => d.attemptedAt),
          delivered.map((d) => d.result.statusCode),
          delivered.map((d) => d.result.latencyMs),
          delivered.map((d) => d.result.error),
          delivered.map((d) => d.result.responseExcerpt || null),
        ],
      );
      await tx.query(
        `UPDATE webhook_deliveries d SET status = 'succeeded', next_attempt_at = NULL, locked_until = NULL,
                last_status_code = u.status_code, last_error = NULL, delivered_at = u.attempted_at
           FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS u(id, status_code, attempted_at)
          WHERE d.id = u.id`,
        [
          delivered.map((d) => d.row.id),
          delivered.map((d) => d.result.statusCode),
          delivered.map((d) => d.attemptedAt),
        ],
      );
      await tx.query(
        "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ANY($1::text[]) AND failing_since IS NOT NULL",
        [[...new Set(delivered.map((d) => d.endpointId))]],
      );
    });
    for (const d of delivered) {
      const lagMs = d.attemptedAt.getTime() + d.result.latencyMs - d.eventCreatedAt.getTime();
      deps.metrics?.webhookAttempt("succeeded", lagMs / 1000);
      deps.log?.debug(
        { delivery: d.row.id, status: d.result.statusCode, outcome: "succeeded", latency_ms: d.result.latencyMs },
        "webhook attempt",
      );
    }
  }

  /**
   * Sends one delivery. A success is handed to `delivered` (written with the pass's others); anything else is
   * written here, with its retry schedule and what it means for the endpoint.
   */
  async function deliverOne(
    { row, endpoint, event, eventCreatedAt }: Loaded,
    delivered: Delivered[],
  ): Promise<"succeeded" | "retry" | "failed" | "abandoned"> {
    const attemptedAt = await deps.testClocks.now(endpoint.merchant_id, endpoint.livemode);
    if (endpoint.deleted_at || endpoint.status === "disabled") {
      await deps.pool.query(
        "UPDATE webhook_deliveries SET status = 'abandoned', next_attempt_at = NULL, locked_until = NULL WHERE id = $1",
        [row.id],
      );
      deps.metrics?.webhookAttempt("abandoned");
      return "abandoned";
    }
    const result = await send(endpoint, event);
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    if (ok) {
      delivered.push({ row, endpointId: endpoint.id, attemptedAt, eventCreatedAt, result });
      return "succeeded";
    }
    const gone = result.statusCode === 410;
    const delay = gone ? null : retryDelayMs(row.attempts - 1 - row.schedule_base);
    const outcome = gone ? "abandoned" : delay === null ? "failed" : "retry";

    await withTransaction(deps.pool, async (tx) => {
      await tx.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, latency_ms, error, response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          row.id,
          row.attempts,
          attemptedAt,
          result.statusCode,
          result.latencyMs,
          result.error,
          result.responseExcerpt || null,
        ],
      );
      await tx.query(
        `UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, locked_until = NULL, last_status_code = $4,
                last_error = $5, delivered_at = $6 WHERE id = $1`,
        [
          row.id,
          outcome === "retry" ? "pending" : outcome,
          outcome === "retry" ? new Date(attemptedAt.getTime() + delay!) : null,
          result.statusCode,
          result.error,
          null,
        ],
      );
      const failing = await tx.query<EndpointRow>(
        `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING *`,
        [endpoint.id, attemptedAt],
      );
      const failingSince = failing.rows[0]?.failing_since;
      // Failing for days: past the threshold with no success, or a delivery spent its whole (~3 day) schedule.
      const tooLong = failingSince && attemptedAt.getTime() - failingSince.getTime() >= webhookEndpointFailingDisableMs;
      if (gone || tooLong || outcome === "failed") await disable(tx, endpoint, gone ? "gone" : "failing", attemptedAt);
    });
    deps.notifications.kick(); // a disabling queued mail to the merchant
    deps.metrics?.webhookAttempt(outcome);
    deps.log?.debug(
      { delivery: row.id, status: result.statusCode, outcome, latency_ms: result.latencyMs },
      "webhook attempt",
    );
    return outcome;
  }

  async function disable(
    tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
    endpoint: EndpointRow,
    reason: "gone" | "failing",
    at: Date,
  ) {
    const updated = await tx.query<EndpointRow>(
      `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, updated_at = $3
        WHERE id = $1 AND status = 'enabled' RETURNING *`,
      [endpoint.id, reason, at],
    );
    const row = updated.rows[0];
    if (!row) return;
    await tx.query(
      "UPDATE webhook_deliveries SET status = 'abandoned', next_attempt_at = NULL WHERE endpoint_id = $1 AND status = 'pending'",
      [endpoint.id],
    );
    const shown = endpointFromRow(row);
    await recordEvent(
      tx,
      {
        type: "webhook_endpoint.disabled",
        merchantId: row.merchant_id,
        livemode: row.livemode,
        object: { ...shown },
        previousAttributes: { status: "enabled", disabled_reason: null },
      },
      at,
    );
    for (const contact of await deps.merchantContacts(tx, row.merchant_id, row.livemode)) {
      await deps.notifications.enqueue(tx, {
        channel: "email",
        to: contact.email,
        template: endpointDisabledTemplate,
        locale: contact.locale,
        vars: {
          url: row.url,
          endpoint_id: row.id,
          mode: contact.locale === "zh-CN" ? (row.livemode ? "正式" : "测试") : row.livemode ? "live" : "test",
          reason: disabledReasonText[reason][contact.locale],
        },
        merchantId: row.merchant_id,
        dedupeKey: `webhook_endpoint_disabled:${row.id}:${at.getTime()}`,
      });
    }
  }

  /**
   * One pass: claim due deliveries and send them, at most webhookDeliveryConcurrencyMax at a time. onlyMerchant
   * restricts it to one merchant's test-mode deliveries (advance_time).
   */
  async function deliverDue(limit = webhookDeliveryBatchMax, onlyMerchant?: string): Promise<number> {
    const claimed = await claim(limit, onlyMerchant);
    if (claimed.length === 0) return 0;
    const loaded = await load(claimed);
    const delivered: Delivered[] = [];
    let next = 0;
    const workers = Array.from({ length: Math.min(webhookDeliveryConcurrencyMax, loaded.length) }, async () => {
      while (next < loaded.length) {
        const item = loaded[next++]!;
        try {
          await deliverOne(item, delivered);
        } catch (error) {
          // The lease runs out and another pass retries it; nothing is lost.
          deps.log?.error({ err: error, delivery: item.row.id }, "webhook delivery failed unexpectedly");
        }
      }
    });
    await Promise.all(workers);
    try {
      await recordDelivered(delivered);
    } catch (error) {
      // Not recorded: their leases run out and they are sent again (at least once, receivers deduplicate by id).
      deps.log?.error({ err: error, deliveries: delivered.length }, "webhook deliveries could not be recorded");
    }
    return claimed.length;
  }

  return { deliverDue, retryDelayMs };
}
