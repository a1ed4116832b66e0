import type { Event } from "./generated.js";

/**
 * Webhook signatures, per the Standard Webhooks specification: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.
 * {body}" with the secret's bytes ("whsec_" + base64), sent as "v1,<base64>"; several space-separated while a
 * secret is rotated. Web Crypto only, so this runs in Node 20+, Deno, Bun, workers and browsers.
 */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

/** A Fetch Headers object, or Node's request.headers (lower-case names). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far the webhook-timestamp may be from now, in seconds. Default 300 (five minutes). */
  toleranceS?: number;
  /** The current time, for tests. Default: the clock. */
  now?: Date | number;
}

const secretPrefix = "whsec_";
const defaultToleranceS = 300;
const encoder = new TextEncoder();

/**
 * Checks a webhook and returns its event. `payload` must be the raw body exactly as received (not re-serialized
 * JSON); `secret` is the endpoint's whsec_ secret, or a list of them while you rotate. Throws
 * WebhookVerificationError when a header is missing, the timestamp is outside the tolerance, or no signature
 * matches.
 */
export async function verifyWebhook(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<Event> {
  const id = headerValue(headers, "webhook-id");
  const timestamp = headerValue(headers, "webhook-timestamp");
  const signatures = headerValue(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError("webhook-timestamp is not Unix seconds");
  const toleranceS = options.toleranceS ?? defaultToleranceS;
  const nowS = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const sentS = Number(timestamp);
  if (sentS < nowS - toleranceS) throw new WebhookVerificationError("webhook-timestamp is too old");
  if (sentS > nowS + toleranceS) throw new WebhookVerificationError("webhook-timestamp is in the future");

  const signed = concat(encoder.encode(`${id}.${timestamp}.`), bytesOf(payload));
  const candidates = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value)
    .map(([, value]) => tryDecodeBase64(value ?? ""))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== undefined);
  for (const key of typeof secret === "string" ? [secret] : secret) {
    const expected = await hmacSha256(secretBytes(key), signed);
    // Every candidate is compared in full, in constant time, so the timing tells nothing about the secret.
    const matches = candidates.map((candidate) => timingSafeEqual(candidate, expected));
    if (matches.includes(true)) return parseEvent(payload);
  }
  throw new WebhookVerificationError("no signature matches the secret");
}

/**
 * The headers coffer would send with `payload`, for testing your webhook handler without a running coffer.
 * `timestamp` is Unix seconds (default now).
 */
export async function signWebhookForTests(
  payload: string,
  secret: string,
  options: { id: string; timestamp?: number },
): Promise<Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const mac = await hmacSha256(secretBytes(secret), encoder.encode(`${options.id}.${timestamp}.${payload}`));
  return {
    "webhook-id": options.id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${encodeBase64(mac)}`,
  };
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(" ") : value;
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = tryDecodeBase64(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret);
  if (!bytes || bytes.length === 0) throw new TypeError("a webhook secret is whsec_ followed by base64");
  return bytes;
}

async function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>) {
  const subtle = globalThis.crypto.subtle;
  const cryptoKey = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", cryptoKey, data));
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

function bytesOf(payload: string | Uint8Array): Uint8Array {
  return typeof payload === "string" ? encoder.encode(payload) : payload;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function tryDecodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function encodeBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function parseEvent(payload: string | Uint8Array): Event {
  const text = typeof payload === "string" ? payload : new TextDecoder().decode(payload);
  try {
    return JSON.parse(text) as Event;
  } catch {
    throw new WebhookVerificationError("the signed payload is not JSON");
  }
}
