import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import { sandboxPayerActionAttemptsMax, sandboxPayerActionBatchMax, sandboxPayerActionLeaseMs } from "../limits.js";
import { paymentError } from "../payments/errors.js";
import type { Payment } from "../payments/model.js";
import type { PaymentServices } from "../payments/service.js";
import type { PaymentStatus } from "../payments/state-machine.js";
import { getMerchantPayment, recordPaymentEvent } from "../payments/store.js";
import { changePaymentStatus } from "../payments/transitions.js";
import type { TestClocks } from "./test-clock.js";
import type { TestPayers } from "./test-payers.js";

/**
 * The payer's side on demand, for test-mode payments: approve (the payer confirms through the wallet's real confirm
 * path, so the money moves in the test ledger exactly as it would for a person), decline and expire. And the
 * scripted payers' later answers (payer_declines, succeeds_after_delay), due on the merchant's test clock, run by the
 * sandbox worker and by advance_time through runDueSandboxActions.
 */
export interface PaymentHelperDeps {
  pool: Pool;
  clock: Clock;
  log: Logger;
  payments: PaymentServices;
  testPayers: TestPayers;
  testClocks: TestClocks;
}

export type PaymentHelpers = ReturnType<typeof createPaymentHelpers>;

interface PayerActionRow {
  payment_id: string;
  merchant_id: string;
  wallet_user_id: string;
  action: "approve" | "decline";
  attempts: number;
}

