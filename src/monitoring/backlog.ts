import type { Pool } from "../db/pool.js";
import { metricsScrapeQueryTimeoutMs, webhookBacklogCountMax } from "../limits.js";

/**
 * What waits to be sent: events not yet fanned out to webhook deliveries (the outbox) and deliveries due but not
 * yet sent. Read by /metrics and the operator console's system health. Cheap by construction: every part walks a
 * partial index (events_undispatched, webhook_deliveries_due) and the counts stop at webhookBacklogCountMax; the
 * statement runs read-only under a statement timeout of metricsScrapeQueryTimeoutMs, in one round trip.
 */
export interface Backlog {
  /** Age of the oldest undispatched event, in seconds (0 when none). */
  outboxLagSeconds: number;
  /** Undispatched events, counted up to webhookBacklogCountMax. */
  outboxEvents: number;
  /** Webhook deliveries due now and not yet delivered, counted up to webhookBacklogCountMax. */
  webhookBacklog: number;
  /** How long the oldest due delivery has been due, in seconds (0 when none). */
  webhookOldestDueSeconds: number;
}

interface BacklogRow {
  oldest_event_at: Date | null;
  outbox_events: bigint;
  webhook_backlog: bigint;
  oldest_due_at: Date | null;
}

export async function readBacklog(pool: Pool, now: Date): Promise<Backlog> {
  // A simple-protocol batch (no parameters) is one round trip; `now` is our own Date, so its literal is safe.
  const at = `'${now.toISOString()}'::timestamptz`;
  const client = await pool.connect();
  let broken = false;
  try {
    const results = (await client.query(`BEGIN READ ONLY;
      SET LOCAL statement_timeout = ${Math.floor(metricsScrapeQueryTimeoutMs)};
      SELECT (SELECT created_at FROM events WHERE dispatched_at IS NULL ORDER BY seq LIMIT 1) AS oldest_event_at,
             (SELECT count(*) FROM (SELECT 1 FROM events WHERE dispatched_at IS NULL
                LIMIT ${webhookBacklogCountMax}) e) AS outbox_events,
             (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries
                WHERE status IN ('pending', 'delivering') AND next_attempt_at <= ${at}
                LIMIT ${webhookBacklogCountMax}) d) AS webhook_backlog,
             (SELECT min(next_attempt_at) FROM webhook_deliveries
                WHERE status IN ('pending', 'delivering')) AS oldest_due_at;
      COMMIT`)) as unknown as { rows: BacklogRow[] }[];
    const row = results[2]!.rows[0]!;
    return {
      outboxLagSeconds: ageSeconds(row.oldest_event_at, now),
      outboxEvents: Number(row.outbox_events),
      webhookBacklog: Number(row.webhook_backlog),
      webhookOldestDueSeconds: ageSeconds(row.oldest_due_at, now),
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Test-mode rows live on test clocks and may be "in the future": an age is never negative. */
function ageSeconds(at: Date | null, now: Date): number {
  return at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : 0;
}
