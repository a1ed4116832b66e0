import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import {
  analyticsBucketMs,
  analyticsDefaultRangeMs,
  analyticsFailuresMax,
  analyticsMethodOwnPaymentsMin,
  analyticsRangeMaxMs,
  analyticsRebuildLockKey,
  analyticsTimeseriesPointsMax,
  returningCustomerWindowMs,
} from "../limits.js";
import { defaultFeeSchedule } from "../payments/fee-schedules.js";
import { paymentMethods } from "../payments/model.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { Figures } from "./contributions.js";
import { recomputeMerchantDays } from "./daily.js";
import { analyticsError } from "./errors.js";
import { timeZoneLockKey } from "./fold.js";
import { timeToPayQuantileMs } from "./histogram.js";
import { methodFacts } from "./methods.js";
import {
  type AnalyticsInterval,
  type AnalyticsMetric,
  type AnalyticsRange,
  averageTicket,
  conversionRate,
  finished,
  netFees,
  netVolume,
  refundRate,
  returningRate,
  successRate,
} from "./model.js";
import {
  bucketFigures,
  busiestCurrency,
  failureCounts,
  merchantMethodFigures,
  platformMethodFigures,
  summaryFigures,
} from "./queries.js";
import { createTimeZones } from "./time-zones.js";

export interface AnalyticsDeps {
  pool: Pool;
  testClocks: TestClocks;
  /** Currencies wallets hold (the wallet tiers' currencies): what payers can pay in. */
  walletCurrencies: () => readonly string[];
  /** The currency shown when a merchant has no payments in the range. */
  defaultCurrency: string;
}

export interface AnalyticsQuery {
  from?: number;
  to?: number;
  time_zone?: string;
  currency?: string;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const floorTo = (ms: number) => Math.floor(ms / analyticsBucketMs) * analyticsBucketMs;
const ceilTo = (ms: number) => Math.ceil(ms / analyticsBucketMs) * analyticsBucketMs;

export function createAnalyticsService(deps: AnalyticsDeps) {
  const { pool } = deps;
  const timeZones = createTimeZones(pool);

  async function merchantTimeZone(merchantId: string): Promise<string> {
    const found = await pool.query<{ time_zone: string }>("SELECT time_zone FROM merchants WHERE id = $1", [
      merchantId,
    ]);
    return found.rows[0]?.time_zone ?? "UTC";
  }

  /**
   * Defaults and checks: `to` defaults to now (the merchant's test clock in test mode), `from` to 30 days before;
   * both widen to whole 15-minute buckets (from down, to up), the edges the rollups keep.
   */
  async function rangeOf(scope: { merchantId: string; livemode: boolean }, q: AnalyticsQuery): Promise<AnalyticsRange> {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
      throw analyticsError("analytics_range_invalid", undefined, "from");
    }
    const timeZone = q.time_zone ?? (await merchantTimeZone(scope.merchantId));
    if (q.time_zone !== undefined && !(await timeZones.has(q.time_zone))) {
      throw analyticsError("time_zone_invalid", undefined, "time_zone");
    }
    const now = (await deps.testClocks.now(scope.merchantId, scope.livemode)).getTime();
    const toMs =
      q.to !== undefined ? q.to * 1000 : q.from !== undefined ? q.from * 1000 + analyticsDefaultRangeMs : now;
    const fromMs = q.from !== undefined ? q.from * 1000 : toMs - analyticsDefaultRangeMs;
    if (fromMs >= toMs) throw analyticsError("analytics_range_invalid", undefined, "from");
    const from = new Date(floorTo(fromMs));
    const to = new Date(ceilTo(toMs));
    if (to.getTime() - from.getTime() > analyticsRangeMaxMs) {
      throw analyticsError(
        "analytics_range_too_long",
        `A range may be at most ${analyticsRangeMaxMs / 86_400_000} days long.`,
        "from",
      );
    }
    const currency = q.currency ?? (await busiestCurrency(pool, { ...scope, from, to })) ?? deps.defaultCurrency;
    return { ...scope, from, to, timeZone, currency };
  }

