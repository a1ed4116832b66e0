import type { PaymentMethod } from "../payments/model.js";

/**
 * What does not come from figures in the method comparison: who can pay with a method and when the money reaches
 * the merchant. Every method pays into the merchant's coffer balance at once; the payout schedule moves it to the
 * bank (docs/payments.md).
 */
const whoCanPay: Record<PaymentMethod, string> = {
  qr: "Any coffer wallet user (account or stored-value wallet) who scans the merchant's QR code with the wallet app.",
  payment_code:
    "Any coffer wallet user who shows the payment code from the wallet app at the till; no phone needed on the merchant's side.",
  checkout: "Any coffer wallet user who opens the hosted checkout page in a browser and signs in to the wallet.",
};

export function methodFacts(method: PaymentMethod, payoutSchedule: "daily" | "manual") {
  return {
    whoCanPay: whoCanPay[method],
    settlement:
      payoutSchedule === "daily"
        ? "In the coffer balance at once; paid out to the bank account once a day (UTC)."
        : "In the coffer balance at once; paid out to the bank account when you request a payout.",
  };
}
