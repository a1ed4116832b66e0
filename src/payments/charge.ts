import { couponErrors } from "../coupons/errors.js";
import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { isApplied } from "../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../ledger/model.js";
import { paymentCaptureHoldGraceMs, paymentCaptureWindowMs } from "../limits.js";
import type { SpendAuthorization } from "../wallets/spend.js";
import type { PaymentContext } from "./deps.js";
import { paymentError } from "./errors.js";
import type { FailureCode } from "./failure-codes.js";
import { feeFor } from "./fees.js";
import type { Payment } from "./model.js";
import type { PaymentStatus } from "./state-machine.js";
import { getPayment, recordPaymentEvent } from "./store.js";
import { changePaymentStatus, type StatusChange } from "./transitions.js";

/**
 * Taking a payment from a payer's wallet. Automatic capture is one linked chain, wallet → merchant (the amount) and
 * merchant → platform fee account (the fee); manual capture is a hold wallet → merchant, posted or voided later.
 * Transfer ids are derived from the payment id, so a retried or doubled confirmation submits the same transfers and
 * the ledger answers `exists` instead of moving money twice; a different payer's wallet answers
 * `exists_with_different_debit_account_id`. The payment row changes in the ledger hook, conditionally on its status,
 * payer and expiry: exactly one submission wins, and one that finds the payment canceled or expired is aborted
 * whole (its transfers are not written). The payer's limits are counted in the same hook (wallets.spend.commit).
 */
export type ChargeOutcome =
  | { kind: "charged"; payment: Payment }
  | { kind: "insufficient_funds" }
  /** With failWhenRefused: the payment ended failed (insufficient_funds) in the same transaction. */
  | { kind: "failed"; payment: Payment };

export interface ChargeOptions {
  /**
   * Runs first in the ledger hook, before the payment row changes: a payment code's payment is claimed and inserted
   * here, so the code, the row, the money and the events commit together or not at all.
   */
  prepare?: (tx: Queryable) => Promise<void>;
  /**
   * The payment is new (a payment code charged at once): when the charge applies, the hook claims what it must
   * (create.claim) and writes the row once, in its charged state, with both its events — instead of inserting it
   * and changing it. prepare is then used only for a refusal.
   */
  create?: { claim: (tx: Queryable) => Promise<void>; write: (tx: Queryable, payment: Payment) => Promise<void> };
  /** A refusal for lack of funds ends the payment failed in the same transaction instead of leaving it open. */
  failWhenRefused?: boolean;
  /** Stores the request's answer with the change (src/http/idempotency.ts answerWithEffect). */
  answer?: AnswerRecorder<Payment>;
  /**
   * Paying again (src/payment-attempts, docs/adr/0028): the payment ended unpaid, and the change is a retry
   * transition from these statuses under these conditions (allow_retries, the window) instead of from the payable
   * ones before expires_at; set clears what the ended attempt left (failure_code …).
   */
  reopen?: Pick<StatusChange, "from" | "where" | "set">;
}

const payableStatuses: readonly PaymentStatus[] = ["requires_payment", "processing"];

const insufficientFundsMessage = "The payer's available balance is below the amount.";

export function isPayable(status: PaymentStatus): boolean {
  return payableStatuses.includes(status);
}

/** Why a payment cannot be paid now, as the error the payer or merchant sees. */
export function notPayableError(payment: Payment, payerId: string | null, now: Date): ApiError {
  if (isPayable(payment.status)) {
    if (payment.payerId !== null && payerId !== null && payment.payerId !== payerId) {
      return new ApiError("resource_not_found", "No such payment.", "id");
    }
    if (payment.expiresAt <= now) return paymentError("payment_expired", undefined, "id");
  }
  return paymentError("payment_status_invalid", `This payment is ${payment.status}; it cannot be paid.`, "id");
}

export type Charger = ReturnType<typeof createCharger>;

