import type { Logger } from "pino";
import type { Worker } from "../../worker.js";
import { type ReservesService, reservesWorkerIntervalMs } from "./service.js";

/**
 * Makes the daily proof-of-reserves report of each mode with a chain (listed in src/runtime/workers.ts). It asks
 * every hour whether a mode's latest report is a day old, so a restart neither skips a day nor adds a report; a
 * lease keeps several processes from making the same one.
 */
export function reservesWorker(deps: { reserves: ReservesService; log: Logger }): Worker {
  return {
    name: "crypto-reserves",
    intervalMs: reservesWorkerIntervalMs,
    async run() {
      for (const report of await deps.reserves.runDue()) {
        deps.log.info({ report: report.id, livemode: report.livemode, ok: report.ok }, "reserves report made");
      }
    },
  };
}
