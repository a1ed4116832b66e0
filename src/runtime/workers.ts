import type { Logger } from "pino";
import { analyticsFoldWorker } from "../analytics/worker.js";
import { cashbackWorker, couponReleaseWorker } from "../coupons/worker.js";
import { cryptoDepositWorker } from "../crypto/deposits/worker.js";
import { reservesWorker } from "../crypto/reserves/worker.js";
import { cryptoSignerWorker } from "../crypto/signer/worker.js";
import { cryptoSweepWorker } from "../crypto/sweeps/worker.js";
import type { Pool } from "../db/pool.js";
import { disputeWorker } from "../disputes/worker.js";
import { createIdempotencyStore } from "../http/idempotency-store.js";
import {
  alertEvaluationIntervalMs,
  idempotencyPurgeIntervalMs,
  ledgerExpiryBatchMax,
  ledgerExpiryIntervalMs,
  merchantHousekeepingBatchRowsMax,
  merchantHousekeepingIntervalMs,
  messageDeliveryBatchMax,
  messageDeliveryIntervalMs,
  messageHousekeepingBatchRowsMax,
  messageHousekeepingIntervalMs,
  sandboxPayerActionIntervalMs,
  webhookDeliveryBatchMax,
  webhookDispatchBatchMax,
  webhookWorkerIntervalMs,
} from "../limits.js";
import { purgeExpiredMerchantRows } from "../merchants/housekeeping.js";
import { purgeMessageContent } from "../notifications/housekeeping.js";
import { offlineReleaseWorker } from "../offline/worker.js";
import { paymentExpiryWorker, payoutScheduleWorker, payoutSettlementWorker } from "../payments/workers.js";
import { securityAuditWorker } from "../security/audit-report/worker.js";
import { storedValueExpiryWorker } from "../stored-value/worker.js";
import { walletBankSettlementWorker } from "../wallets/bank/worker.js";
import { dispatchEvents } from "../webhooks/dispatcher.js";
import type { Services } from "./services.js";
import type { Worker } from "./worker-loop.js";

/**
 * Every background loop of coffer, started by `coffer start` with role worker or all.
 * To add one, write a Worker (name, intervalMs, run(signal)) and list it below.
 */
export interface WorkerDeps {
  pool: Pool;
  log: Logger;
  services: Services;
}

export function backgroundWorkers(deps: WorkerDeps): Worker[] {
  return [
    idempotencyPurgeWorker(deps),
    ledgerHoldExpiryWorker(deps),
    messageDeliveryWorker(deps),
    messageHousekeepingWorker(deps),
    walletBankSettlementWorker({ bank: deps.services.wallets.bank, log: deps.log }),
    webhookDispatchWorker(deps),
    webhookDeliveryWorker(deps),
    merchantHousekeepingWorker(deps),
    paymentExpiryWorker({ payments: deps.services.payments, log: deps.log }),
    payoutSettlementWorker({ payments: deps.services.payments, log: deps.log }),
    payoutScheduleWorker({ payments: deps.services.payments, log: deps.log }),
    offlineReleaseWorker({ offline: deps.services.offline, log: deps.log }),
    disputeWorker({ disputes: deps.services.disputes, log: deps.log }),
    couponReleaseWorker({ coupons: deps.services.coupons, log: deps.log }),
    cashbackWorker({ coupons: deps.services.coupons, log: deps.log }),
    storedValueExpiryWorker({ storedValue: deps.services.storedValue, log: deps.log }),
    sandboxPayerActionWorker(deps),
    securityAuditWorker({ audit: deps.services.securityAudit, clock: deps.services.clock, log: deps.log }),
    analyticsFoldWorker({ pool: deps.pool, log: deps.log }),
    successRateAlertWorker(deps),
    cryptoDepositWorker({ deposits: deps.services.crypto.deposits, log: deps.log }),
    cryptoSignerWorker({ signer: deps.services.crypto.signer, log: deps.log }),
    cryptoSweepWorker({ sweeps: deps.services.crypto.sweeps, log: deps.log }),
    reservesWorker({ reserves: deps.services.crypto.reserves, log: deps.log }),
  ];
}

