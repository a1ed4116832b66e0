import { randomInt } from "node:crypto";

/**
 * Customer-presented payment codes ("barcode pay"): 18 digits the wallet shows as a barcode and QR, scanned by the
 * merchant's POS. Our prefix 88 collides with neither WeChat Pay's (10–15) nor Alipay's (25–30), so a POS that
 * accepts several wallets can route by the first two digits. The other 16 digits are random (10^16 codes): a
 * code is valid for one minute and for one payment, and guessing attempts are rate-limited per merchant.
 */
export const paymentCodePrefix = "88";
export const paymentCodeLength = 18;
const randomDigits = paymentCodeLength - paymentCodePrefix.length;

export function generatePaymentCode(): string {
  let digits = "";
  // randomInt is uniform; 8 digits at a time stay within its safe range.
  while (digits.length < randomDigits) digits += String(randomInt(0, 100_000_000)).padStart(8, "0");
  return paymentCodePrefix + digits.slice(0, randomDigits);
}

/** True for strings that could be one of our codes: 18 ASCII digits with our prefix. */
export function isPaymentCodeShape(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length === paymentCodeLength &&
    value.startsWith(paymentCodePrefix) &&
    /^\d+$/.test(value)
  );
}
