import { gather } from "../db/deferred-writes.js";
import type { Queryable } from "../db/pool.js";
import { recordEvent } from "../events/outbox.js";
import { isId } from "../ids.js";
import type { PaymentContext } from "./deps.js";
import { type Payment, type PaymentRow, paymentFromRow, paymentJson } from "./model.js";
import type { NoticeContext } from "./notices.js";
import { type PaymentStatus, paymentEventType } from "./state-machine.js";

/** Reads of payments shared by the payment services, and the one way a payment's event is written. */

export async function getPayment(db: Queryable, id: string, lock = false): Promise<Payment | undefined> {
  if (!isId(id, "pay")) return undefined;
  const result = await db.query<PaymentRow>(`SELECT * FROM payments WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  return result.rows[0] ? paymentFromRow(result.rows[0]) : undefined;
}

/** A payment and its merchant's business name, in one read (what a payer's answer shows). */
export async function getPaymentForPayer(
  db: Queryable,
  id: string,
): Promise<{ payment: Payment; merchantName: string } | undefined> {
  if (!isId(id, "pay")) return undefined;
  const result = await db.query<PaymentRow & { merchant_business_name: string }>(
    `SELECT p.*, m.business_name AS merchant_business_name
       FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.id = $1`,
    [id],
  );
  const row = result.rows[0];
  return row ? { payment: paymentFromRow(row), merchantName: row.merchant_business_name } : undefined;
}

/** A payment of this merchant and mode; another merchant's or mode's id is as unknown as a made-up one. */
export async function getMerchantPayment(
  db: Queryable,
  scope: { merchantId: string; livemode: boolean },
  id: string,
): Promise<Payment | undefined> {
  const payment = await getPayment(db, id);
  return payment && payment.merchantId === scope.merchantId && payment.livemode === scope.livemode
    ? payment
    : undefined;
}

export async function merchantName(db: Queryable, merchantId: string): Promise<string> {
  const found = await db.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
    merchantId,
  ]);
  return found.rows[0]?.business_name ?? "";
}

/**
 * Writes the event of a payment entering its current status (payment.succeeded …), in the caller's transaction.
 * The event is the merchant's; it names the payer too, so wallet-side readers can find it. The payer's receipt or
 * reminder is queued with it (./notices.ts); the caller kicks delivery after the commit (ctx.notices.kick()).
 */
export async function recordPaymentEvent(
  tx: Queryable,
  ctx: Pick<PaymentContext, "links" | "notices" | "metrics" | "promotions">,
  payment: Payment,
  at: Date,
  previousStatus?: PaymentStatus,
  notice?: NoticeContext,
): Promise<void> {
  const { metrics } = ctx;
  if (metrics) {
    const change = { status: payment.status, method: payment.method, livemode: payment.livemode };
    await gather(tx, (writes) => writes.afterCommit(() => metrics.paymentChanged(change)));
  }
  await recordEvent(
    tx,
    {
      type: paymentEventType[payment.status],
      merchantId: payment.merchantId,
      walletUserId: payment.payerId,
      livemode: payment.livemode,
      object: paymentJson(payment, ctx.links, { svg: false }),
      ...(previousStatus ? { previousAttributes: { status: previousStatus } } : {}),
    },
    at,
  );
  await ctx.notices.paymentChanged(tx, payment, at, notice);
  // Cashback (src/coupons): a succeeded payment a rule may cover is queued with its event (no query otherwise).
  if (payment.status === "succeeded") await ctx.promotions?.paymentSucceeded(tx, payment, at);
}