export function createCharger(ctx: PaymentContext) {
  const { ledger, accounts } = ctx;

  async function charge(
    payment: Payment,
    auth: SpendAuthorization,
    options: ChargeOptions = {},
  ): Promise<ChargeOutcome> {
    const payerId = auth.user.id;
    // A stored-value card pays only where it is accepted (closed loop) and while active: one check for every payer path.
    if (auth.user.kind === "card") await ctx.cards?.assertPayable(auth.user, payment);
    const manual = payment.captureMethod === "manual";
    // A discounted payment (src/coupons) adds its discount's money and counts to the chain; others ask nothing.
    const promotion = payment.discount && !manual ? await ctx.promotions?.forCharge(payment, payerId) : undefined;
    const feeBase = promotion?.feeBase ?? payment.amount;
    const fee = manual ? 0n : feeFor(feeBase, { percentBps: payment.feePercentBps, fixed: payment.feeFixed });
    const merchantAccount = await accounts.merchantAccountId(payment.merchantId, payment.livemode, payment.currency);
    const feeAccount = fee > 0n ? await accounts.feeAccountId(payment.livemode, payment.currency) : undefined;
    const holdId = transferIdFor(payment.id, "authorize");
    const transfers: TransferInput[] = manual
      ? [
          {
            id: holdId,
            debitAccountId: auth.walletAccountId,
            creditAccountId: merchantAccount,
            amount: payment.amount,
            pending: true,
            // The ledger's own timeout is a backstop on the system clock. The payment expiry worker voids the hold
            // explicitly at capture_before, which in test mode is on the merchant's test clock (never behind the
            // system clock), so advancing a test clock releases the hold without waiting for this timeout.
            timeoutMs: paymentCaptureWindowMs + paymentCaptureHoldGraceMs,
            code: "payment",
            reference: payment.id,
          },
        ]
      : [
          {
            id: transferIdFor(payment.id, "charge"),
            debitAccountId: auth.walletAccountId,
            creditAccountId: merchantAccount,
            amount: payment.amount,
            code: "payment",
            reference: payment.id,
            linked: feeAccount !== undefined,
          },
          ...(feeAccount === undefined
            ? []
            : [
                {
                  id: transferIdFor(payment.id, "fee"),
                  debitAccountId: merchantAccount,
                  creditAccountId: feeAccount,
                  amount: fee,
                  code: "fee",
                  reference: payment.id,
                },
              ]),
        ];
    if (promotion && promotion.transfers.length > 0) {
      // A platform coupon pays the merchant its discount in the same linked chain as the payer's money.
      transfers.splice(1, 0, ...promotion.transfers);
      for (const [i, transfer] of transfers.entries()) transfer.linked = i < transfers.length - 1;
    }

    // Read before the batch: the hook runs while the batch holds its account locks.
    const notice = await ctx.notices.context(ctx.pool, payment, payerId);
    // What the hook committed, so the answer needs no read after the commit.
    let committed: ChargeOutcome | undefined;
    const results = await ctx.wallets.spend.exclusive(auth, () =>
      ledger.createTransfers(transfers, async (tx, results) => {
        committed = undefined; // a retried batch runs the hook again
        const refused = results.some((r) => r.code === "exceeds_credits");
        if (!results.every((r) => isApplied(r.code))) {
          if (!(refused && options.failWhenRefused)) return;
          await options.prepare?.(tx);
          const failed = await failIn(tx, payment, "insufficient_funds", insufficientFundsMessage);
          await options.answer?.(tx, failed);
          committed = { kind: "failed", payment: failed };
          return;
        }
        if (results.every((r) => r.code === "exists")) return; // charged before: nothing moved now
        const now = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
        const captureBefore = manual ? new Date(now.getTime() + paymentCaptureWindowMs) : null;
        if (options.create) {
          await options.create.claim(tx);
          const paid: Payment = {
            ...payment,
            status: manual ? "requires_capture" : "succeeded",
            payerId,
            amountCaptured: manual ? 0n : payment.amount,
            feeAmount: fee,
            holdTransferId: manual ? holdId : null,
            captureBefore,
            dueAt: captureBefore,
            spendDay: auth.spend.periods.day,
            spendMonth: auth.spend.periods.month,
            paidAt: now,
            updatedAt: now,
          };
          if (payment.status !== "requires_payment" || payment.expiresAt <= now) {
            throw new Error(`payment ${payment.id} is not a new payable payment`);
          }
          await options.create.write(tx, paid);
          await recordPaymentEvent(tx, ctx, payment, payment.createdAt);
          await ctx.wallets.spend.commit(tx, auth);
          await recordPaymentEvent(tx, ctx, paid, now, payment.status, notice);
          await options.answer?.(tx, paid);
          committed = { kind: "charged", payment: paid };
          return;
        }
        await options.prepare?.(tx);
        const changed = await changePaymentStatus(tx, {
          id: payment.id,
          from: options.reopen?.from ?? payableStatuses,
          to: manual ? "requires_capture" : "succeeded",
          at: now,
          retry: options.reopen !== undefined,
          set: {
            ...options.reopen?.set,
            payer_id: payerId,
            amount_captured: manual ? 0n : payment.amount,
            fee_amount: fee,
            hold_transfer_id: manual ? holdId : null,
            capture_before: captureBefore,
            due_at: captureBefore,
            spend_day: auth.spend.periods.day,
            spend_month: auth.spend.periods.month,
            paid_at: now,
          },
          where: options.reopen?.where ?? {
            // The amount too: a payer's promotion code may have changed it since this charge was planned.
            sql: "(p.payer_id IS NULL OR p.payer_id = ?) AND p.expires_at > ? AND p.amount = ?",
            params: [payerId, now, String(payment.amount)],
          },
        });
        if (!changed) throw await whyNotPayable(tx, payment.id, payerId, now, payment.amount);
        await promotion?.commit(tx, now);
        await ctx.wallets.spend.commit(tx, auth);
        await recordPaymentEvent(tx, ctx, changed.payment, now, changed.previous, notice);
        await options.answer?.(tx, changed.payment);
        committed = { kind: "charged", payment: changed.payment };
      }),
    );

    ctx.notices.kick(); // the receipt, queued with the change, leaves now
    if (committed) return committed;
    if (results.some((r) => r.code === "exceeds_credits")) return { kind: "insufficient_funds" };
    if (!results.every((r) => isApplied(r.code))) {
      // Another payer's wallet (or another amount) under the same ids: someone paid this payment already.
      if (results.some((r) => r.code.startsWith("exists_with_different"))) {
        throw paymentError("payment_status_invalid", "This payment has been paid already.", "id");
      }
      throw new Error(`the ledger refused the charge of ${payment.id}: ${results.map((r) => r.code).join(", ")}`);
    }
    // Charged by an earlier request of this payer (the ledger answered exists): the payment as it is now.
    const after = await getPayment(ctx.pool, payment.id);
    if (!after) throw new Error(`payment ${payment.id} vanished`);
    if (after.payerId !== payerId || !(after.status === "succeeded" || after.status === "requires_capture")) {
      throw notPayableError(after, payerId, await ctx.testClocks.now(after.merchantId, after.livemode));
    }
    return { kind: "charged", payment: after };
  }

  async function whyNotPayable(
    tx: Queryable,
    id: string,
    payerId: string,
    now: Date,
    amount: bigint,
  ): Promise<ApiError> {
    const current = await getPayment(tx, id);
    if (!current) return new ApiError("resource_not_found", "No such payment.", "id");
    if (isPayable(current.status) && current.amount !== amount) {
      return couponErrors.toApiError("payment_amount_changed", undefined, "id");
    }
    return notPayableError(current, payerId, now);
  }

  /** Ends a payment that cannot be paid, in the caller's transaction; the payment as it is after. */
  async function failIn(tx: Queryable, payment: Payment, code: FailureCode, message: string): Promise<Payment> {
    const now = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
    const result = await changePaymentStatus(tx, {
      id: payment.id,
      from: payableStatuses,
      to: "failed",
      at: now,
      set: { failure_code: code, failure_message: message, due_at: null },
    });
    if (result) {
      await recordPaymentEvent(tx, ctx, result.payment, now, result.previous);
      return result.payment;
    }
    const current = await getPayment(tx, payment.id);
    if (!current) throw new Error(`payment ${payment.id} vanished`);
    return current;
  }

  /** Ends a payment that cannot be paid (a refused payment code charge, a declined confirmation). */
  async function fail(
    payment: Payment,
    code: FailureCode,
    message: string,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const failed = await withTransaction(ctx.pool, async (tx) => {
      const after = await failIn(tx, payment, code, message);
      await answer?.(tx, after);
      return after;
    });
    ctx.notices.kick(); // the reminder, queued with the change, leaves now
    return failed;
  }

  return { charge, fail, failIn };
}
