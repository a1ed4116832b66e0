import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Bearer secrets of the merchant platform: session cookies, emailed links, invites and API keys. Each is 32 or more
 * random bytes, so a single SHA-256 is the right way to store it: nobody can guess such a value, so the slow,
 * salted hashes that protect human passwords add nothing but latency on every request. The database keeps the
 * hash only; a dump of it cannot be replayed.
 */

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` uniformly random base62 characters (rejection sampling: 256 is not a multiple of 62). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(Math.max(32, length * 2))) {
      if (byte < 248) out += base62Alphabet[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** 32 random bytes as base64url (43 characters): session tokens, link tokens, WebAuthn challenges. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time comparison of two strings (false when their lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The CSRF token of a session, derived from the session token (HMAC, "signed double submit"): the console reads it
 * from the login response or GET /me and sends it back in X-CSRF-Token. A cross-site page can make the browser send
 * the cookie but can neither read the cookie nor our responses, so it cannot produce the header.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac("sha256", sessionToken).update("coffer csrf v1").digest("base64url");
}
