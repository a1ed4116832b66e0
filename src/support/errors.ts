import { type ApiError, defineErrors } from "../http/errors.js";
import { supportOpenTicketsPerCustomerMax } from "../limits.js";

/** Why a support ticket or a reply was refused (docs/support.md). Nothing is written. */
export type SupportErrorCode = "ticket_limit_reached" | "ticket_status_not_allowed" | "ticket_recipient_invalid";

export const supportErrors = defineErrors<SupportErrorCode>({
  ticket_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: `At most ${supportOpenTicketsPerCustomerMax} tickets may be open at once; reply to one of them, or resolve one first.`,
  },
  ticket_status_not_allowed: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The customer of a ticket may resolve it or reopen it (open); the answering side may also set waiting_on_customer.",
  },
  ticket_recipient_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "A ticket to a merchant is about one of your payments: give `payment`, or send it to the platform.",
  },
});

export function supportError(code: SupportErrorCode, message?: string, param?: string | null): ApiError {
  return supportErrors.toApiError(code, message, param);
}
