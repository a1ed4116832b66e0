import { withTransaction } from "../db/tx.js";
import { paymentExpiryBatchMax, paymentExpiryLeaseMs } from "../limits.js";
import { testClockDueSql, testOffsetSql } from "../sandbox/test-clock.js";
import type { PaymentCapture } from "./capture.js";
import { purgeOldPaymentCodes } from "./code-store.js";
import type { PaymentContext } from "./deps.js";
import { type PaymentRow, paymentFromRow } from "./model.js";
import { recordPaymentEvent } from "./store.js";
import { changePaymentStatus } from "./transitions.js";

/**
 * The payment expiry worker's pass. Every open payment has a due_at: expires_at while nobody has paid it, the end of
 * the confirmation window for a payment code waiting for its payer, capture_before for a hold. When it passes:
 *
 *   requires_payment  → expired   (failure_code expired)
 *   processing        → canceled  (cancellation_reason confirmation_timeout: nobody confirmed the payment code)
 *   requires_capture  → expired   (the hold is voided, the payer's money and limits come back)
 *   crypto            → src/crypto/payments decides (paid on chain, underpaid, or waiting for confirmations)
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED and a lease (due_at moves forward), so several workers share the work
 * and a claim left by a dead process is taken again. Each change is conditional on the status and the deadline, so
 * a payment paid at the last moment stays paid.
 */
export function createPaymentExpiry(ctx: PaymentContext, capture: PaymentCapture) {
  const { pool, clock } = ctx;

  /**
   * Claims due payments: due on the system clock, or (test mode) on the merchant's test clock. The lease is taken on
   * the row's own clock, so a test payment on an advanced clock is not due again at once. With onlyMerchant, only
   * that merchant's test-mode payments (advance_time runs its merchant's due work itself).
   */
  async function claimDue(limit: number, onlyMerchant?: string) {
    const testDue = (merchant?: string) =>
      testClockDueSql({ table: "payments", dueColumn: "due_at", now: "$1", limit: "$3", merchant });
    const claimed = await pool.query<PaymentRow>(
      `UPDATE payments p SET due_at = $2::timestamptz + ${testOffsetSql("p.merchant_id", "p.livemode")}
        WHERE ${
          onlyMerchant === undefined
            ? `p.id IN (SELECT id FROM payments WHERE due_at <= $1 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               OR p.id IN (${testDue()})`
            : `p.id IN (${testDue("$4")})`
        }
        RETURNING p.*`,
      [
        clock.now(),
        new Date(clock.now().getTime() + paymentExpiryLeaseMs),
        limit,
        ...(onlyMerchant ? [onlyMerchant] : []),
      ],
    );
    return claimed.rows.map(paymentFromRow);
  }

  /**
   * One pass: ends every payment due now (up to limit, twice that when test clocks run ahead). Returns how many it
   * looked at. onlyMerchant restricts it to one merchant's test-mode payments.
   */
  async function runDue(limit = paymentExpiryBatchMax, onlyMerchant?: string): Promise<number> {
    const due = await claimDue(limit, onlyMerchant);
    for (const payment of due) {
      const now = await ctx.testClocks.now(payment.merchantId, payment.livemode);
      try {
        if (payment.status === "requires_capture") {
          await capture.expireHold(payment);
          continue;
        }
        // A crypto payment may have money on its way: src/crypto/payments settles, expires or waits for it.
        if (payment.method === "crypto" && ctx.crypto) {
          await ctx.crypto.due(payment);
          continue;
        }
        await withTransaction(pool, async (tx) => {
          const changed =
            payment.status === "requires_payment"
              ? await changePaymentStatus(tx, {
                  id: payment.id,
                  from: ["requires_payment"],
                  to: "expired",
                  at: now,
                  set: {
                    failure_code: "expired",
                    failure_message: "Nobody paid the payment before it expired.",
                    due_at: null,
                  },
                  where: { sql: "p.expires_at <= ?", params: [now] },
                })
              : payment.status === "processing"
                ? await changePaymentStatus(tx, {
                    id: payment.id,
                    from: ["processing"],
                    to: "canceled",
                    at: now,
                    set: { cancellation_reason: "confirmation_timeout", due_at: null },
                    where: { sql: "p.expires_at <= ?", params: [now] },
                  })
                : undefined;
          if (changed) await recordPaymentEvent(tx, ctx, changed.payment, now, changed.previous);
          else
            await tx.query(
              "UPDATE payments SET due_at = NULL WHERE id = $1 AND status NOT IN ('requires_payment', 'processing', 'requires_capture')",
              [payment.id],
            );
        });
      } catch (error) {
        ctx.log.error({ err: error, payment: payment.id }, "payment expiry failed; the next pass retries");
      }
    }
    if (due.length > 0) ctx.notices.kick(); // reminders queued with the changes leave now
    await purgeOldPaymentCodes(pool, clock.now(), limit);
    return due.length;
  }

  return { runDue };
}
