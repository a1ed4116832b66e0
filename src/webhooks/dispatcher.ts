import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { newId } from "../ids.js";
import { webhookDispatchBatchMax } from "../limits.js";
import { testOffsetSql } from "../sandbox/test-clock.js";
import { eventMatches } from "./model.js";

/**
 * Fans new events out to deliveries: for each event not yet dispatched, one delivery per enabled endpoint of its
 * merchant and mode that subscribes to its type. Claims events with FOR UPDATE SKIP LOCKED, so several processes
 * dispatch side by side, and marks them dispatched in the same transaction: an event is fanned out exactly once.
 * Returns how many events it dispatched.
 */
export async function dispatchEvents(pool: Pool, clock: Clock, limit = webhookDispatchBatchMax): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const events = await tx.query<{ id: string; type: string; merchant_id: string | null; livemode: boolean }>(
      `SELECT id, type, merchant_id, livemode FROM events WHERE dispatched_at IS NULL
        ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (events.rows.length === 0) return 0;
    const merchantIds = [...new Set(events.rows.flatMap((e) => (e.merchant_id ? [e.merchant_id] : [])))];
    const endpoints = await tx.query<{ id: string; merchant_id: string; livemode: boolean; enabled_events: string[] }>(
      `SELECT id, merchant_id, livemode, enabled_events FROM webhook_endpoints
        WHERE merchant_id = ANY($1) AND status = 'enabled' AND deleted_at IS NULL`,
      [merchantIds],
    );
    const now = clock.now();
    const deliveries: { id: string; eventId: string; endpointId: string; merchantId: string; livemode: boolean }[] = [];
    for (const event of events.rows) {
      for (const endpoint of endpoints.rows) {
        if (endpoint.merchant_id !== event.merchant_id || endpoint.livemode !== event.livemode) continue;
        if (!eventMatches(endpoint.enabled_events, event.type)) continue;
        deliveries.push({
          id: newId("whd"),
          eventId: event.id,
          endpointId: endpoint.id,
          merchantId: endpoint.merchant_id,
          livemode: endpoint.livemode,
        });
      }
    }
    if (deliveries.length > 0) {
      await tx.query(
        `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, merchant_id, livemode, next_attempt_at, created_at)
         SELECT d.id, d.event_id, d.endpoint_id, d.merchant_id, d.livemode, t.at, t.at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[]) AS d(id, event_id, endpoint_id, merchant_id, livemode)
           -- a test-mode delivery is created (and first due) on its merchant's test clock
           CROSS JOIN LATERAL (SELECT $6::timestamptz + ${testOffsetSql("d.merchant_id", "d.livemode")} AS at) t
         ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
        [
          deliveries.map((d) => d.id),
          deliveries.map((d) => d.eventId),
          deliveries.map((d) => d.endpointId),
          deliveries.map((d) => d.merchantId),
          deliveries.map((d) => d.livemode),
          now,
        ],
      );
    }
    await tx.query("UPDATE events SET dispatched_at = $2 WHERE id = ANY($1)", [events.rows.map((e) => e.id), now]);
    return events.rows.length;
  });
}
