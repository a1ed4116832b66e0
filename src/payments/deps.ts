import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool, Queryable } from "../db/pool.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerService } from "../ledger/service.js";
import type { BusinessMetrics } from "../monitoring/business-metrics.js";
import type { OfflinePayments } from "../offline/service.js";
import type { NotificationService } from "../notifications/service.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletServices } from "../wallets/service.js";
import type { StepUpProof } from "../wallets/stepup/service.js";
import type { PaymentAccounts } from "./accounts.js";
import type { PaymentConfig } from "./config.js";
import type { FailureCode } from "./failure-codes.js";
import type { FeeScheduleCache } from "./fee-schedules.js";
import type { CancellationReason, Payment, PaymentLinks } from "./model.js";
import type { PaymentNotices } from "./notices.js";
import type { Payout } from "./payouts/model.js";

/** What every payment service is built from (src/runtime/services.ts passes its own). */
export interface PaymentDeps {
  pool: Pool;
  clock: Clock;
  config: Config;
  currencies: CurrencyRegistry;
  ledger: LedgerService;
  secrets: SecretBox;
  /** Payers are wallet users: their accounts, limits, step-up and the bank connectors come from here. */
  wallets: WalletServices;
  log: Logger;
  paymentConfig: PaymentConfig;
  /** Receipts and reminders to payers are queued here, in the transaction of the payment's change. */
  notifications: NotificationService;
  /** Signs the unsubscribe links of payment reminders (derived from the master key: unsubscribeKeyFrom). */
  unsubscribeKey: Buffer;
  /**
   * The time a merchant's objects live in: the system clock in live mode, the merchant's test clock in test mode.
   * Deadlines and timestamps of payments, refunds and payouts read it; rate limits, wallet payment codes and leases
   * stay on the system clock (they guard real processes and real payers).
   */
  testClocks: TestClocks;
  /** Sandbox hook: what a test payer's scenario means to a payment (src/sandbox/test-payers.ts). Test mode only. */
  sandbox?: PaymentSandboxHook;
  /** Offline codes (src/offline): recognizes one given as payment_code and settles it against its hold. */
  offline?: OfflinePayments;
  /** Queues the merchant's "payout failed" alert in the transaction that fails the payout (src/alerts). */
  onPayoutFailed?: (tx: Queryable, payout: Payout) => Promise<void>;
  /** Counts payments entering each status for /metrics, after their transaction commits. */
  metrics?: Pick<BusinessMetrics, "paymentChanged">;
}

/**
 * The sandbox's answers about test-mode payers. Payments ask it only for test-mode payments, at four points: which
 * payer a magic payment code stands for, how a payment of a scripted payer proceeds, when a payment starts waiting
 * for that payer (to schedule its scripted answer), and whether the payer declines refunds.
 */
export interface PaymentSandboxHook {
  payerForCode(merchantId: string, code: string, currency: string): Promise<string | undefined>;
  planFor(payerId: string, payment: Payment): Promise<SandboxPaymentPlan>;
  awaitingPayer(tx: Queryable, payment: Payment): Promise<void>;
  refundRefusal(payment: Payment): Promise<{ code: FailureCode; message: string } | undefined>;
}

/** default: as for any payer; charge: at once; await_payer: processing until the payer answers; refuse: failed. */
export type SandboxPaymentPlan =
  | { kind: "default" | "charge" | "await_payer" }
  | { kind: "refuse"; code: FailureCode; message: string };

/**
 * Stored-value cards' check of a payment (src/stored-value): a card pays only while active, and a merchant's card
 * only at that merchant (card_not_accepted). Registered once the stored-value service exists.
 */
export interface CardPaymentGate {
  assertPayable(
    payer: { id: string; kind: "account" | "card" },
    payment: { merchantId: string; livemode: boolean },
  ): Promise<void>;
}

/**
 * Paying again (src/payment-attempts, docs/adr/0028): confirming a payment that ended unpaid and may be paid again is
 * a new attempt, made by the attempts service. Registered once that service exists.
 */
export interface PaymentRetries {
  /** Whether confirming this payment now would be paying it again (it ended unpaid and allows retries). */
  isRetry(payment: Payment): boolean;
  payAgain(
    payerId: string,
    payment: Payment,
    options: { stepUp?: StepUpProof; ip?: string | null },
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment>;
  /** How the last attempt ended, for the checkout page; null while the payment is open with one attempt. */
  lastAttempt(payment: Payment): Promise<LastAttempt | null>;
}

export interface LastAttempt {
  number: number;
  status: "succeeded" | "requires_capture" | "failed" | "canceled" | "expired";
  failure_code: FailureCode | null;
  cancellation_reason: CancellationReason | null;
}

/** The deps plus what the payment services share once built. */
export interface PaymentContext extends PaymentDeps {
  cards?: CardPaymentGate;
  retries?: PaymentRetries;
  accounts: PaymentAccounts;
  feeSchedules: FeeScheduleCache;
  links: PaymentLinks;
  notices: PaymentNotices;
}

/**
 * Where payment links (QR payloads, checkout pages) point: COFFER_PUBLIC_URL, else this machine on coffer's port.
 * Taken from the configuration only, never from a request, so an API object and its webhook say the same.
 */
export function paymentLinks(config: Config): PaymentLinks {
  return { base: (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/$/, "") };
}
