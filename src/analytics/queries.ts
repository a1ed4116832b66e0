import type { Queryable } from "../db/pool.js";
import { emptyFigures, type Figures } from "./contributions.js";
import { timeToPayColumns } from "./histogram.js";
import type { AnalyticsInterval, AnalyticsRange } from "./model.js";

/**
 * Reads over the rollups only (never payments): sums of whole 15-minute buckets, so a query costs what the range
 * has buckets, not payments. Long ranges read the daily level (migration 0021) for the days of the merchant's time
 * zone that lie wholly inside the range, and the 15-minute rows only for the partial first and last days; both are
 * sums of the same contributions, so the answer is the same as from 15-minute rows alone. The primary keys
 * (merchant_id, livemode, bucket_start or day, …) are the indexes every read uses.
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
const allColumns = [...scalarColumns, ...timeToPayColumns];

const sums = (columns: readonly string[]) =>
  [...columns, ...timeToPayColumns].map((c) => `coalesce(sum(${c}), 0)::text AS ${c}`).join(", ");

/**
 * The periods a query sums (label, from, to), each split into whole local days of the merchant's time zone, read
 * from a daily table (day in [d_lo, d_hi)), and 15-minute edges read from the fine table ([f, c_from) and
 * [c_to, t)). The zone is read in the same statement as the rows, so a concurrent time zone change (which
 * recomputes the daily rows in its transaction) is seen wholly or not at all. `usable` says when days may be used
 * at all (a timeseries in another zone, or by the hour, cannot). Platform rows use UTC days.
 */
function periodsCte(values: string, zone: string, usable = "true"): string {
  return `zone AS (SELECT ${zone} AS tz),
     periods AS (
       SELECT p.label, p.f, p.t, w.*
         FROM (VALUES ${values}) p(label, f, t), zone,
              LATERAL (SELECT (p.f AT TIME ZONE zone.tz)::date AS d_from, (p.t AT TIME ZONE zone.tz)::date AS d_to) d,
              LATERAL (SELECT CASE WHEN d.d_from::timestamp AT TIME ZONE zone.tz >= p.f THEN d.d_from
                                   ELSE d.d_from + 1 END AS d_first) l,
              LATERAL (SELECT l.d_first < d.d_to AND (${usable}) AS whole) u,
              LATERAL (SELECT CASE WHEN u.whole THEN l.d_first END AS d_lo, CASE WHEN u.whole THEN d.d_to END AS d_hi,
                              CASE WHEN u.whole THEN l.d_first::timestamp AT TIME ZONE zone.tz ELSE p.t END AS c_from,
                              CASE WHEN u.whole THEN d.d_to::timestamp AT TIME ZONE zone.tz ELSE p.t END AS c_to) w
     )`;
}

/**
 * The rows of a merchant's range: daily rows of the whole days, then 15-minute rows of the edges, each with the
 * period's label, `label_day` (the local day of the row, for grouping by day/week/month) and the selected columns.
 */
function mergedRows(opts: {
  daily: string;
  fine: string;
  columns: readonly string[];
  where: string;
  fineLabel?: string;
  dailyLabel?: string;
}): string {
  const cols = opts.columns.map((c) => `r.${c}`).join(", ");
  const dailyLabel = opts.dailyLabel ?? "NULL::timestamp";
  const fineLabel = opts.fineLabel ?? "NULL::timestamp";
  return `SELECT p.label, ${dailyLabel} AS at, ${cols} FROM periods p JOIN ${opts.daily} r
             ON ${opts.where} AND r.day >= p.d_lo AND r.day < p.d_hi
           UNION ALL
           SELECT p.label, ${fineLabel}, ${cols} FROM periods p JOIN ${opts.fine} r
             ON ${opts.where} AND r.bucket_start >= p.f AND r.bucket_start < p.c_from
           UNION ALL
           SELECT p.label, ${fineLabel}, ${cols} FROM periods p JOIN ${opts.fine} r
             ON ${opts.where} AND r.bucket_start >= p.c_to AND r.bucket_start < p.t`;
}

