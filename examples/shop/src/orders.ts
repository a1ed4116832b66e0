import { randomBytes } from "node:crypto";
import type { Payment } from "@coffer/sdk";
import type { Product } from "./catalog.js";

/**
 * The shop's records, kept in memory: orders, the payouts it asked for, and the ids of the webhook events it has
 * handled. One process, no database: enough for a test-mode walk-through, and it keeps "handle each event once"
 * obvious (see events.ts). A real shop keeps these in its database, the handled event ids in a table with a unique
 * key, written in the same transaction as the order change.
 */
export type OrderStatus = "awaiting_payment" | "processing" | "paid" | "failed" | "canceled" | "expired" | "refunded";
export type PaymentMethod = Payment["method"];

export interface ReceivedEvent {
  id: string;
  type: string;
}

export interface OrderRefund {
  id: string;
  status: "pending" | "succeeded" | "failed";
  failureCode: string | null;
}

export interface Order {
  id: string;
  product: Product;
  method: PaymentMethod;
  status: OrderStatus;
  /** The coffer payment (pay_…), once coffer has answered. */
  paymentId: string | null;
  /** The QR code coffer drew for a qr payment, shown on the order page. */
  qrSvg: string | null;
  /** Why the payment did not succeed: coffer's failure_code or cancellation_reason. */
  failureCode: string | null;
  /** When coffer says the payment succeeded (Unix seconds); set once. */
  paidAt: number | null;
  refunds: OrderRefund[];
  /** The webhook events that concerned this order, in the order the shop handled them. */
  events: ReceivedEvent[];
  createdAt: number;
}

export interface PayoutRecord {
  id: string;
  amount: string;
  currency: string;
  status: "pending" | "paid" | "failed";
  failureCode: string | null;
  events: ReceivedEvent[];
}

export class ShopStore {
  readonly #orders = new Map<string, Order>();
  readonly #orderByPayment = new Map<string, string>();
  readonly #payouts = new Map<string, PayoutRecord>();
  readonly #handledEvents = new Set<string>();

  createOrder(product: Product, method: PaymentMethod): Order {
    const order: Order = {
      id: `ord_${randomBytes(6).toString("hex")}`,
      product,
      method,
      status: "awaiting_payment",
      paymentId: null,
      qrSvg: null,
      failureCode: null,
      paidAt: null,
      refunds: [],
      events: [],
      createdAt: Math.floor(Date.now() / 1000),
    };
    this.#orders.set(order.id, order);
    return order;
  }

  /** Remembers which payment pays the order. The order's status is left to the webhooks. */
  attachPayment(order: Order, payment: Payment): void {
    order.paymentId = payment.id;
    order.qrSvg = payment.qr?.svg ?? null;
    this.#orderByPayment.set(payment.id, order.id);
  }

  /** Drops an order coffer refused to create a payment for (nothing exists on coffer's side). */
  discard(orderId: string): void {
    this.#orders.delete(orderId);
  }

  order(id: string): Order | undefined {
    return this.#orders.get(id);
  }

  orderOfPayment(paymentId: string): Order | undefined {
    const orderId = this.#orderByPayment.get(paymentId);
    return orderId === undefined ? undefined : this.#orders.get(orderId);
  }

  /** Newest first. */
  orders(): Order[] {
    return [...this.#orders.values()].reverse();
  }

  payout(id: string): PayoutRecord | undefined {
    return this.#payouts.get(id);
  }

  /** A payout the shop learned about, by API answer or by webhook, whichever came first. */
  rememberPayout(payout: { id: string; amount: string; currency: string }): PayoutRecord {
    const known = this.#payouts.get(payout.id);
    if (known) return known;
    const record: PayoutRecord = {
      id: payout.id,
      amount: payout.amount,
      currency: payout.currency,
      status: "pending",
      failureCode: null,
      events: [],
    };
    this.#payouts.set(payout.id, record);
    return record;
  }

  /** Newest first. */
  payouts(): PayoutRecord[] {
    return [...this.#payouts.values()].reverse();
  }

  hasHandled(eventId: string): boolean {
    return this.#handledEvents.has(eventId);
  }

  markHandled(eventId: string): void {
    this.#handledEvents.add(eventId);
  }
}
