import type { PoolClient } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { parseAmount } from "../http/amount.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { isApplied, type TransferResult } from "../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../ledger/model.js";
import type { PaymentContext } from "./deps.js";
import { paymentError } from "./errors.js";
import { feeFor } from "./fees.js";
import type { CancellationReason, Payment } from "./model.js";
import type { PaymentStatus } from "./state-machine.js";
import { getMerchantPayment, getPayment, recordPaymentEvent } from "./store.js";
import { changePaymentStatus } from "./transitions.js";

/**
 * The merchant's second step on manual-capture payments, and ending payments early.
 *
 * Capture posts the hold on the payer's wallet, fully or partly (the rest returns to the payer at once), and takes
 * the fee on the captured amount, in one linked submission. Cancel ends an open payment, voiding its hold if it has
 * one. A hold the merchant neither captures nor cancels is voided by the expiry worker at capture_before (the
 * payment expires). Every change of the payment row and its event happens in the ledger hook, conditional on the
 * status, so a capture racing a cancel or the expiry ends with exactly one of them.
 */
export type PaymentCapture = ReturnType<typeof createPaymentCapture>;

export function createPaymentCapture(ctx: PaymentContext) {
  const { pool, ledger, accounts } = ctx;

  async function load(scope: MerchantScope, id: string): Promise<Payment> {
    const payment = await getMerchantPayment(pool, scope, id);
    if (!payment) throw new ApiError("resource_not_found", "No such payment.", "id");
    return payment;
  }

  /** Gives the payer's limits back for the part of a hold that was not taken. */
  async function releaseSpend(tx: PoolClient, payment: Payment, amount: bigint): Promise<void> {
    if (amount <= 0n || !payment.payerId || !payment.spendDay || !payment.spendMonth) return;
    await ctx.wallets.spend.release(tx, {
      userId: payment.payerId,
      currency: payment.currency,
      amount,
      periods: { day: payment.spendDay, month: payment.spendMonth },
    });
  }

  async function capture(
    scope: MerchantScope,
    id: string,
    input: { amountToCapture?: unknown },
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const payment = await load(scope, id);
    const amount =
      input.amountToCapture === undefined
        ? payment.amount
        : parseAmount(input.amountToCapture, { param: "amount_to_capture" });
    if (amount > payment.amount) {
      throw paymentError(
        "capture_exceeds_authorized",
        `amount_to_capture is at most the ${payment.amount} authorized.`,
        "amount_to_capture",
      );
    }
    const retried = payment.captureMethod === "manual" && payment.status === "succeeded";
    if (retried && payment.amountCaptured !== amount) {
      // Captured already, for another amount: the capture transfer exists with other flags or amount.
      throw paymentError("payment_status_invalid", "This payment was captured differently already.", "id");
    }
    if (payment.status !== "requires_capture" && !retried) {
      throw paymentError(
        "payment_status_invalid",
        `Only a requires_capture payment can be captured; this one is ${payment.status}.`,
        "id",
      );
    }
    const now = await ctx.testClocks.now(payment.merchantId, payment.livemode);
    if (payment.status === "requires_capture" && payment.captureBefore && payment.captureBefore <= now) {
      throw paymentError("payment_expired", "The capture window of this payment has closed.", "id");
    }
    const fee = feeFor(amount, { percentBps: payment.feePercentBps, fixed: payment.feeFixed });
    const merchantAccount = await accounts.merchantAccountId(payment.merchantId, payment.livemode, payment.currency);
    const feeAccount = fee > 0n ? await accounts.feeAccountId(payment.livemode, payment.currency) : undefined;
    const transfers: TransferInput[] = [
      {
        id: transferIdFor(payment.id, "capture"),
        postPendingId: transferIdFor(payment.id, "authorize"),
        amount,
        reference: payment.id,
        linked: feeAccount !== undefined,
      },
    ];
    if (feeAccount !== undefined) {
      transfers.push({
        id: transferIdFor(payment.id, "fee"),
        debitAccountId: merchantAccount,
        creditAccountId: feeAccount,
        amount: fee,
        code: "fee",
        reference: payment.id,
      });
    }
    let captured: Payment | undefined;
    const results = await ledger.createTransfers(transfers, async (tx, results) => {
      captured = undefined;
      if (!results.every((r) => isApplied(r.code)) || results.every((r) => r.code === "exists")) return;
      const at = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
      const changed = await changePaymentStatus(tx, {
        id: payment.id,
        from: ["requires_capture"],
        to: "succeeded",
        at,
        set: { amount_captured: amount, fee_amount: fee, due_at: null },
      });
      if (!changed) throw paymentError("payment_status_invalid", "This payment is no longer requires_capture.", "id");
      await releaseSpend(tx, changed.payment, payment.amount - amount);
      await recordPaymentEvent(tx, ctx, changed.payment, at, changed.previous);
      await answer?.(tx, changed.payment);
      captured = changed.payment;
    });
    throwUnlessApplied(results, "captured");
    ctx.notices.kick(); // the receipt, queued with the change, leaves now
    return captured ?? load(scope, id);
  }

  function throwUnlessApplied(results: TransferResult[], verb: string): void {
    const [first] = results;
    if (results.every((r) => isApplied(r.code))) return;
    switch (first?.code) {
      case "pending_transfer_expired":
        throw paymentError("payment_expired", "The capture window of this payment has closed.", "id");
      case "pending_transfer_already_posted":
      case "pending_transfer_already_voided":
      case "exists_with_different_amount":
        throw paymentError("payment_status_invalid", `This payment was ${verb} differently already.`, "id");
      default:
        throw new Error(`the ledger refused to finish a payment hold: ${results.map((r) => r.code).join(", ")}`);
    }
  }

  async function cancel(
    scope: MerchantScope,
    id: string,
    input: { reason?: CancellationReason },
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const payment = await load(scope, id);
    const reason = input.reason ?? "requested_by_customer";
    const now = await ctx.testClocks.now(scope.merchantId, scope.livemode);
    if (payment.status === "requires_payment" || payment.status === "processing") {
      const changed = await withTransaction(pool, async (tx) => {
        const result = await changePaymentStatus(tx, {
          id: payment.id,
          from: ["requires_payment", "processing"],
          to: "canceled",
          at: now,
          set: { cancellation_reason: reason, due_at: null },
        });
        if (result) {
          await recordPaymentEvent(tx, ctx, result.payment, now, result.previous);
          await answer?.(tx, result.payment);
        }
        return result;
      });
      if (changed) return changed.payment;
      return cancelRequiresCapture(scope, await load(scope, id), reason, answer);
    }
    return cancelRequiresCapture(scope, payment, reason, answer);
  }

  async function cancelRequiresCapture(
    scope: MerchantScope,
    payment: Payment,
    reason: CancellationReason,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    if (payment.status !== "requires_capture") {
      throw paymentError("payment_status_invalid", `This payment is ${payment.status}; it cannot be canceled.`, "id");
    }
    if (
      payment.captureBefore &&
      payment.captureBefore <= (await ctx.testClocks.now(scope.merchantId, scope.livemode))
    ) {
      throw paymentError("payment_expired", "The capture window of this payment has closed.", "id");
    }
    const results = await releaseHold(payment, "canceled", { cancellation_reason: reason }, answer);
    throwUnlessApplied(results, "finished");
    const after = await load(scope, payment.id);
    if (after.status !== "canceled") {
      throw paymentError("payment_status_invalid", `This payment is ${after.status}; it cannot be canceled.`, "id");
    }
    return after;
  }

  /**
   * Voids a payment's hold and ends the payment (canceled by the merchant, expired by the worker) in the hook. When
   * the ledger had expired the hold itself, the money is back (or will be within a second): the payment ends too.
   */
  async function releaseHold(
    payment: Payment,
    to: Extract<PaymentStatus, "canceled" | "expired">,
    set: { cancellation_reason?: CancellationReason; failure_code?: string; failure_message?: string },
    answer?: AnswerRecorder<Payment>,
  ): Promise<TransferResult[]> {
    return ledger.createTransfers(
      [
        {
          id: transferIdFor(payment.id, "void"),
          voidPendingId: transferIdFor(payment.id, "authorize"),
          reference: payment.id,
        },
      ],
      async (tx, [result]) => {
        const code = result?.code;
        const released =
          code === "ok" || code === "pending_transfer_expired" || code === "pending_transfer_already_voided";
        if (!released) return;
        const at = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
        const changed = await changePaymentStatus(tx, {
          id: payment.id,
          from: ["requires_capture"],
          to,
          at,
          set: { ...set, due_at: null },
        });
        if (!changed) {
          if (code === "ok")
            throw paymentError("payment_status_invalid", "This payment is no longer requires_capture.", "id");
          return;
        }
        await releaseSpend(tx, changed.payment, changed.payment.amount);
        await recordPaymentEvent(tx, ctx, changed.payment, at, changed.previous);
        await answer?.(tx, changed.payment);
      },
    );
  }

  /** For the expiry worker: a requires_capture payment past capture_before. */
  async function expireHold(payment: Payment): Promise<void> {
    await releaseHold(payment, "expired", {
      failure_code: "expired",
      failure_message: "The payment was not captured before capture_before; the hold was released.",
    });
  }

  return { capture, cancel, expireHold, getPayment: (id: string) => getPayment(pool, id) };
}
