import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { analyticsRebuildLockKey } from "../limits.js";
import { addContribution, Deltas, type Figures, type InboxRow } from "./contributions.js";
import { timeToPayColumns } from "./histogram.js";
import { foldPayerSuccesses } from "./payers.js";

/**
 * One pass of the analytics worker: claims up to `batchMax` inbox rows (SKIP LOCKED, so workers in several
 * processes take disjoint rows), adds their contributions into the rollups and deletes them, in one transaction.
 * Each table is written by one set-based statement with its keys sorted, and tables are always written in the same
 * order, so concurrent passes never deadlock. Returns how many inbox rows it folded.
 */
export async function foldInbox(pool: Pool, batchMax: number): Promise<number> {
  return withTransaction(pool, async (tx) => {
    // A rebuild (rebuild.ts) holds this lock alone: folds wait for it instead of folding rows it rewrites.
    await tx.query("SELECT pg_advisory_xact_lock_shared($1)", [analyticsRebuildLockKey]);
    return foldBatch(tx, batchMax);
  });
}

/** One batch folded in the caller's transaction (which holds the rebuild lock, shared or alone). */
export async function foldBatch(tx: Queryable, batchMax: number): Promise<number> {
  const claimed = await tx.query<InboxRow>(
    `DELETE FROM analytics_inbox
      WHERE seq IN (SELECT seq FROM analytics_inbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id, amount::text,
                fee::text, failure_code, created_at, opened_at, paid_at, final_at`,
    [batchMax],
  );
  if (claimed.rows.length === 0) return 0;
  const deltas = new Deltas();
  for (const row of claimed.rows) addContribution(deltas, row);
  await foldPayerSuccesses(tx, deltas.payerSuccesses, deltas);
  await upsertMerchantRollups(tx, deltas);
  await upsertFailures(tx, deltas);
  await upsertPlatformRollups(tx, deltas);
  await upsertMerchantDays(tx, deltas);
  await upsertDailyLevels(tx, deltas);
  return claimed.rows.length;
}

const sortedById = <T>(map: Map<string, T>): T[] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** The additive columns in table order, with how each is read from Figures. */
const merchantFigureColumns: readonly [string, string, (f: Figures) => bigint][] = [
  ["created", "bigint", (f) => f.created],
  ["opened", "bigint", (f) => f.opened],
  ["succeeded", "bigint", (f) => f.succeeded],
  ["gross_amount", "numeric", (f) => f.gross_amount],
  ["fees_charged", "numeric", (f) => f.fees_charged],
  ["failed", "bigint", (f) => f.failed],
  ["canceled", "bigint", (f) => f.canceled],
  ["expired", "bigint", (f) => f.expired],
  ["refunds", "bigint", (f) => f.refunds],
  ["refunded_amount", "numeric", (f) => f.refunded_amount],
  ["fees_returned", "numeric", (f) => f.fees_returned],
  ["time_to_pay_ms", "numeric", (f) => f.time_to_pay_ms],
  ...timeToPayColumns.map(
    (name, i) => [name, "bigint", (f: Figures) => f.histogram[i]!] as [string, string, (f: Figures) => bigint],
  ),
  ["new_payers", "bigint", (f) => f.new_payers],
  ["returning_payments", "bigint", (f) => f.returning_payments],
  ["identified_payments", "bigint", (f) => f.identified_payments],
];

const platformFigureColumns = merchantFigureColumns.filter(
  ([name]) => !["opened", "new_payers", "returning_payments", "identified_payments"].includes(name),
);

function additiveUpsert(
  table: string,
  keyColumns: readonly [string, string][],
  figureColumns: readonly [string, string, unknown][],
): string {
  const all = [...keyColumns, ...figureColumns.map(([name, type]) => [name, type] as const)];
  const params = all.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const keys = keyColumns.map(([name]) => name).join(", ");
  const sets = figureColumns.map(([name]) => `${name} = ${table}.${name} + EXCLUDED.${name}`).join(", ");
  return `INSERT INTO ${table} (${all.map(([name]) => name).join(", ")})
          SELECT * FROM unnest(${params})
          ON CONFLICT (${keys}) DO UPDATE SET ${sets}`;
}

