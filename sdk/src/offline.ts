/**
 * Verifying a wallet's offline payment code on a POS with no network (docs/offline-codes.md). Web Crypto only
 * (globalThis.crypto), so it runs in Node 20+, browsers, Deno and workers with no dependency. Fetch coffer's keys
 * (GET /v1/offline_keys) while online and keep them; verifyOfflineCode then needs nothing else. A valid code is
 * submitted later as payment_code of POST /v1/payments (method payment_code): only coffer can tell whether the
 * certificate's hold still covers the amount and whether the code was used before, so accept offline only up to
 * what you are willing to risk on a replay by the same payer at another shop.
 */

/** A public key of coffer's JWK set. */
export interface OfflineKey {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg?: string;
  use?: string;
}

export type OfflineCodeRefusal =
  | "offline_code_invalid"
  | "offline_signature_invalid"
  | "offline_certificate_expired"
  | "offline_code_expired"
  | "offline_cap_exceeded"
  | "offline_amount_exceeded"
  | "offline_currency_mismatch"
  | "card_not_accepted";

export interface VerifiedOfflineCode {
  ok: true;
  certificate: {
    id: string;
    walletUserId: string;
    kid: string;
    livemode: boolean;
    currency: string;
    /** The offline cap in minor units: the most all codes of this certificate can pay together. */
    cap: bigint;
    /** The only merchant (mer_…) its codes pay: a shop's prepaid card, closed loop. null: any merchant. */
    merchant: string | null;
    issuedAt: Date;
    expiresAt: Date;
  };
  counter: number;
  /** The start of the minute the code was made in. */
  madeAt: Date;
  /** The amount the payer put in the code (minor units), or null: any amount up to the cap. */
  amount: bigint | null;
}

export interface RefusedOfflineCode {
  ok: false;
  code: OfflineCodeRefusal;
  message: string;
}

export interface VerifyOfflineCodeOptions {
  /** coffer's keys: the body of GET /v1/offline_keys, or its keys array. */
  keys: { keys: readonly OfflineKey[] } | readonly OfflineKey[];
  /** The POS's clock. Default: now. */
  now?: Date | number;
  /** The amount to charge (minor units): checked against the cap and the code's own amount. */
  amount?: bigint | number | string;
  /** The currency to charge: checked against the certificate's. */
  currency?: string;
  /** Your merchant id (mer_…): a certificate that names another merchant (a shop's card) is refused. */
  merchant?: string;
  /** Minutes a code's time may be off the POS's clock, either way. Default 2. */
  skewWindows?: number;
}

const prefix = "cof1.";
const windowMs = 60_000;
const encoder = new TextEncoder();
const certificateContext = encoder.encode("coffer offline certificate v1\u0000");
const codeContext = encoder.encode("coffer offline code v1\u0000");

