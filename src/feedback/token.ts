import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { isId } from "../ids.js";

/**
 * The payer's feedback link (the receipt's, the checkout page's after paying): the payment id with an HMAC of it and
 * its payer, under a key derived from the master key. It needs no sign-in and names one payment of one payer; it
 * stops working only when the payment cannot be rated any more (docs/feedback.md).
 */
export function feedbackKeyFrom(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "coffer payment-feedback link", 32));
}

function mac(key: Buffer, paymentId: string, payerId: string): string {
  return createHmac("sha256", key).update(`payment-feedback:${paymentId}:${payerId}`).digest("base64url");
}

export function feedbackToken(key: Buffer, paymentId: string, payerId: string): string {
  return `${paymentId}.${mac(key, paymentId, payerId)}`;
}

/** The payment a token names, before its payer is known (the caller checks verifyFeedbackToken against it). */
export function paymentOfFeedbackToken(token: string): string | undefined {
  const paymentId = token.slice(0, token.indexOf("."));
  return isId(paymentId, "pay") ? paymentId : undefined;
}

export function verifyFeedbackToken(key: Buffer, token: string, payerId: string): boolean {
  const dot = token.indexOf(".");
  if (dot < 0) return false;
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(key, token.slice(0, dot), payerId));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
