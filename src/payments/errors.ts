import { type ApiError, defineErrors } from "../http/errors.js";

/**
 * The payments error catalog: what the payment, refund, payout and balance routes answer besides the platform's
 * codes. Services throw these (ApiErrors with the status and type below). Payers meet the wallet catalog's codes too
 * (insufficient_funds, step_up_required …) when they confirm. docs/errors.md lists them (`npm run docs`).
 */
export type PaymentErrorCode =
  | "payment_status_invalid"
  | "payment_expired"
  | "currency_not_supported"
  | "payment_code_invalid"
  | "payment_code_expired"
  | "capture_exceeds_authorized"
  | "refund_exceeds_captured"
  | "balance_insufficient"
  | "payout_account_missing"
  | "payout_account_unverified"
  | "payout_connector_unavailable";

export const paymentErrors = defineErrors<PaymentErrorCode>({
  payment_status_invalid: {
    status: 409,
    type: "invalid_request_error",
    message: "The payment's status does not allow this (for example capturing a payment that is not requires_capture).",
  },
  payment_expired: {
    status: 409,
    type: "invalid_request_error",
    message: "The payment expired (or its capture window closed); create a new one.",
  },
  currency_not_supported: {
    status: 400,
    type: "invalid_request_error",
    message: "coffer does not know this currency, or its wallets do not hold it.",
  },
  payment_code_invalid: {
    status: 402,
    type: "invalid_request_error",
    message: "The payment code is unknown, was used already, or belongs to the other mode; ask for a fresh one.",
  },
  payment_code_expired: {
    status: 402,
    type: "invalid_request_error",
    message: "The payment code is older than a minute; the payer's wallet shows a fresh one.",
  },
  capture_exceeds_authorized: {
    status: 400,
    type: "invalid_request_error",
    message: "amount_to_capture is above the amount authorized.",
  },
  refund_exceeds_captured: {
    status: 400,
    type: "invalid_request_error",
    message: "The refund is more than what is left to refund of the payment (captured minus refunded).",
  },
  balance_insufficient: {
    status: 402,
    type: "invalid_request_error",
    message: "Your available balance in this currency is below the amount.",
  },
  payout_account_missing: {
    status: 409,
    type: "invalid_request_error",
    message: "Add a settlement bank account to your business verification (KYB) before paying out.",
  },
  payout_account_unverified: {
    status: 409,
    type: "invalid_request_error",
    message: "Live payouts go to the bank account of an approved business verification (KYB) only.",
  },
  payout_connector_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message: "This coffer's bank connector cannot pay out to merchants yet; ask the operator.",
  },
});

export function paymentError(code: PaymentErrorCode, message?: string, param?: string | null): ApiError {
  return paymentErrors.toApiError(code, message, param);
}