/** Judges each merchant's payment success rate against its alert settings and mails drops and recoveries. */
export function successRateAlertWorker(deps: WorkerDeps): Worker {
  return {
    name: "success-rate-alerts",
    intervalMs: alertEvaluationIntervalMs,
    async run(signal) {
      const mailed = await deps.services.alerts.successRate.runPass(signal);
      if (mailed > 0) deps.log.info({ mailed }, "success-rate alerts changed");
    },
  };
}

/** Runs the sandbox's scripted payer answers (payer_declines, succeeds_after_delay) due on their test clocks. */
export function sandboxPayerActionWorker(deps: WorkerDeps): Worker {
  return {
    name: "sandbox-payer-actions",
    intervalMs: sandboxPayerActionIntervalMs,
    async run() {
      const ran = await deps.services.sandbox.helpers.runDueSandboxActions();
      if (ran > 0) deps.log.debug({ ran }, "sandbox payer answers run");
    },
  };
}

/** Deletes Idempotency-Key records past their 24 hours (an expired key is also reclaimed on use). */
export function idempotencyPurgeWorker(deps: WorkerDeps): Worker {
  const store = createIdempotencyStore(deps.pool);
  return {
    name: "idempotency-purge",
    intervalMs: idempotencyPurgeIntervalMs,
    async run(signal) {
      const purged = await store.purgeExpired(signal);
      if (purged > 0) deps.log.info({ purged }, "expired idempotency keys purged");
    },
  };
}

/**
 * Voids ledger holds whose timeout has passed, so reserved money returns to the payer. Safe in several processes:
 * the void's id is derived from the hold's, so each hold expires once.
 */
export function ledgerHoldExpiryWorker(deps: WorkerDeps): Worker {
  return {
    name: "ledger-hold-expiry",
    intervalMs: ledgerExpiryIntervalMs,
    async run(signal) {
      // Keep going while full passes come back, so a backlog drains without waiting an interval each time.
      while (!signal.aborted) {
        const expired = await deps.services.ledger.expireHolds(ledgerExpiryBatchMax);
        if (expired > 0) deps.log.info({ expired }, "ledger holds expired");
        if (expired < ledgerExpiryBatchMax) return;
      }
    },
  };
}

/** Sends queued email and SMS (the API process also sends right after each commit; this catches the rest). */
export function messageDeliveryWorker(deps: WorkerDeps): Worker {
  return {
    name: "message-delivery",
    intervalMs: messageDeliveryIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const sent = await deps.services.notifications.deliverDue(messageDeliveryBatchMax);
        if (sent < messageDeliveryBatchMax) return;
      }
    },
  };
}

/** Purges message content past its use: dev mailbox copies after a day, and messages left undelivered. */
export function messageHousekeepingWorker(deps: WorkerDeps): Worker {
  return {
    name: "message-housekeeping",
    intervalMs: messageHousekeepingIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const purged = await purgeMessageContent(deps.pool, deps.services.clock.now());
        if (purged > 0) deps.log.info({ purged }, "message content purged");
        if (purged < messageHousekeepingBatchRowsMax) return;
      }
    },
  };
}

/** Fans new events out to webhook deliveries (one per subscribed endpoint). */
export function webhookDispatchWorker(deps: WorkerDeps): Worker {
  return {
    name: "webhook-dispatch",
    intervalMs: webhookWorkerIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const events = await dispatchEvents(deps.pool, deps.services.clock, webhookDispatchBatchMax);
        if (events < webhookDispatchBatchMax) return;
      }
    },
  };
}

/** Sends due webhook deliveries and schedules retries. */
export function webhookDeliveryWorker(deps: WorkerDeps): Worker {
  return {
    name: "webhook-delivery",
    intervalMs: webhookWorkerIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const claimed = await deps.services.webhookDelivery.deliverDue(webhookDeliveryBatchMax);
        if (claimed < webhookDeliveryBatchMax) return;
      }
    },
  };
}

/** Deletes ended sessions, expired links and challenges, and old rate-limit windows of the merchant platform. */
export function merchantHousekeepingWorker(deps: WorkerDeps): Worker {
  return {
    name: "merchant-housekeeping",
    intervalMs: merchantHousekeepingIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const deleted = await purgeExpiredMerchantRows(deps.pool, deps.services.clock.now());
        if (deleted > 0) deps.log.info({ deleted }, "expired merchant platform rows purged");
        if (deleted < merchantHousekeepingBatchRowsMax) return;
      }
    },
  };
}
