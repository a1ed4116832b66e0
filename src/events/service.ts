import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { eventMatches } from "../webhooks/model.js";
import { type CofferEvent, eventFromRow } from "./outbox.js";

export interface EventFilter {
  /** An exact type ("payment.succeeded") or a prefix pattern ("payment.*"). */
  type?: string;
  created?: CreatedRange;
  /** Events whose object is this id or points at it through its `payment` field (a payment and its refunds). */
  relatedObject?: string;
}

export type EventService = ReturnType<typeof createEventService>;

const notFound = () => new ApiError("resource_not_found", "No such event.", "id");

/** `GET /v1/events` and redelivery: a merchant reads its own events of its mode, newest first. */
export function createEventService(deps: { pool: Pool; clock: Clock }) {
  async function list(scope: MerchantScope, filter: EventFilter, page: PageRequest): Promise<ListPage<CofferEvent>> {
    const prefix = filter.type?.endsWith(".*") ? `${filter.type.slice(0, -1)}%` : null;
    const exact = filter.type && !prefix ? filter.type : null;
    const rows = await keysetPage<Parameters<typeof eventFromRow>[0]>(deps.pool, page, {
      from: "events",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::text IS NULL OR type = $3) AND ($4::text IS NULL OR type LIKE $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
          AND ($7::text IS NULL OR data->'object'->>'id' = $7 OR data->'object'->>'payment' = $7)`,
      params: [
        scope.merchantId,
        scope.livemode,
        exact,
        prefix,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
        filter.relatedObject ?? null,
      ],
      idColumn: "id",
      sortColumns: ["seq"],
      order: "desc",
    });
    return mapPage(rows, eventFromRow);
  }

  async function get(scope: MerchantScope, id: string): Promise<CofferEvent> {
    const result = await deps.pool.query("SELECT * FROM events WHERE id = $1 AND merchant_id = $2 AND livemode = $3", [
      id,
      scope.merchantId,
      scope.livemode,
    ]);
    if (!result.rows[0]) throw notFound();
    return eventFromRow(result.rows[0]);
  }

  /**
   * Sends an event again: to one endpoint, or to every enabled endpoint that subscribes to its type. A delivery that
   * exists starts a fresh retry schedule; the receiver sees the same webhook-id as before.
   */
  async function redeliver(
    scope: MerchantScope,
    id: string,
    endpointId?: string,
  ): Promise<{ event: string; endpoints: string[] }> {
    const event = await get(scope, id);
    const now = deps.clock.now();
    return withTransaction(deps.pool, async (tx) => {
      const endpoints = await tx.query<{ id: string; enabled_events: string[] }>(
        `SELECT id, enabled_events FROM webhook_endpoints
          WHERE merchant_id = $1 AND livemode = $2 AND status = 'enabled' AND deleted_at IS NULL AND ($3::text IS NULL OR id = $3)`,
        [scope.merchantId, scope.livemode, endpointId ?? null],
      );
      if (endpointId && endpoints.rows.length === 0) {
        throw new ApiError("resource_not_found", "No such enabled webhook endpoint.", "endpoint_id");
      }
      const targets = endpoints.rows.filter(
        (e) => endpointId !== undefined || eventMatches(e.enabled_events, event.type),
      );
      for (const endpoint of targets) {
        await tx.query(
          `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, merchant_id, livemode, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (event_id, endpoint_id) DO UPDATE
             SET status = 'pending', next_attempt_at = $6, schedule_base = webhook_deliveries.attempts, locked_until = NULL
             WHERE webhook_deliveries.status <> 'delivering'`,
          [newId("whd"), event.id, endpoint.id, scope.merchantId, scope.livemode, now],
        );
      }
      return { event: event.id, endpoints: targets.map((t) => t.id) };
    });
  }

  return { list, get, redeliver };
}
