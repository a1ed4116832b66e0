import { type ApiError, defineErrors } from "../../http/errors.js";

/**
 * Errors of crypto payments (POST /v1/payments with method "crypto", their refunds and sandbox helper), besides the
 * deposits catalog's crypto_unavailable and crypto_asset_unsupported. docs/errors.md lists them (`npm run docs`).
 */
export type CryptoPaymentErrorCode =
  | "crypto_rate_unavailable"
  | "crypto_payment_required"
  | "crypto_refund_address_invalid"
  | "crypto_refund_nothing_held"
  | "crypto_refund_in_progress"
  | "crypto_refund_on_chain_only";

export const cryptoPaymentErrors = defineErrors<CryptoPaymentErrorCode>({
  crypto_rate_unavailable: {
    status: 400,
    type: "invalid_request_error",
    message:
      "A crypto payment is priced in its asset, or in a fiat currency the rate source has a rate for; this currency is neither.",
  },
  crypto_payment_required: {
    status: 409,
    type: "invalid_request_error",
    message: "This works on crypto payments only (method crypto).",
  },
  crypto_refund_address_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The refund address must be an EVM address: 0x and 40 hex digits, all lowercase or with a correct EIP-55 checksum.",
  },
  crypto_refund_nothing_held: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The payment holds no confirmed money to refund (over, under or late payments), or less than the asset's network fee.",
  },
  crypto_refund_in_progress: {
    status: 409,
    type: "invalid_request_error",
    message: "A refund of this payment's held money is on its way; wait for payment.crypto_refund_sent.",
  },
  crypto_refund_on_chain_only: {
    status: 409,
    type: "invalid_request_error",
    message:
      "A crypto payment paid on chain has no coffer wallet to refund to: POST /v1/refunds refuses it (docs/crypto-payments.md, Refunds). Send the payer's money from your own crypto wallet.",
  },
});

export function cryptoPaymentError(code: CryptoPaymentErrorCode, message?: string, param?: string | null): ApiError {
  return cryptoPaymentErrors.toApiError(code, message, param);
}
