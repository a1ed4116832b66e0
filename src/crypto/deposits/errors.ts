import { type ApiError, defineErrors } from "../../http/errors.js";

/**
 * Errors of crypto deposits and their sandbox helpers. docs/errors.md lists them (`npm run docs`).
 *
 * crypto_unavailable is 409, not 503: a mode without a chain is how this coffer is configured (live crypto needs
 * COFFER_CHAINS; test mode needs the sandbox chain), not a passing fault that a retry fixes, and a 5xx would page
 * operators for a deployment choice.
 */
export type CryptoDepositErrorCode =
  | "crypto_unavailable"
  | "crypto_asset_unsupported"
  | "sandbox_chain_required"
  | "sandbox_reorg_too_deep";

export const cryptoDepositErrors = defineErrors<CryptoDepositErrorCode>({
  crypto_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message:
      "Blockchain wallets are off in this mode: live mode needs a chain in COFFER_CHAINS, test mode the sandbox chain.",
  },
  crypto_asset_unsupported: {
    status: 400,
    type: "invalid_request_error",
    message: "No chain of this mode carries this asset.",
  },
  sandbox_chain_required: {
    status: 409,
    type: "invalid_request_error",
    message: "This test helper needs the sandbox chain (a local hardhat node); this coffer's test chain is another.",
  },
  sandbox_reorg_too_deep: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The sandbox chain can only reorganise blocks made through the test helpers since its last reorganisation; ask for a smaller depth.",
  },
});

export function cryptoDepositError(code: CryptoDepositErrorCode, message?: string, param?: string | null): ApiError {
  return cryptoDepositErrors.toApiError(code, message, param);
}