  function figuresJson(f: Figures) {
    return {
      gross_volume: String(f.gross_amount),
      net_volume: String(netVolume(f)),
      fees: String(netFees(f)),
      refunded_amount: String(f.refunded_amount),
      payments: {
        created: Number(f.created),
        opened: Number(f.opened),
        succeeded: Number(f.succeeded),
        failed: Number(f.failed),
        canceled: Number(f.canceled),
        expired: Number(f.expired),
      },
      success_rate: successRate(f),
      conversion_rate: conversionRate(f),
      time_to_pay: { median_ms: timeToPayQuantileMs(f.histogram, 0.5), p90_ms: timeToPayQuantileMs(f.histogram, 0.9) },
      refunds: { count: Number(f.refunds), amount: String(f.refunded_amount) },
      refund_rate: refundRate(f),
      average_ticket: nullableString(averageTicket(f)),
      customers: customersJson(f),
    };
  }

  function customersJson(f: Figures) {
    return {
      new: Number(f.new_payers),
      returning_payments: Number(f.returning_payments),
      identified_payments: Number(f.identified_payments),
      returning_rate: returningRate(f),
    };
  }

  function header(r: AnalyticsRange) {
    return {
      livemode: r.livemode,
      from: seconds(r.from),
      to: seconds(r.to),
      time_zone: r.timeZone,
      currency: r.currency,
    };
  }

  async function summary(scope: { merchantId: string; livemode: boolean }, q: AnalyticsQuery) {
    const r = await rangeOf(scope, q);
    const { current, previous } = await summaryFigures(pool, r);
    const length = r.to.getTime() - r.from.getTime();
    return {
      object: "analytics_summary" as const,
      ...header(r),
      ...figuresJson(current),
      previous: {
        from: seconds(new Date(r.from.getTime() - length)),
        to: seconds(r.from),
        ...figuresJson(previous),
      },
    };
  }

  async function timeseries(
    scope: { merchantId: string; livemode: boolean },
    q: AnalyticsQuery & { metric: AnalyticsMetric; interval: AnalyticsInterval },
  ) {
    const r = await rangeOf(scope, q);
    const approxPoints = (r.to.getTime() - r.from.getTime()) / intervalApproxMs[q.interval];
    if (approxPoints > analyticsTimeseriesPointsMax) {
      throw analyticsError(
        "analytics_range_too_long",
        `A timeseries has at most ${analyticsTimeseriesPointsMax} points: ask for a shorter range or a longer interval.`,
        "interval",
      );
    }
    const buckets = await bucketFigures(pool, r, q.interval);
    return {
      object: "analytics_timeseries" as const,
      metric: q.metric,
      interval: q.interval,
      ...header(r),
      data: buckets.map((b) => ({
        start: seconds(b.start),
        end: seconds(b.end),
        value: metricValue(q.metric, b.figures),
      })),
    };
  }

  async function failures(scope: { merchantId: string; livemode: boolean }, q: AnalyticsQuery) {
    const r = await rangeOf(scope, q);
    const { rows, total } = await failureCounts(pool, r, analyticsFailuresMax);
    return {
      object: "analytics_failures" as const,
      ...header(r),
      total: Number(total),
      data: rows.map((row) => ({
        failure_code: row.failure_code,
        method: row.method,
        count: Number(row.count),
        share: Number(row.count) / Number(total),
      })),
    };
  }

  async function customers(scope: { merchantId: string; livemode: boolean }, q: AnalyticsQuery) {
    const r = await rangeOf(scope, q);
    const { current } = await summaryFigures(pool, r);
    return {
      object: "analytics_customers" as const,
      ...header(r),
      ...customersJson(current),
      returning_window_days: returningCustomerWindowMs / 86_400_000,
    };
  }

