import { defineErrors } from "../http/errors.js";

/** Why a till refused a payment (docs/stores-and-tills.md). */
export type StoreErrorCode = "till_inactive" | "till_currency_mismatch";

export const storeErrors = defineErrors<StoreErrorCode>({
  till_inactive: {
    status: 409,
    type: "invalid_request_error",
    message: "This till was deactivated by its merchant; it takes no more payments.",
  },
  till_currency_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "A payment taken at a till is in its store's currency.",
  },
});
