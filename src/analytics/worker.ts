import type { Logger } from "pino";
import type { Pool } from "../db/pool.js";
import { analyticsFoldBatchRowsMax, analyticsFoldIntervalMs } from "../limits.js";
import type { Worker } from "../worker.js";
import { foldInbox } from "./fold.js";

/** Folds the analytics inbox into the rollups; full batches are folded back to back, so a backlog drains at once. */
export function analyticsFoldWorker(deps: { pool: Pool; log: Logger }): Worker {
  return {
    name: "analytics-fold",
    intervalMs: analyticsFoldIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const folded = await foldInbox(deps.pool, analyticsFoldBatchRowsMax);
        if (folded > 0) deps.log.debug({ folded }, "analytics inbox folded");
        if (folded < analyticsFoldBatchRowsMax) return;
      }
    },
  };
}
