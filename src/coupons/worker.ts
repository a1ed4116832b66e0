import type { Logger } from "pino";
import { cashbackBatchMax, cashbackIntervalMs, couponReleaseBatchMax, couponReleaseIntervalMs } from "../limits.js";
import type { Worker } from "../worker.js";
import type { CouponService } from "./service.js";

/** Gives back the counts of discounts whose payments ended unpaid (listed in src/runtime/workers.ts). */
export function couponReleaseWorker(deps: { coupons: CouponService; log: Logger }): Worker {
  return {
    name: "coupon-release",
    intervalMs: couponReleaseIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const released = await deps.coupons.releaseDue(couponReleaseBatchMax);
        if (released > 0) deps.log.debug({ released }, "discounts of unpaid payments released");
        if (released < couponReleaseBatchMax) return;
      }
    },
  };
}

/** Credits cashback on queued succeeded payments (listed in src/runtime/workers.ts). */
export function cashbackWorker(deps: { coupons: CouponService; log: Logger }): Worker {
  return {
    name: "cashback",
    intervalMs: cashbackIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const done = await deps.coupons.creditDue(cashbackBatchMax);
        if (done > 0) deps.log.debug({ done }, "cashback credited");
        if (done < cashbackBatchMax) return;
      }
    },
  };
}
