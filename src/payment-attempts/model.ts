import { createHash } from "node:crypto";
import type { FailureCode } from "../payments/failure-codes.js";
import { type Payment, unixSeconds } from "../payments/model.js";
import type { PaymentStatus } from "../payments/state-machine.js";

/**
 * The attempts of a payment (docs/adr/0028). A payment that is never paid again has one attempt, the payment row
 * itself; from its first retry on, each attempt is a payment_attempts row: the first as it ended, then every retry
 * with its outcome. An attempt's status is how it ended (requires_capture: it authorized a hold), or, for the single
 * attempt of a payment still open, the payment's own status.
 */
export const paymentMethodsOfAttempts = ["account_wallet", "stored_value_card"] as const;
export type AttemptPaymentMethod = (typeof paymentMethodsOfAttempts)[number];

export interface PaymentAttempt {
  id: string;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  number: number;
  status: PaymentStatus;
  payerId: string | null;
  paymentMethod: AttemptPaymentMethod | null;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  createdAt: Date;
}

export interface PaymentAttemptRow {
  id: string;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  number: number;
  status: PaymentStatus;
  payer_id: string | null;
  payment_method: AttemptPaymentMethod | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
}

export function attemptFromRow(row: PaymentAttemptRow): PaymentAttempt {
  return {
    id: row.id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    number: row.number,
    status: row.status,
    payerId: row.payer_id,
    paymentMethod: row.payment_method,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
  };
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An attempt's id, derived from its payment and number: the first attempt has the same id before its row exists (it
 * is answered from the payment row) and after.
 */
export function attemptId(paymentId: string, number: number): string {
  const digest = createHash("sha256").update(`payment-attempt\u0000${paymentId}\u0000${number}`).digest();
  let out = "";
  for (let i = 0; out.length < 22; i++) out += base62[digest[i]! % 62];
  return `pat_${out}`;
}

export function methodOfPayer(kind: "account" | "card"): AttemptPaymentMethod {
  return kind === "card" ? "stored_value_card" : "account_wallet";
}

/** The single attempt of a payment that was never paid again, from the payment row. */
export function firstAttemptOf(payment: Payment, payerKind: "account" | "card" | null): PaymentAttempt {
  return {
    id: attemptId(payment.id, 1),
    paymentId: payment.id,
    merchantId: payment.merchantId,
    livemode: payment.livemode,
    number: 1,
    status: payment.status,
    payerId: payment.payerId,
    paymentMethod: payment.payerId && payerKind ? methodOfPayer(payerKind) : null,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    createdAt: payment.createdAt,
  };
}

/** The attempt as the merchant API and its event show it (the payer is not named, as on the payment). */
export function attemptJson(attempt: PaymentAttempt) {
  return {
    id: attempt.id,
    object: "payment_attempt" as const,
    livemode: attempt.livemode,
    payment: attempt.paymentId,
    number: attempt.number,
    status: attempt.status,
    payment_method: attempt.paymentMethod,
    failure_code: attempt.failureCode,
    failure_message: attempt.failureMessage,
    created: unixSeconds(attempt.createdAt),
  };
}
export type PaymentAttemptJson = ReturnType<typeof attemptJson>;
