import { defineErrors } from "../http/errors.js";
import { paymentAttemptsMax } from "../limits.js";

/** Why paying a payment again was refused (docs/payments.md, Paying again; docs/adr/0028). */
export type PaymentAttemptErrorCode = "payment_retry_closed" | "payment_attempts_exhausted";

export const paymentAttemptErrors = defineErrors<PaymentAttemptErrorCode>({
  payment_retry_closed: {
    status: 409,
    type: "invalid_request_error",
    message:
      "This payment can no longer be paid again: its retry window (retryable_until) has passed or the merchant closed it. Ask the merchant for a new payment.",
  },
  payment_attempts_exhausted: {
    status: 409,
    type: "invalid_request_error",
    message: `This payment has had its ${paymentAttemptsMax} attempts; ask the merchant for a new payment.`,
  },
});
