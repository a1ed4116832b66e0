import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { paymentAttemptsMax, paymentRetryWindowMs } from "../limits.js";
import type { LastAttempt, PaymentRetries, PaymentSandboxHook } from "../payments/deps.js";
import { paymentError } from "../payments/errors.js";
import type { FailureCode } from "../payments/failure-codes.js";
import { type Payment, retryableUntil } from "../payments/model.js";
import type { PaymentServices } from "../payments/service.js";
import type { PaymentStatus } from "../payments/state-machine.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { walletError } from "../wallets/errors.js";
import type { WalletServices } from "../wallets/service.js";
import type { StepUpProof } from "../wallets/stepup/service.js";
import { paymentAttemptErrors } from "./errors.js";
import {
  type AttemptPaymentMethod,
  attemptJson,
  firstAttemptOf,
  methodOfPayer,
  type PaymentAttempt,
  type PaymentAttemptJson,
} from "./model.js";
import { lastAttemptRow, listAttemptRows, payerKind, recordAttempt } from "./store.js";

/**
 * Paying again after a failure (docs/adr/0028). Confirming a payment that ended unpaid and allows retries comes here
 * (payments' confirm asks isRetry first): the payer — any wallet user of the payment's mode with its link, an account
 * or a prepaid card — makes a new attempt. It is charged through the payments' one charge path, straight from the
 * ended status to succeeded (or requires_capture), with the attempt rows written in the same ledger hook; a refused
 * attempt leaves the payment as it was and is recorded with payment_attempt.failed. The payment's transfer ids are
 * its own whatever the attempt, so it is charged at most once however many attempts or payers race.
 */
export interface PaymentAttemptDeps {
  pool: Pool;
  testClocks: TestClocks;
  payments: PaymentServices;
  wallets: WalletServices;
  /** The sandbox's scripted test payers (their scenario may refuse an attempt, as it refuses a confirmation). */
  sandbox?: PaymentSandboxHook;
}

export type PaymentAttemptService = ReturnType<typeof createPaymentAttemptService>;

/** What an ended payment's row may hold when a retry is charged, besides being ended (see retryableUntil). */
const retryWhere = `p.allow_retries AND p.expires_at > ?
  AND (p.status <> 'failed' OR p.failure_code IS DISTINCT FROM 'risk_declined')
  AND (p.status <> 'expired' OR p.paid_at IS NULL)
  AND (p.status <> 'canceled' OR p.cancellation_reason = 'confirmation_timeout')`;
const endedStatuses: readonly PaymentStatus[] = ["failed", "expired", "canceled"];

/** The failure code a wallet's refusal of an attempt stands for; undefined for errors that are not refusals. */
function refusalOf(error: unknown): FailureCode | undefined {
  if (!(error instanceof ApiError)) return undefined;
  switch (error.code) {
    case "insufficient_funds":
      return "insufficient_funds";
    case "payment_limit_exceeded":
    case "daily_limit_exceeded":
    case "monthly_limit_exceeded":
      return "limit_exceeded";
    case "wallet_frozen":
    case "card_inactive":
      return "wallet_frozen";
    case "currency_not_supported":
      return "currency_not_supported";
    case "card_not_accepted":
      return "card_not_accepted";
    default:
      return undefined;
  }
}