  async function methods(scope: { merchantId: string; livemode: boolean }, q: AnalyticsQuery) {
    const r = await rangeOf(scope, q);
    const [own, platform, schedules, payoutSchedule] = await Promise.all([
      merchantMethodFigures(pool, r),
      platformMethodFigures(pool, r),
      pool.query<{ currency: string; percent_bps: number; fixed: string }>(
        "SELECT currency, percent_bps, fixed::text FROM merchant_fee_schedules WHERE merchant_id = $1 AND currency IN ($2, '*')",
        [r.merchantId, r.currency],
      ),
      pool.query<{ schedule: string }>(
        "SELECT schedule FROM payout_schedules WHERE merchant_id = $1 AND livemode = $2",
        [r.merchantId, r.livemode],
      ),
    ]);
    const feeRow =
      schedules.rows.find((s) => s.currency === r.currency) ?? schedules.rows.find((s) => s.currency === "*");
    const fee = feeRow
      ? { percent_bps: feeRow.percent_bps, fixed: feeRow.currency === "*" ? "0" : feeRow.fixed }
      : { percent_bps: defaultFeeSchedule.percentBps, fixed: String(defaultFeeSchedule.fixed) };
    const payouts = payoutSchedule.rows[0]?.schedule === "daily" ? "daily" : "manual";
    return {
      object: "analytics_methods" as const,
      ...header(r),
      data: paymentMethods.map((method) => {
        const mine = own.get(method);
        const useOwn = mine !== undefined && finished(mine) >= BigInt(analyticsMethodOwnPaymentsMin);
        const f = (useOwn ? mine : platform.get(method)) ?? undefined;
        const facts = methodFacts(method, payouts);
        return {
          method,
          source: useOwn ? ("merchant" as const) : ("platform" as const),
          fee_schedule: { ...fee, currency: r.currency },
          success_rate: f ? successRate(f) : null,
          median_time_to_pay_ms: f ? timeToPayQuantileMs(f.histogram, 0.5) : null,
          refund_rate: f ? refundRate(f) : null,
          payments: f ? Number(finished(f)) : 0,
          currencies: [...deps.walletCurrencies()].sort(),
          who_can_pay: facts.whoCanPay,
          settlement: facts.settlement,
        };
      }),
    };
  }

  /** `now`: the clock of the caller's mode (the merchant's test clock in test mode), where "today" starts. */
  async function settings(merchantId: string, livemode: boolean) {
    const [timeZone, now] = await Promise.all([
      merchantTimeZone(merchantId),
      deps.testClocks.now(merchantId, livemode),
    ]);
    return { object: "merchant_settings" as const, time_zone: timeZone, now: seconds(now) };
  }

  async function setTimeZone(merchantId: string, livemode: boolean, timeZone: string) {
    if (!(await timeZones.has(timeZone))) throw analyticsError("time_zone_invalid", undefined, "time_zone");
    // The daily rollups are days of this zone: recomputed from the 15-minute rows in the same transaction, while
    // folds of this merchant wait (they share the lock), so figures stay exact through the change.
    await withTransaction(pool, async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock_shared($1)", [analyticsRebuildLockKey]);
      await tx.query(`SELECT pg_advisory_xact_lock(${timeZoneLockKey("$1::text")})`, [merchantId]);
      const changed = await tx.query("UPDATE merchants SET time_zone = $2 WHERE id = $1 AND time_zone <> $2", [
        merchantId,
        timeZone,
      ]);
      if (changed.rowCount) await recomputeMerchantDays(tx, "m.id = $1", [merchantId]);
    });
    return settings(merchantId, livemode);
  }

  return { summary, timeseries, failures, customers, methods, settings, setTimeZone };
}

/** Approximate length of an interval, to refuse a series that would be too long before it is computed. */
const intervalApproxMs: Record<AnalyticsInterval, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 28 * 86_400_000,
};

function nullableString(value: bigint | null): string | null {
  return value === null ? null : String(value);
}

/** One figure of a bucket: amounts as strings of minor units, counts as numbers, rates as numbers or null. */
export function metricValue(metric: AnalyticsMetric, f: Figures): string | number | null {
  switch (metric) {
    case "gross_volume":
      return String(f.gross_amount);
    case "net_volume":
      return String(netVolume(f));
    case "payments_succeeded":
      return Number(f.succeeded);
    case "payments_created":
      return Number(f.created);
    case "success_rate":
      return successRate(f);
    case "refunded_amount":
      return String(f.refunded_amount);
    case "average_ticket":
      return nullableString(averageTicket(f));
    case "new_customers":
      return Number(f.new_payers);
  }
}
