import type { Queryable } from "../db/pool.js";
import { paymentFeePercentBpsDefault } from "../limits.js";
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
