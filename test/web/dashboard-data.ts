import { recomputeMerchantDays } from "../../src/analytics/daily.js";
import { foldInbox } from "../../src/analytics/fold.js";
import { analyticsBucketMs, analyticsFoldBatchRowsMax } from "../../src/limits.js";
import type { WebCoffer } from "../helpers/web-coffer.js";

/** Data for the dashboard's browser test: the analytics worker's pass run to the end, and a year of rollups. */
export async function foldAnalytics(coffer: WebCoffer): Promise<void> {
  while ((await foldInbox(coffer.db.pool, analyticsFoldBatchRowsMax)) > 0) {
    // Folds until the inbox is empty, as the worker would over a few of its intervals.
  }
}

/**
 * A busy year for the merchant's test mode, written straight into the rollups (what a year of folded payments leaves
 * there, 15-minute and daily): every 15-minute bucket of each method, from a year ago until the day before `until`.
 * The dashboard's queries read the same rows a year of real payments would give them, so its load can be timed over a
 * year.
 */
export async function insertYearOfRollups(coffer: WebCoffer, merchantId: string, until: Date): Promise<number> {
  const inserted = await coffer.db.pool.query(
    `INSERT INTO analytics_rollups
       (merchant_id, livemode, bucket_start, currency, method, created, succeeded, gross_amount, fees_charged,
        failed, time_to_pay_ms, ttp_h05, identified_payments)
     SELECT $1, false, bucket, 'USD', method, 3, 2, 5000, 150, 1, 60000, 2, 0
       FROM generate_series(date_trunc('day', $2::timestamptz - interval '365 days'),
                            date_trunc('day', $2::timestamptz - interval '1 day'),
                            make_interval(secs => $3)) AS bucket
      CROSS JOIN unnest(ARRAY['qr', 'payment_code', 'checkout']) AS method
     ON CONFLICT DO NOTHING`,
    [merchantId, until, analyticsBucketMs / 1000],
  );
  // And the daily rollups those rows sum to, as the fold would have kept them.
  await recomputeMerchantDays(coffer.db.pool, "m.id = $1", [merchantId]);
  return inserted.rowCount ?? 0;
}