/**
 * The daily levels (migration 0021) from the same deltas: merchant rows by the local day of the merchant's time zone
 * (read in the statement, after its lock), platform rows by UTC day. Grouped and sorted in SQL, so every fold writes
 * the keys in one order.
 */
function dailyUpsert(
  table: string,
  keyColumns: readonly [string, string][],
  figureColumns: readonly [string, string, unknown][],
  dayOf: string,
  join: string,
): string {
  const all = [...keyColumns, ...figureColumns.map(([name, type]) => [name, type] as const)];
  const params = all.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const keys = keyColumns.map(([name]) => (name === "bucket_start" ? "day" : name));
  const selected = keyColumns.map(([name]) => (name === "bucket_start" ? dayOf : `d.${name}`));
  const figures = figureColumns.map(([name]) => name);
  const positions = keys.map((_, i) => i + 1).join(", ");
  return `INSERT INTO ${table} AS t (${[...keys, ...figures].join(", ")})
          SELECT ${[...selected, ...figures.map((c) => `sum(d.${c})`)].join(", ")}
            FROM unnest(${params}) AS d(${all.map(([name]) => name).join(", ")}) ${join}
           GROUP BY ${positions} ORDER BY ${positions}
          ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${figures.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(", ")}`;
}

const merchantUpsertSql = additiveUpsert(
  "analytics_rollups",
  [
    ["merchant_id", "text"],
    ["livemode", "boolean"],
    ["bucket_start", "timestamptz"],
    ["currency", "text"],
    ["method", "text"],
  ],
  merchantFigureColumns,
);

const platformUpsertSql = additiveUpsert(
  "analytics_platform_hourly",
  [
    ["bucket_start", "timestamptz"],
    ["livemode", "boolean"],
    ["currency", "text"],
    ["method", "text"],
  ],
  platformFigureColumns,
);

const merchantKeyColumns: readonly [string, string][] = [
  ["merchant_id", "text"],
  ["livemode", "boolean"],
  ["bucket_start", "timestamptz"],
  ["currency", "text"],
  ["method", "text"],
];
const merchantTimeZoneJoin = "LEFT JOIN merchants m ON m.id = d.merchant_id";
const merchantLocalDay = "(d.bucket_start AT TIME ZONE coalesce(m.time_zone, 'UTC'))::date";

const merchantDailyUpsertSql = dailyUpsert(
  "analytics_rollups_daily",
  merchantKeyColumns,
  merchantFigureColumns,
  merchantLocalDay,
  merchantTimeZoneJoin,
);
const failuresDailyUpsertSql = dailyUpsert(
  "analytics_failures_daily",
  [...merchantKeyColumns, ["failure_code", "text"]],
  [["count", "bigint", null]],
  merchantLocalDay,
  merchantTimeZoneJoin,
);
const platformDailyUpsertSql = dailyUpsert(
  "analytics_platform_daily",
  [
    ["bucket_start", "timestamptz"],
    ["livemode", "boolean"],
    ["currency", "text"],
    ["method", "text"],
  ],
  platformFigureColumns,
  "(d.bucket_start AT TIME ZONE 'UTC')::date",
  "",
);

/** The advisory lock on a merchant's time zone: folds share it, a time zone change holds it alone. */
export const timeZoneLockKey = (merchantId: string) => `hashtextextended('analytics-time-zone:' || ${merchantId}, 0)`;

