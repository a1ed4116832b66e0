import { defineErrors } from "../http/errors.js";

/**
 * Error codes of the operator console beyond the ones it shares with the merchant console (login_failed,
 * account_locked, totp_invalid … in src/merchants/errors.ts).
 */
export const operatorErrorCodes = [
  "password_change_required",
  "operator_email_taken",
  "bank_file_invalid",
  "verify_never_run",
  "audit_report_never_run",
] as const;
export type OperatorErrorCode = (typeof operatorErrorCodes)[number];

export const operatorErrors = defineErrors<OperatorErrorCode>({
  password_change_required: {
    status: 403,
    type: "authentication_error",
    message:
      "This operator still has a one-time password: sign in again with new_password set to a password of your own.",
  },
  operator_email_taken: {
    status: 409,
    type: "invalid_request_error",
    message: "An operator with this email address exists already.",
  },
  bank_file_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The settlement file cannot be read: it must be CSV with a header row naming at least instruction_id and status.",
  },
  verify_never_run: {
    status: 404,
    type: "invalid_request_error",
    message: "coffer verify has not run yet: run `coffer verify` or POST /v1/ops/verify.",
  },
  audit_report_never_run: {
    status: 404,
    type: "invalid_request_error",
    message: "coffer audit has not run yet: run `coffer audit`, or wait for the worker's daily audit.",
  },
});
