import { cryptoPaymentJson, type PaymentCryptoSnapshot } from "../crypto/payments/model.js";
import { paymentRetryWindowMs } from "../limits.js";
import type { FailureCode } from "./failure-codes.js";
import { qrPayload, qrSvg } from "./qr.js";
import type { PaymentStatus } from "./state-machine.js";

/** Payments as rows and as the objects the merchant API, the wallet API and events show. */

export const paymentMethods = ["qr", "payment_code", "checkout", "crypto"] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
export const captureMethods = ["automatic", "manual"] as const;
export type CaptureMethod = (typeof captureMethods)[number];

/** Why a payment was canceled: given by the merchant, or confirmation_timeout when coffer canceled it. */
export const merchantCancellationReasons = ["requested_by_customer", "duplicate", "fraudulent", "abandoned"] as const;
export const cancellationReasons = [...merchantCancellationReasons, "confirmation_timeout"] as const;
export type CancellationReason = (typeof cancellationReasons)[number];

/**
 * The discount a payment carries (src/coupons, docs/coupons.md): what was taken off the amount asked for, by which
 * coupon (and promotion code), paid for by the merchant (a lower price) or the platform (paid to the merchant in
 * full from the coupon's budget). The payment's amount is what the payer pays; amount + discount is the subtotal.
 */
export interface PaymentDiscount {
  redemption: string;
  coupon: string;
  promotionCode: string | null;
  /** The coupon's name and the code as the payer typed it (upper-case), for the payer's and merchant's pages. */
  name: string;
  code: string | null;
  amount: bigint;
  fundedBy: "merchant" | "platform";
  appliedBy: "merchant" | "payer";
}

/** The discount column (jsonb) of a payment row: amounts as strings. */
export interface PaymentDiscountRow {
  redemption: string;
  coupon: string;
  promotion_code: string | null;
  name: string;
  code: string | null;
  amount: string;
  funded_by: "merchant" | "platform";
  applied_by: "merchant" | "payer";
}

export function paymentDiscountRow(discount: PaymentDiscount): PaymentDiscountRow {
  return {
    redemption: discount.redemption,
    coupon: discount.coupon,
    promotion_code: discount.promotionCode,
    name: discount.name,
    code: discount.code,
    amount: String(discount.amount),
    funded_by: discount.fundedBy,
    applied_by: discount.appliedBy,
  };
}

function paymentDiscountOf(row: PaymentDiscountRow | null | undefined): PaymentDiscount | null {
  if (!row) return null;
  return {
    redemption: row.redemption,
    coupon: row.coupon,
    promotionCode: row.promotion_code,
    name: row.name,
    code: row.code,
    amount: BigInt(row.amount),
    fundedBy: row.funded_by,
    appliedBy: row.applied_by,
  };
}

export interface Payment {
  id: string;
  merchantId: string;
  livemode: boolean;
  status: PaymentStatus;
  method: PaymentMethod;
  captureMethod: CaptureMethod;
  amount: bigint;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  returnUrl: string | null;
  qrToken: string | null;
  payerId: string | null;
  amountCaptured: bigint;
  amountRefunded: bigint;
  /** What the payment's dispute holds or took (src/disputes): refunds leave it alone. */
  amountDisputed?: bigint;
  feePercentBps: number;
  feeFixed: bigint;
  feeAmount: bigint;
  feeRefunded: bigint;
  holdTransferId: string | null;
  spendDay: string | null;
  spendMonth: string | null;
  expiresAt: Date;
  captureBefore: Date | null;
  dueAt: Date | null;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  cancellationReason: CancellationReason | null;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
  /** When the payer first saw it: a checkout page view or a wallet's QR scan (analytics' "opened"). */
  openedAt: Date | null;
  /** The payment link whose use made it (src/payment-links), or null. */
  paymentLinkId: string | null;
  /** The store and till it was taken at (src/stores), or null: both or neither. */
  storeId: string | null;
  tillId: string | null;
  /** Whether its payer may pay it again once it failed or ended unpaid (src/payment-attempts, docs/adr/0028). */
  allowRetries: boolean;
  /** Attempts to pay it so far: 1 until it is paid again. */
  attemptCount: number;
  /** The discount taken off the amount asked for (src/coupons), or null. */
  discount: PaymentDiscount | null;
  /** Cashback credited to the payer for it, all rules together (src/coupons/cashback.ts). */
  cashbackAmount: bigint;
  /** Method crypto: its chain, address and what arrived (src/crypto/payments); null for other methods. */
  crypto?: PaymentCryptoSnapshot | null;
}

