import type pg from "pg";

/**
 * The history `npm run bench -- analytics` measures against: payments spread over merchants and one year, made in
 * PostgreSQL by set-based statements (generate_series), not through the API — 10 million payments through the
 * payment path would take hours. The rows satisfy every constraint of the payments and refunds tables; foreign keys
 * and triggers are off while loading (session_replication_role = replica) and the secondary indexes are dropped and
 * built again afterwards, the way a bulk load is done. The analytics rollups are then built from these rows by
 * bench/analytics-rollups.ts.
 *
 * The shape: every payment in a final state (succeeded 80 %, failed 8 %, expired 7 %, canceled 5 %); methods qr
 * 50 %, payment_code 30 %, checkout 20 %; QR and checkout payments opened by their payer when paid, half of the
 * others too (a payment code is presented by the payer, never opened); amounts 1.00–1,000.00 USD; the fee 2.9 % + 0.30; one succeeded payment in
 * twenty refunded (half of them in full); payers drawn with a skew so some pay often (returning customers).
 */

export interface DatasetOptions {
  /** Payments in all. */
  payments: number;
  /** Merchants in all, the big one included. */
  merchants: number;
  /** The merchant made through the API (its key measures the queries): it gets bigMerchantShare of the payments. */
  bigMerchantId: string;
  /** The history ends here and starts one year before. */
  end: Date;
  log: (line: string) => void;
}

export interface Dataset {
  payments: number;
  bigMerchantPayments: number;
  merchants: number;
  payers: number;
  refunds: number;
  /** Seconds each step took. */
  timings: Record<string, number>;
}

/** A tenth of the payments (1 million of 10 million) belong to the measured merchant. */
export const bigMerchantShare = 0.1;
export const historyDays = 365;
export const benchCurrency = "USD";
/** One payer per this many payments: a payer pays a merchant about five times a year on average. */
const paymentsPerPayer = 50;
/** Rows per INSERT … SELECT: large enough to be set-based, small enough to log progress. */
const rowsPerStatement = 500_000;
const feePercentBps = 290;
const feeFixedMinor = 30;

/**
 * The generated ids: a marker and a zero-padded number, so they sort in insert order (cheap index builds) and tell
 * generated rows from those made through the API (a random id starts with the marker once in 62^5).
 */
export const idMarker = "BENCH";
const idSql = (prefix: string, n: string) => `'${prefix}_${idMarker}' || lpad((${n})::text, 17, '0')`;

async function timed<T>(timings: Record<string, number>, step: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  timings[step] = Math.round((performance.now() - t0) / 100) / 10;
  return result;
}

/**
 * The indexes of `table` that are not constraints (the primary key and unique constraints stay), dropped; answers
 * their definitions to build again.
 */
export async function dropSecondaryIndexes(client: pg.ClientBase, table: string): Promise<string[]> {
  const result = await client.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [table],
  );
  for (const row of result.rows) await client.query(`DROP INDEX ${row.name}`);
  return result.rows.map((r) => r.definition);
}

async function insertMerchants(client: pg.ClientBase, options: DatasetOptions): Promise<void> {
  await client.query(
    `INSERT INTO merchants (id, business_name, created_at)
     SELECT ${idSql("mer", "m")}, 'Bench merchant ' || m, $1::timestamptz
       FROM generate_series(1, $2::int) AS m`,
    [new Date(options.end.getTime() - (historyDays + 1) * 86_400_000), options.merchants - 1],
  );
}

async function insertPayers(client: pg.ClientBase, payers: number, end: Date): Promise<void> {
  await client.query(
    `INSERT INTO wallet_users (id, livemode, email, password_hash, locale, tier, created_at, updated_at)
     SELECT ${idSql("wal", "p")}, false, 'payer' || p || '@bench.example', 'bench (no password)', 'en', 1,
            $1::timestamptz, $1::timestamptz
       FROM generate_series(1, $2::int) AS p`,
    [new Date(end.getTime() - (historyDays + 1) * 86_400_000), payers],
  );
}

/**
 * Payments number `first`..`last` of the run (a global sequence, so ids never repeat). `merchantSql` names the
 * merchant of payment n; `timeSql` its created_at as a fraction 0..1 of the year.
 */
