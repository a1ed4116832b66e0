import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { PaymentCryptoSnapshot } from "../crypto/payments/model.js";
import type { Pool, Queryable } from "../db/pool.js";
import type { MerchantScope } from "../http/auth.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { TransferInput } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import type { BusinessMetrics } from "../monitoring/business-metrics.js";
import type { NotificationService } from "../notifications/service.js";
import type { OfflinePayments } from "../offline/service.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletServices } from "../wallets/service.js";
import type { StepUpProof } from "../wallets/stepup/service.js";
import type { PaymentAccounts } from "./accounts.js";
import type { PaymentConfig } from "./config.js";
import type { FailureCode } from "./failure-codes.js";
import type { FeeScheduleCache } from "./fee-schedules.js";
import type { CancellationReason, Payment, PaymentDiscount, PaymentLinks } from "./model.js";
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
  /** Signs the payer's feedback links of receipts and paid payments (src/feedback/token.ts, feedbackKeyFrom). */
  feedbackKey: Buffer;
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

/**
 * Coupons and cashback (src/coupons, docs/coupons.md), registered once that service exists. Payments ask it only
 * about payments that carry a discount (payment.discount) or a cashback (payment.cashbackAmount), and at success an
 * in-memory question whether a cashback rule may cover the payment: a payment without promotions costs no query.
 */
export interface PaymentPromotions {
  /** The discount of POST /v1/payments' discounts, checked against the coupon; reserve() takes its counts. */
  planDiscount(
    scope: { merchantId: string; livemode: boolean },
    discounts: readonly DiscountRequest[],
    target: { subtotal: bigint; currency: string; method: string; captureMethod: string; offline: boolean },
  ): Promise<PlannedDiscount>;
  /** Charging a payment with a discount: its money (a platform coupon pays the merchant) and its counts. */
  forCharge(payment: Payment, payerId: string): Promise<PromotionStep>;
  /** A refund of a payment with a discount or cashback: the discount's budget back, the cashback's share back. */
  forRefund(payment: Payment, refund: { id: string; amount: bigint; completes: boolean }): Promise<PromotionStep>;
  /** A payment succeeded: queue it for the cashback worker when a rule may cover it (in the payment's transaction). */
  paymentSucceeded(tx: Queryable, payment: Payment, at: Date): Promise<void>;
}

export interface DiscountRequest {
  coupon?: string;
  promotion_code?: string;
}

export interface PlannedDiscount {
  /** What is taken off the subtotal. */
  amount: bigint;
  /** The discount the payment records (its redemption id is chosen now). */
  discount: PaymentDiscount;
  /** Takes the coupon's (and code's) counts and writes the redemption, in the new payment's transaction. */
  reserve(tx: Queryable, payment: Payment): Promise<void>;
}

export interface PromotionStep {
  /** Transfers to add to the payment's (or refund's) linked chain. */
  transfers: TransferInput[];
  /** What the fee is taken on, when not the amount the payer pays (a platform coupon pays the merchant more). */
  feeBase?: bigint;
  /** Records the step in the ledger hook, after the payment's own change; throwing aborts the submission. */
  commit(tx: Queryable, at: Date): Promise<void>;
}

/**
 * Crypto payments (src/crypto/payments, docs/crypto-payments.md), registered once the crypto services exist. Payments ask it
 * only about payments of method crypto: to price and place a new one, and when one is due (its expiry pass).
 */
export interface PaymentCrypto {
  /** An unpaid crypto payment expires after this when expires_in is not given. */
  expiryMsDefault: number;
  /**
   * Checks the asset (and chain) for the merchant's mode and prices the payment, before any transaction: the
   * payment is in the asset's currency and minor unit. place() then runs in the payment's creation transaction,
   * after its row is written: its address and details, as the payment's crypto snapshot.
   */
  quote(
    scope: MerchantScope,
    request: { amount: bigint; currency: string; asset: string; chain: string | undefined },
  ): Promise<{
    amount: bigint;
    currency: string;
    place(tx: Queryable, payment: Payment): Promise<PaymentCryptoSnapshot>;
  }>;
  /** A crypto payment is due (the expiry worker's pass): settle it, expire it, or look again later. */
  due(payment: Payment): Promise<void>;
}

/** The deps plus what the payment services share once built. */
export interface PaymentContext extends PaymentDeps {
  cards?: CardPaymentGate;
  crypto?: PaymentCrypto;
  promotions?: PaymentPromotions;
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
