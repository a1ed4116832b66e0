import type { BatchStats } from "./batch-writer.js";

/**
 * Running totals of the ledger's batches in this process, read by /metrics: how many batches, submissions and
 * transfers, and where a batch's time goes (waiting for account locks, hooks, writing and committing). The mean
 * submissions per batch says how well group commit works; hook time says what business code costs under the locks.
 */
export interface LedgerBatchTotals {
  add(stats: BatchStats): void;
  readonly batches: number;
  readonly submissions: number;
  readonly transfers: number;
  readonly retries: number;
  readonly seconds: { total: number; lock: number; hooks: number; write: number };
}

export function createLedgerBatchTotals(): LedgerBatchTotals {
  const seconds = { total: 0, lock: 0, hooks: 0, write: 0 };
  const totals = {
    batches: 0,
    submissions: 0,
    transfers: 0,
    retries: 0,
    seconds,
    add(stats: BatchStats) {
      totals.batches++;
      totals.submissions += stats.submissions;
      totals.transfers += stats.transfers;
      totals.retries += stats.attempts - 1;
      seconds.total += stats.durationMs / 1000;
      seconds.lock += stats.lockMs / 1000;
      seconds.hooks += stats.hooksMs / 1000;
      seconds.write += stats.writeMs / 1000;
    },
  };
  return totals;
}
