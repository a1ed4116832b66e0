import type { Event } from "@coffer/sdk";
import type { Order, OrderStatus, PayoutRecord, ShopStore } from "./orders.js";

/**
 * What the shop does with a verified webhook event. Two rules make it safe:
 *
 * - Each event is handled once: coffer may deliver the same event again (a retry after a timeout, a redelivery
 *   you asked for), so the shop remembers the ids of the events it handled and a second delivery changes nothing.
 * - Webhooks arrive in any order: payment.processing can come after payment.succeeded. An order only ever moves
 *   forward (awaiting → processing → an outcome → refunded), so a late event never undoes a later state.
 */
export type EventOutcome = "handled" | "duplicate" | "ignored";

/** How far along an order is; an event may only move it to a higher rank. */
const orderRank: Record<OrderStatus, number> = {
  awaiting_payment: 0,
  processing: 1,
  paid: 2,
  failed: 2,
  canceled: 2,
  expired: 2,
  refunded: 3,
};

interface PaymentObject {
  id: string;
  metadata?: Record<string, string>;
  failure_code?: string | null;
  cancellation_reason?: string | null;
}

interface RefundObject {
  id: string;
  payment: string;
  failure_code?: string | null;
}

interface PayoutObject {
  id: string;
  amount: string;
  currency: string;
  failure_code?: string | null;
}

export function handleEvent(store: ShopStore, event: Event): EventOutcome {
  // Test mode only: a live event sent here by mistake must not touch the shop's test orders.
  if (event.livemode) return "ignored";
  const [family] = event.type.split(".");
  if (family !== "payment" && family !== "refund" && family !== "payout") return "ignored";
  // Check, act, mark: one synchronous step (no await in between), so two deliveries of the same event racing each
  // other cannot both act; and an event whose handling throws is not marked, so coffer's retry handles it.
  if (store.hasHandled(event.id)) return "duplicate";
  const received = { id: event.id, type: event.type };
  if (family === "payment") onPaymentEvent(store, event, received);
  else if (family === "refund") onRefundEvent(store, event, received);
  else onPayoutEvent(store, event, received);
  store.markHandled(event.id);
  return "handled";
}

function onPaymentEvent(store: ShopStore, event: Event, received: { id: string; type: string }): void {
  const payment = event.data.object as unknown as PaymentObject;
  // The order id travels in the payment's metadata, so the event finds its order even when it arrives before
  // coffer's answer to payments.create did.
  const orderId = payment.metadata?.order_id;
  const order = orderId === undefined ? undefined : store.order(orderId);
  if (!order) return;
  order.events.push(received);
  switch (event.type) {
    case "payment.processing":
      advance(order, "processing");
      break;
    case "payment.succeeded":
      if (advance(order, "paid")) order.paidAt = event.created;
      break;
    case "payment.failed":
      if (advance(order, "failed")) order.failureCode = payment.failure_code ?? null;
      break;
    case "payment.canceled":
      if (advance(order, "canceled")) order.failureCode = payment.cancellation_reason ?? null;
      break;
    case "payment.expired":
      advance(order, "expired");
      break;
  }
}

function onRefundEvent(store: ShopStore, event: Event, received: { id: string; type: string }): void {
  const refund = event.data.object as unknown as RefundObject;
  const order = store.orderOfPayment(refund.payment);
  if (!order) return;
  order.events.push(received);
  let record = order.refunds.find((r) => r.id === refund.id);
  if (!record) {
    record = { id: refund.id, status: "pending", failureCode: null };
    order.refunds.push(record);
  }
  if (record.status !== "pending") return;
  if (event.type === "refund.succeeded") {
    record.status = "succeeded";
    advance(order, "refunded");
  } else if (event.type === "refund.failed") {
    record.status = "failed";
    record.failureCode = refund.failure_code ?? null;
  }
}

function onPayoutEvent(store: ShopStore, event: Event, received: { id: string; type: string }): void {
  const object = event.data.object as unknown as PayoutObject;
  const payout: PayoutRecord = store.rememberPayout(object);
  payout.events.push(received);
  if (payout.status !== "pending") return;
  if (event.type === "payout.paid") payout.status = "paid";
  else if (event.type === "payout.failed") {
    payout.status = "failed";
    payout.failureCode = object.failure_code ?? null;
  }
}

/** Moves the order forward to `to`; false (and no change) when it is already as far or further. */
function advance(order: Order, to: OrderStatus): boolean {
  if (orderRank[to] <= orderRank[order.status]) return false;
  order.status = to;
  return true;
}
