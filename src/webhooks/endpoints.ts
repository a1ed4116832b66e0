import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { isEventType, recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import { type Metadata, mergeMetadata, metadataOf } from "../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import type { ApiVersion } from "../http/versioning.js";
import { newId } from "../ids.js";
import { webhookEnabledEventsMax, webhookEndpointsPerModeMax, webhookSecretRotationOverlapMsMax } from "../limits.js";
import type { SecretBox } from "../security/encryption.js";
import { webhookErrors } from "./errors.js";
import {
  type EndpointRow,
  endpointFromRow,
  seconds,
  secretAad,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "./model.js";
import { generateWebhookSecret } from "./signing.js";
import { checkWebhookUrl, type LocalTargets } from "./ssrf.js";

export interface WebhookEndpointDeps {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  localTargets: LocalTargets;
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export interface EndpointInput {
  url: string;
  enabled_events: string[];
  description?: string | null;
  metadata?: Metadata;
  /** The API version the endpoint's events are written in. */
  api_version: ApiVersion;
}

export type WebhookEndpointService = ReturnType<typeof createWebhookEndpointService>;

const notFound = () => new ApiError("resource_not_found", "No such webhook endpoint.", "id");

/** A delivery as its list reads it, with its event's type. */
interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: WebhookDelivery["status"];
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
  livemode: boolean;
}

export function createWebhookEndpointService(deps: WebhookEndpointDeps) {
  async function vetUrl(url: string, livemode: boolean): Promise<void> {
    const check = await checkWebhookUrl(url, { livemode, localTargets: deps.localTargets, resolve: deps.resolve });
    if (check.ok) return;
    if (check.reason === "url_invalid" || check.reason === "url_credentials_not_allowed") {
      throw webhookErrors.toApiError("webhook_url_invalid", undefined, "url");
    }
    throw webhookErrors.toApiError(
      "webhook_url_not_allowed",
      `${webhookErrors.definitions.webhook_url_not_allowed.message} (${check.detail})`,
      "url",
    );
  }

  function vetEvents(events: string[]): string[] {
    const unique = [...new Set(events)];
    if (unique.length === 0 || unique.length > webhookEnabledEventsMax) {
      throw webhookErrors.toApiError("webhook_events_invalid", undefined, "enabled_events");
    }
    for (const type of unique) {
      const ok = type === "*" || isEventType(type) || (type.endsWith(".*") && /^[a-z][a-z0-9_]*\.\*$/.test(type));
      if (!ok)
        throw webhookErrors.toApiError(
          "webhook_events_invalid",
          `"${type}" is not an event type or pattern.`,
          "enabled_events",
        );
    }
    return unique;
  }

  async function load(db: Queryable, scope: MerchantScope, id: string, lock = false): Promise<EndpointRow> {
    const result = await db.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL
       ${lock ? "FOR UPDATE" : ""}`,
      [id, scope.merchantId, scope.livemode],
    );
    const row = result.rows[0];
    if (!row) throw notFound();
    return row;
  }

  async function create(
    scope: MerchantScope,
    input: EndpointInput,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    await vetUrl(input.url, scope.livemode);
    const events = vetEvents(input.enabled_events);
    const metadata = metadataOf(input.metadata);
    const id = newId("we");
    const secret = generateWebhookSecret();
    const secretEnc = await deps.secrets.encrypt(secret, secretAad(id, "current"));
    const now = deps.clock.now();
    const row = await withTransaction(deps.pool, async (tx) => {
      // Count under a lock on the merchant's rows, so parallel creates cannot pass the limit together.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`webhook_endpoints:${scope.merchantId}`]);
      const count = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM webhook_endpoints WHERE merchant_id = $1 AND livemode = $2 AND deleted_at IS NULL",
        [scope.merchantId, scope.livemode],
      );
      if ((count.rows[0]?.n ?? 0) >= webhookEndpointsPerModeMax)
        throw webhookErrors.toApiError("webhook_endpoints_limit_reached");
      const inserted = await tx.query<EndpointRow>(
        `INSERT INTO webhook_endpoints
           (id, merchant_id, livemode, url, description, enabled_events, secret_enc, api_version, created_at, updated_at,
            metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING *`,
        [
          id,
          scope.merchantId,
          scope.livemode,
          input.url,
          input.description ?? null,
          events,
          secretEnc,
          input.api_version,
          now,
          JSON.stringify(metadata),
        ],
      );
      const created = inserted.rows[0]!;
      await recordEvent(
        tx,
        {
          type: "webhook_endpoint.created",
          merchantId: scope.merchantId,
          livemode: scope.livemode,
          object: { ...endpointFromRow(created) },
        },
        now,
      );
      return created;
    });
    return { endpoint: endpointFromRow(row), secret };
  }

  async function get(scope: MerchantScope, id: string): Promise<WebhookEndpoint> {
    return endpointFromRow(await load(deps.pool, scope, id));
  }

  async function list(
    scope: MerchantScope,
    filter: { created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<WebhookEndpoint>> {
    // A deleted endpoint is still the merchant's: as a cursor it keeps a client's paging steady.
    const rows = await keysetPage<EndpointRow>(deps.pool, page, {
      from: "webhook_endpoints",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `deleted_at IS NULL
          AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)`,
      params: [scope.merchantId, scope.livemode, filter.created?.gte ?? null, filter.created?.lt ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, endpointFromRow);
  }

  async function update(
    scope: MerchantScope,
    id: string,
    changes: {
      url?: string;
      enabled_events?: string[];
      description?: string | null;
      disabled?: boolean;
      api_version?: ApiVersion;
      metadata?: Metadata;
    },
  ): Promise<WebhookEndpoint> {
    if (changes.url !== undefined) await vetUrl(changes.url, scope.livemode);
    const events = changes.enabled_events === undefined ? undefined : vetEvents(changes.enabled_events);
    const now = deps.clock.now();
    return withTransaction(deps.pool, async (tx) => {
      const before = await load(tx, scope, id, true);
      const status = changes.disabled === undefined ? before.status : changes.disabled ? "disabled" : "enabled";
      const reason = status === "enabled" ? null : changes.disabled === true ? "manual" : before.disabled_reason;
      const updated = await tx.query<EndpointRow>(
        `UPDATE webhook_endpoints SET url = $2, enabled_events = $3, description = $4, status = $5, disabled_reason = $6,
                failing_since = CASE WHEN $5 = 'enabled' AND status = 'disabled' THEN NULL ELSE failing_since END,
                updated_at = $7, api_version = $8, metadata = $9
          WHERE id = $1 RETURNING *`,
        [
          id,
          changes.url ?? before.url,
          events ?? before.enabled_events,
          changes.description === undefined ? before.description : changes.description,
          status,
          reason,
          now,
          changes.api_version ?? before.api_version,
          JSON.stringify(mergeMetadata(before.metadata, changes.metadata)),
        ],
      );
      const after = updated.rows[0]!;
      const previous: Record<string, unknown> = {};
      const shownBefore = endpointFromRow(before);
      const shownAfter = endpointFromRow(after);
      for (const key of Object.keys(shownAfter) as (keyof WebhookEndpoint)[]) {
        if (JSON.stringify(shownBefore[key]) !== JSON.stringify(shownAfter[key])) previous[key] = shownBefore[key];
      }
      // An update that changed nothing sends nothing, as for every other object.
      if (Object.keys(previous).length === 0) return shownAfter;
      await recordEvent(
        tx,
        {
          type:
            after.status === "disabled" && before.status !== "disabled"
              ? "webhook_endpoint.disabled"
              : "webhook_endpoint.updated",
          merchantId: scope.merchantId,
          livemode: scope.livemode,
          object: { ...shownAfter },
          previousAttributes: previous,
        },
        now,
      );
      return shownAfter;
    });
  }

  async function remove(
    scope: MerchantScope,
    id: string,
  ): Promise<{ id: string; object: "webhook_endpoint"; deleted: true }> {
    const now = deps.clock.now();
    await withTransaction(deps.pool, async (tx) => {
      const row = await load(tx, scope, id, true);
      await tx.query("UPDATE webhook_endpoints SET deleted_at = $2, updated_at = $2 WHERE id = $1", [id, now]);
      // Deliveries still waiting go nowhere now.
      await tx.query(
        "UPDATE webhook_deliveries SET status = 'abandoned', next_attempt_at = NULL WHERE endpoint_id = $1 AND status = 'pending'",
        [id],
      );
      await recordEvent(
        tx,
        {
          type: "webhook_endpoint.deleted",
          merchantId: scope.merchantId,
          livemode: scope.livemode,
          object: { ...endpointFromRow(row) },
        },
        now,
      );
    });
    return { id, object: "webhook_endpoint", deleted: true };
  }

  /**
   * A new secret; the old one keeps signing too (both signatures are sent) for `overlapMs`, so the merchant can
   * deploy the new secret without missing a webhook.
   */
  async function rotateSecret(
    scope: MerchantScope,
    id: string,
    overlapMs: number,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if (!Number.isSafeInteger(overlapMs) || overlapMs < 0 || overlapMs > webhookSecretRotationOverlapMsMax) {
      throw webhookErrors.toApiError("webhook_rotation_overlap_invalid", undefined, "expires_in");
    }
    const secret = generateWebhookSecret();
    const now = deps.clock.now();
    return withTransaction(deps.pool, async (tx) => {
      const row = await load(tx, scope, id, true);
      const current = await deps.secrets.decryptString(row.secret_enc, secretAad(id, "current"));
      const previousEnc = overlapMs > 0 ? await deps.secrets.encrypt(current, secretAad(id, "previous")) : null;
      const updated = await tx.query<EndpointRow>(
        `UPDATE webhook_endpoints SET secret_enc = $2, previous_secret_enc = $3, previous_secret_expires_at = $4,
                                     updated_at = $5, secret_rotated_at = $5
          WHERE id = $1 RETURNING *`,
        [
          id,
          await deps.secrets.encrypt(secret, secretAad(id, "current")),
          previousEnc,
          previousEnc ? new Date(now.getTime() + overlapMs) : null,
          now,
        ],
      );
      const endpoint = endpointFromRow(updated.rows[0]!);
      await recordEvent(
        tx,
        {
          type: "webhook_endpoint.secret_rotated",
          merchantId: scope.merchantId,
          livemode: scope.livemode,
          object: { ...endpoint },
        },
        now,
      );
      return { endpoint, secret };
    });
  }

  /** The delivery log of one endpoint, newest first, each delivery with all its attempts. */
  async function listDeliveries(
    scope: MerchantScope,
    endpointId: string,
    page: PageRequest,
  ): Promise<ListPage<WebhookDelivery>> {
    await load(deps.pool, scope, endpointId);
    // The endpoint was found in the caller's scope above, so its deliveries are the caller's to list.
    const deliveries = await keysetPage<DeliveryRow>(deps.pool, page, {
      from: "(SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN events e ON e.id = d.event_id) deliveries",
      scope: "endpoint_id = $1",
      params: [endpointId],
      idColumn: "id",
      sortColumns: ["seq"],
      order: "desc",
    });
    const ids = deliveries.data.map((d) => d.id);
    const attempts = await deps.pool.query(
      "SELECT * FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt",
      [ids],
    );
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const a of attempts.rows) {
      const list = byDelivery.get(a.delivery_id) ?? [];
      list.push({
        attempt: a.attempt,
        attempted_at: seconds(a.attempted_at),
        status_code: a.status_code,
        latency_ms: a.latency_ms,
        error: a.error,
        response_excerpt: a.response_excerpt,
      });
      byDelivery.set(a.delivery_id, list);
    }
    return mapPage(
      deliveries,
      (d): WebhookDelivery => ({
        id: d.id,
        object: "webhook_delivery",
        event_id: d.event_id,
        event_type: d.event_type,
        endpoint_id: d.endpoint_id,
        status: d.status,
        attempts: byDelivery.get(d.id) ?? [],
        next_attempt_at: d.next_attempt_at ? seconds(d.next_attempt_at) : null,
        created: seconds(d.created_at),
        delivered_at: d.delivered_at ? seconds(d.delivered_at) : null,
        livemode: d.livemode,
      }),
    );
  }

  return { create, get, list, update, remove, rotateSecret, listDeliveries };
}