async function insertPayments(
  client: pg.ClientBase,
  range: { first: number; last: number },
  merchantSql: string,
  options: { end: Date; payers: number },
): Promise<void> {
  await client.query(
    `INSERT INTO payments (id, merchant_id, livemode, status, method, capture_method, amount, currency, qr_token,
                           payer_id, amount_captured, amount_refunded, fee_percent_bps, fee_fixed, fee_amount,
                           fee_refunded, expires_at, due_at, failure_code, failure_message, created_at, updated_at,
                           paid_at, opened_at)
     SELECT ${idSql("pay", "n")}, ${merchantSql}, false, g.status, g.method, 'automatic', g.amount, '${benchCurrency}',
            CASE WHEN g.method = 'payment_code' THEN NULL ELSE lpad(n::text, 22, '0') END,
            CASE WHEN g.status = 'succeeded' OR g.r3 < 0.5 THEN ${idSql("wal", "1 + floor($4::int * g.r2 * g.r2)::int")} END,
            CASE WHEN g.status = 'succeeded' THEN g.amount ELSE 0 END,
            CASE WHEN g.status = 'succeeded' AND g.r3 < 0.05 THEN
                 CASE WHEN g.r3 < 0.025 THEN g.amount ELSE g.amount / 2 END ELSE 0 END,
            ${feePercentBps}, ${feeFixedMinor}, g.fee,
            CASE WHEN g.status = 'succeeded' AND g.r3 < 0.025 THEN g.fee ELSE 0 END,
            g.created + interval '15 minutes', NULL,
            CASE g.status WHEN 'failed' THEN (ARRAY['insufficient_funds','payer_declined','limit_exceeded',
                                                   'risk_declined'])[1 + floor(g.r3 * 4)::int]
                          WHEN 'expired' THEN 'expired' END,
            CASE WHEN g.status IN ('failed', 'expired') THEN 'Generated by the benchmark.' END,
            g.created, g.created + g.wait, CASE WHEN g.status = 'succeeded' THEN g.created + g.wait END,
            CASE WHEN g.method <> 'payment_code' AND (g.status = 'succeeded' OR g.r2 < 0.5)
                 THEN g.created + g.wait / 2 END
       FROM generate_series($1::bigint, $2::bigint) AS n
      CROSS JOIN LATERAL (
        SELECT s.*, CASE WHEN s.status = 'succeeded' THEN LEAST(s.amount, s.amount * ${feePercentBps} / 10000
                         + ${feeFixedMinor}) ELSE 0 END AS fee
          FROM (SELECT CASE WHEN r1 < 0.80 THEN 'succeeded' WHEN r1 < 0.88 THEN 'failed'
                            WHEN r1 < 0.95 THEN 'expired' ELSE 'canceled' END AS status,
                       CASE WHEN r4 < 0.5 THEN 'qr' WHEN r4 < 0.8 THEN 'payment_code' ELSE 'checkout' END AS method,
                       (100 + floor(r5 * 99900))::numeric AS amount,
                       -- Whole milliseconds, as the worker's clock (a JavaScript Date) sees them.
                       date_trunc('milliseconds', $3::timestamptz - ${historyDays} * interval '1 day' * r6
                         - interval '1 hour') AS created,
                       -- Half seconds: no time to pay falls on a bound of the rollups' histogram.
                       interval '1 second' * (5.5 + floor(r5 * r5 * 600)) AS wait,
                       r2, r3
                  FROM (SELECT random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                               random() AS r5, random() AS r6, n AS correlated) AS r) AS s) AS g`,
    [range.first, range.last, options.end, options.payers],
  );
}

/** One refund row per refunded payment, a day after it was paid (or just before the history ends, if sooner). */
async function insertRefunds(client: pg.ClientBase, end: Date): Promise<number> {
  const result = await client.query(
    `INSERT INTO refunds (id, payment_id, merchant_id, livemode, amount, currency, fee_returned, status, reason,
                          created_at, updated_at)
     SELECT ${idSql("re", "substr(p.id, 10)::bigint")}, p.id, p.merchant_id, p.livemode, p.amount_refunded, p.currency,
            p.fee_refunded, 'succeeded', 'requested_by_customer',
            LEAST(p.paid_at + interval '1 day', $1::timestamptz - interval '1 minute'),
            LEAST(p.paid_at + interval '1 day', $1::timestamptz - interval '1 minute')
       FROM payments p
      WHERE p.amount_refunded > 0 AND p.id LIKE 'pay\\_${idMarker}%'`,
    [end],
  );
  return result.rowCount ?? 0;
}

/** Loads the whole history; answers what it made. The caller's connection must be free of a transaction. */
export async function loadDataset(client: pg.ClientBase, options: DatasetOptions): Promise<Dataset> {
  const timings: Record<string, number> = {};
  const payers = Math.max(100, Math.ceil(options.payments / paymentsPerPayer));
  const others = options.merchants - 1;
  const big = others === 0 ? options.payments : Math.round(options.payments * bigMerchantShare);
  const perOther = others === 0 ? 0 : Math.floor((options.payments - big) / others);
  const total = big + perOther * others;
  await client.query("SET session_replication_role = replica");
  // The data is generated, not precious: a lost commit on a crash would only mean loading again.
  await client.query("SET synchronous_commit = off");
  const indexes = await timed(timings, "drop_indexes", async () => [
    ...(await dropSecondaryIndexes(client, "payments")),
    ...(await dropSecondaryIndexes(client, "refunds")),
  ]);
  await timed(timings, "merchants_and_payers", async () => {
    await insertMerchants(client, options);
    await insertPayers(client, payers, options.end);
  });
  await timed(timings, "payments", async () => {
    await client.query("SELECT setseed(0.17)");
    const big0 = 1;
    for (let first = big0; first <= big; first += rowsPerStatement) {
      const last = Math.min(big, first + rowsPerStatement - 1);
      await insertPayments(client, { first, last }, `'${options.bigMerchantId}'`, { end: options.end, payers });
      options.log(`data: ${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} payments`);
    }
    // The other merchants' payments: payment n belongs to merchant (n − big − 1) % others + 1.
    for (let first = big + 1; first <= total; first += rowsPerStatement) {
      const last = Math.min(total, first + rowsPerStatement - 1);
      await insertPayments(client, { first, last }, idSql("mer", `1 + (n - ${big + 1}) % ${others}`), {
        end: options.end,
        payers,
      });
      options.log(`data: ${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} payments`);
    }
  });
  const refunds = await timed(timings, "refunds", () => insertRefunds(client, options.end));
  await timed(timings, "build_indexes", async () => {
    for (const definition of indexes) await client.query(definition);
  });
  await client.query("RESET session_replication_role");
  await client.query("RESET synchronous_commit");
  return { payments: total, bigMerchantPayments: big, merchants: options.merchants, payers, refunds, timings };
}
