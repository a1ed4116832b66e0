import type { PaymentMethod } from "../payments/model.js";

/**
 * What does not come from figures in the method comparison, as codes (the console words them in the reader's
 * language): who can pay with a method, and when the money reaches the merchant. Every method pays into the
 * merchant's coffer balance at once; the payout schedule moves it to the bank (docs/payments.md).
 */
export const whoCanPayCodes = [
  "wallet_scans_qr",
  "wallet_shows_code",
  "wallet_signs_in_checkout",
  "anyone_sends_crypto",
] as const;
export const settlementCodes = ["balance_now_daily_payout", "balance_now_payout_on_request"] as const;

const whoCanPay: Record<PaymentMethod, (typeof whoCanPayCodes)[number]> = {
  qr: "wallet_scans_qr",
  payment_code: "wallet_shows_code",
  checkout: "wallet_signs_in_checkout",
  crypto: "anyone_sends_crypto",
};

export function methodFacts(method: PaymentMethod, payoutSchedule: "daily" | "manual") {
  return {
    whoCanPay: whoCanPay[method],
    settlement:
      payoutSchedule === "daily" ? ("balance_now_daily_payout" as const) : ("balance_now_payout_on_request" as const),
  };
}
