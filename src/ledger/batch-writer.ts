import { closeDeferredWrites, type DeferredWrites, openDeferredWrites } from "../db/deferred-writes.js";
import {
  holdingConnection,
  isHoldingConnection,
  type Pool,
  type PoolClient,
  SecondConnectionError,
} from "../db/pool.js";
import { isRetryable } from "../db/tx.js";
import {
  ledgerBatchesInFlightMax,
  ledgerBatchRetriesMax,
  ledgerBatchTransfersMax,
  ledgerBatchWindowMs,
  ledgerSubmissionTransfersMax,
} from "../limits.js";
import { namedAccountIds, planBatch, referencedPendingId } from "./apply.js";
import type { TransferResult } from "./errors.js";
import type { TransferInput } from "./model.js";
import { lockAccounts, readKnownTransfers, writePlan } from "./store.js";

/**
 * Runs inside the batch's transaction after the ledger rows are written and before COMMIT, with this submission's
 * results: a business operation writes its own rows and its outbox event here, so money and records commit
 * together. Throwing aborts this submission only (nothing of it is written; submit() rejects with the error) and
 * the rest of the batch is applied without it. Keep hooks short: the touched accounts are locked meanwhile.
 */
export type BatchHook = (tx: PoolClient, results: TransferResult[]) => Promise<void>;

export interface BatchWriterOptions {
  pool: Pool;
  now: () => Date;
  batchTransfersMax?: number;
  batchWindowMs?: number;
  batchesInFlightMax?: number;
  onBatch?: (stats: BatchStats) => void;
}

export interface BatchStats {
  submissions: number;
  transfers: number;
  attempts: number;
  durationMs: number;
  /** Of the last attempt: reading known transfers and locking the accounts (waiting for other batches' locks). */
  lockMs: number;
  /** Of the last attempt: the hooks, one after another, while the locks are held. */
  hooksMs: number;
  /** Of the last attempt: writing the plan, the deferred rows, and COMMIT. */
  writeMs: number;
}

interface AttemptPhases {
  lockMs: number;
  hooksMs: number;
  writeMs: number;
}

export interface BatchWriter {
  submit(transfers: readonly TransferInput[], hook?: BatchHook): Promise<TransferResult[]>;
  /** Stops accepting submissions and waits for queued and in-flight batches to commit. */
  close(): Promise<void>;
}

interface Submission {
  transfers: readonly TransferInput[];
  hook: BatchHook | undefined;
  resolve: (results: TransferResult[]) => void;
  reject: (error: unknown) => void;
}

/** Results that a transfer made concurrently under the same id would turn into "exists". */
const balanceRefusals = new Set<string>(["exceeds_credits", "exceeds_debits"]);

/** A conflict with another writer that fresh reads will resolve: same id or same hold taken concurrently. */
class WriteConflict extends Error {}

