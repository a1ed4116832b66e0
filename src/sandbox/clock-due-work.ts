import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { DisputeService } from "../disputes/service.js";
import { testClockDueWorkRowsMax, webhookDispatchBatchMax } from "../limits.js";
import type { PaymentServices } from "../payments/service.js";
import type { StoredValueService } from "../stored-value/service.js";
import type { WebhookDeliveryWorker } from "../webhooks/delivery.js";
import { dispatchEvents } from "../webhooks/dispatcher.js";
import type { PaymentHelpers } from "./payment-helpers.js";

/** One kind of due work, restricted to one merchant's test mode: handles up to limit rows, says how many. */
export type MerchantDueStep = (merchantId: string, limit: number) => Promise<number>;

/** The services whose due work advance_time runs; shaped like the platform's services, so app.ts passes those. */
export interface MerchantDueWorkDeps {
  pool: Pool;
  clock: Clock;
  payments: Pick<PaymentServices, "expireDue"> & {
    payouts: Pick<PaymentServices["payouts"], "runSchedule" | "runDue">;
  };
  disputes: Pick<DisputeService, "runDeadlines">;
  storedValue: Pick<StoredValueService, "expireDue">;
  webhookDelivery: Pick<WebhookDeliveryWorker, "deliverDue">;
  sandbox: { helpers: Pick<PaymentHelpers, "runDueSandboxActions"> };
}

/** Rows per pass of each step; a step is run again while it comes back full, up to testClockDueWorkRowsMax. */
const passRowsMax = 100;

/**
 * What advance_time runs before it answers: the same service functions the background workers call, restricted to
 * the merchant's test-mode rows, so the response already reflects expiries, cancellations, released holds, payouts
 * and webhook attempts. In order of cause and effect: scripted payers answer first (they were due before any
 * timeout), then payments expire, payouts are made and settled, and the events all this wrote are fanned out and
 * delivered last. What is left beyond testClockDueWorkRowsMax per step, the workers finish.
 */
export function merchantDueSteps(services: MerchantDueWorkDeps): MerchantDueStep[] {
  const { payments, webhookDelivery, sandbox } = services;
  return [
    (merchantId, limit) => sandbox.helpers.runDueSandboxActions(merchantId, limit),
    (merchantId, limit) => payments.expireDue(limit, merchantId),
    // Disputes past their due date are lost (after payments: a payment expiring now cannot be disputed anyway).
    (merchantId, limit) => services.disputes.runDeadlines(limit, merchantId),
    (merchantId, limit) => services.storedValue.expireDue(limit, merchantId),
    (merchantId, limit) => payments.payouts.runSchedule(limit, merchantId),
    (merchantId, limit) => payments.payouts.runDue(limit, merchantId),
    // Fanning events out is cheap and merchant-agnostic: the dispatch worker's own pass, which the steps after need.
    (_merchantId, limit) => dispatchEvents(services.pool, services.clock, Math.min(limit, webhookDispatchBatchMax)),
    (merchantId, limit) => webhookDelivery.deliverDue(limit, merchantId),
  ];
}

export async function runMerchantDueWork(steps: MerchantDueStep[], merchantId: string): Promise<void> {
  for (const step of steps) {
    for (let handled = 0; handled < testClockDueWorkRowsMax; ) {
      const rows = await step(merchantId, passRowsMax);
      handled += rows;
      if (rows < passRowsMax) break;
    }
  }
}
