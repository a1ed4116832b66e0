/**
 * A merchant's processing fee: a percentage in basis points plus a fixed amount, in the payment's minor unit.
 * Rounded half up to the minor unit, never more than the amount itself, never negative. Integer arithmetic only.
 */
export interface FeeSchedule {
  /** 1 bp = 0.01%: 60 = 0.6%. */
  percentBps: number;
  fixed: bigint;
}

export const basisPointsMax = 10_000;

export function feeFor(amount: bigint, schedule: FeeSchedule): bigint {
  if (amount <= 0n) throw new RangeError("fee of a non-positive amount");
  if (!Number.isInteger(schedule.percentBps) || schedule.percentBps < 0 || schedule.percentBps > basisPointsMax) {
    throw new RangeError(`percentBps must be 0..${basisPointsMax}`);
  }
  if (schedule.fixed < 0n) throw new RangeError("a fixed fee cannot be negative");
  const percent = (amount * BigInt(schedule.percentBps) + 5_000n) / 10_000n;
  const fee = percent + schedule.fixed;
  return fee > amount ? amount : fee;
}

/** The fee share of a partial refund: proportional, rounded down, so refunded fees never exceed the fee taken. */
export function feeRefundFor(
  refundAmount: bigint,
  capturedAmount: bigint,
  feeTaken: bigint,
  feeAlreadyReturned: bigint,
): bigint {
  if (capturedAmount <= 0n) return 0n;
  const share = (feeTaken * refundAmount) / capturedAmount;
  const left = feeTaken - feeAlreadyReturned;
  // biome-ignore lint/complexity/useMathMinMax: bigints; Math.min takes numbers only
  return share > left ? left : share;
}
