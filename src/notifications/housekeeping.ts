import type { Queryable } from "../db/pool.js";
import { devMailboxKeptMs, messageHousekeepingBatchRowsMax, messageUndeliveredKeptMs } from "../limits.js";

/**
 * Purges message content that is no longer needed, so no one-time secret outlives its use: the dev mailbox's copies
 * after devMailboxKeptMs, content a delivery left behind (a process that died between sending and marking), and
 * messages still undelivered after messageUndeliveredKeptMs, which are marked failed (their links would be stale by
 * then anyway). Rows keep their metadata. In batches, so no statement holds many locks; run by the
 * message-housekeeping worker. Returns the rows purged.
 */
export async function purgeMessageContent(db: Queryable, now: Date): Promise<number> {
  const held = "(content_enc IS NOT NULL OR body IS NOT NULL)"; // the predicate of outbound_messages_content_kept
  const purge = "content_enc = NULL, subject = NULL, body = NULL, html = NULL";
  const statements: [string, unknown[]][] = [
    [
      `UPDATE outbound_messages SET ${purge} WHERE id IN (SELECT id FROM outbound_messages
         WHERE ${held} AND status IN ('sent', 'failed')
           AND (status = 'failed' OR transport IS DISTINCT FROM 'dev' OR created_at < $1) LIMIT $2)`,
      [new Date(now.getTime() - devMailboxKeptMs)],
    ],
    [
      `UPDATE outbound_messages SET ${purge}, status = 'failed', locked_until = NULL,
              last_error = 'not delivered in time: content purged'
        WHERE id IN (SELECT id FROM outbound_messages
         WHERE ${held} AND status IN ('pending', 'sending') AND created_at < $1 LIMIT $2)`,
      [new Date(now.getTime() - messageUndeliveredKeptMs)],
    ],
  ];
  let purged = 0;
  for (const [sql, params] of statements) {
    const result = await db.query(sql, [...params, messageHousekeepingBatchRowsMax]);
    purged += result.rowCount ?? 0;
  }
  return purged;
}
