import type { Queryable } from "../db/pool.js";
import { feeScheduleCacheEntriesMax, feeScheduleCacheMs, paymentFeePercentBpsDefault } from "../limits.js";
import { basisPointsMax, type FeeSchedule } from "./fees.js";

/**
 * Which fee a merchant pays: its row for the payment's currency (percentage and fixed part), else its '*' row
 * (a percentage for every currency), else the platform default (paymentFeePercentBpsDefault, no fixed part).
 * A payment keeps the schedule it was created with, so a change applies to new payments only. Operators set
 * schedules (setFeeSchedule); there is no merchant route for it.
 */
export const defaultFeeSchedule: FeeSchedule = { percentBps: paymentFeePercentBpsDefault, fixed: 0n };

export async function feeScheduleFor(db: Queryable, merchantId: string, currency: string): Promise<FeeSchedule> {
  const found = await db.query<{ currency: string; percent_bps: number; fixed: bigint }>(
    "SELECT currency, percent_bps, fixed FROM merchant_fee_schedules WHERE merchant_id = $1 AND currency IN ($2, '*')",
    [merchantId, currency],
  );
  const row = found.rows.find((r) => r.currency === currency) ?? found.rows.find((r) => r.currency === "*");
  return row ? { percentBps: row.percent_bps, fixed: row.fixed } : defaultFeeSchedule;
}

/** Sets a merchant's schedule for one currency, or for every currency with "*" (a percentage only). */
export async function setFeeSchedule(
  db: Queryable,
  merchantId: string,
  currency: string,
  schedule: FeeSchedule,
  at: Date,
): Promise<void> {
  if (!Number.isInteger(schedule.percentBps) || schedule.percentBps < 0 || schedule.percentBps > basisPointsMax) {
    throw new RangeError(`percentBps must be 0..${basisPointsMax}`);
  }
  if (schedule.fixed < 0n || (currency === "*" && schedule.fixed !== 0n)) {
    throw new RangeError("a fixed fee is per currency and never negative");
  }
  await db.query(
    `INSERT INTO merchant_fee_schedules (merchant_id, currency, percent_bps, fixed, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (merchant_id, currency) DO UPDATE SET percent_bps = $3, fixed = $4, updated_at = $5`,
    [merchantId, currency, schedule.percentBps, String(schedule.fixed), at],
  );
}

export interface FeeScheduleCache {
  /** The schedule a new payment takes: at most feeScheduleCacheMs old (this process's own changes at once). */
  get(merchantId: string, currency: string): Promise<FeeSchedule>;
  set(db: Queryable, merchantId: string, currency: string, schedule: FeeSchedule, at: Date): Promise<void>;
}

/**
 * Fee schedules change rarely and apply to new payments only, so creating a payment reads them from memory: a
 * change made through another process reaches new payments within feeScheduleCacheMs.
 */
export function createFeeScheduleCache(db: Queryable, now: () => number = Date.now): FeeScheduleCache {
  const entries = new Map<string, { schedule: FeeSchedule; readAt: number }>();
  return {
    async get(merchantId, currency) {
      const key = `${merchantId}:${currency}`;
      const cached = entries.get(key);
      if (cached && now() - cached.readAt < feeScheduleCacheMs) return cached.schedule;
      const schedule = await feeScheduleFor(db, merchantId, currency);
      if (entries.size >= feeScheduleCacheEntriesMax) entries.clear();
      entries.set(key, { schedule, readAt: now() });
      return schedule;
    },
    async set(tx, merchantId, currency, schedule, at) {
      await setFeeSchedule(tx, merchantId, currency, schedule, at);
      for (const key of entries.keys()) if (key.startsWith(`${merchantId}:`)) entries.delete(key);
    },
  };
}
