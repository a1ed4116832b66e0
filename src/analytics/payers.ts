import type { Queryable } from "../db/pool.js";
import { analyticsBucketMs, returningCustomerWindowMs } from "../limits.js";
import type { Deltas, PayerSuccess } from "./contributions.js";

/**
 * New versus returning payers, exact whatever order batches are folded in. Every success with a payer has a row in
 * analytics_payer_payments (weight = the signs folded for it; it counts while weight > 0) that remembers what the
 * rollups count for it. After a batch changes some payers' successes, each such payer is locked (its
 * analytics_payers row, in key order) and the flags of its successes from the earliest changed one on are
 * recomputed from the successes as they now are; the differences go to the rollups with the batch's own deltas.
 * A success found late, earlier than what was counted as the payer's first, thereby moves "new" to it.
 *
 * - new: the payer's first success at this merchant and mode (ties broken by payment id);
 * - returning: the previous success (same order) was at most returningCustomerWindowMs before;
 * - identified: a success with a payer (every success, as coffer requires a payer to pay).
 */
export async function foldPayerSuccesses(tx: Queryable, successes: readonly PayerSuccess[], deltas: Deltas) {
  if (successes.length === 0) return;
  const merged = mergeSuccesses(successes);
  const payers = new Map<string, { merchantId: string; livemode: boolean; payerId: string; lo: Date }>();
  for (const s of merged) {
    const id = payerKey(s.merchantId, s.livemode, s.payerId);
    const known = payers.get(id);
    if (!known) payers.set(id, { merchantId: s.merchantId, livemode: s.livemode, payerId: s.payerId, lo: s.paidAt });
    else if (s.paidAt < known.lo) known.lo = s.paidAt;
  }
  const sortedPayers = [...payers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);

  // Lock the payers in key order: two workers never recompute one payer at once, and never deadlock.
  await tx.query(
    `INSERT INTO analytics_payers (merchant_id, livemode, payer_id)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[])
     ON CONFLICT (merchant_id, livemode, payer_id) DO UPDATE SET payer_id = EXCLUDED.payer_id`,
    [sortedPayers.map((p) => p.merchantId), sortedPayers.map((p) => p.livemode), sortedPayers.map((p) => p.payerId)],
  );

  await tx.query(
    `INSERT INTO analytics_payer_payments (payment_id, paid_at, payer_id, merchant_id, livemode, currency, method, weight)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[],
                          $8::integer[])
     ON CONFLICT (payment_id, paid_at, payer_id)
     DO UPDATE SET weight = analytics_payer_payments.weight + EXCLUDED.weight`,
    [
      merged.map((s) => s.paymentId),
      merged.map((s) => s.paidAt),
      merged.map((s) => s.payerId),
      merged.map((s) => s.merchantId),
      merged.map((s) => s.livemode),
      merged.map((s) => s.currency),
      merged.map((s) => s.method),
      merged.map((s) => s.sign),
    ],
  );

  const changed = await tx.query<{
    merchant_id: string;
    livemode: boolean;
    currency: string;
    method: string;
    paid_at: Date;
    d_new: number;
    d_returning: number;
    d_identified: number;
  }>(
    `WITH changed AS (
       SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::timestamptz[]) AS c(merchant_id, livemode, payer_id, lo)
     ), candidates AS (
       SELECT pp.*, c.lo,
              EXISTS (SELECT 1 FROM analytics_payer_payments e
                       WHERE e.merchant_id = c.merchant_id AND e.livemode = c.livemode AND e.payer_id = c.payer_id
                         AND e.paid_at < c.lo - $5 * interval '1 millisecond' AND e.weight > 0) AS has_earlier
         FROM changed c
         JOIN analytics_payer_payments pp
           ON pp.merchant_id = c.merchant_id AND pp.livemode = c.livemode AND pp.payer_id = c.payer_id
          AND pp.paid_at >= c.lo - $5 * interval '1 millisecond'
     ), counting AS (
       SELECT payment_id, paid_at, payer_id,
              row_number() OVER w AS position, lag(paid_at) OVER w AS previous_at
         FROM candidates WHERE weight > 0
       WINDOW w AS (PARTITION BY merchant_id, livemode, payer_id ORDER BY paid_at, payment_id)
     ), wanted AS (
       SELECT c.payment_id, c.paid_at, c.payer_id, c.counted_new, c.counted_returning, c.counted_identified,
              coalesce(k.position = 1 AND NOT c.has_earlier, false) AS is_new,
              coalesce(k.previous_at >= k.paid_at - $5 * interval '1 millisecond', false) AS is_returning,
              k.payment_id IS NOT NULL AS is_identified
         FROM candidates c
         LEFT JOIN counting k USING (payment_id, paid_at, payer_id)
        WHERE c.paid_at >= c.lo
     )
     UPDATE analytics_payer_payments pp
        SET counted_new = w.is_new, counted_returning = w.is_returning, counted_identified = w.is_identified
       FROM wanted w
      WHERE pp.payment_id = w.payment_id AND pp.paid_at = w.paid_at AND pp.payer_id = w.payer_id
        AND (w.counted_new, w.counted_returning, w.counted_identified)
            IS DISTINCT FROM (w.is_new, w.is_returning, w.is_identified)
      RETURNING pp.merchant_id, pp.livemode, pp.currency, pp.method, pp.paid_at,
                w.is_new::int - w.counted_new::int AS d_new,
                w.is_returning::int - w.counted_returning::int AS d_returning,
                w.is_identified::int - w.counted_identified::int AS d_identified`,
    [
      sortedPayers.map((p) => p.merchantId),
      sortedPayers.map((p) => p.livemode),
      sortedPayers.map((p) => p.payerId),
      sortedPayers.map((p) => p.lo),
      returningCustomerWindowMs,
    ],
  );
  for (const row of changed.rows) {
    const figures = deltas.merchantFigures({
      merchantId: row.merchant_id,
      livemode: row.livemode,
      bucketStart: new Date(Math.floor(row.paid_at.getTime() / analyticsBucketMs) * analyticsBucketMs),
      currency: row.currency,
      method: row.method,
    });
    figures.new_payers += BigInt(row.d_new);
    figures.returning_payments += BigInt(row.d_returning);
    figures.identified_payments += BigInt(row.d_identified);
  }

  // Forget successes that no longer count and carry nothing in the rollups; note each payer's first and last.
  await tx.query(
    `WITH changed AS (SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[]) AS c(merchant_id, livemode, payer_id)),
     gone AS (
       DELETE FROM analytics_payer_payments pp USING changed c
        WHERE pp.merchant_id = c.merchant_id AND pp.livemode = c.livemode AND pp.payer_id = c.payer_id
          AND pp.weight = 0 AND NOT (pp.counted_new OR pp.counted_returning OR pp.counted_identified)
     )
     UPDATE analytics_payers ap
        SET first_paid_at = s.first_at, last_paid_at = s.last_at
       FROM (SELECT c.merchant_id, c.livemode, c.payer_id,
                    (SELECT min(paid_at) FROM analytics_payer_payments e
                      WHERE e.merchant_id = c.merchant_id AND e.livemode = c.livemode AND e.payer_id = c.payer_id
                        AND e.weight > 0) AS first_at,
                    (SELECT max(paid_at) FROM analytics_payer_payments e
                      WHERE e.merchant_id = c.merchant_id AND e.livemode = c.livemode AND e.payer_id = c.payer_id
                        AND e.weight > 0) AS last_at
               FROM changed c) s
      WHERE ap.merchant_id = s.merchant_id AND ap.livemode = s.livemode AND ap.payer_id = s.payer_id`,
    [sortedPayers.map((p) => p.merchantId), sortedPayers.map((p) => p.livemode), sortedPayers.map((p) => p.payerId)],
  );
}

function payerKey(merchantId: string, livemode: boolean, payerId: string): string {
  return `${merchantId}\u0000${livemode}\u0000${payerId}`;
}

/** One entry per success row (signs summed), sorted by its key so concurrent upserts lock in one order. */
function mergeSuccesses(successes: readonly PayerSuccess[]): PayerSuccess[] {
  const byKey = new Map<string, PayerSuccess>();
  for (const s of successes) {
    const id = `${s.paymentId}\u0000${s.paidAt.toISOString()}\u0000${s.payerId}`;
    const known = byKey.get(id);
    if (known) known.sign += s.sign;
    else byKey.set(id, { ...s });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
