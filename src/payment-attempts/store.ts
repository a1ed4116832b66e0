import type { Queryable } from "../db/pool.js";
import { paymentAttemptsMax } from "../limits.js";
import type { FailureCode } from "../payments/failure-codes.js";
import type { PaymentStatus } from "../payments/state-machine.js";
import {
  type AttemptPaymentMethod,
  attemptFromRow,
  attemptId,
  type PaymentAttempt,
  type PaymentAttemptRow,
} from "./model.js";

/** The payment_attempts rows (migration 0032). */

export interface NewAttempt {
  status: PaymentStatus;
  payerId: string;
  paymentMethod: AttemptPaymentMethod;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  at: Date;
}

/**
 * Counts a new attempt on the payment and writes its row, in one statement of the caller's transaction. The first
 * retry also writes the first attempt, copied from the payment row as it ended. The count is raised on the payment
 * row, which serializes racing attempts of one payment and numbers them; undefined when the payment has had
 * paymentAttemptsMax attempts. The payment's updated_at stays: for an ended payment it is when it ended.
 */
export async function recordAttempt(
  tx: Queryable,
  paymentId: string,
  attempt: NewAttempt,
): Promise<PaymentAttempt | undefined> {
  const result = await tx.query<PaymentAttemptRow>(
    `WITH bumped AS (
       UPDATE payments SET attempt_count = attempt_count + 1
        WHERE id = $1 AND attempt_count < $2
        RETURNING id, merchant_id, livemode, status, payer_id, failure_code, failure_message, created_at, attempt_count
     ), first AS (
       INSERT INTO payment_attempts (id, payment_id, merchant_id, livemode, number, status, payer_id, payment_method,
                                     failure_code, failure_message, created_at)
       SELECT $3, b.id, b.merchant_id, b.livemode, 1, b.status, b.payer_id,
              CASE WHEN b.payer_id IS NULL THEN NULL WHEN u.kind = 'card' THEN 'stored_value_card' ELSE 'account_wallet' END,
              b.failure_code, b.failure_message, b.created_at
         FROM bumped b LEFT JOIN wallet_users u ON u.id = b.payer_id
        WHERE b.attempt_count = 2
     )
     INSERT INTO payment_attempts (id, payment_id, merchant_id, livemode, number, status, payer_id, payment_method,
                                   failure_code, failure_message, created_at)
     SELECT ($10::text[])[b.attempt_count], b.id, b.merchant_id, b.livemode, b.attempt_count, $4, $5, $6, $7, $8, $9
       FROM bumped b
     RETURNING *`,
    [
      paymentId,
      paymentAttemptsMax,
      attemptId(paymentId, 1),
      attempt.status,
      attempt.payerId,
      attempt.paymentMethod,
      attempt.failureCode,
      attempt.failureMessage,
      attempt.at,
      // Attempt ids are derived from the payment and the number (model.ts), which only the statement knows.
      Array.from({ length: paymentAttemptsMax }, (_, i) => attemptId(paymentId, i + 1)),
    ],
  );
  return result.rows[0] ? attemptFromRow(result.rows[0]) : undefined;
}

export async function listAttemptRows(db: Queryable, paymentId: string): Promise<PaymentAttempt[]> {
  const result = await db.query<PaymentAttemptRow>(
    "SELECT * FROM payment_attempts WHERE payment_id = $1 ORDER BY number DESC",
    [paymentId],
  );
  return result.rows.map(attemptFromRow);
}

export async function lastAttemptRow(db: Queryable, paymentId: string): Promise<PaymentAttempt | undefined> {
  const result = await db.query<PaymentAttemptRow>(
    "SELECT * FROM payment_attempts WHERE payment_id = $1 ORDER BY number DESC LIMIT 1",
    [paymentId],
  );
  return result.rows[0] ? attemptFromRow(result.rows[0]) : undefined;
}

export async function payerKind(db: Queryable, walletUserId: string): Promise<"account" | "card" | null> {
  const result = await db.query<{ kind: "account" | "card" }>("SELECT kind FROM wallet_users WHERE id = $1", [
    walletUserId,
  ]);
  return result.rows[0]?.kind ?? null;
}
