import { analyticsError } from "../analytics/errors.js";
import type { Clock } from "../clock.js";
import type { Queryable } from "../db/pool.js";
import { analyticsDefaultRangeMs, analyticsPlatformBucketMs, analyticsRangeMaxMs } from "../limits.js";

/**
 * The platform's figures for operators (docs/platform-analytics.md): volume per currency, payments and success
 * rate from the platform rollup (analytics_platform_hourly, whole UTC hours), active merchants from the merchants'
 * active days and rollups, and the KYB funnel from the applications' state changes. Never a scan of payments: the
 * cost follows the hours, days and active merchants of the range.
 */

export interface PlatformRangeQuery {
  livemode: boolean;
  from?: number;
  to?: number;
  currency?: string;
}

export interface PlatformRange {
  livemode: boolean;
  from: Date;
  to: Date;
  currency: string | null;
}

export interface CurrencyVolume {
  currency: string;
  grossVolume: bigint;
  fees: bigint;
  refundedAmount: bigint;
  netVolume: bigint;
  succeeded: bigint;
}

export interface PlatformSummary {
  range: PlatformRange;
  volume: CurrencyVolume[];
  payments: { created: bigint; succeeded: bigint; failed: bigint; canceled: bigint; expired: bigint };
  successRate: number | null;
  activeMerchants: number;
  kyb: { submitted: number; approved: number; rejected: number; pending: number; actionRequired: number };
}

const dayMs = 86_400_000;
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/**
 * `to` defaults to now and `from` to 30 days before it; both widen to whole UTC hours (from down, to up), the
 * platform rollup's buckets. Bad ranges answer the merchant API's analytics error codes.
 */
export function platformRangeOf(q: PlatformRangeQuery, now: Date): PlatformRange {
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
    throw analyticsError("analytics_range_invalid", undefined, "from");
  }
  const toMs =
    q.to !== undefined ? q.to * 1000 : q.from !== undefined ? q.from * 1000 + analyticsDefaultRangeMs : now.getTime();
  const fromMs = q.from !== undefined ? q.from * 1000 : toMs - analyticsDefaultRangeMs;
  if (fromMs >= toMs) throw analyticsError("analytics_range_invalid", undefined, "from");
  const from = floorTo(fromMs, analyticsPlatformBucketMs);
  const to = ceilTo(toMs, analyticsPlatformBucketMs);
  if (to - from > analyticsRangeMaxMs) {
    throw analyticsError(
      "analytics_range_too_long",
      `A range may be at most ${analyticsRangeMaxMs / dayMs} days long.`,
      "from",
    );
  }
  return { livemode: q.livemode, from: new Date(from), to: new Date(to), currency: q.currency ?? null };
}

interface VolumeRow {
  currency: string;
  created: string;
  succeeded: string;
  gross_amount: string;
  fees_charged: string;
  failed: string;
  canceled: string;
  expired: string;
  refunded_amount: string;
  fees_returned: string;
}

async function volumeRows(db: Queryable, r: PlatformRange): Promise<VolumeRow[]> {
  const found = await db.query<VolumeRow>(
    `SELECT currency, sum(created)::text AS created, sum(succeeded)::text AS succeeded,
            sum(gross_amount)::text AS gross_amount, sum(fees_charged)::text AS fees_charged,
            sum(failed)::text AS failed, sum(canceled)::text AS canceled, sum(expired)::text AS expired,
            sum(refunded_amount)::text AS refunded_amount, sum(fees_returned)::text AS fees_returned
       FROM analytics_platform_hourly
      WHERE bucket_start >= $1 AND bucket_start < $2 AND livemode = $3 AND ($4::text IS NULL OR currency = $4)
      GROUP BY currency
      ORDER BY sum(gross_amount) DESC, currency`,
    [r.from, r.to, r.livemode, r.currency],
  );
  return found.rows;
}

/**
 * Merchants with a succeeded payment in [from, to): the UTC days wholly inside the range answer from
 * analytics_merchant_days; a merchant seen only on the range's partial first or last day is confirmed in its own
 * 15-minute rollups. The work follows the merchants active around the range, not their payments.
 */
