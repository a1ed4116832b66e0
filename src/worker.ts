/**
 * A background loop: run, wait intervalMs, run again, until shutdown. Several coffer processes may run the same
 * worker against one database, so run() must be safe to run concurrently (claim rows with SKIP LOCKED, or do
 * idempotent work). It should watch the signal and return soon after it aborts.
 */
export interface Worker {
  name: string;
  intervalMs: number;
  run(signal: AbortSignal): Promise<void>;
}

/** Told how each pass ended (src/monitoring/worker-health.ts: /metrics and the heartbeats). Must not throw. */
export interface WorkerPassObserver {
  passed(worker: string, outcome: { ok: true } | { ok: false; error: unknown }): void;
}
