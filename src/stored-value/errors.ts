import { type ApiError, defineErrors } from "../http/errors.js";

/**
 * The stored-value error catalog (docs/stored-value.md): cards and vouchers without an account. Services throw
 * these; docs/errors.md lists them (`npm run docs`). Limits a card shares with account wallets (per payment, daily,
 * monthly, frozen, insufficient funds, balance cap) answer the wallet codes.
 */
export type StoredValueErrorCode =
  | "card_credentials_invalid"
  | "card_session_not_allowed"
  | "card_not_accepted"
  | "card_inactive"
  | "card_loads_exceeded"
  | "card_currency_mismatch"
  | "voucher_invalid"
  | "voucher_already_redeemed"
  | "breakage_refund_unavailable";

export const storedValueErrors = defineErrors<StoredValueErrorCode>({
  card_credentials_invalid: {
    status: 401,
    type: "authentication_error",
    message: "The card number or its secret is not right.",
  },
  card_session_not_allowed: {
    status: 403,
    type: "invalid_request_error",
    message:
      "A card session can pay, see its balance and history, and show a payment code; this needs an account wallet.",
  },
  card_not_accepted: {
    status: 402,
    type: "invalid_request_error",
    message: "This card is spendable only at the merchant that issued it.",
  },
  card_inactive: {
    status: 409,
    type: "invalid_request_error",
    message: "This card is frozen, expired or closed; it cannot pay or be loaded.",
  },
  card_loads_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "This card was loaded as often today as its currency's limit allows (loads_per_day).",
  },
  card_currency_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "A card holds one currency; this is another one.",
  },
  voucher_invalid: {
    status: 404,
    type: "invalid_request_error",
    message: "This voucher code is not right, or it is not a voucher of this mode.",
  },
  voucher_already_redeemed: {
    status: 409,
    type: "invalid_request_error",
    message: "This voucher was redeemed already.",
  },
  breakage_refund_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message:
      "This card has no breakage to return: it did not expire with a balance, the grace period is over, or it was returned already.",
  },
});

export function storedValueError(code: StoredValueErrorCode, message?: string, param?: string | null): ApiError {
  return storedValueErrors.toApiError(code, message, param);
}
