import type { Logger } from "pino";
import { offlineReleaseBatchMax, offlineReleaseIntervalMs } from "../limits.js";
import type { Worker } from "../worker.js";
import type { OfflineService } from "./service.js";

/** Releases what is left of offline holds past their settlement deadline (listed in src/runtime/workers.ts). */
export function offlineReleaseWorker(deps: { offline: OfflineService; log: Logger }): Worker {
  return {
    name: "offline-release",
    intervalMs: offlineReleaseIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const released = await deps.offline.releaseDue(offlineReleaseBatchMax);
        if (released > 0) deps.log.debug({ released }, "offline holds released");
        if (released < offlineReleaseBatchMax) return;
      }
    },
  };
}