export interface PaymentRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  status: PaymentStatus;
  method: PaymentMethod;
  capture_method: CaptureMethod;
  amount: bigint;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  return_url: string | null;
  qr_token: string | null;
  payer_id: string | null;
  amount_captured: bigint;
  amount_refunded: bigint;
  amount_disputed?: bigint;
  fee_percent_bps: number;
  fee_fixed: bigint;
  fee_amount: bigint;
  fee_refunded: bigint;
  hold_transfer_id: string | null;
  spend_day: string | null;
  spend_month: string | null;
  expires_at: Date;
  capture_before: Date | null;
  due_at: Date | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  cancellation_reason: CancellationReason | null;
  created_at: Date;
  updated_at: Date;
  paid_at: Date | null;
  opened_at?: Date | null;
  payment_link_id?: string | null;
  store_id?: string | null;
  till_id?: string | null;
  discount?: PaymentDiscountRow | null;
  cashback_amount?: bigint | string;
  allow_retries?: boolean;
  attempt_count?: number;
  crypto?: PaymentCryptoSnapshot | null;
}

export function paymentFromRow(row: PaymentRow): Payment {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    status: row.status,
    method: row.method,
    captureMethod: row.capture_method,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    metadata: row.metadata,
    returnUrl: row.return_url,
    qrToken: row.qr_token,
    payerId: row.payer_id,
    amountCaptured: row.amount_captured,
    amountRefunded: row.amount_refunded,
    amountDisputed: row.amount_disputed ?? 0n,
    feePercentBps: row.fee_percent_bps,
    feeFixed: row.fee_fixed,
    feeAmount: row.fee_amount,
    feeRefunded: row.fee_refunded,
    holdTransferId: row.hold_transfer_id,
    spendDay: row.spend_day,
    spendMonth: row.spend_month,
    expiresAt: row.expires_at,
    captureBefore: row.capture_before,
    dueAt: row.due_at,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    cancellationReason: row.cancellation_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    paidAt: row.paid_at,
    openedAt: row.opened_at ?? null,
    paymentLinkId: row.payment_link_id ?? null,
    storeId: row.store_id ?? null,
    tillId: row.till_id ?? null,
    discount: paymentDiscountOf(row.discount),
    cashbackAmount: BigInt(row.cashback_amount ?? 0),
    allowRetries: row.allow_retries ?? false,
    attemptCount: row.attempt_count ?? 1,
    crypto: row.crypto ?? null,
  };
}

/**
 * Until when the payer may pay an ended payment again (docs/adr/0028): a payment that allows retries and failed
 * (not for risk_declined), expired unpaid, or was canceled by coffer because nobody confirmed it, for
 * paymentRetryWindowMs after its expires_at. Null for every other payment. The time is the bound; the attempt cap is
 * checked when paying.
 */
export function retryableUntil(
  payment: Pick<Payment, "allowRetries" | "status" | "failureCode" | "paidAt" | "cancellationReason" | "expiresAt">,
): Date | null {
  if (!payment.allowRetries) return null;
  const ended =
    (payment.status === "failed" && payment.failureCode !== "risk_declined") ||
    (payment.status === "expired" && payment.paidAt === null) ||
    (payment.status === "canceled" && payment.cancellationReason === "confirmation_timeout");
  return ended ? new Date(payment.expiresAt.getTime() + paymentRetryWindowMs) : null;
}

export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const unixOrNull = (date: Date | null) => (date ? unixSeconds(date) : null);

/** Where a payment's links point: coffer's public URL (or the local fallback, see src/merchants/links.ts). */
export interface PaymentLinks {
  base: string;
}

export function checkoutUrl(links: PaymentLinks, payment: Pick<Payment, "id" | "method">): string | null {
  return payment.method === "payment_code" ? null : `${links.base}/checkout/${payment.id}`;
}

