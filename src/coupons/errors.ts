import { defineErrors } from "../http/errors.js";

/**
 * The promotions error catalog (docs/coupons.md): coupons, promotion codes, discounts on payments and cashback rules.
 * A discount that cannot be applied is refused with one of these and nothing is written; docs/errors.md lists them
 * (`npm run docs`).
 */
export type CouponErrorCode =
  | "coupon_inactive"
  | "coupon_not_yet_valid"
  | "coupon_expired"
  | "coupon_currency_mismatch"
  | "coupon_minimum_not_met"
  | "coupon_used_up"
  | "coupon_budget_exhausted"
  | "coupon_payer_limit_reached"
  | "coupon_first_time_only"
  | "promotion_code_invalid"
  | "promotion_code_expired"
  | "promotion_code_used_up"
  | "promotion_code_taken"
  | "discount_exceeds_amount"
  | "discount_not_applicable"
  | "discount_not_changeable"
  | "payment_amount_changed"
  | "budget_funds_insufficient";

export const couponErrors = defineErrors<CouponErrorCode>({
  coupon_inactive: {
    status: 409,
    type: "invalid_request_error",
    message: "This coupon was deactivated; it discounts no more payments.",
  },
  coupon_not_yet_valid: {
    status: 409,
    type: "invalid_request_error",
    message: "This coupon is not valid yet (its valid_from is still to come).",
  },
  coupon_expired: {
    status: 409,
    type: "invalid_request_error",
    message: "This coupon's validity ended (valid_until has passed).",
  },
  coupon_currency_mismatch: {
    status: 400,
    type: "invalid_request_error",
    message: "A coupon discounts payments in its own currency only.",
  },
  coupon_minimum_not_met: {
    status: 400,
    type: "invalid_request_error",
    message: "The payment is below the coupon's min_amount.",
  },
  coupon_used_up: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The coupon has reached max_redemptions (paid payments and open payments holding a discount count; a payment that ends unpaid gives its place back).",
  },
  coupon_budget_exhausted: {
    status: 409,
    type: "invalid_request_error",
    message: "What is left of the coupon's budget does not cover this discount.",
  },
  coupon_payer_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: "This payer has used this coupon as many times as it allows (max_redemptions_per_payer).",
  },
  coupon_first_time_only: {
    status: 409,
    type: "invalid_request_error",
    message:
      "This coupon is for first-time payers only (no earlier paid payment at this merchant, or anywhere for a platform coupon).",
  },
  promotion_code_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "No active promotion code of this merchant (or of the platform) has this code.",
  },
  promotion_code_expired: {
    status: 409,
    type: "invalid_request_error",
    message: "This promotion code has expired.",
  },
  promotion_code_used_up: {
    status: 409,
    type: "invalid_request_error",
    message: "This promotion code has reached its max_redemptions.",
  },
  promotion_code_taken: {
    status: 409,
    type: "invalid_request_error",
    message: "An active promotion code of yours already has this code in this mode; deactivate it or choose another.",
  },
  discount_exceeds_amount: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The discount would take the whole amount (or round to nothing); a payment keeps at least one minor unit to pay.",
  },
  discount_not_applicable: {
    status: 400,
    type: "invalid_request_error",
    message:
      "A discount applies to payments captured automatically, not to manual capture or offline codes, and one discount per payment.",
  },
  discount_not_changeable: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The payment is no longer open, or its discount was set by the merchant: a payer can only change a code they entered on an open payment.",
  },
  payment_amount_changed: {
    status: 409,
    type: "invalid_request_error",
    message: "The payment's amount changed (a promotion code was applied or removed) after you read it; look again.",
  },
  budget_funds_insufficient: {
    status: 402,
    type: "invalid_request_error",
    message:
      "The budget cannot be funded: your available balance (or, for the platform, the marketing account) does not hold it.",
  },
});
