import type pg from "pg";
import { recomputeMerchantDays, recomputePlatformDays } from "../src/analytics/daily.js";
import { timeToPayBucketUpperMs, timeToPayColumns } from "../src/analytics/histogram.js";
import { scalarColumns } from "../src/analytics/queries.js";
import { returningCustomerWindowMs } from "../src/limits.js";
import { dropSecondaryIndexes, idMarker } from "./analytics-data.js";

/**
 * The analytics rollups of the generated history (src/db/migrations/0019_analytics.sql), built by set-based
 * statements from the payments and refunds the bench wrote with the inbox triggers off: what the analytics worker
 * would have folded from the inbox, row for row (the same buckets, flags and histogram), without folding ten
 * million inbox rows one batch at a time. Rows the worker folded meanwhile (the setup's payments) are added to.
 *
 * The switch the write-path comparison flips is the inbox triggers: off, a payment writes no inbox row and the
 * worker has nothing to fold; on is how coffer runs.
 */

export interface RollupBuild {
  seconds: number;
  tables: string[];
  /** Rows per table after the build. */
  rows: Record<string, number>;
}

const quarterHour = "date_bin('15 minutes', %s, timestamptz '2000-01-01 00:00:00+00')";
const bucket = (column: string) => quarterHour.replace("%s", column);
const ttpColumns = [...timeToPayColumns];
const rollupSums = [...scalarColumns, ...ttpColumns];
const addTo = (table: string, columns: string[]) =>
  `DO UPDATE SET ${columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(", ")}`;

/** Succeeded payments with a payer, with the flags the worker keeps: first here, and paid again within the window. */
const payerPaymentsSql = `
  CREATE UNLOGGED TABLE bench_payer_payments AS
  SELECT id AS payment_id, paid_at, merchant_id, livemode, payer_id, currency, method,
         row_number() OVER w = 1 AS is_new,
         coalesce(lag(paid_at) OVER w >= paid_at - interval '${returningCustomerWindowMs} milliseconds', false) AS is_returning
    FROM payments
   WHERE status = 'succeeded' AND payer_id IS NOT NULL AND id LIKE 'pay\\_${idMarker}%'
  WINDOW w AS (PARTITION BY merchant_id, livemode, payer_id ORDER BY paid_at, id)`;

/**
 * Every payment's contributions, one narrow row per bucket it counts in (kind: created, opened, paid, finished as
 * failed, canceled or expired), its refunds' and the payer flags', summed per bucket in key order (so the primary
 * key is written from left to right, not at random).
 */
const kinds = { created: 0, opened: 1, paid: 2, failed: 3, canceled: 4, expired: 5, refund: 6, payer: 7 } as const;
const countOf = (kind: number, extra = "") => `count(*) FILTER (WHERE kind = ${kind}${extra})`;
const sumOf = (column: string, kind: number) => `coalesce(sum(${column}) FILTER (WHERE kind = ${kind}), 0)`;
const rollupAggregates: Record<string, string> = {
  created: countOf(kinds.created),
  opened: countOf(kinds.opened),
  succeeded: countOf(kinds.paid),
  gross_amount: sumOf("amount", kinds.paid),
  fees_charged: sumOf("fee", kinds.paid),
  failed: countOf(kinds.failed),
  canceled: countOf(kinds.canceled),
  expired: countOf(kinds.expired),
  refunds: countOf(kinds.refund),
  refunded_amount: sumOf("amount", kinds.refund),
  fees_returned: sumOf("fee", kinds.refund),
  time_to_pay_ms: sumOf("ms", kinds.paid),
  ...Object.fromEntries(ttpColumns.map((c, i) => [c, countOf(kinds.paid, ` AND ttp = ${i}`)])),
  new_payers: countOf(kinds.payer, " AND is_new"),
  returning_payments: countOf(kinds.payer, " AND is_returning"),
  identified_payments: countOf(kinds.payer),
};

/** The histogram column (0..15) of a time to pay in ms, bounds inclusive as src/analytics/histogram.ts. */
function ttpIndex(ms: string): string {
  const cases = timeToPayBucketUpperMs.map((upper, i) => `WHEN ${ms} <= ${upper} THEN ${i}`).join(" ");
  return `CASE ${cases} ELSE ${timeToPayBucketUpperMs.length} END`;
}

