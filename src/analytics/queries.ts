import type { Queryable } from "../db/pool.js";
import { emptyFigures, type Figures } from "./contributions.js";
import { timeToPayColumns } from "./histogram.js";
import type { AnalyticsInterval, AnalyticsRange } from "./model.js";

/**
 * Reads over the rollups only (never payments): sums of whole 15-minute buckets, so a query costs what the range
 * has buckets, not payments. The primary key (merchant_id, livemode, bucket_start, …) is the index every read uses.
 */

/** The rollups' summed columns besides the histogram (the bench's set-based build writes the same ones). */
export const scalarColumns = [
  "created",
  "opened",
  "succeeded",
  "gross_amount",
  "fees_charged",
  "failed",
  "canceled",
  "expired",
  "refunds",
  "refunded_amount",
  "fees_returned",
  "time_to_pay_ms",
  "new_payers",
  "returning_payments",
  "identified_payments",
] as const;

const platformScalarColumns = scalarColumns.filter(
  (c) => !["opened", "new_payers", "returning_payments", "identified_payments"].includes(c),
);

const sums = (columns: readonly string[]) =>
  [...columns, ...timeToPayColumns].map((c) => `coalesce(sum(${c}), 0)::text AS ${c}`).join(", ");

export function figuresOf(row: Record<string, string> | undefined): Figures {
  const f = emptyFigures();
  if (!row) return f;
  for (const c of scalarColumns) if (row[c] !== undefined) f[c] = BigInt(row[c]);
  f.histogram = timeToPayColumns.map((c) => BigInt(row[c] ?? "0"));
  return f;
}

/** Figures of [from, to) and of the period of the same length just before, in one scan. */
export async function summaryFigures(
  db: Queryable,
  r: AnalyticsRange,
): Promise<{ current: Figures; previous: Figures }> {
  const previousFrom = new Date(r.from.getTime() - (r.to.getTime() - r.from.getTime()));
  const found = await db.query<Record<string, string> & { current: boolean }>(
    `SELECT bucket_start >= $4 AS current, ${sums(scalarColumns)}
       FROM analytics_rollups
      WHERE merchant_id = $1 AND livemode = $2 AND currency = $3 AND bucket_start >= $5 AND bucket_start < $6
      GROUP BY 1`,
    [r.merchantId, r.livemode, r.currency, r.from, previousFrom, r.to],
  );
  return {
    current: figuresOf(found.rows.find((row) => row.current)),
    previous: figuresOf(found.rows.find((row) => !row.current)),
  };
}

/** Figures per method of [from, to): the merchant's own. */
export async function merchantMethodFigures(db: Queryable, r: AnalyticsRange): Promise<Map<string, Figures>> {
  const found = await db.query<Record<string, string> & { method: string }>(
    `SELECT method, ${sums(scalarColumns)}
       FROM analytics_rollups
      WHERE merchant_id = $1 AND livemode = $2 AND currency = $3 AND bucket_start >= $4 AND bucket_start < $5
      GROUP BY method`,
    [r.merchantId, r.livemode, r.currency, r.from, r.to],
  );
  return new Map(found.rows.map((row) => [row.method, figuresOf(row)]));
}

/** Figures per method of the whole platform in this mode and currency, over the hours that cover [from, to). */
export async function platformMethodFigures(db: Queryable, r: AnalyticsRange): Promise<Map<string, Figures>> {
  const found = await db.query<Record<string, string> & { method: string }>(
    `SELECT method, ${sums(platformScalarColumns)}
       FROM analytics_platform_hourly
      WHERE livemode = $1 AND currency = $2 AND bucket_start >= date_trunc('hour', $3::timestamptz) AND bucket_start < $4
      GROUP BY method`,
    [r.livemode, r.currency, r.from, r.to],
  );
  return new Map(found.rows.map((row) => [row.method, figuresOf(row)]));
}

/** The currency with the most gross volume in the range (then the most payments created), if any. */
export async function busiestCurrency(
  db: Queryable,
  scope: { merchantId: string; livemode: boolean; from: Date; to: Date },
): Promise<string | undefined> {
  const found = await db.query<{ currency: string }>(
    `SELECT currency FROM analytics_rollups
      WHERE merchant_id = $1 AND livemode = $2 AND bucket_start >= $3 AND bucket_start < $4
      GROUP BY currency
      ORDER BY sum(gross_amount) DESC, sum(created) DESC, currency
      LIMIT 1`,
    [scope.merchantId, scope.livemode, scope.from, scope.to],
  );
  return found.rows[0]?.currency;
}

