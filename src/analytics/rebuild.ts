import type { Pool } from "../db/pool.js";
import { analyticsFoldBatchRowsMax, analyticsRebuildLockKey } from "../limits.js";
import { foldBatch } from "./fold.js";
import { timeToPayColumns } from "./histogram.js";
import { scalarColumns } from "./queries.js";

/**
 * `coffer analytics rebuild [--merchant ID]`: the rollups recomputed from the payments and refunds rows, safely
 * while coffer runs. One connection holds the rebuild lock alone (folds and time zone changes share it, so they
 * finish first and then wait), and one REPEATABLE READ transaction, whose snapshot is taken after the lock:
 *
 * 1. the scope's inbox rows of that snapshot are deleted: the rows read below already hold their changes (rows
 *    changed after the snapshot keep their inbox rows, folded later as usual);
 * 2. the scope's rollups are taken out (a merchant's share of the platform's rows subtracted, as they are sums of
 *    the merchants' rows);
 * 3. a +1 snapshot of every payment and refund of the scope goes to the inbox, as the triggers write it, and is
 *    folded in this transaction by the worker's own code.
 *
 * Readers see the old figures until the commit, then the new ones. Every fold waits meanwhile.
 */

export interface RebuildResult {
  payments: number;
  refunds: number;
  folded: number;
  seconds: number;
}

const platformColumns = [...scalarColumns, ...timeToPayColumns].filter(
  (c) => !["opened", "new_payers", "returning_payments", "identified_payments"].includes(c),
);

const perMerchantTables = [
  "analytics_rollups",
  "analytics_failures",
  "analytics_rollups_daily",
  "analytics_failures_daily",
  "analytics_payer_payments",
  "analytics_payers",
  "analytics_merchant_days",
];

export async function rebuildRollups(pool: Pool, options: { merchantId?: string }): Promise<RebuildResult> {
  const t0 = performance.now();
  const client = await pool.connect();
  const { merchantId } = options;
  const scope = merchantId === undefined ? "true" : "merchant_id = $1";
  const params = merchantId === undefined ? [] : [merchantId];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [analyticsRebuildLockKey]);
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      // A big merchant's history takes longer than one request's statement limit.
      await client.query("SET LOCAL statement_timeout = 0");
      await client.query("SET LOCAL idle_in_transaction_session_timeout = 0");
      await client.query(`DELETE FROM analytics_inbox WHERE ${scope}`, params);
      if (merchantId === undefined) {
        await client.query(
          `TRUNCATE ${[...perMerchantTables, "analytics_platform_hourly", "analytics_platform_daily"].join(", ")}`,
        );
      } else {
        await subtractFromPlatform(client, merchantId);
        for (const table of perMerchantTables) await client.query(`DELETE FROM ${table} WHERE ${scope}`, params);
      }
      const payments = await client.query(
        `INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                      amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
         SELECT 'payment', 1, p.id, p.merchant_id, p.livemode, p.currency, p.method, (s.snap).*
           FROM payments p
           CROSS JOIN LATERAL (SELECT coffer_analytics_payment_snapshot(p.status, p.payer_id, p.amount_captured,
                    p.fee_amount, p.failure_code, p.created_at, p.opened_at, p.paid_at, p.updated_at) AS snap) s
          WHERE ${scope.replace("merchant_id", "p.merchant_id")}
          ORDER BY p.merchant_id, p.id`,
        params,
      );
      const refunds = await client.query(
        `INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, amount,
                                      fee, created_at)
         SELECT 'refund', 1, n.id, n.merchant_id, n.livemode, n.currency, p.method, n.status, n.amount, n.fee_returned,
                n.created_at
           FROM refunds n JOIN payments p ON p.id = n.payment_id
          WHERE ${scope.replace("merchant_id", "n.merchant_id")}`,
        params,
      );
      let folded = 0;
      for (;;) {
        const n = await foldBatch(client, analyticsFoldBatchRowsMax);
        folded += n;
        if (n === 0) break;
      }
      await client.query("COMMIT");
      return {
        payments: payments.rowCount ?? 0,
        refunds: refunds.rowCount ?? 0,
        folded,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [analyticsRebuildLockKey]);
    }
  } finally {
    client.release();
  }
}

/** The platform's rows are sums of the merchants' rows: the merchant's share is taken out before its rebuild. */
async function subtractFromPlatform(client: { query: Pool["query"] }, merchantId: string): Promise<void> {
  const sets = platformColumns.map((c) => `${c} = t.${c} - s.${c}`).join(", ");
  const sums = platformColumns.map((c) => `sum(${c}) AS ${c}`).join(", ");
  await client.query(
    `UPDATE analytics_platform_hourly t SET ${sets}
       FROM (SELECT date_bin('1 hour', bucket_start, timestamptz '2000-01-01 00:00:00+00') AS bucket_start, livemode,
                    currency, method, ${sums}
               FROM analytics_rollups WHERE merchant_id = $1 GROUP BY 1, 2, 3, 4) s
      WHERE t.bucket_start = s.bucket_start AND t.livemode = s.livemode AND t.currency = s.currency
        AND t.method = s.method`,
    [merchantId],
  );
  await client.query(
    `UPDATE analytics_platform_daily t SET ${sets}
       FROM (SELECT (bucket_start AT TIME ZONE 'UTC')::date AS day, livemode, currency, method, ${sums}
               FROM analytics_rollups WHERE merchant_id = $1 GROUP BY 1, 2, 3, 4) s
      WHERE t.day = s.day AND t.livemode = s.livemode AND t.currency = s.currency AND t.method = s.method`,
    [merchantId],
  );
}
