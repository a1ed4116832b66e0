import { defineErrors } from "../http/errors.js";
import { documentBytesMax } from "../limits.js";

/**
 * The error codes of the merchant platform (console accounts, sessions, two-factor, KYB, documents, API keys,
 * team). Services return them as typed results; routes turn them into HTTP with merchantErrors.toApiError.
 * docs/errors.md lists them (`npm run docs`).
 */
export const merchantErrorCodes = [
  "email_invalid",
  "password_too_short",
  "password_too_long",
  "password_too_common",
  "password_invalid",
  "login_failed",
  "email_not_verified",
  "account_locked",
  "two_factor_required",
  "totp_invalid",
  "totp_replayed",
  "totp_not_pending",
  "totp_already_enabled",
  "totp_not_enabled",
  "link_invalid",
  "link_expired",
  "csrf_token_invalid",
  "no_merchant_access",
  "password_reset_required",
  "webauthn_challenge_invalid",
  "webauthn_verification_failed",
  "passkey_limit_reached",
  "dev_mailbox_unavailable",
  "kyb_not_editable",
  "kyb_incomplete",
  "kyb_field_invalid",
  "kyb_transition_invalid",
  "document_too_large",
  "document_type_unsupported",
  "document_content_invalid",
  "document_content_mismatch",
  "document_limit_reached",
  "api_key_invalid",
  "api_key_expired",
  "api_key_revoked",
  "api_key_not_active",
  "api_key_limit_reached",
  "api_key_scopes_invalid",
  "api_key_secret_unavailable",
  "go_live_incomplete",
  "go_live_probe_endpoint_missing",
  "live_mode_unavailable",
  "owner_immutable",
  "already_member",
  "api_version_not_newer",
] as const;
export type MerchantErrorCode = (typeof merchantErrorCodes)[number];

