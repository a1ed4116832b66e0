import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" with the secret's bytes,
 * sent as "v1,<base64>"; several space-separated during a secret rotation. Secrets are "whsec_" + base64 of 24
 * random bytes.
 */
export const secretPrefix = "whsec_";
const secretBytes = 24;

export function generateWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(secretBytes).toString("base64")}`;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(secretPrefix)) throw new Error("webhook secrets start with whsec_");
  return Buffer.from(secret.slice(secretPrefix.length), "base64");
}

export function signPayload(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${id}.${timestampS}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The webhook-signature header value for all current secrets (the new one first). */
export function signatureHeader(secrets: readonly string[], id: string, timestampS: number, body: string): string {
  return secrets.map((s) => signPayload(s, id, timestampS, body)).join(" ");
}

/** Verifies like a receiver would; used by `coffer listen` tests and the go-live probe, not by delivery. */
export function verifySignature(secret: string, id: string, timestampS: number, body: string, header: string): boolean {
  const expected = Buffer.from(signPayload(secret, id, timestampS, body));
  return header.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
