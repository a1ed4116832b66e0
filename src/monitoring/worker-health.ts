import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Pool } from "../db/pool.js";
import {
  workerHeartbeatErrorLengthMax,
  workerHeartbeatRetentionMs,
  workerHeartbeatWriteIntervalMs,
} from "../limits.js";
import type { WorkerPassObserver } from "../worker.js";
import type { BusinessMetrics } from "./business-metrics.js";

/**
 * How the background loops of this process fare: every pass goes to /metrics at once, and to its row in
 * worker_heartbeats at most every workerHeartbeatWriteIntervalMs per loop (a failed pass after a good one is written
 * at once), so the operator console sees loops of every process, also those started with `--role worker`. Heartbeats
 * are real time: they describe real processes, never a merchant's test clock.
 */
export interface WorkerHealth extends WorkerPassObserver {
  /** Writes every loop's heartbeat now (tests; shutdown). */
  flush(): Promise<void>;
}

interface LoopState {
  startedAt: Date;
  lastPassAt: Date | null;
  lastSuccessAt: Date | null;
  passes: number;
  failures: number;
  lastFailureAt: Date | null;
  lastError: string | null;
  writtenAt: number;
  writing: boolean;
  dirtyFailure: boolean;
  /** The previous pass went well (a loop that has not run yet counts as well). */
  lastOk: boolean;
}

export function createWorkerHealth(deps: {
  pool: Pool;
  metrics: BusinessMetrics;
  log: Logger;
  instance?: string;
}): WorkerHealth {
  const instance = deps.instance ?? `${hostname()}:${process.pid}`;
  const loops = new Map<string, LoopState>();

  const stateOf = (worker: string): LoopState => {
    let state = loops.get(worker);
    if (!state) {
      state = {
        startedAt: new Date(),
        lastPassAt: null,
        lastSuccessAt: null,
        passes: 0,
        failures: 0,
        lastFailureAt: null,
        lastError: null,
        writtenAt: 0,
        writing: false,
        dirtyFailure: false,
        lastOk: true,
      };
      loops.set(worker, state);
    }
    return state;
  };

  async function write(worker: string, state: LoopState): Promise<void> {
    if (state.writing) return;
    state.writing = true;
    state.writtenAt = Date.now();
    state.dirtyFailure = false;
    const now = new Date(state.writtenAt);
    try {
      await deps.pool.query(
        `WITH gone AS (DELETE FROM worker_heartbeats WHERE worker = $1 AND instance <> $2 AND updated_at < $11)
         INSERT INTO worker_heartbeats (worker, instance, started_at, last_pass_at, last_success_at, passes, failures,
                                        last_failure_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (worker, instance) DO UPDATE SET last_pass_at = excluded.last_pass_at,
           last_success_at = excluded.last_success_at, passes = excluded.passes, failures = excluded.failures,
           last_failure_at = excluded.last_failure_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
        [
          worker,
          instance,
          state.startedAt,
          state.lastPassAt,
          state.lastSuccessAt,
          state.passes,
          state.failures,
          state.lastFailureAt,
          state.lastError,
          now,
          new Date(now.getTime() - workerHeartbeatRetentionMs),
        ],
      );
    } catch (error) {
      // The database being away is what the failed passes already say; the next pass writes again.
      deps.log.debug({ err: error, worker }, "worker heartbeat not written");
    } finally {
      state.writing = false;
    }
  }

  return {
    passed(worker, outcome) {
      const state = stateOf(worker);
      const at = new Date();
      state.passes++;
      state.lastPassAt = at;
      if (outcome.ok) {
        state.lastSuccessAt = at;
      } else {
        state.failures++;
        state.lastFailureAt = at;
        state.lastError = errorText(outcome.error);
        // A loop that starts failing shows at once, not up to a heartbeat interval later.
        if (state.lastOk) state.dirtyFailure = true;
      }
      state.lastOk = outcome.ok;
      deps.metrics.workerPass(worker, outcome.ok, at.getTime());
      if (state.dirtyFailure || at.getTime() - state.writtenAt >= workerHeartbeatWriteIntervalMs) {
        void write(worker, state);
      }
    },
    async flush() {
      await Promise.all([...loops].map(([worker, state]) => write(worker, state)));
    },
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, workerHeartbeatErrorLengthMax);
}