export function createBatchWriter(options: BatchWriterOptions): BatchWriter {
  const batchTransfersMax = options.batchTransfersMax ?? ledgerBatchTransfersMax;
  const batchWindowMs = options.batchWindowMs ?? ledgerBatchWindowMs;
  const batchesInFlightMax = options.batchesInFlightMax ?? ledgerBatchesInFlightMax;
  const queue: Submission[] = [];
  let queuedTransfers = 0;
  let inFlight = 0;
  let scheduled = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate lets every submission of this event-loop turn join the batch; a window waits longer for more.
    const run = () => {
      scheduled = false;
      pump();
    };
    if (batchWindowMs > 0 && queuedTransfers < batchTransfersMax) setTimeout(run, batchWindowMs);
    else setImmediate(run);
  };

  const pump = () => {
    while (inFlight < batchesInFlightMax && queue.length > 0) {
      const batch: Submission[] = [];
      let size = 0;
      while (queue.length > 0 && size + queue[0]!.transfers.length <= batchTransfersMax) {
        const next = queue.shift()!;
        size += next.transfers.length;
        batch.push(next);
      }
      queuedTransfers -= size;
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        if (queue.length > 0) pump();
        else if (inFlight === 0) {
          for (const wake of idleWaiters) wake();
          idleWaiters = [];
        }
      });
    }
  };

  const runBatch = async (initial: Submission[]) => {
    const started = performance.now();
    let batch = initial;
    // Dropping a submission whose hook failed is not a conflict: only transient failures spend the retry budget.
    let transientFailures = 0;
    const phases: AttemptPhases = { lockMs: 0, hooksMs: 0, writeMs: 0 };
    for (let attempt = 1; batch.length > 0; attempt++) {
      try {
        const failedHook = await attemptBatch(batch, phases);
        if (failedHook) {
          // Drop the submission whose hook failed and apply the others without it.
          failedHook.submission.reject(failedHook.error);
          batch = batch.filter((s) => s !== failedHook.submission);
          continue;
        }
        options.onBatch?.({
          submissions: batch.length,
          transfers: batch.reduce((n, s) => n + s.transfers.length, 0),
          attempts: attempt,
          durationMs: performance.now() - started,
          ...phases,
        });
        return;
      } catch (error) {
        const transient = error instanceof WriteConflict || isRetryable(error) || isUniqueViolation(error);
        if (transient && ++transientFailures < ledgerBatchRetriesMax) continue;
        for (const submission of batch) submission.reject(error);
        return;
      }
    }
  };

  /** One try at a batch in one transaction. Resolves the submissions when it commits. */
  const attemptBatch = async (
    batch: Submission[],
    phases: AttemptPhases,
  ): Promise<{ submission: Submission; error: unknown } | undefined> => {
    const client = await options.pool.connect();
    let broken = false;
    try {
      return await holdingConnection(() => attemptBatchOn(client, batch, phases));
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  };

  const attemptBatchOn = async (
    client: PoolClient,
    batch: Submission[],
    phases: AttemptPhases,
  ): Promise<{ submission: Submission; error: unknown } | undefined> => {
    await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
    const writes = openDeferredWrites(client);
    try {
      return await applyBatch(client, batch, writes, phases);
    } finally {
      closeDeferredWrites(client);
    }
  };

  const applyBatch = async (
    client: PoolClient,
    batch: Submission[],
    writes: DeferredWrites,
    phases: AttemptPhases,
  ): Promise<{ submission: Submission; error: unknown } | undefined> => {
    {
      let mark = performance.now();
      const lap = () => {
        const now = performance.now();
        const elapsed = now - mark;
        mark = now;
        return elapsed;
      };
      const transferIds = new Set<string>();
      for (const submission of batch) {
        for (const t of submission.transfers) {
          transferIds.add(t.id);
          const pendingId = referencedPendingId(t);
          if (pendingId !== undefined) transferIds.add(pendingId);
        }
      }
      // Transfers are immutable, so reading them before the locks is safe; what changes meanwhile (a new id, a
      // hold resolved by another writer) makes our insert conflict, and we retry with fresh reads.
      const known = await readKnownTransfers(client, [...transferIds].filter(isUuidLike));
      const accountIds = new Set<bigint>();
      for (const submission of batch) {
        for (const t of submission.transfers) {
          for (const id of namedAccountIds(t)) accountIds.add(id);
          const pending = known.get(referencedPendingId(t) ?? "");
          if (pending) {
            accountIds.add(pending.debitAccountId);
            accountIds.add(pending.creditAccountId);
          }
        }
      }
      const accounts = await lockAccounts(client, [...accountIds].sort(compareBigint));
      phases.lockMs = lap();
      let plan = planBatch(
        batch.map((s) => s.transfers),
        accounts,
        known,
        options.now(),
      );
      // A transfer refused for a balance may be one another writer made with the same id while we waited for the
      // locks: its money is already in the balances we read. Known now, it is what it is ("exists"), not a refusal.
      // Only refusals pay for this read; the usual batch does not.
      const refusedUnknown = batch.flatMap((submission, i) =>
        submission.transfers
          .filter((t, j) => balanceRefusals.has(plan.results[i]![j]!.code) && !known.has(t.id) && isUuidLike(t.id))
          .map((t) => t.id),
      );
      if (refusedUnknown.length > 0) {
        const madeMeanwhile = await readKnownTransfers(client, refusedUnknown);
        if (madeMeanwhile.size > 0) {
          for (const [id, transfer] of madeMeanwhile) known.set(id, transfer);
          plan = planBatch(
            batch.map((s) => s.transfers),
            accounts,
            known,
            options.now(),
          );
        }
      }
      if (!(await writePlan(client, plan))) throw new WriteConflict("another writer took a transfer id or hold");
      phases.writeMs = lap();
      for (let i = 0; i < batch.length; i++) {
        const submission = batch[i]!;
        if (!submission.hook) continue;
        writes.owner = i;
        try {
          await submission.hook(client, plan.results[i]!);
        } catch (error) {
          await client.query("ROLLBACK");
          return { submission, error };
        }
      }
      phases.hooksMs = lap();
      // The hooks' events, messages and stored answers, one statement per table for the whole batch.
      const [failure] = await writes.flush(client);
      if (failure) {
        await client.query("ROLLBACK");
        return { submission: batch[failure.owner]!, error: failure.error };
      }
      await client.query("COMMIT");
      writes.committed();
      phases.writeMs += lap();
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(plan.results[i]!);
      return undefined;
    }
  };

  return {
    submit(transfers, hook) {
      if (closed) return Promise.reject(new Error("the ledger writer is closed"));
      // The batch needs a connection of its own: a caller holding one would wait for it while blocking it.
      if (isHoldingConnection()) return Promise.reject(new SecondConnectionError());
      // A hook alone (business rows that move no money) still rides a batch: it shares the group commit.
      if (transfers.length === 0 && !hook) return Promise.resolve([]);
      if (transfers.length > ledgerSubmissionTransfersMax) {
        return Promise.reject(
          new RangeError(
            `a submission holds at most ${ledgerSubmissionTransfersMax} transfers, got ${transfers.length}`,
          ),
        );
      }
      return new Promise<TransferResult[]>((resolve, reject) => {
        queue.push({ transfers, hook, resolve, reject });
        queuedTransfers += transfers.length;
        schedule();
      });
    },
    async close() {
      closed = true;
      if (queue.length === 0 && inFlight === 0 && !scheduled) return;
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuidLike(value: string): boolean {
  return typeof value === "string" && uuidLike.test(value);
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === "23505";
}