class Malformed extends Error {}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Malformed("not base64url");
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Checks an offline code's signatures, times and amount against coffer's keys, without the network. */
export async function verifyOfflineCode(
  code: string,
  options: VerifyOfflineCodeOptions,
): Promise<VerifiedOfflineCode | RefusedOfflineCode> {
  const refuse = (refusal: OfflineCodeRefusal, message: string): RefusedOfflineCode => ({
    ok: false,
    code: refusal,
    message,
  });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    if (typeof code !== "string" || !code.startsWith(prefix)) throw new Malformed("not an offline code");
    bytes = fromBase64url(code.slice(prefix.length));
  } catch {
    return refuse("offline_code_invalid", "This is not an offline code.");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const take = (n: number) => {
    if (at + n > bytes.length) throw new Malformed("cut short");
    const out = bytes.slice(at, at + n);
    at += n;
    return out;
  };
  const id = (p: string) => {
    const body = ascii(take(22));
    if (!/^[0-9A-Za-z]{22}$/.test(body)) throw new Malformed("id");
    return `${p}_${body}`;
  };
  let parsed: {
    certificate: VerifiedOfflineCode["certificate"];
    certSigned: Uint8Array<ArrayBuffer>;
    certSignature: Uint8Array<ArrayBuffer>;
    deviceKey: Uint8Array<ArrayBuffer>;
    counter: number;
    window: number;
    amount: bigint;
    codeSigned: Uint8Array<ArrayBuffer>;
    codeSignature: Uint8Array<ArrayBuffer>;
  };
  try {
    if (take(1)[0] !== 1) throw new Malformed("version");
    const flags = take(1)[0]!;
    // Bit 0: livemode; bit 1: the certificate names the one merchant its codes pay (22 more bytes after the key id).
    if ((flags & ~3) !== 0) throw new Malformed("flags");
    const certId = id("ofc");
    const walletUserId = id("wal");
    const kid = id("ofk");
    const merchant = (flags & 2) !== 0 ? id("mer") : null;
    const currencyLength = take(1)[0]!;
    if (currencyLength < 3 || currencyLength > 10) throw new Malformed("currency");
    const currency = ascii(take(currencyLength));
    take(8);
    const cap = view.getBigUint64(at - 8);
    take(8);
    const issuedAt = new Date(view.getUint32(at - 8) * 1000);
    const expiresAt = new Date(view.getUint32(at - 4) * 1000);
    const deviceKey = take(65);
    if (deviceKey[0] !== 4) throw new Malformed("device key");
    const certSigned = bytes.slice(0, at);
    const certSignature = take(64);
    take(16);
    const counter = view.getUint32(at - 16);
    const window = view.getUint32(at - 12);
    const amount = view.getBigUint64(at - 8);
    const codeSigned = bytes.slice(0, at);
    const codeSignature = take(64);
    if (at !== bytes.length || counter === 0) throw new Malformed("trailing bytes");
    parsed = {
      certificate: {
        id: certId,
        walletUserId,
        kid,
        livemode: (flags & 1) === 1,
        currency,
        cap,
        merchant,
        issuedAt,
        expiresAt,
      },
      certSigned,
      certSignature,
      deviceKey,
      counter,
      window,
      amount,
      codeSigned,
      codeSignature,
    };
  } catch {
    return refuse("offline_code_invalid", "The offline code is malformed or cut short.");
  }

  const keys = Array.isArray(options.keys) ? options.keys : (options.keys as { keys: readonly OfflineKey[] }).keys;
  const jwk = keys.find((k) => k.kid === parsed.certificate.kid);
  if (!jwk) {
    return refuse(
      "offline_signature_invalid",
      "The certificate names a key that is not among coffer's offline keys (fetch GET /v1/offline_keys again when online).",
    );
  }
  const subtle = globalThis.crypto.subtle;
  const algorithm = { name: "ECDSA", namedCurve: "P-256" };
  const signature = { name: "ECDSA", hash: "SHA-256" };
  try {
    const issuer = await subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, algorithm, false, [
      "verify",
    ]);
    const certOk = await subtle.verify(
      signature,
      issuer,
      parsed.certSignature,
      concat(certificateContext, parsed.certSigned),
    );
    if (!certOk) return refuse("offline_signature_invalid", "The certificate was not signed by coffer.");
    const device = await subtle.importKey("raw", parsed.deviceKey, algorithm, false, ["verify"]);
    const codeOk = await subtle.verify(signature, device, parsed.codeSignature, concat(codeContext, parsed.codeSigned));
    if (!codeOk) return refuse("offline_signature_invalid", "The code was not signed by the certificate's device.");
  } catch {
    return refuse("offline_signature_invalid", "A key or signature could not be read.");
  }

  const nowMs = Number(options.now ?? Date.now());
  const skewMs = (options.skewWindows ?? 2) * windowMs;
  const madeAtMs = parsed.window * windowMs;
  const cert = parsed.certificate;
  if (nowMs >= cert.expiresAt.getTime() || nowMs < cert.issuedAt.getTime() - skewMs) {
    return refuse("offline_certificate_expired", "The code's certificate is not valid now.");
  }
  if (madeAtMs >= cert.expiresAt.getTime() || madeAtMs + windowMs <= cert.issuedAt.getTime() - skewMs) {
    return refuse("offline_certificate_expired", "The code was made outside its certificate's validity.");
  }
  if (madeAtMs + windowMs + skewMs <= nowMs) {
    return refuse("offline_code_expired", "The code is older than a few minutes; ask the payer for a fresh one.");
  }
  if (madeAtMs > nowMs + skewMs) return refuse("offline_code_invalid", "The code was made for a time ahead of now.");
  if (options.merchant !== undefined && cert.merchant !== null && options.merchant !== cert.merchant) {
    return refuse("card_not_accepted", "The code is of a shop's prepaid card, spendable at that shop only.");
  }
  if (options.currency !== undefined && options.currency !== cert.currency) {
    return refuse("offline_currency_mismatch", `The code's certificate is in ${cert.currency}.`);
  }
  if (options.amount !== undefined) {
    const amount = BigInt(options.amount);
    if (amount > cert.cap) return refuse("offline_cap_exceeded", `The certificate's offline cap is ${cert.cap}.`);
    if (parsed.amount !== 0n && amount > parsed.amount) {
      return refuse("offline_amount_exceeded", `The payer's code is for at most ${parsed.amount}.`);
    }
  }
  return {
    ok: true,
    certificate: cert,
    counter: parsed.counter,
    madeAt: new Date(madeAtMs),
    amount: parsed.amount === 0n ? null : parsed.amount,
  };
}
