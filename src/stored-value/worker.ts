import type { Logger } from "pino";
import { storedValueExpiryBatchMax, storedValueExpiryIntervalMs } from "../limits.js";
import type { Worker } from "../worker.js";
import type { StoredValueService } from "./service.js";

/**
 * Expires stored-value cards past their expiry (what is left goes to breakage) and moves on money that reached
 * ended cards (listed in src/runtime/workers.ts). Safe in several processes: cards are claimed with a lease.
 */
export function storedValueExpiryWorker(deps: { storedValue: StoredValueService; log: Logger }): Worker {
  return {
    name: "stored-value-expiry",
    intervalMs: storedValueExpiryIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const handled = await deps.storedValue.expireDue(storedValueExpiryBatchMax);
        if (handled > 0) deps.log.debug({ handled }, "stored-value cards expired or swept");
        // Two kinds per pass (expiring, ended with money): a full pass is twice the batch.
        if (handled < storedValueExpiryBatchMax) return;
      }
    },
  };
}
