import type { Logger } from "pino";
import { disputeWorkerBatchMax, disputeWorkerIntervalMs } from "../limits.js";
import type { Worker } from "../worker.js";
import type { DisputeService } from "./service.js";

/**
 * Closes disputes nobody answered by their due date (lost, closed_by no_response) and covers disputes the merchant's
 * balance did not cover when they opened (listed in src/runtime/workers.ts).
 */
export function disputeWorker(deps: { disputes: DisputeService; log: Logger }): Worker {
  return {
    name: "disputes",
    intervalMs: disputeWorkerIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const closed = await deps.disputes.runDeadlines(disputeWorkerBatchMax);
        if (closed > 0) deps.log.info({ closed }, "disputes past their due date closed");
        if (closed < disputeWorkerBatchMax) break;
      }
      while (!signal.aborted) {
        const funded = await deps.disputes.runFunding(disputeWorkerBatchMax);
        if (funded < disputeWorkerBatchMax) return;
      }
    },
  };
}
