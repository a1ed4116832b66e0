import { randomUUID } from "node:crypto";
import type { Pool } from "../src/db/pool.js";
import { createCurrencyRegistry } from "../src/ledger/currencies.js";
import { AccountFlags, type TransferInput } from "../src/ledger/model.js";
import { createLedgerService, type LedgerService } from "../src/ledger/service.js";
import { verifyLedger } from "../src/ledger/verify.js";
import { LatencyRecorder, round, zipfSampler } from "./stats.js";

/**
 * The ledger workloads. Each drives the real write path (service → batch writer → PostgreSQL) with a closed loop
 * of `concurrency` callers, each submitting one operation and waiting for its result before the next.
 */

export interface LedgerBenchOptions {
  pool: Pool;
  durationS: number;
  concurrency: number;
  log: (line: string) => void;
}

export interface WorkloadResult {
  workload: "W1" | "W2" | "W3";
  description: string;
  transfers: number;
  transfersPerS: number;
  p50Ms: number;
  p99Ms: number;
  meanBatchTransfers: number;
  batches: number;
}

const w1AccountsCount = 100_000;
const w1ZipfExponent = 1.0;
const payersCount = 10_000;
const fundingPerAccount = 1_000_000_000n;
const fundingSubmissionTransfers = 1_000;
const warmupMs = 1_000;
const w3ExpiringHoldTimeoutMs = 200;
const w3HoldTimeoutMs = 60_000;
const w3ExpiryIntervalMs = 100;

interface BatchCounter {
  batches: number;
  transfers: number;
}

export async function runLedgerWorkloads(options: LedgerBenchOptions): Promise<WorkloadResult[]> {
  const counter: BatchCounter = { batches: 0, transfers: 0 };
  const ledger = createLedgerService({
    pool: options.pool,
    currencies: createCurrencyRegistry(),
    onBatch: (stats) => {
      counter.batches++;
      counter.transfers += stats.transfers;
    },
  });
  try {
    const results: WorkloadResult[] = [];
    results.push(await w1(ledger, options, counter));
    results.push(await w2(ledger, options, counter));
    results.push(await w3(ledger, options, counter));
    const report = await verifyLedger(options.pool, { holdGraceMs: 60_000 });
    if (!report.ok)
      throw new Error(
        `coffer verify failed after the benchmark:\n${report.violations.map((v) => v.message).join("\n")}`,
      );
    options.log(`verify: ok (${report.accounts} accounts, ${report.transfers} transfers)`);
    return results;
  } finally {
    await ledger.close();
  }
}

async function createFundedAccounts(ledger: LedgerService, pool: Pool, count: number, code: string): Promise<bigint[]> {
  const [bank] = await ledger.createAccounts(pool, [{ ledger: "test", currency: "USD", code: "settlement" }]);
  const ids: bigint[] = [];
  for (let offset = 0; offset < count; offset += 10_000) {
    const chunk = await ledger.createAccounts(
      pool,
      Array.from({ length: Math.min(10_000, count - offset) }, () => ({
        ledger: "test" as const,
        currency: "USD",
        code,
        flags: AccountFlags.debitsMustNotExceedCredits,
      })),
    );
    ids.push(...chunk.map((a) => a.id));
  }
  const submissions: Promise<unknown>[] = [];
  for (let offset = 0; offset < ids.length; offset += fundingSubmissionTransfers) {
    const transfers = ids.slice(offset, offset + fundingSubmissionTransfers).map((id) => ({
      id: randomUUID(),
      debitAccountId: bank!.id,
      creditAccountId: id,
      amount: fundingPerAccount,
      code: "top_up",
    }));
    submissions.push(ledger.createTransfers(transfers));
  }
  await Promise.all(submissions);
  return ids;
}

/**
 * Runs `concurrency` loops of `operation` for the duration; an operation returns how many transfers it submitted.
 * The first second is warm-up and not counted.
 */