/**
 * The payment as the merchant API shows it. `svg: false` leaves the QR code's SVG out (lists and events carry the
 * payload only; create and retrieve carry both).
 */
export function paymentJson(payment: Payment, links: PaymentLinks, options: { svg?: boolean } = {}) {
  const payload = payment.qrToken ? qrPayload(links.base, payment.qrToken) : null;
  return {
    id: payment.id,
    object: "payment" as const,
    livemode: payment.livemode,
    status: payment.status,
    method: payment.method,
    capture_method: payment.captureMethod,
    amount: String(payment.amount),
    amount_subtotal: String(payment.amount + (payment.discount?.amount ?? 0n)),
    discounts: payment.discount ? [discountJson(payment.discount)] : [],
    amount_capturable: String(payment.status === "requires_capture" ? payment.amount : 0n),
    amount_received: String(payment.amountCaptured),
    amount_refunded: String(payment.amountRefunded),
    currency: payment.currency,
    fee: String(payment.feeAmount),
    fee_refunded: String(payment.feeRefunded),
    description: payment.description,
    metadata: payment.metadata,
    qr: payload ? { payload, svg: options.svg === false ? null : qrSvg(payload, "Pay with coffer") } : null,
    crypto: payment.crypto ? cryptoPaymentJson(payment.crypto, payment, options) : null,
    checkout_url: checkoutUrl(links, payment),
    return_url: payment.returnUrl,
    payment_link: payment.paymentLinkId,
    store: payment.storeId,
    till: payment.tillId,
    failure_code: payment.failureCode,
    failure_message: payment.failureMessage,
    cancellation_reason: payment.cancellationReason,
    allow_retries: payment.allowRetries,
    attempts: payment.attemptCount,
    retryable_until: unixOrNull(retryableUntil(payment)),
    expires_at: unixSeconds(payment.expiresAt),
    capture_before: unixOrNull(payment.captureBefore),
    paid_at: unixOrNull(payment.paidAt),
    created: unixSeconds(payment.createdAt),
  };
}
export type PaymentJson = ReturnType<typeof paymentJson>;

/** A payment's discount as the merchant API and events show it. */
export function discountJson(discount: PaymentDiscount) {
  return {
    coupon: discount.coupon,
    promotion_code: discount.promotionCode,
    redemption: discount.redemption,
    amount: String(discount.amount),
    funded_by: discount.fundedBy,
    applied_by: discount.appliedBy,
  };
}

/**
 * The payment as its payer sees it in the wallet app (after a scan, on the checkout page, while it waits for
 * confirmation): who is asking for how much, and whether a second factor will be needed.
 */
export function walletPaymentJson(
  payment: Payment,
  merchantName: string,
  extra: { stepUpRequired: boolean; links: PaymentLinks; feedbackToken?: string | null },
) {
  const paid = payment.status === "succeeded" || payment.status === "requires_capture";
  return {
    id: payment.id,
    object: "wallet_payment" as const,
    livemode: payment.livemode,
    status: payment.status,
    method: payment.method,
    merchant: { name: merchantName },
    amount: String(payment.amount),
    amount_subtotal: String(payment.amount + (payment.discount?.amount ?? 0n)),
    discount: payment.discount
      ? {
          name: payment.discount.name,
          code: payment.discount.code,
          amount: String(payment.discount.amount),
          applied_by: payment.discount.appliedBy,
        }
      : null,
    currency: payment.currency,
    description: payment.description,
    step_up_required: extra.stepUpRequired,
    failure_code: payment.failureCode,
    amount_refunded: String(payment.amountRefunded),
    expires_at: unixSeconds(payment.expiresAt),
    redirect_url: paid && payment.returnUrl ? returnUrlWith(payment.returnUrl, payment.id) : null,
    feedback_token: payment.status === "succeeded" ? (extra.feedbackToken ?? null) : null,
    created: unixSeconds(payment.createdAt),
  };
}
export type WalletPaymentJson = ReturnType<typeof walletPaymentJson>;

/** The merchant's return_url with the payment's id added, where the checkout page sends the payer back. */
export function returnUrlWith(returnUrl: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set("payment_id", paymentId);
  return url.toString();
}
