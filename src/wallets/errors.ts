import { type ApiError, defineErrors } from "../http/errors.js";

/**
 * The account-wallet error catalog. Services throw these (they are ApiErrors with the status and type below), so
 * a route only passes them through. docs/errors.md lists them (`npm run docs`).
 */
export type WalletErrorCode =
  | "contact_invalid"
  | "password_invalid"
  | "verification_code_invalid"
  | "verification_expired"
  | "verification_rate_limited"
  | "contact_already_registered"
  | "login_failed"
  | "account_locked"
  | "wallet_frozen"
  | "tier_required"
  | "currency_not_supported"
  | "insufficient_funds"
  | "payment_limit_exceeded"
  | "daily_limit_exceeded"
  | "monthly_limit_exceeded"
  | "balance_cap_exceeded"
  | "recipient_not_found"
  | "recipient_unavailable"
  | "transfer_to_self"
  | "step_up_required"
  | "step_up_failed"
  | "totp_already_enabled"
  | "totp_not_enabled"
  | "totp_enrollment_missing"
  | "totp_code_invalid"
  | "passkey_invalid"
  | "passkeys_limit_reached"
  | "kyc_submission_pending"
  | "kyc_level_unavailable"
  | "kyc_submission_not_pending"
  | "funding_source_not_verified"
  | "funding_source_currency_mismatch"
  | "funding_sources_limit_reached"
  | "statement_month_invalid"
  | "password_reset_required"
  | "password_reset_code_invalid"
  | "password_reset_expired"
  | "sign_in_report_invalid"
  | "sign_in_report_expired";

export const walletErrors = defineErrors<WalletErrorCode>({
  contact_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "Send either an email address or a phone number in E.164 form (+8613800138000), not both.",
  },
  password_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The password is too short, too long or too common.",
  },
  verification_code_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The verification code is not right.",
  },
  verification_expired: {
    status: 400,
    type: "invalid_request_error",
    message: "This verification has expired, was used, or had too many wrong codes; sign up again for a new code.",
  },
  verification_rate_limited: {
    status: 429,
    type: "rate_limit_error",
    message: "Too many codes were sent to this address recently; wait an hour and try again.",
  },
  contact_already_registered: {
    status: 409,
    type: "invalid_request_error",
    message: "A wallet with this email or phone number exists already; log in instead.",
  },
  login_failed: {
    status: 401,
    type: "authentication_error",
    message: "The email or phone number and password do not match a wallet.",
  },
  account_locked: {
    status: 403,
    type: "authentication_error",
    message: "Too many failed attempts: this wallet is locked for a while. Try again later.",
  },
  wallet_frozen: {
    status: 403,
    type: "invalid_request_error",
    message:
      "This wallet is frozen: money cannot move in or out. If you reported a sign-in that was not you, reset your password to unfreeze it; otherwise contact support.",
  },
  tier_required: {
    status: 403,
    type: "invalid_request_error",
    message: "This needs a higher identity tier; verify your identity first (POST /v1/wallet/kyc).",
  },
  currency_not_supported: {
    status: 400,
    type: "invalid_request_error",
    message: "Wallets on this coffer do not hold this currency.",
  },
  insufficient_funds: {
    status: 402,
    type: "invalid_request_error",
    message: "The wallet's available balance is too low for this amount.",
  },
  payment_limit_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "The amount is above what one payment may move at this wallet's identity tier.",
  },
  daily_limit_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "This would exceed the wallet's daily outgoing limit (UTC day).",
  },
  monthly_limit_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "This would exceed the wallet's monthly outgoing limit (UTC month).",
  },
  balance_cap_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "This would take the wallet above the most it may hold at its identity tier.",
  },
  recipient_not_found: {
    status: 404,
    type: "invalid_request_error",
    message: "No wallet has this wallet id, email or phone number.",
  },
  recipient_unavailable: {
    status: 422,
    type: "invalid_request_error",
    message: "The recipient's wallet cannot receive this amount now.",
  },
  transfer_to_self: {
    status: 400,
    type: "invalid_request_error",
    message: "A wallet cannot send money to itself.",
  },
  step_up_required: {
    status: 403,
    type: "authentication_error",
    message:
      "This amount needs a second factor: send step_up with a TOTP code or a passkey assertion (enroll one first).",
  },
  step_up_failed: {
    status: 403,
    type: "authentication_error",
    message: "The second factor did not verify (wrong, used or expired code or assertion).",
  },
  totp_already_enabled: {
    status: 409,
    type: "invalid_request_error",
    message: "An authenticator app is enabled already; disable it first to enroll another.",
  },
  totp_not_enabled: {
    status: 409,
    type: "invalid_request_error",
    message: "No authenticator app is enabled on this wallet.",
  },
  totp_enrollment_missing: {
    status: 409,
    type: "invalid_request_error",
    message: "Start an enrollment with POST /v1/wallet/totp before confirming it.",
  },
  totp_code_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The authenticator code is not right (or was used already).",
  },
  passkey_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The passkey response did not verify against its challenge; request new options and try again.",
  },
  passkeys_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This wallet has the most passkeys allowed; remove one first.",
  },
  kyc_submission_pending: {
    status: 409,
    type: "invalid_request_error",
    message: "An identity submission of this wallet is still being reviewed.",
  },
  kyc_level_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message: "This verification level is not open to the wallet: level 1 comes before level 2, each once.",
  },
  kyc_submission_not_pending: {
    status: 409,
    type: "invalid_request_error",
    message: "This identity submission was decided already.",
  },
  funding_source_not_verified: {
    status: 409,
    type: "invalid_request_error",
    message: "This funding source is not verified (yet); money cannot move through it.",
  },
  funding_source_currency_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "The funding source holds another currency than the one asked for.",
  },
  funding_sources_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This wallet has the most funding sources allowed; remove one first.",
  },
  statement_month_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "A statement month is yyyy-mm, from 2000-01 up to the current month.",
  },
  password_reset_required: {
    status: 403,
    type: "authentication_error",
    message:
      "A sign-in to this wallet was reported as not its owner's: it was signed out everywhere and its payments are frozen. Reset the password (POST /v1/wallet/password_reset) to sign in and unfreeze it.",
  },
  password_reset_code_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The password reset code is not right.",
  },
  password_reset_expired: {
    status: 400,
    type: "invalid_request_error",
    message: "This password reset has expired, was used, or had too many wrong codes; ask for a new code.",
  },
  sign_in_report_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "This link is not valid or was already used.",
  },
  sign_in_report_expired: {
    status: 410,
    type: "invalid_request_error",
    message: "This link has expired. If a sign-in was not you, reset your password now.",
  },
});

export function walletError(code: WalletErrorCode, message?: string, param?: string | null): ApiError {
  return walletErrors.toApiError(code, message, param);
}