async function drive(
  options: LedgerBenchOptions,
  counter: BatchCounter,
  operation: () => Promise<number>,
): Promise<{ transfers: number; elapsedS: number; latency: LatencyRecorder; batches: number; batchTransfers: number }> {
  const latency = new LatencyRecorder();
  const startedAt = performance.now();
  const measureFrom = startedAt + warmupMs;
  const deadline = measureFrom + options.durationS * 1000;
  let transfers = 0;
  let batchesAtStart = 0;
  let batchTransfersAtStart = 0;
  let measuring = false;
  const loop = async () => {
    while (true) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      if (!measuring && t0 >= measureFrom) {
        measuring = true;
        batchesAtStart = counter.batches;
        batchTransfersAtStart = counter.transfers;
      }
      const n = await operation();
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= deadline) {
        latency.record(t1 - t0);
        transfers += n;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return {
    transfers,
    elapsedS: options.durationS,
    latency,
    batches: counter.batches - batchesAtStart,
    batchTransfers: counter.transfers - batchTransfersAtStart,
  };
}

function summarize(
  workload: WorkloadResult["workload"],
  description: string,
  run: Awaited<ReturnType<typeof drive>>,
): WorkloadResult {
  return {
    workload,
    description,
    transfers: run.transfers,
    transfersPerS: Math.round(run.transfers / run.elapsedS),
    p50Ms: run.latency.percentile(50),
    p99Ms: run.latency.percentile(99),
    batches: run.batches,
    meanBatchTransfers: run.batches === 0 ? 0 : round(run.batchTransfers / run.batches, 1),
  };
}

function expectApplied(code: string, allowed: readonly string[]): void {
  if (!allowed.includes(code)) throw new Error(`benchmark transfer failed unexpectedly: ${code}`);
}

/** W1: peer-to-peer transfers among 100,000 accounts, both ends chosen Zipf-like (a few accounts are hot). */
async function w1(ledger: LedgerService, options: LedgerBenchOptions, counter: BatchCounter): Promise<WorkloadResult> {
  options.log(`W1: creating and funding ${w1AccountsCount} accounts`);
  const ids = await createFundedAccounts(ledger, options.pool, w1AccountsCount, "wallet");
  const pick = zipfSampler(ids.length, w1ZipfExponent);
  options.log(`W1: running ${options.durationS} s with ${options.concurrency} callers`);
  const run = await drive(options, counter, async () => {
    const from = pick();
    let to = pick();
    if (to === from) to = (from + 1) % ids.length;
    const [result] = await ledger.createTransfers([
      {
        id: randomUUID(),
        debitAccountId: ids[from]!,
        creditAccountId: ids[to]!,
        amount: BigInt(1 + Math.floor(Math.random() * 10_000)),
        code: "p2p",
      },
    ]);
    expectApplied(result!.code, ["ok"]);
    return 1;
  });
  return summarize("W1", `p2p among ${w1AccountsCount} accounts, Zipf s=${w1ZipfExponent}`, run);
}

/** W2: many payers into one merchant account, each payment linked with its fee to one fee account (hot accounts). */
async function w2(ledger: LedgerService, options: LedgerBenchOptions, counter: BatchCounter): Promise<WorkloadResult> {
  options.log(`W2: creating and funding ${payersCount} payers`);
  const payers = await createFundedAccounts(ledger, options.pool, payersCount, "wallet");
  const [merchant, fee] = await ledger.createAccounts(options.pool, [
    { ledger: "test", currency: "USD", code: "merchant", flags: AccountFlags.debitsMustNotExceedCredits },
    { ledger: "test", currency: "USD", code: "fee", flags: AccountFlags.debitsMustNotExceedCredits },
  ]);
  options.log(`W2: running ${options.durationS} s with ${options.concurrency} callers`);
  const run = await drive(options, counter, async () => {
    const payer = payers[Math.floor(Math.random() * payers.length)]!;
    const amount = BigInt(100 + Math.floor(Math.random() * 10_000));
    const results = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: payer, creditAccountId: merchant!.id, amount, code: "payment", linked: true },
      {
        id: randomUUID(),
        debitAccountId: merchant!.id,
        creditAccountId: fee!.id,
        amount: 30n + amount / 50n,
        code: "fee",
      },
    ]);
    for (const r of results) expectApplied(r.code, ["ok"]);
    return 2;
  });
  return summarize("W2", "payer → one merchant, linked with a fee → one fee account", run);
}

/** W3: holds, then 70% posted, 20% voided, 10% left to expire; 10% of submissions are duplicates of an earlier id. */
async function w3(ledger: LedgerService, options: LedgerBenchOptions, counter: BatchCounter): Promise<WorkloadResult> {
  options.log(`W3: creating and funding ${payersCount} payers`);
  const payers = await createFundedAccounts(ledger, options.pool, payersCount, "wallet");
  const [merchant] = await ledger.createAccounts(options.pool, [
    { ledger: "test", currency: "USD", code: "merchant", flags: AccountFlags.debitsMustNotExceedCredits },
  ]);
  let expiring = true;
  let expired = 0;
  const expirer = (async () => {
    while (expiring) {
      expired += await ledger.expireHolds();
      await new Promise((resolve) => setTimeout(resolve, w3ExpiryIntervalMs));
    }
  })();
  const submit = async (transfer: TransferInput, allowed: readonly string[]): Promise<number> => {
    const [result] = await ledger.createTransfers([transfer]);
    expectApplied(result!.code, allowed);
    if (Math.random() < 0.1) {
      const [again] = await ledger.createTransfers([transfer]);
      expectApplied(again!.code, ["exists"]);
      return 2;
    }
    return 1;
  };
  options.log(`W3: running ${options.durationS} s with ${options.concurrency} callers`);
  const run = await drive(options, counter, async () => {
    const payer = payers[Math.floor(Math.random() * payers.length)]!;
    const amount = BigInt(100 + Math.floor(Math.random() * 10_000));
    const fate = Math.random();
    const holdId = randomUUID();
    let n = await submit(
      {
        id: holdId,
        debitAccountId: payer,
        creditAccountId: merchant!.id,
        amount,
        code: "payment",
        pending: true,
        timeoutMs: fate >= 0.9 ? w3ExpiringHoldTimeoutMs : w3HoldTimeoutMs,
      },
      ["ok"],
    );
    if (fate < 0.7)
      n += await submit({ id: randomUUID(), postPendingId: holdId, amount: amount - amount / 10n }, ["ok"]);
    else if (fate < 0.9) n += await submit({ id: randomUUID(), voidPendingId: holdId }, ["ok"]);
    return n;
  });
  // Let the last short holds time out and be voided, so the books end with no late hold.
  await new Promise((resolve) => setTimeout(resolve, w3ExpiringHoldTimeoutMs + 2 * w3ExpiryIntervalMs));
  expiring = false;
  await expirer;
  expired += await ledger.expireHolds();
  options.log(`W3: ${expired} holds expired`);
  return summarize("W3", "holds → post/void/expire 70/20/10, 10% duplicate ids", run);
}
