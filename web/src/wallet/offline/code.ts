/**
 * Making offline payment codes on the device (docs/offline-codes.md). Web Crypto only: the device's ECDSA P-256
 * key pair is made non-extractable (the private key never leaves the browser's key store), its public key goes to
 * coffer for a certificate, and every code is the certificate plus a counter, the minute it was made and an
 * optional amount, signed by the device. The same string is the QR code and the NFC NDEF text record.
 */
export const offlineCodePrefix = "cof1.";
const codeContext = new TextEncoder().encode("coffer offline code v1\u0000");
const windowMs = 60_000;

/** A Web Crypto key, named without the DOM's types (the server's tests run this module under Node too). */
export type DeviceKey = Parameters<typeof crypto.subtle.sign>[1];
export interface DeviceKeyPair {
  publicKey: DeviceKey;
  privateKey: DeviceKey;
}

export async function makeDeviceKeyPair(): Promise<DeviceKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
    "verify",
  ])) as DeviceKeyPair;
}

/** The public key as the certificate request takes it. */
export async function publicJwk(pair: DeviceKeyPair): Promise<{ kty?: string; crv?: string; x?: string; y?: string }> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { kty, crv, x, y };
}

function base64urlToBytes(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function bytesToBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * One code. certificate: the certificate's base64url as coffer answered it; counter: never used before with this
 * certificate (coffer settles each counter once); amount: minor units the payer allows, or undefined for any
 * amount up to what is left of the cap.
 */
export async function makeOfflineCode(options: {
  certificate: string;
  privateKey: DeviceKey;
  counter: number;
  now?: Date;
  amount?: bigint;
}): Promise<string> {
  const certificate = base64urlToBytes(options.certificate);
  const tail = new Uint8Array(16);
  const view = new DataView(tail.buffer);
  view.setUint32(0, options.counter);
  view.setUint32(4, Math.floor((options.now ?? new Date()).getTime() / windowMs));
  view.setBigUint64(8, options.amount ?? 0n);
  const signed = new Uint8Array(certificate.length + tail.length);
  signed.set(certificate, 0);
  signed.set(tail, certificate.length);
  const message = new Uint8Array(codeContext.length + signed.length);
  message.set(codeContext, 0);
  message.set(signed, codeContext.length);
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, options.privateKey, message),
  );
  const code = new Uint8Array(signed.length + signature.length);
  code.set(signed, 0);
  code.set(signature, signed.length);
  return offlineCodePrefix + bytesToBase64url(code);
}