export const merchantErrors = defineErrors<MerchantErrorCode>({
  email_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The email address is not valid.",
  },
  password_too_short: {
    status: 400,
    type: "invalid_request_error",
    message: "The password is too short: use at least 10 characters.",
  },
  password_too_long: {
    status: 400,
    type: "invalid_request_error",
    message: "The password is too long: use at most 256 characters.",
  },
  password_too_common: {
    status: 400,
    type: "invalid_request_error",
    message: "The password is too easy to guess (a common password, one repeated character, or your own email).",
  },
  password_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The password must be a string.",
  },
  login_failed: {
    status: 401,
    type: "authentication_error",
    message: "The email address or the password is wrong.",
  },
  email_not_verified: {
    status: 403,
    type: "authentication_error",
    message: "Verify your email address first: follow the link in the mail we sent (or ask for a new one).",
  },
  account_locked: {
    status: 403,
    type: "authentication_error",
    message: "Too many failed sign-ins: this account is locked for 30 minutes. Resetting the password unlocks it.",
  },
  two_factor_required: {
    status: 401,
    type: "authentication_error",
    message: "This account has two-factor authentication: send totp_code, or sign in with your passkey.",
  },
  totp_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The authenticator code is wrong or too old.",
  },
  totp_replayed: {
    status: 400,
    type: "invalid_request_error",
    message: "This authenticator code was already used; wait for the next one.",
  },
  totp_not_pending: {
    status: 409,
    type: "invalid_request_error",
    message: "There is no authenticator enrollment to confirm; start one with POST …/2fa/totp.",
  },
  totp_already_enabled: {
    status: 409,
    type: "invalid_request_error",
    message: "An authenticator app is already enabled; disable it before enrolling another.",
  },
  totp_not_enabled: {
    status: 409,
    type: "invalid_request_error",
    message: "No authenticator app is enabled.",
  },
  link_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "This link is not valid or was already used.",
  },
  link_expired: {
    status: 410,
    type: "invalid_request_error",
    message: "This link has expired; ask for a new one.",
  },
  csrf_token_invalid: {
    status: 403,
    type: "authentication_error",
    message: "Requests that change something need the session's X-CSRF-Token header (from login or GET …/me).",
  },
  no_merchant_access: {
    status: 403,
    type: "authentication_error",
    message: "This user is not a member of any merchant account (or not of the one asked for).",
  },
  password_reset_required: {
    status: 403,
    type: "authentication_error",
    message:
      "A sign-in to this account was reported as not its owner's: it was signed out everywhere. Reset the password (POST /v1/console/password_reset) to sign in again.",
  },
  webauthn_challenge_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The passkey challenge is unknown, expired or already used; ask for new options.",
  },
  webauthn_verification_failed: {
    status: 400,
    type: "invalid_request_error",
    message: "The passkey response does not verify.",
  },
  passkey_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This user has as many passkeys as allowed; remove one first.",
  },
  dev_mailbox_unavailable: {
    status: 404,
    type: "invalid_request_error",
    message: "The dev mailbox exists only while COFFER_DEV_MAILBOX is on and mail is kept locally (SMTP_URL unset).",
  },
  kyb_not_editable: {
    status: 409,
    type: "invalid_request_error",
    message: "The KYB application can be changed only in the draft and action_required states.",
  },
  kyb_incomplete: {
    status: 400,
    type: "invalid_request_error",
    message: "The KYB application is missing required fields or documents; the message lists them.",
  },
  kyb_field_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "A KYB field has a value that is not allowed; `param` names it.",
  },
  kyb_transition_invalid: {
    status: 409,
    type: "invalid_request_error",
    message: "The KYB application is not in a state that allows this decision.",
  },
  document_too_large: {
    status: 413,
    type: "invalid_request_error",
    message: `A document may be at most ${documentBytesMax / 1024 / 1024} MiB.`,
  },
  document_type_unsupported: {
    status: 415,
    type: "invalid_request_error",
    message: "Documents must be PDF, PNG or JPEG (content_type application/pdf, image/png or image/jpeg).",
  },
  document_content_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "content_base64 must be non-empty standard base64.",
  },
  document_content_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "The file's content is not of the declared content_type.",
  },
  document_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This application has as many documents as allowed; delete one first.",
  },
  api_key_invalid: {
    status: 401,
    type: "authentication_error",
    message: "The API key is not valid.",
  },
  api_key_expired: {
    status: 401,
    type: "authentication_error",
    message: "The API key has expired (it was rolled); use its replacement.",
  },
  api_key_revoked: {
    status: 401,
    type: "authentication_error",
    message: "The API key was revoked.",
  },
  api_key_not_active: {
    status: 409,
    type: "invalid_request_error",
    message: "Only an active key can be rolled; this one is revoked, expired or already rolled.",
  },
  api_key_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This merchant has as many active API keys as allowed; revoke one first.",
  },
  api_key_scopes_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "Restricted keys need scopes: an object of known resources, each none, read or write.",
  },
  api_key_secret_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message: "This key's secret was already shown once; roll the key to get a new one.",
  },
  go_live_incomplete: {
    status: 403,
    type: "invalid_request_error",
    message: "Live keys need the go-live checklist to pass (GET /v1/console/go_live lists what is missing).",
  },
  go_live_probe_endpoint_missing: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The go-live probe needs an enabled test-mode webhook endpoint: create one (POST /v1/webhook_endpoints with a test key) first.",
  },
  live_mode_unavailable: {
    status: 403,
    type: "invalid_request_error",
    message:
      "The console can switch to live mode once the business verification (KYB) is approved and you have two-factor authentication on.",
  },
  owner_immutable: {
    status: 409,
    type: "invalid_request_error",
    message: "The owner cannot be removed and their role cannot change; owner is not a role to give.",
  },
  already_member: {
    status: 409,
    type: "invalid_request_error",
    message: "This person is already a member of the team (or already has an open invite).",
  },
  api_version_not_newer: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The account is already on this API version or a newer one. Accounts only move forward; a request can still " +
      "name an older version with Coffer-Version.",
  },
});