const rollupsSql = `
  INSERT INTO analytics_rollups AS r (merchant_id, livemode, bucket_start, currency, method, ${rollupSums.join(", ")})
  SELECT merchant_id, livemode, b, currency, method, ${rollupSums.map((c) => rollupAggregates[c]).join(", ")}
    FROM (
      SELECT p.merchant_id, p.livemode, c.b, p.currency, p.method, c.kind, c.amount, c.fee, c.ms, c.ttp,
             false AS is_new, false AS is_returning
        FROM payments p
        CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM p.paid_at - p.created_at) * 1000) AS ms) t
        CROSS JOIN LATERAL (
          SELECT ${bucket("p.created_at")} AS b, ${kinds.created} AS kind, NULL::numeric AS amount,
                 NULL::numeric AS fee, NULL::numeric AS ms, NULL::int AS ttp
          UNION ALL
          SELECT ${bucket("p.opened_at")}, ${kinds.opened}, NULL, NULL, NULL, NULL WHERE p.opened_at IS NOT NULL
          UNION ALL
          SELECT ${bucket("p.paid_at")}, ${kinds.paid}, p.amount_captured, p.fee_amount, t.ms, ${ttpIndex("t.ms")}
           WHERE p.status = 'succeeded'
          UNION ALL
          SELECT ${bucket("p.updated_at")},
                 CASE p.status WHEN 'failed' THEN ${kinds.failed} WHEN 'canceled' THEN ${kinds.canceled}
                               ELSE ${kinds.expired} END, NULL, NULL, NULL, NULL
           WHERE p.status IN ('failed', 'canceled', 'expired')
        ) c
       WHERE p.id LIKE 'pay\\_${idMarker}%'
      UNION ALL
      SELECT f.merchant_id, f.livemode, ${bucket("f.created_at")}, f.currency, p.method, ${kinds.refund}, f.amount,
             f.fee_returned, NULL, NULL, false, false
        FROM refunds f JOIN payments p ON p.id = f.payment_id
       WHERE f.status = 'succeeded' AND f.id LIKE 're\\_${idMarker}%'
      UNION ALL
      SELECT merchant_id, livemode, ${bucket("paid_at")}, currency, method, ${kinds.payer}, NULL, NULL, NULL, NULL,
             is_new, is_returning
        FROM bench_payer_payments
    ) x
   GROUP BY merchant_id, livemode, b, currency, method
   ORDER BY merchant_id, livemode, b, currency, method
  ON CONFLICT (merchant_id, livemode, bucket_start, currency, method) ${addTo("r", rollupSums)}`;

const failuresSql = `
  INSERT INTO analytics_failures AS f (merchant_id, livemode, bucket_start, currency, method, failure_code, count)
  SELECT merchant_id, livemode, ${bucket("updated_at")}, currency, method, failure_code, count(*)
    FROM payments
   WHERE status IN ('failed', 'expired') AND id LIKE 'pay\\_${idMarker}%'
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (merchant_id, livemode, bucket_start, currency, method, failure_code) ${addTo("f", ["count"])}`;

const payersSql = [
  `INSERT INTO analytics_payer_payments (payment_id, paid_at, merchant_id, livemode, payer_id, currency, method, weight,
                                         counted_new, counted_returning, counted_identified)
   SELECT payment_id, paid_at, merchant_id, livemode, payer_id, currency, method, 1, is_new, is_returning, true
     FROM bench_payer_payments ORDER BY payment_id`,
  `INSERT INTO analytics_payers AS a (merchant_id, livemode, payer_id, first_paid_at, last_paid_at)
   SELECT merchant_id, livemode, payer_id, min(paid_at), max(paid_at)
     FROM bench_payer_payments GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
   ON CONFLICT (merchant_id, livemode, payer_id)
   DO UPDATE SET first_paid_at = LEAST(a.first_paid_at, excluded.first_paid_at),
                 last_paid_at = GREATEST(a.last_paid_at, excluded.last_paid_at)`,
];

/**
 * The platform's hours and the merchants' active days, from the generated history's rollups only (the worker adds
 * the setup's own): a 15-minute bucket lies in one UTC hour and one UTC day.
 */
function platformSql(platformSums: string[]): string[] {
  return [
    `CREATE UNLOGGED TABLE bench_rollups AS
   SELECT r.* FROM analytics_rollups r WHERE r.merchant_id LIKE 'mer\\_${idMarker}%'
   UNION ALL
   SELECT r.* FROM analytics_rollups r WHERE r.merchant_id = $1 AND r.bucket_start < $2`,
    `INSERT INTO analytics_platform_hourly AS h (bucket_start, livemode, currency, method, ${platformSums.join(", ")})
   SELECT date_bin('1 hour', bucket_start, timestamptz '2000-01-01 00:00:00+00'), livemode, currency, method,
          ${platformSums.map((c) => `sum(${c})`).join(", ")}
     FROM bench_rollups GROUP BY 1, 2, 3, 4
   ON CONFLICT (bucket_start, livemode, currency, method) ${addTo("h", platformSums)}`,
    `INSERT INTO analytics_merchant_days AS d (day, livemode, merchant_id, succeeded)
   SELECT (bucket_start AT TIME ZONE 'UTC')::date, livemode, merchant_id, sum(succeeded)
     FROM bench_rollups WHERE succeeded > 0 GROUP BY 1, 2, 3
   ON CONFLICT (day, livemode, merchant_id) ${addTo("d", ["succeeded"])}`,
  ];
}

