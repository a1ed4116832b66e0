import { type ApiError, defineErrors } from "../../http/errors.js";

/**
 * Errors of crypto withdrawals and their allowlist. docs/errors.md lists them (`npm run docs`). Refusals shared with
 * other money movements (insufficient_funds, the limits, step-up) are the wallet catalog's; a mode or asset without
 * a chain is crypto_unavailable / crypto_asset_unsupported of src/crypto/deposits/errors.ts.
 */
export type CryptoWithdrawalErrorCode =
  | "crypto_address_invalid"
  | "crypto_address_checksum_invalid"
  | "crypto_address_is_custody"
  | "crypto_address_not_allowlisted"
  | "crypto_allowlist_entry_exists"
  | "crypto_allowlist_full";

export const cryptoWithdrawalErrors = defineErrors<CryptoWithdrawalErrorCode>({
  crypto_address_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "A destination must be an EVM address: 0x and 40 hexadecimal digits.",
  },
  crypto_address_checksum_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The address mixes upper and lower case but its EIP-55 checksum is wrong: it was probably mistyped. Copy it again (all-lowercase addresses carry no checksum and are accepted).",
  },
  crypto_address_is_custody: {
    status: 400,
    type: "invalid_request_error",
    message:
      "This address belongs to coffer's own custody (a wallet or payment deposit address): send to the wallet or pay the payment inside coffer instead.",
  },
  crypto_address_not_allowlisted: {
    status: 403,
    type: "invalid_request_error",
    message:
      "This wallet withdraws only to addresses on its allowlist, and this one is not there: add it first (POST /v1/wallet/crypto/allowlist).",
  },
  crypto_allowlist_entry_exists: {
    status: 409,
    type: "invalid_request_error",
    message: "This address is on the allowlist already.",
  },
  crypto_allowlist_full: {
    status: 409,
    type: "invalid_request_error",
    message: "The allowlist has the most addresses allowed; remove one first.",
  },
});

export function cryptoWithdrawalError(
  code: CryptoWithdrawalErrorCode,
  message?: string,
  param?: string | null,
): ApiError {
  return cryptoWithdrawalErrors.toApiError(code, message, param);
}
