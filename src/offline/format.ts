import { createPublicKey, type KeyObject, verify } from "node:crypto";

/**
 * The wire format of offline certificates and codes, version 1 (docs/offline-codes.md). Binary, big-endian, then
 * base64url with a prefix, so a code fits a QR code and an NFC NDEF text record. The SDK's verifier
 * (sdk/src/offline.ts) reads the same bytes with Web Crypto; test/offline checks the two agree.
 *
 *   certificate  u8 version=1 · u8 flags (bit 0 livemode, bit 1 one merchant) · 22 B certificate id · 22 B wallet id
 *                · 22 B key id · [22 B merchant id, with flag bit 1] · u8 n · n B currency · u64 cap · u32 issued_at · u32 expires_at (Unix s) · 65 B device key (P-256,
 *                uncompressed) · 64 B coffer's ES256 signature (r‖s) over certificateContext ‖ everything before it
 *   code         certificate · u32 counter · u32 window (Unix minutes) · u64 amount (0: none)
 *                · 64 B the device's ES256 signature over codeContext ‖ everything before it
 *
 * Ids travel without their prefixes (ofc_, wal_, ofk_, mer_): 22 base62 characters each. A certificate with the
 * merchant flag (a shop's prepaid card, closed loop) pays that merchant only; without it, any merchant.
 */
export const offlineFormatVersion = 1;
export const offlineCodePrefix = "cof1.";
export const certificateContext = "coffer offline certificate v1\u0000";
export const codeContext = "coffer offline code v1\u0000";
const idBodyLength = 22;
const deviceKeyLength = 65;
const signatureLength = 64;
const idBody = /^[0-9A-Za-z]{22}$/;
const flagLivemode = 1;
const flagMerchant = 2;

export interface CertificateBody {
  id: string;
  walletUserId: string;
  kid: string;
  livemode: boolean;
  currency: string;
  cap: bigint;
  issuedAt: Date;
  expiresAt: Date;
  /** The only merchant the certificate's codes may pay (a closed-loop prepaid card's issuer), or null: any. */
  merchantId: string | null;
  /** The device's P-256 public key, uncompressed (0x04 ‖ x ‖ y). */
  deviceKey: Buffer;
}

export interface ParsedCertificate extends CertificateBody {
  /** The bytes coffer signed (without the context), and its signature. */
  signed: Buffer;
  signature: Buffer;
  /** The whole certificate as issued (signed bytes and signature). */
  bytes: Buffer;
}

export interface ParsedCode {
  certificate: ParsedCertificate;
  counter: number;
  window: number;
  /** null: the code names no amount. */
  amount: bigint | null;
  signed: Buffer;
  signature: Buffer;
}

export class OfflineFormatError extends Error {}

function stripPrefix(id: string, prefix: string): Buffer {
  const body = id.startsWith(`${prefix}_`) ? id.slice(prefix.length + 1) : "";
  if (!idBody.test(body)) throw new OfflineFormatError(`not a ${prefix}_ id: ${id}`);
  return Buffer.from(body, "ascii");
}

/** The bytes coffer signs for a certificate. */
export function encodeCertificateBody(body: CertificateBody): Buffer {
  if (body.deviceKey.length !== deviceKeyLength || body.deviceKey[0] !== 4) {
    throw new OfflineFormatError("the device key is not an uncompressed P-256 point");
  }
  const currency = Buffer.from(body.currency, "ascii");
  const head = Buffer.alloc(2);
  head.writeUInt8(offlineFormatVersion, 0);
  head.writeUInt8((body.livemode ? flagLivemode : 0) | (body.merchantId !== null ? flagMerchant : 0), 1);
  const numbers = Buffer.alloc(1 + currency.length + 8 + 4 + 4);
  let at = 0;
  numbers.writeUInt8(currency.length, at++);
  currency.copy(numbers, at);
  at += currency.length;
  numbers.writeBigUInt64BE(body.cap, at);
  at += 8;
  numbers.writeUInt32BE(Math.floor(body.issuedAt.getTime() / 1000), at);
  at += 4;
  numbers.writeUInt32BE(Math.floor(body.expiresAt.getTime() / 1000), at);
  return Buffer.concat([
    head,
    stripPrefix(body.id, "ofc"),
    stripPrefix(body.walletUserId, "wal"),
    stripPrefix(body.kid, "ofk"),
    ...(body.merchantId !== null ? [stripPrefix(body.merchantId, "mer")] : []),
    numbers,
    body.deviceKey,
  ]);
}

