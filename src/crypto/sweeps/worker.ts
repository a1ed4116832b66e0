import type { Logger } from "pino";
import type { Worker } from "../../worker.js";
import { type CryptoSweeps, sweepPassIntervalMs } from "./service.js";

/**
 * Sweeps deposit addresses into the hot wallet and watches the hot wallet's limit. Safe in several processes: each
 * chain's pass runs under a lease, and one sweep per address is open at a time.
 */
export function cryptoSweepWorker(deps: { sweeps: CryptoSweeps; log: Logger }): Worker {
  return {
    name: "crypto-sweep",
    intervalMs: sweepPassIntervalMs,
    async run(signal) {
      const summary = await deps.sweeps.runPass({ signal });
      if (summary.started > 0) deps.log.info(summary, "sweeps started");
    },
  };
}
