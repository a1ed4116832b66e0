import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BatchStats } from "../ledger/batch-writer.js";

/**
 * What coffer does, as Prometheus metrics (docs/monitoring.md lists each). Everything here is counted in process,
 * where it happens, after it committed: no metric adds a database round trip to the path it measures. The registry
 * belongs to one set of services (src/runtime/services.ts), never to prom-client's global one, so a test process can
 * build many; GET /metrics serves it after the HTTP metrics of the app.
 */
export type PaymentMode = "test" | "live";

/** Ledger batches carry 1 to ledgerBatchTransfersMax transfers; these buckets show how well group commit works. */
const batchTransfersBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];
const commitSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** From an event's creation to its delivery: sub-second normally, minutes to days when receivers fail. */
const deliveryLagSecondsBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21_600, 86_400, 259_200];
const poolWaitSecondsBuckets = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type WebhookAttemptOutcome = "succeeded" | "retry" | "failed" | "abandoned";

export interface BusinessMetrics {
  readonly registry: Registry;
  /** A payment entered `status` (payment.created … payment.expired), once its transaction committed. */
  paymentChanged(change: { status: string; method: string; livemode: boolean }): void;
  /** One committed ledger batch (the batch writer's onBatch). */
  ledgerBatch(stats: BatchStats): void;
  /** One webhook attempt and what it meant; lagSeconds is event creation → delivery, for successes. */
  webhookAttempt(outcome: WebhookAttemptOutcome, lagSeconds?: number): void;
  /** One pass of a background loop ended; at is when, in Unix milliseconds. */
  workerPass(worker: string, ok: boolean, at: number): void;
  /** A caller waited for a pool connection this long, and got one or timed out. */
  poolWait(seconds: number, timedOut: boolean): void;
}

export function createBusinessMetrics(): BusinessMetrics {
  const registry = new Registry();
  const registers = [registry];
  const payments = new Counter({
    name: "coffer_payments_total",
    help: "Payments entering each status (requires_payment is creation), by method and mode, counted after commit.",
    labelNames: ["status", "method", "mode"] as const,
    registers,
  });
  const batchTransfers = new Histogram({
    name: "coffer_ledger_batch_transfers",
    help: "Transfers per committed ledger batch (group commit: higher under load is better).",
    buckets: batchTransfersBuckets,
    registers,
  });
  const batchCommit = new Histogram({
    name: "coffer_ledger_batch_commit_duration_seconds",
    help: "Time a ledger batch spends writing its plan, its deferred rows and COMMIT, in seconds.",
    buckets: commitSecondsBuckets,
    registers,
  });
  const batchDuration = new Histogram({
    name: "coffer_ledger_batch_duration_seconds",
    help: "Whole time of a committed ledger batch, retries included, in seconds.",
    buckets: commitSecondsBuckets,
    registers,
  });
  const webhookAttempts = new Counter({
    name: "coffer_webhook_attempts_total",
    help: "Webhook attempts by outcome: succeeded, retry (failed, retried later), failed (schedule spent), abandoned.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const deliveryLag = new Histogram({
    name: "coffer_webhook_delivery_lag_seconds",
    help: "From an event's creation to its successful delivery to an endpoint, in seconds.",
    buckets: deliveryLagSecondsBuckets,
    registers,
  });
  const workerPasses = new Counter({
    name: "coffer_worker_passes_total",
    help: "Passes of each background loop of this process, by outcome (ok or failed).",
    labelNames: ["worker", "outcome"] as const,
    registers,
  });
  const workerLastSuccess = new Gauge({
    name: "coffer_worker_last_success_timestamp_seconds",
    help: "When each background loop of this process last finished a pass without failing, in Unix seconds.",
    labelNames: ["worker"] as const,
    registers,
  });
  const poolWaits = new Histogram({
    name: "coffer_db_pool_wait_seconds",
    help: "Time callers waited for a database pool connection, in seconds.",
    buckets: poolWaitSecondsBuckets,
    registers,
  });
  const poolTimeouts = new Counter({
    name: "coffer_db_pool_wait_timeouts_total",
    help: "Waits for a pool connection that timed out (answered 503).",
    registers,
  });
  // Present from the start, so alert rules and dashboards see zeros instead of missing series.
  for (const outcome of ["succeeded", "retry", "failed", "abandoned"] as const) webhookAttempts.inc({ outcome }, 0);
  poolTimeouts.inc(0);

  return {
    registry,
    paymentChanged({ status, method, livemode }) {
      payments.inc({ status, method, mode: livemode ? "live" : "test" });
    },
    ledgerBatch(stats) {
      batchTransfers.observe(stats.transfers);
      batchCommit.observe(stats.writeMs / 1000);
      batchDuration.observe(stats.durationMs / 1000);
    },
    webhookAttempt(outcome, lagSeconds) {
      webhookAttempts.inc({ outcome });
      if (lagSeconds !== undefined) deliveryLag.observe(Math.max(0, lagSeconds));
    },
    workerPass(worker, ok, at) {
      workerPasses.inc({ worker, outcome: ok ? "ok" : "failed" });
      if (ok) workerLastSuccess.set({ worker }, Math.floor(at / 1000));
    },
    poolWait(seconds, timedOut) {
      poolWaits.observe(seconds);
      if (timedOut) poolTimeouts.inc();
    },
  };
}
