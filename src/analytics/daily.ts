import type { Queryable } from "../db/pool.js";
import { timeToPayColumns } from "./histogram.js";
import { scalarColumns } from "./queries.js";

/**
 * The daily levels recomputed from the 15-minute rows they sum (migration 0021): a merchant's days after its time
 * zone changed, and every level after a rebuild. The caller holds the locks that keep folds out meanwhile.
 */
const merchantColumns = [...scalarColumns, ...timeToPayColumns];
const platformColumns = merchantColumns.filter(
  (c) => !["opened", "new_payers", "returning_payments", "identified_payments"].includes(c),
);

/** `merchants` is a SQL condition on `m` (the merchants rows whose days are recomputed). */
export async function recomputeMerchantDays(tx: Queryable, merchants: string, params: unknown[]): Promise<void> {
  await tx.query(
    `DELETE FROM analytics_rollups_daily r USING merchants m WHERE m.id = r.merchant_id AND ${merchants}`,
    params,
  );
  await tx.query(
    `DELETE FROM analytics_failures_daily r USING merchants m WHERE m.id = r.merchant_id AND ${merchants}`,
    params,
  );
  await tx.query(
    `INSERT INTO analytics_rollups_daily (merchant_id, livemode, day, currency, method, ${merchantColumns.join(", ")})
     SELECT r.merchant_id, r.livemode, (r.bucket_start AT TIME ZONE m.time_zone)::date, r.currency, r.method,
            ${merchantColumns.map((c) => `sum(r.${c})`).join(", ")}
       FROM analytics_rollups r JOIN merchants m ON m.id = r.merchant_id
      WHERE ${merchants}
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    params,
  );
  await tx.query(
    `INSERT INTO analytics_failures_daily (merchant_id, livemode, day, currency, method, failure_code, count)
     SELECT r.merchant_id, r.livemode, (r.bucket_start AT TIME ZONE m.time_zone)::date, r.currency, r.method,
            r.failure_code, sum(r.count)
       FROM analytics_failures r JOIN merchants m ON m.id = r.merchant_id
      WHERE ${merchants}
      GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    params,
  );
}

/** The platform's UTC days from its hours, all of them. */
export async function recomputePlatformDays(tx: Queryable): Promise<void> {
  await tx.query("DELETE FROM analytics_platform_daily");
  await tx.query(
    `INSERT INTO analytics_platform_daily (day, livemode, currency, method, ${platformColumns.join(", ")})
     SELECT (bucket_start AT TIME ZONE 'UTC')::date, livemode, currency, method,
            ${platformColumns.map((c) => `sum(${c})`).join(", ")}
       FROM analytics_platform_hourly
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  );
}
