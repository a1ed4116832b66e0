/**
 * The payment state machine. Every change of a payment's status goes through `transition`, which refuses what the
 * graph below does not allow, so an illegal change is a typed failure, never a silent overwrite.
 *
 *   requires_payment ──► processing ──► succeeded
 *          │   │  │          │  │  └──► requires_capture ──► succeeded (captured, fully or partly)
 *          │   │  │          │  └─────► failed / canceled / expired          └──► canceled / expired (hold released)
 *          │   │  └──► succeeded (charged at once)
 *          │   └─────► requires_capture
 *          └─────────► failed / canceled / expired
 */
export const paymentStatuses = [
  "requires_payment",
  "processing",
  "requires_capture",
  "succeeded",
  "failed",
  "canceled",
  "expired",
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

const allowed: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  requires_payment: ["processing", "requires_capture", "succeeded", "failed", "canceled", "expired"],
  processing: ["requires_capture", "succeeded", "failed", "canceled", "expired"],
  requires_capture: ["succeeded", "canceled", "expired"],
  succeeded: [],
  failed: [],
  canceled: [],
  expired: [],
};

/**
 * Paying again (src/payment-attempts, docs/adr/0028): a payment that ended unpaid and allows retries is charged
 * straight from its ended status when its payer pays it again. Only the retry path asks for these (StatusChange.retry);
 * the ordinary graph above stays as it is, so nothing else can leave an ended status.
 */
const retryAllowed: Readonly<Partial<Record<PaymentStatus, readonly PaymentStatus[]>>> = {
  failed: ["succeeded", "requires_capture"],
  expired: ["succeeded", "requires_capture"],
  canceled: ["succeeded", "requires_capture"],
};

export function canRetryTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return retryAllowed[from]?.includes(to) ?? false;
}

export function isTerminal(status: PaymentStatus): boolean {
  return allowed[status].length === 0;
}

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return allowed[from].includes(to);
}

export type TransitionResult =
  | { ok: true }
  | { ok: false; code: "payment_status_invalid"; from: PaymentStatus; to: PaymentStatus };

export function transition(from: PaymentStatus, to: PaymentStatus): TransitionResult {
  return canTransition(from, to) ? { ok: true } : { ok: false, code: "payment_status_invalid", from, to };
}

/** The event type written when a payment enters a status. */
export const paymentEventType: Readonly<Record<PaymentStatus, string>> = {
  requires_payment: "payment.created",
  processing: "payment.processing",
  requires_capture: "payment.requires_capture",
  succeeded: "payment.succeeded",
  failed: "payment.failed",
  canceled: "payment.canceled",
  expired: "payment.expired",
};