/**
 * Figures per bucket of the interval in the time zone, every bucket present (zero-filled), clipped to [from, to).
 * Days, weeks (from Monday) and months are calendar ones of the zone (date_trunc of the local time, so a day with a
 * daylight-saving change has 23 or 25 hours); hours are 60-minute steps from the zone's hour edge before `from`.
 */
export async function bucketFigures(
  db: Queryable,
  r: AnalyticsRange,
  interval: AnalyticsInterval,
): Promise<{ start: Date; end: Date; figures: Figures }[]> {
  const params = [r.merchantId, r.livemode, r.currency, r.from, r.to, r.timeZone];
  const sql =
    interval === "hour"
      ? `WITH origin AS (SELECT date_trunc('hour', $4::timestamptz AT TIME ZONE $6) AT TIME ZONE $6 AS at),
         series AS (
           SELECT gs AS label, gs AS starts, gs + interval '1 hour' AS ends
             FROM origin, generate_series(origin.at, $5::timestamptz - interval '1 microsecond', interval '1 hour') gs
         ),
         agg AS (
           SELECT date_bin('1 hour', bucket_start, (SELECT at FROM origin)) AS label, ${sums(scalarColumns)}
             FROM analytics_rollups
            WHERE merchant_id = $1 AND livemode = $2 AND currency = $3 AND bucket_start >= $4 AND bucket_start < $5
            GROUP BY 1
         )
         SELECT greatest(s.starts, $4) AS bucket_from, least(s.ends, $5) AS bucket_to, agg.*
           FROM series s LEFT JOIN agg ON agg.label = s.label ORDER BY s.label`
      : `WITH series AS (
           SELECT gs AS label, gs AT TIME ZONE $6 AS starts, (gs + interval '1 ${interval}') AT TIME ZONE $6 AS ends
             FROM generate_series(date_trunc('${interval}', $4::timestamptz AT TIME ZONE $6),
                                  ($5::timestamptz - interval '1 microsecond') AT TIME ZONE $6,
                                  interval '1 ${interval}') gs
         ),
         agg AS (
           SELECT date_trunc('${interval}', bucket_start AT TIME ZONE $6) AS label, ${sums(scalarColumns)}
             FROM analytics_rollups
            WHERE merchant_id = $1 AND livemode = $2 AND currency = $3 AND bucket_start >= $4 AND bucket_start < $5
            GROUP BY 1
         )
         SELECT greatest(s.starts, $4) AS bucket_from, least(s.ends, $5) AS bucket_to, agg.*
           FROM series s LEFT JOIN agg ON agg.label = s.label ORDER BY s.label`;
  const found = await db.query<Record<string, string> & { bucket_from: Date; bucket_to: Date }>(sql, params);
  return found.rows.map((row) => ({
    start: row.bucket_from,
    end: row.bucket_to,
    figures: figuresOf(row.created === null ? undefined : row),
  }));
}

/** Failed and expired payments of the range by failure code and method, most frequent first, and their total. */
export async function failureCounts(
  db: Queryable,
  r: AnalyticsRange,
  max: number,
): Promise<{ rows: { failure_code: string; method: string; count: bigint }[]; total: bigint }> {
  const found = await db.query<{ failure_code: string; method: string; count: string; total: string }>(
    `SELECT failure_code, method, sum(count)::text AS count, sum(sum(count)) OVER ()::text AS total
       FROM analytics_failures
      WHERE merchant_id = $1 AND livemode = $2 AND currency = $3 AND bucket_start >= $4 AND bucket_start < $5
      GROUP BY failure_code, method
     HAVING sum(count) > 0
      ORDER BY sum(count) DESC, failure_code, method`,
    [r.merchantId, r.livemode, r.currency, r.from, r.to],
  );
  return {
    rows: found.rows.slice(0, max).map((row) => ({ ...row, count: BigInt(row.count) })),
    total: BigInt(found.rows[0]?.total ?? "0"),
  };
}