class Reader {
  at = 0;
  constructor(readonly bytes: Buffer) {}
  take(n: number): Buffer {
    if (this.at + n > this.bytes.length) throw new OfflineFormatError("the code is cut short");
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1).readUInt8(0);
  }
  u32(): number {
    return this.take(4).readUInt32BE(0);
  }
  u64(): bigint {
    return this.take(8).readBigUInt64BE(0);
  }
  id(prefix: string): string {
    const body = this.take(idBodyLength).toString("latin1");
    if (!idBody.test(body)) throw new OfflineFormatError(`a ${prefix}_ id is malformed`);
    return `${prefix}_${body}`;
  }
}

function readCertificate(reader: Reader): ParsedCertificate {
  const start = reader.at;
  if (reader.u8() !== offlineFormatVersion) throw new OfflineFormatError("unknown format version");
  const flags = reader.u8();
  if ((flags & ~(flagLivemode | flagMerchant)) !== 0) throw new OfflineFormatError("unknown flags");
  const id = reader.id("ofc");
  const walletUserId = reader.id("wal");
  const kid = reader.id("ofk");
  const merchantId = (flags & flagMerchant) !== 0 ? reader.id("mer") : null;
  const currencyLength = reader.u8();
  if (currencyLength < 3 || currencyLength > 10) throw new OfflineFormatError("the currency is malformed");
  const currency = reader.take(currencyLength).toString("latin1");
  if (!/^[A-Z][A-Z0-9]{2,9}$/.test(currency)) throw new OfflineFormatError("the currency is malformed");
  const cap = reader.u64();
  const issuedAt = new Date(reader.u32() * 1000);
  const expiresAt = new Date(reader.u32() * 1000);
  const deviceKey = Buffer.from(reader.take(deviceKeyLength));
  if (deviceKey[0] !== 4) throw new OfflineFormatError("the device key is not an uncompressed point");
  const signed = reader.bytes.subarray(start, reader.at);
  const signature = reader.take(signatureLength);
  return {
    id,
    walletUserId,
    kid,
    livemode: (flags & flagLivemode) !== 0,
    currency,
    cap,
    issuedAt,
    expiresAt,
    merchantId,
    deviceKey,
    signed,
    signature,
    bytes: reader.bytes.subarray(start, reader.at),
  };
}

export function parseCertificate(bytes: Buffer): ParsedCertificate {
  const reader = new Reader(bytes);
  const certificate = readCertificate(reader);
  if (reader.at !== bytes.length) throw new OfflineFormatError("trailing bytes after the certificate");
  return certificate;
}

/** Reads a code's string; throws OfflineFormatError when it is not one (signatures are not checked here). */
export function parseOfflineCode(code: string): ParsedCode {
  if (!code.startsWith(offlineCodePrefix)) throw new OfflineFormatError("not an offline code");
  const text = code.slice(offlineCodePrefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new OfflineFormatError("not base64url");
  const bytes = Buffer.from(text, "base64url");
  const reader = new Reader(bytes);
  const certificate = readCertificate(reader);
  const counter = reader.u32();
  const window = reader.u32();
  const amount = reader.u64();
  const signed = bytes.subarray(0, reader.at);
  const signature = reader.take(signatureLength);
  if (reader.at !== bytes.length) throw new OfflineFormatError("trailing bytes after the code");
  if (counter === 0) throw new OfflineFormatError("counters start at 1");
  return { certificate, counter, window, amount: amount === 0n ? null : amount, signed, signature };
}

/** True when a payment_code value is meant as an offline code (its prefix), whatever its validity. */
export function looksLikeOfflineCode(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(offlineCodePrefix);
}

/** A P-256 public key from its uncompressed point. */
export function p256PublicKey(point: Buffer): KeyObject {
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
}

/** The uncompressed point of a P-256 JWK; throws OfflineFormatError for anything else. */
export function pointOfJwk(jwk: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown }): Buffer {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" || typeof jwk.y !== "string") {
    throw new OfflineFormatError("not a P-256 public JWK");
  }
  const x = Buffer.from(jwk.x, "base64url");
  const y = Buffer.from(jwk.y, "base64url");
  if (x.length !== 32 || y.length !== 32) throw new OfflineFormatError("not a P-256 public JWK");
  const point = Buffer.concat([Buffer.from([4]), x, y]);
  // Node refuses a point that is not on the curve.
  try {
    p256PublicKey(point);
  } catch {
    throw new OfflineFormatError("the key is not a point on P-256");
  }
  return point;
}

export function verifyEs256(key: KeyObject, context: string, signed: Buffer, signature: Buffer): boolean {
  try {
    return verify(
      "sha256",
      Buffer.concat([Buffer.from(context, "latin1"), signed]),
      { key, dsaEncoding: "ieee-p1363" },
      signature,
    );
  } catch {
    return false;
  }
}

/** The window (Unix minutes) a time falls in. */
export function windowOf(at: Date, windowMs: number): number {
  return Math.floor(at.getTime() / windowMs);
}