async function activeMerchants(db: Queryable, r: PlatformRange): Promise<number> {
  const fromMs = r.from.getTime();
  const toMs = r.to.getTime();
  const found = await db.query<{ active: string }>(
    `WITH seen AS (
       SELECT merchant_id, bool_or(day >= $3::date AND day < $4::date) AS whole_day
         FROM analytics_merchant_days
        WHERE livemode = $5 AND day >= $1::date AND day <= $2::date AND succeeded > 0
        GROUP BY merchant_id
     )
     SELECT count(*)::text AS active
       FROM seen s
      WHERE s.whole_day
         OR EXISTS (SELECT 1 FROM analytics_rollups r
                     WHERE r.merchant_id = s.merchant_id AND r.livemode = $5
                       AND r.bucket_start >= $6 AND r.bucket_start < $7 AND r.succeeded > 0)`,
    [
      utcDay(fromMs),
      utcDay(toMs - 1),
      utcDay(ceilTo(fromMs, dayMs)),
      utcDay(floorTo(toMs, dayMs)),
      r.livemode,
      r.from,
      r.to,
    ],
  );
  return Number(found.rows[0]?.active ?? 0);
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * KYB applications (one per merchant, live mode only) by what happened to them in the range: submitted (first
 * time or again after action_required), approved and rejected there; pending: waiting for an operator (submitted or
 * in_review) at the end of the range; action_required: waiting for the merchant then.
 */
async function kybFunnel(db: Queryable, r: PlatformRange): Promise<PlatformSummary["kyb"]> {
  const found = await db.query<Record<"submitted" | "approved" | "rejected" | "pending" | "action_required", string>>(
    `WITH moved AS (
       SELECT to_state, count(DISTINCT application_id) AS applications
         FROM kyb_state_changes
        WHERE created_at >= $1 AND created_at < $2 AND to_state IN ('submitted', 'approved', 'rejected')
        GROUP BY to_state
     ), at_end AS (
       SELECT DISTINCT ON (application_id) to_state
         FROM kyb_state_changes WHERE created_at < $2
        ORDER BY application_id, seq DESC
     )
     SELECT coalesce((SELECT applications FROM moved WHERE to_state = 'submitted'), 0)::text AS submitted,
            coalesce((SELECT applications FROM moved WHERE to_state = 'approved'), 0)::text AS approved,
            coalesce((SELECT applications FROM moved WHERE to_state = 'rejected'), 0)::text AS rejected,
            (SELECT count(*) FROM at_end WHERE to_state IN ('submitted', 'in_review'))::text AS pending,
            (SELECT count(*) FROM at_end WHERE to_state = 'action_required')::text AS action_required`,
    [r.from, r.to],
  );
  const row = found.rows[0]!;
  return {
    submitted: Number(row.submitted),
    approved: Number(row.approved),
    rejected: Number(row.rejected),
    pending: Number(row.pending),
    actionRequired: Number(row.action_required),
  };
}

export type PlatformAnalytics = ReturnType<typeof createPlatformAnalytics>;

export function createPlatformAnalytics(deps: { pool: Queryable; clock: Clock }) {
  async function summary(q: PlatformRangeQuery): Promise<PlatformSummary> {
    const range = platformRangeOf(q, deps.clock.now());
    // Three reads one after another, each on its own short checkout: nothing is held across them.
    const rows = await volumeRows(deps.pool, range);
    const active = await activeMerchants(deps.pool, range);
    const kyb = await kybFunnel(deps.pool, range);
    const total = (key: keyof VolumeRow) => rows.reduce((sum, row) => sum + BigInt(row[key]), 0n);
    const payments = {
      created: total("created"),
      succeeded: total("succeeded"),
      failed: total("failed"),
      canceled: total("canceled"),
      expired: total("expired"),
    };
    const finished = payments.succeeded + payments.failed + payments.canceled + payments.expired;
    return {
      range,
      volume: rows.map((row) => {
        const fees = BigInt(row.fees_charged) - BigInt(row.fees_returned);
        const gross = BigInt(row.gross_amount);
        const refunded = BigInt(row.refunded_amount);
        return {
          currency: row.currency,
          grossVolume: gross,
          fees,
          refundedAmount: refunded,
          netVolume: gross - refunded - fees,
          succeeded: BigInt(row.succeeded),
        };
      }),
      payments,
      successRate: finished > 0n ? Number(payments.succeeded) / Number(finished) : null,
      activeMerchants: active,
      kyb,
    };
  }

  return { summary };
}
