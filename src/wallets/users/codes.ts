import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { walletVerificationCodeDigits } from "../../limits.js";

/**
 * One-time codes for sign-up: 6 random digits, stored as SHA-256 over the verification id and the code. A code is
 * only worth guessing online, where walletVerificationAttemptsMax wrong tries end the verification.
 */
export function newVerificationCode(): string {
  return String(randomInt(0, 10 ** walletVerificationCodeDigits)).padStart(walletVerificationCodeDigits, "0");
}

export function hashVerificationCode(verificationId: string, code: string): Buffer {
  return createHash("sha256").update(`${verificationId}:${code}`, "utf8").digest();
}

export function codeMatches(verificationId: string, code: string, stored: Buffer | null): boolean {
  if (stored === null || !/^\d+$/.test(code) || code.length !== walletVerificationCodeDigits) return false;
  return timingSafeEqual(hashVerificationCode(verificationId, code), stored);
}