export const rollupTables = [
  "analytics_rollups",
  "analytics_failures",
  "analytics_payer_payments",
  "analytics_payers",
  "analytics_platform_hourly",
  "analytics_merchant_days",
  "analytics_rollups_daily",
  "analytics_failures_daily",
  "analytics_platform_daily",
];

async function step(client: pg.ClientBase, log: (line: string) => void, name: string, sql: string, params?: unknown[]) {
  const t0 = performance.now();
  const result = await client.query(sql, params);
  log(`rollups: ${name}: ${result.rowCount ?? 0} rows in ${Math.round((performance.now() - t0) / 100) / 10} s`);
}

/**
 * Builds the rollups of the generated rows (ids with idMarker) into the live tables. `bigMerchantId`'s own rows before
 * `end` are generated too; after it, only the worker writes.
 */
export async function buildRollups(
  client: pg.ClientBase,
  options: { bigMerchantId: string; end: Date; log: (line: string) => void },
): Promise<RollupBuild> {
  const t0 = performance.now();
  const { log } = options;
  // Sorting and hashing millions of rows: enough memory for them not to spill to disk in small pieces.
  await client.query("SET work_mem = '256MB'");
  await client.query("SET synchronous_commit = off");
  // As for payments: secondary indexes built once at the end, not row by row.
  const indexes: string[] = [];
  for (const table of rollupTables) indexes.push(...(await dropSecondaryIndexes(client, table)));
  await step(client, log, "payer flags", payerPaymentsSql);
  await step(client, log, "analytics_rollups", rollupsSql);
  await step(client, log, "analytics_failures", failuresSql);
  for (const sql of payersSql) await step(client, log, "payers", sql);
  // The platform's figures are the ones its table has, each summed from the merchants' rollups.
  const columns = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_name = 'analytics_platform_hourly' AND table_schema = 'public'
        AND column_name NOT IN ('bucket_start', 'livemode', 'currency', 'method')
      ORDER BY ordinal_position`,
  );
  const [generated, ...platform] = platformSql(columns.rows.map((c) => c.name));
  // The big merchant's generated rows end before `end`; its setup payments (folded by the worker) come after.
  await step(client, log, "generated rollups", generated!, [options.bigMerchantId, options.end]);
  for (const sql of platform) await step(client, log, "platform", sql);
  // The daily levels sum the 15-minute and hourly rows per day (each merchant's zone, UTC for the platform): built
  // from them, as a time zone change rebuilds a merchant's days.
  let t1 = performance.now();
  await recomputeMerchantDays(client, "true", []);
  log(`rollups: daily levels: merchants in ${Math.round((performance.now() - t1) / 100) / 10} s`);
  t1 = performance.now();
  await recomputePlatformDays(client);
  log(`rollups: daily levels: platform in ${Math.round((performance.now() - t1) / 100) / 10} s`);
  await client.query("DROP TABLE bench_payer_payments, bench_rollups");
  for (const definition of indexes) await step(client, log, "index", definition);
  await client.query("RESET work_mem");
  await client.query("RESET synchronous_commit");
  const counts = await client.query<{ name: string; rows: string }>(
    rollupTables.map((t) => `SELECT '${t}' AS name, count(*)::text AS rows FROM ${t}`).join(" UNION ALL "),
  );
  return {
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    tables: rollupTables,
    rows: Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.rows)])),
  };
}

/** The inbox triggers of payments and refunds on or off: the write path's cost of keeping the rollups. */
export async function setRollupMaintenance(db: pg.Pool, on: boolean): Promise<void> {
  const verb = on ? "ENABLE" : "DISABLE";
  for (const table of ["payments", "refunds"]) {
    await db.query(
      `ALTER TABLE ${table} ${verb} TRIGGER analytics_${table}_insert, ${verb} TRIGGER analytics_${table}_update, ${verb} TRIGGER analytics_${table}_delete`,
    );
  }
}