const merchantZone = "coalesce((SELECT time_zone FROM merchants WHERE id = $1), 'UTC')";
const merchantRows = "r.merchant_id = $1 AND r.livemode = $2 AND r.currency = $3";

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
  const found = await db.query<Record<string, string> & { label: string }>(
    `WITH ${periodsCte("('current', $4::timestamptz, $6::timestamptz), ('previous', $5::timestamptz, $4::timestamptz)", merchantZone)}
     SELECT label, ${sums(scalarColumns)}
       FROM (${mergedRows({ daily: "analytics_rollups_daily", fine: "analytics_rollups", columns: allColumns, where: merchantRows })}) x
      GROUP BY label`,
    [r.merchantId, r.livemode, r.currency, r.from, previousFrom, r.to],
  );
  return {
    current: figuresOf(found.rows.find((row) => row.label === "current")),
    previous: figuresOf(found.rows.find((row) => row.label === "previous")),
  };
}

/** Figures per method of [from, to): the merchant's own. */
export async function merchantMethodFigures(db: Queryable, r: AnalyticsRange): Promise<Map<string, Figures>> {
  const found = await db.query<Record<string, string> & { method: string }>(
    `WITH ${periodsCte("('range', $4::timestamptz, $5::timestamptz)", merchantZone)}
     SELECT method, ${sums(scalarColumns)}
       FROM (${mergedRows({ daily: "analytics_rollups_daily", fine: "analytics_rollups", columns: ["method", ...allColumns], where: merchantRows })}) x
      GROUP BY method`,
    [r.merchantId, r.livemode, r.currency, r.from, r.to],
  );
  return new Map(found.rows.map((row) => [row.method, figuresOf(row)]));
}

/** Figures per method of the whole platform in this mode and currency, over the hours that cover [from, to). */
export async function platformMethodFigures(db: Queryable, r: AnalyticsRange): Promise<Map<string, Figures>> {
  const found = await db.query<Record<string, string> & { method: string }>(
    `WITH ${periodsCte("('range', date_trunc('hour', $3::timestamptz), $4::timestamptz)", "'UTC'")}
     SELECT method, ${sums(platformScalarColumns)}
       FROM (${mergedRows({ daily: "analytics_platform_daily", fine: "analytics_platform_hourly", columns: ["method", ...platformScalarColumns, ...timeToPayColumns], where: "r.livemode = $1 AND r.currency = $2" })}) x
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
    `WITH ${periodsCte("('range', $3::timestamptz, $4::timestamptz)", merchantZone)}
     SELECT currency
       FROM (${mergedRows({ daily: "analytics_rollups_daily", fine: "analytics_rollups", columns: ["currency", "gross_amount", "created"], where: "r.merchant_id = $1 AND r.livemode = $2" })}) x
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
  // Whole local days serve days, weeks and months in the merchant's own zone; hours and other zones read 15 minutes.
  const usable = interval === "hour" ? "false" : "zone.tz = $6";
  const rows = (label: (at: string) => string) =>
    mergedRows({
      daily: "analytics_rollups_daily",
      fine: "analytics_rollups",
      columns: allColumns,
      where: merchantRows,
      dailyLabel: label("r.day::timestamp"),
      fineLabel: label("(r.bucket_start AT TIME ZONE $6)"),
    });
  const periods = periodsCte("('range', $4::timestamptz, $5::timestamptz)", merchantZone, usable);
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
      : `WITH ${periods},
         series AS (
           SELECT gs AS label, gs AT TIME ZONE $6 AS starts, (gs + interval '1 ${interval}') AT TIME ZONE $6 AS ends
             FROM generate_series(date_trunc('${interval}', $4::timestamptz AT TIME ZONE $6),
                                  ($5::timestamptz - interval '1 microsecond') AT TIME ZONE $6,
                                  interval '1 ${interval}') gs
         ),
         agg AS (
           SELECT at AS label, ${sums(scalarColumns)}
             FROM (${rows((at) => `date_trunc('${interval}', ${at})`)}) x
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
    `WITH ${periodsCte("('range', $4::timestamptz, $5::timestamptz)", merchantZone)}
     SELECT failure_code, method, sum(count)::text AS count, sum(sum(count)) OVER ()::text AS total
       FROM (${mergedRows({ daily: "analytics_failures_daily", fine: "analytics_failures", columns: ["failure_code", "method", "count"], where: merchantRows })}) x
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
