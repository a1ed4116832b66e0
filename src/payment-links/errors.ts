import { defineErrors } from "../http/errors.js";
import { paymentLinkQuantityMax } from "../limits.js";

/** Why a payment link, or a payer's use of one, was refused (docs/payment-links.md). */
export type PaymentLinkErrorCode =
  | "payment_link_inactive"
  | "payment_link_expired"
  | "payment_link_used_up"
  | "payment_link_amount_out_of_range"
  | "payment_link_quantity_invalid";

export const paymentLinkErrors = defineErrors<PaymentLinkErrorCode>({
  payment_link_inactive: {
    status: 409,
    type: "invalid_request_error",
    message: "This payment link was deactivated by its merchant; it takes no more payments.",
  },
  payment_link_expired: {
    status: 409,
    type: "invalid_request_error",
    message: "This payment link has expired; it takes no more payments.",
  },
  payment_link_used_up: {
    status: 409,
    type: "invalid_request_error",
    message:
      "This payment link has reached its maximum number of uses (paid payments and payments still waiting for their payer).",
  },
  payment_link_amount_out_of_range: {
    status: 400,
    type: "invalid_request_error",
    message: "The amount is outside the bounds the merchant set for this link (amount_min to amount_max).",
  },
  payment_link_quantity_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: `quantity is a whole number from 1 to the link's quantity_max (at most ${paymentLinkQuantityMax}); a link without quantity_max takes none.`,
  },
});
