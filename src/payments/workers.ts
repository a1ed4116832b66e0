import type { Logger } from "pino";
import {
  paymentExpiryBatchMax,
  paymentExpiryIntervalMs,
  payoutBatchMax,
  payoutPollIntervalMs,
  payoutScheduleIntervalMs,
} from "../limits.js";
import type { Worker } from "../worker.js";
import type { PaymentServices } from "./service.js";

/**
 * The background loops of payments (listed in src/runtime/workers.ts). Each pass is safe in several processes:
 * rows are claimed with FOR UPDATE SKIP LOCKED and a lease, and every change is conditional on the row's status.
 */

/** Expires unpaid payments, cancels payment codes nobody confirmed, releases uncaptured holds. */
export function paymentExpiryWorker(deps: { payments: PaymentServices; log: Logger }): Worker {
  return {
    name: "payment-expiry",
    intervalMs: paymentExpiryIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const handled = await deps.payments.expireDue(paymentExpiryBatchMax);
        if (handled > 0) deps.log.debug({ handled }, "due payments handled");
        if (handled < paymentExpiryBatchMax) return;
      }
    },
  };
}

/** Submits payouts to the bank and asks the bank about submitted ones when they are due. */
export function payoutSettlementWorker(deps: { payments: PaymentServices; log: Logger }): Worker {
  return {
    name: "payout-settlement",
    intervalMs: payoutPollIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const handled = await deps.payments.payouts.runDue(payoutBatchMax);
        if (handled > 0) deps.log.debug({ handled }, "payouts handled");
        if (handled < payoutBatchMax) return;
      }
    },
  };
}

/** Makes the daily payouts of merchants on the daily schedule. */
export function payoutScheduleWorker(deps: { payments: PaymentServices; log: Logger }): Worker {
  return {
    name: "payout-schedule",
    intervalMs: payoutScheduleIntervalMs,
    async run() {
      const made = await deps.payments.payouts.runSchedule();
      if (made > 0) deps.log.info({ made }, "scheduled payouts made");
    },
  };
}