export function createPaymentAttemptService(deps: PaymentAttemptDeps) {
  const { pool, payments } = deps;

  function isRetry(payment: Payment): boolean {
    return retryableUntil(payment) !== null;
  }

  /** A refused attempt: recorded with its event, the payment left as it is (but for its attempt count). */
  async function recordRefused(
    payment: Payment,
    payerId: string,
    method: AttemptPaymentMethod,
    code: FailureCode,
    message: string,
  ): Promise<PaymentAttempt | undefined> {
    const now = await deps.testClocks.now(payment.merchantId, payment.livemode);
    return withTransaction(pool, async (tx) => {
      const attempt = await recordAttempt(tx, payment.id, {
        status: "failed",
        payerId,
        paymentMethod: method,
        failureCode: code,
        failureMessage: message,
        at: now,
      });
      if (!attempt) return undefined; // the attempt cap was reached meanwhile: nothing to record
      await recordEvent(
        tx,
        {
          type: "payment_attempt.failed",
          merchantId: payment.merchantId,
          walletUserId: payerId,
          livemode: payment.livemode,
          object: attemptJson(attempt),
        },
        now,
      );
      return attempt;
    });
  }

  /**
   * A new attempt to pay an ended payment, by the wallet user payerId. Answers the payment as it is after: paid, or
   * (a test payer's scripted refusal) still ended with the refused attempt recorded. A wallet's refusal (funds,
   * limits, a frozen wallet or card, a card of another merchant) is recorded as a failed attempt and answered with
   * the same error a confirmation gets.
   */
  async function payAgain(
    payerId: string,
    payment: Payment,
    options: { stepUp?: StepUpProof; ip?: string | null },
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const until = retryableUntil(payment);
    if (!until) throw paymentError("payment_status_invalid", `This payment is ${payment.status}.`, "id");
    const now = await deps.testClocks.now(payment.merchantId, payment.livemode);
    if (now >= until) throw paymentAttemptErrors.toApiError("payment_retry_closed", undefined, "id");
    if (payment.attemptCount >= paymentAttemptsMax) {
      throw paymentAttemptErrors.toApiError("payment_attempts_exhausted", undefined, "id");
    }
    const user = await deps.wallets.users.get(payerId);
    const method = methodOfPayer(user.kind);

    // Sandbox hook: a test payer's scenario may have coffer refuse it (limit_exceeded, risk_declined …).
    const plan = payment.livemode ? undefined : await deps.sandbox?.planFor(user.id, payment);
    if (plan?.kind === "refuse") {
      await recordRefused(payment, user.id, method, plan.code, plan.message);
      return payments.payments.get(payment, payment.id);
    }
    if (!(await payments.holdsCurrency(user.id, payment.currency))) {
      const message = `Your wallet holds no ${payment.currency}.`;
      await recordRefused(payment, user.id, method, "insufficient_funds", message);
      throw walletError("insufficient_funds", message, "amount");
    }
    let recorded = false;
    try {
      const auth = await deps.wallets.spend.authorize(user.id, {
        amount: payment.amount,
        currency: payment.currency,
        stepUp: options.stepUp,
        ip: options.ip ?? null,
        user,
      });
      const paidStatus: PaymentStatus = payment.captureMethod === "manual" ? "requires_capture" : "succeeded";
      const outcome = await payments.charger.charge(payment, auth, {
        reopen: {
          from: endedStatuses,
          where: { sql: retryWhere, params: [new Date(now.getTime() - paymentRetryWindowMs)] },
          set: { failure_code: null, failure_message: null, cancellation_reason: null },
        },
        // In the charge's ledger hook, before the payment changes: the attempt rows commit with the money.
        prepare: async (tx) => {
          const attempt = await recordAttempt(tx, payment.id, {
            status: paidStatus,
            payerId: user.id,
            paymentMethod: method,
            failureCode: null,
            failureMessage: null,
            at: await deps.testClocks.now(payment.merchantId, payment.livemode, tx),
          });
          if (!attempt) throw paymentAttemptErrors.toApiError("payment_attempts_exhausted", undefined, "id");
        },
        answer,
      });
      if (outcome.kind === "insufficient_funds") {
        recorded = true;
        await recordRefused(
          payment,
          user.id,
          method,
          "insufficient_funds",
          "The wallet's balance is below the amount.",
        );
        throw walletError("insufficient_funds", undefined, "amount");
      }
      return outcome.payment;
    } catch (error) {
      const refused = refusalOf(error);
      if (refused && !recorded) await recordRefused(payment, user.id, method, refused, (error as ApiError).message);
      throw error;
    }
  }

  async function lastAttempt(payment: Payment): Promise<LastAttempt | null> {
    if (payment.attemptCount > 1) {
      const row = await lastAttemptRow(pool, payment.id);
      if (row) return lastOf(row.number, row.status, row.failureCode);
    }
    if (payment.status === "failed" || payment.status === "expired" || payment.status === "canceled") {
      return lastOf(1, payment.status, payment.failureCode, payment.cancellationReason);
    }
    return null;
  }

  function lastOf(
    number: number,
    status: PaymentStatus,
    failureCode: FailureCode | null,
    reason: Payment["cancellationReason"] = status === "canceled" ? "confirmation_timeout" : null,
  ): LastAttempt | null {
    if (status === "requires_payment" || status === "processing") return null;
    return { number, status, failure_code: failureCode, cancellation_reason: reason };
  }

  /** GET /v1/payments/{id}/attempts: every attempt, newest first (at most paymentAttemptsMax). */
  async function list(scope: MerchantScope, paymentId: string): Promise<PaymentAttemptJson[]> {
    const payment = await payments.payments.get(scope, paymentId);
    if (payment.attemptCount === 1) {
      const kind = payment.payerId ? await payerKind(pool, payment.payerId) : null;
      return [attemptJson(firstAttemptOf(payment, kind))];
    }
    return (await listAttemptRows(pool, payment.id)).map(attemptJson);
  }

  const retries: PaymentRetries = { isRetry, payAgain, lastAttempt };
  return { ...retries, list };
}