async function upsertDailyLevels(tx: Queryable, deltas: Deltas): Promise<void> {
  const merchants = sortedById(deltas.merchant);
  const failures = sortedById(deltas.failures).filter((r) => r.count !== 0n);
  const merchantIds = [...new Set([...merchants, ...failures].map((r) => r.key.merchantId))].sort();
  if (merchantIds.length > 0) {
    // The merchants' time zones cannot change until this commits (service.ts changes one holding the lock alone).
    await tx.query(
      `SELECT pg_advisory_xact_lock_shared(${timeZoneLockKey("id")})
         FROM (SELECT id FROM unnest($1::text[]) id ORDER BY id) ids`,
      [merchantIds],
    );
  }
  if (merchants.length > 0) {
    await tx.query(merchantDailyUpsertSql, [
      merchants.map((r) => r.key.merchantId),
      merchants.map((r) => r.key.livemode),
      merchants.map((r) => r.key.bucketStart),
      merchants.map((r) => r.key.currency),
      merchants.map((r) => r.key.method),
      ...merchantFigureColumns.map(([, , read]) => merchants.map((r) => String(read(r.figures)))),
    ]);
  }
  if (failures.length > 0) {
    await tx.query(failuresDailyUpsertSql, [
      failures.map((r) => r.key.merchantId),
      failures.map((r) => r.key.livemode),
      failures.map((r) => r.key.bucketStart),
      failures.map((r) => r.key.currency),
      failures.map((r) => r.key.method),
      failures.map((r) => r.key.failureCode),
      failures.map((r) => String(r.count)),
    ]);
  }
  const platform = sortedById(deltas.platform);
  if (platform.length > 0) {
    await tx.query(platformDailyUpsertSql, [
      platform.map((r) => r.key.bucketStart),
      platform.map((r) => r.key.livemode),
      platform.map((r) => r.key.currency),
      platform.map((r) => r.key.method),
      ...platformFigureColumns.map(([, , read]) => platform.map((r) => String(read(r.figures)))),
    ]);
  }
}

async function upsertMerchantRollups(tx: Queryable, deltas: Deltas): Promise<void> {
  const rows = sortedById(deltas.merchant);
  if (rows.length === 0) return;
  await tx.query(merchantUpsertSql, [
    rows.map((r) => r.key.merchantId),
    rows.map((r) => r.key.livemode),
    rows.map((r) => r.key.bucketStart),
    rows.map((r) => r.key.currency),
    rows.map((r) => r.key.method),
    ...merchantFigureColumns.map(([, , read]) => rows.map((r) => String(read(r.figures)))),
  ]);
}

async function upsertPlatformRollups(tx: Queryable, deltas: Deltas): Promise<void> {
  const rows = sortedById(deltas.platform);
  if (rows.length === 0) return;
  await tx.query(platformUpsertSql, [
    rows.map((r) => r.key.bucketStart),
    rows.map((r) => r.key.livemode),
    rows.map((r) => r.key.currency),
    rows.map((r) => r.key.method),
    ...platformFigureColumns.map(([, , read]) => rows.map((r) => String(read(r.figures)))),
  ]);
}

async function upsertFailures(tx: Queryable, deltas: Deltas): Promise<void> {
  const rows = sortedById(deltas.failures).filter((r) => r.count !== 0n);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO analytics_failures (merchant_id, livemode, bucket_start, currency, method, failure_code, count)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::bigint[])
     ON CONFLICT (merchant_id, livemode, bucket_start, currency, method, failure_code)
     DO UPDATE SET count = analytics_failures.count + EXCLUDED.count`,
    [
      rows.map((r) => r.key.merchantId),
      rows.map((r) => r.key.livemode),
      rows.map((r) => r.key.bucketStart),
      rows.map((r) => r.key.currency),
      rows.map((r) => r.key.method),
      rows.map((r) => r.key.failureCode),
      rows.map((r) => String(r.count)),
    ],
  );
}

async function upsertMerchantDays(tx: Queryable, deltas: Deltas): Promise<void> {
  const rows = sortedById(deltas.merchantDays).filter((r) => r.succeeded !== 0n);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO analytics_merchant_days (day, livemode, merchant_id, succeeded)
     SELECT * FROM unnest($1::date[], $2::boolean[], $3::text[], $4::bigint[])
     ON CONFLICT (day, livemode, merchant_id) DO UPDATE SET succeeded = analytics_merchant_days.succeeded + EXCLUDED.succeeded`,
    [
      rows.map((r) => r.key.day),
      rows.map((r) => r.key.livemode),
      rows.map((r) => r.key.merchantId),
      rows.map((r) => String(r.succeeded)),
    ],
  );
}
