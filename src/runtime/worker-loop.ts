import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { workerShutdownGraceMs } from "../limits.js";
import type { Worker, WorkerPassObserver } from "../worker.js";

// Re-exported: the runtime and its tests name them from here; domains take them from src/worker.ts.
export type { Worker, WorkerPassObserver };

export interface RunningWorkers {
  /** Aborts every loop and waits up to workerShutdownGraceMs for the passes in progress to return. */
  stop(): Promise<void>;
}

export function startWorkers(workers: readonly Worker[], log: Logger, observer?: WorkerPassObserver): RunningWorkers {
  // One signal per loop: its sleep and its pass are all that listen to it. A single signal shared by every loop
  // collected a listener per loop and warned of a leak (MaxListenersExceededWarning) at every start.
  const controllers = workers.map(() => new AbortController());

  const loops = workers.map(async (worker, index) => {
    const { signal } = controllers[index]!;
    const workerLog = log.child({ worker: worker.name });
    while (!signal.aborted) {
      try {
        await worker.run(signal);
        observer?.passed(worker.name, { ok: true });
      } catch (error) {
        // One failed pass (database restart, deadlock) must not end the loop; the next pass tries again.
        if (!signal.aborted) {
          workerLog.error({ err: error }, "worker pass failed");
          observer?.passed(worker.name, { ok: false, error });
        }
      }
      await sleep(worker.intervalMs, undefined, { signal }).catch(() => {});
    }
  });
  if (workers.length > 0) log.info({ workers: workers.map((w) => w.name) }, "workers started");

  return {
    async stop() {
      for (const controller of controllers) controller.abort();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), workerShutdownGraceMs);
      });
      const outcome = await Promise.race([Promise.all(loops).then(() => "done" as const), grace]);
      clearTimeout(timer);
      if (outcome === "timeout") log.warn({ graceMs: workerShutdownGraceMs }, "workers did not stop in time");
    },
  };
}