export function createPaymentHelpers(deps: PaymentHelperDeps) {
  const { pool, payments } = deps;

  async function load(scope: MerchantScope, id: string): Promise<Payment> {
    const payment = await getMerchantPayment(pool, scope, id);
    if (!payment) throw new ApiError("resource_not_found", "No such payment.", "id");
    return payment;
  }

  const wrongStatus = (payment: Payment, verb: string) =>
    paymentError("payment_status_invalid", `This payment is ${payment.status}; it cannot be ${verb}.`, "id");

  /** The payer who approves: the one named, the one a payment code named, else the merchant's funded test payer. */
  async function approvingPayer(scope: MerchantScope, payment: Payment, walletUserId?: string): Promise<string> {
    if (walletUserId !== undefined) {
      const payer = await deps.testPayers.ownedBy(scope.merchantId, walletUserId);
      if (payment.payerId !== null && payment.payerId !== payer.walletUserId) {
        throw paymentError("payment_status_invalid", "This payment is waiting for another payer.", "wallet_user");
      }
      return payer.walletUserId;
    }
    return payment.payerId ?? deps.testPayers.scenarioPayer(scope.merchantId, "success", payment.currency);
  }

  /** POST /v1/test_helpers/payments/{id}/approve. */
  async function approve(scope: MerchantScope, id: string, input: { walletUser?: string }): Promise<Payment> {
    const payment = await load(scope, id);
    const payerId = await approvingPayer(scope, payment, input.walletUser);
    if (payment.status !== "requires_payment" && payment.status !== "processing") {
      // Approving again what this payer paid answers the payment, as the wallet's confirm does; else 409.
      const paid = payment.status === "succeeded" || payment.status === "requires_capture";
      if (paid && payment.payerId === payerId) return payment;
      throw wrongStatus(payment, "approved");
    }
    await payments.payer.confirm(payerId, payment.id, { ip: null });
    return load(scope, id);
  }

  /**
   * POST /v1/test_helpers/payments/{id}/decline. A payment waiting for its payer is declined through the wallet's
   * decline path; an open qr or checkout payment is ended as if the payer who scanned it said no.
   */
  async function decline(scope: MerchantScope, id: string): Promise<Payment> {
    const payment = await load(scope, id);
    if (payment.status === "processing" && payment.payerId !== null) {
      await payments.payer.decline(payment.payerId, payment.id);
      return load(scope, id);
    }
    if (payment.status !== "requires_payment") throw wrongStatus(payment, "declined");
    const ended = await endNow(payment, ["requires_payment"], "failed", {
      failure_code: "payer_declined",
      failure_message: "The payer declined the payment.",
    });
    if (!ended) throw wrongStatus(await load(scope, id), "declined");
    return ended;
  }

  /** POST /v1/test_helpers/payments/{id}/expire: expires_at (or capture_before) is now. */
  async function expire(scope: MerchantScope, id: string): Promise<Payment> {
    const payment = await load(scope, id);
    if (payment.status === "requires_capture") {
      await payments.payments.expireHold(payment);
      const after = await load(scope, id);
      if (after.status !== "expired") throw wrongStatus(after, "expired");
      return after;
    }
    if (payment.status !== "requires_payment" && payment.status !== "processing") throw wrongStatus(payment, "expired");
    if (payment.method === "crypto") return expireCrypto(scope, payment);
    const ended = await endNow(payment, ["requires_payment", "processing"], "expired", {
      failure_code: "expired",
      failure_message: "Nobody paid the payment before it expired (expired by the test helper).",
    });
    if (!ended) throw wrongStatus(await load(scope, id), "expired");
    return ended;
  }

  /**
   * A crypto payment ends through its own expiry (src/crypto/payments): money already received makes it underpaid,
   * and money seen in time but not yet confirmed keeps it open for its confirmations. So the helper moves its expiry
   * to now and runs the merchant's due work, as the expiry worker would.
   */
  async function expireCrypto(scope: MerchantScope, payment: Payment): Promise<Payment> {
    const at = await deps.testClocks.now(payment.merchantId, false);
    await pool.query(
      `UPDATE payments SET expires_at = $2, due_at = $2
        WHERE id = $1 AND status IN ('requires_payment', 'processing')`,
      [payment.id, at],
    );
    await payments.expireDue(undefined, payment.merchantId);
    const after = await load(scope, payment.id);
    if (after.status !== "expired" && after.status !== "processing") throw wrongStatus(after, "expired");
    return after;
  }

  /** One conditional status change with its event, at the merchant's test-clock time. */
  async function endNow(
    payment: Payment,
    from: PaymentStatus[],
    to: "failed" | "expired",
    set: { failure_code: string; failure_message: string },
  ): Promise<Payment | undefined> {
    const at = await deps.testClocks.now(payment.merchantId, false);
    const changed = await withTransaction(pool, async (tx) => {
      const result = await changePaymentStatus(tx, {
        id: payment.id,
        from,
        to,
        at,
        set: { ...set, due_at: null, ...(to === "expired" ? { expires_at: at } : {}) },
      });
      if (result) await recordPaymentEvent(tx, payments, result.payment, at, result.previous);
      return result;
    });
    payments.notices.kick(); // the reminder queued with the change leaves now
    return changed?.payment;
  }

  /** Claims scripted answers due on their merchant's test clock (system time plus its offset), with a lease. */
  async function claimDue(merchantId: string | undefined, limit: number): Promise<PayerActionRow[]> {
    const now = deps.clock.now();
    const claimed = await pool.query<PayerActionRow>(
      `UPDATE sandbox_payer_actions a SET locked_until = $2, attempts = a.attempts + 1
        WHERE a.payment_id IN (
          SELECT x.payment_id FROM sandbox_payer_actions x LEFT JOIN test_clocks c ON c.merchant_id = x.merchant_id
           WHERE x.due_at <= $1::timestamptz + coalesce(c.offset_ms, 0) * interval '1 millisecond'
             AND (x.locked_until IS NULL OR x.locked_until <= $1)
             AND ($3::text IS NULL OR x.merchant_id = $3)
           ORDER BY x.due_at LIMIT $4 FOR UPDATE OF x SKIP LOCKED)
        RETURNING a.payment_id, a.merchant_id, a.wallet_user_id, a.action, a.attempts`,
      [now, new Date(now.getTime() + sandboxPayerActionLeaseMs), merchantId ?? null, limit],
    );
    return claimed.rows;
  }

  async function runAction(row: PayerActionRow): Promise<void> {
    try {
      if (row.action === "approve") await payments.payer.confirm(row.wallet_user_id, row.payment_id, { ip: null });
      else await payments.payer.decline(row.wallet_user_id, row.payment_id);
    } catch (error) {
      // A refusal (the payment was canceled or paid meanwhile, or needs a second factor) is the answer: done.
      if (!(error instanceof ApiError) && row.attempts < sandboxPayerActionAttemptsMax) {
        deps.log.error({ err: error, payment: row.payment_id }, "sandbox payer answer failed; the next pass retries");
        return;
      }
    }
    await pool.query("DELETE FROM sandbox_payer_actions WHERE payment_id = $1", [row.payment_id]);
  }

  /**
   * Runs the scripted payer answers that are due now, for one merchant or all. The sandbox worker calls it every
   * sandboxPayerActionIntervalMs; advance_time calls it for its merchant before answering. Returns how many ran.
   */
  async function runDueSandboxActions(merchantId?: string, limit = sandboxPayerActionBatchMax): Promise<number> {
    let ran = 0;
    for (;;) {
      const due = await claimDue(merchantId, limit);
      for (const row of due) await runAction(row);
      ran += due.length;
      if (due.length < limit) return ran;
    }
  }

  return { approve, decline, expire, runDueSandboxActions };
}
