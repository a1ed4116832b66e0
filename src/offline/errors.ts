import { defineErrors } from "../http/errors.js";
import { offlineCertificatesActivePerWalletMax } from "../limits.js";

/**
 * Why an offline certificate was not issued, or an offline code (payment_code of POST /v1/payments) was refused
 * (docs/offline-codes.md). The SDK's verifyOfflineCode answers the same codes where it can tell without coffer.
 */
export type OfflineErrorCode =
  | "offline_code_invalid"
  | "offline_signature_invalid"
  | "offline_certificate_expired"
  | "offline_code_expired"
  | "offline_code_replayed"
  | "offline_cap_exceeded"
  | "offline_amount_exceeded"
  | "offline_currency_mismatch"
  | "offline_device_key_invalid"
  | "offline_certificates_exhausted";

export const offlineErrors = defineErrors<OfflineErrorCode>({
  offline_code_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      "This is not an offline code coffer can read (malformed, cut short, from the other mode, or made for a time ahead of coffer's clock).",
  },
  offline_signature_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The offline code's signatures do not verify: the certificate was not signed by coffer's offline key, or the code was not signed by the certificate's device. Refuse the payment.",
  },
  offline_certificate_expired: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The code was made outside its certificate's validity, or the certificate's settlement deadline has passed and its hold was released.",
  },
  offline_code_expired: {
    status: 409,
    type: "invalid_request_error",
    message: "The code is too old: a code settles within 12 hours of when it was made.",
  },
  offline_code_replayed: {
    status: 409,
    type: "invalid_request_error",
    message: "This code (its certificate and counter) has settled a payment already; a code pays once.",
  },
  offline_cap_exceeded: {
    status: 402,
    type: "invalid_request_error",
    message: "The amount is more than what is left of the certificate's offline cap (its ledger hold).",
  },
  offline_amount_exceeded: {
    status: 400,
    type: "invalid_request_error",
    message: "The amount is more than the amount the payer put in the code.",
  },
  offline_currency_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "The payment's currency is not the certificate's currency.",
  },
  offline_device_key_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: 'public_key must be a P-256 public JWK: {"kty":"EC","crv":"P-256","x":…,"y":…}.',
  },
  offline_certificates_exhausted: {
    status: 409,
    type: "invalid_request_error",
    message: `A wallet holds at most ${offlineCertificatesActivePerWalletMax} offline certificates with money on hold at once; wait for one to expire.`,
  },
});
