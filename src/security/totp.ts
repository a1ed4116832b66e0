import { generate, generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import { totpPeriodS, totpToleranceS } from "../limits.js";

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s — what every authenticator app supports). A code is accepted once: callers
 * store the time step of the last accepted code and pass it back (`lastUsedStep`), so a replayed code fails.
 */
export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as an SVG QR code, for the console to show. */
  qrSvg: string;
}

export async function createTotpEnrollment(issuer: string, accountName: string): Promise<TotpEnrollment> {
  const secret = generateSecret();
  const otpauthUri = generateURI({ issuer, label: accountName, secret });
  const qrSvg = await QRCode.toString(otpauthUri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { secret, otpauthUri, qrSvg };
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "totp_invalid" | "totp_replayed" };

export async function checkTotp(
  secret: string,
  code: unknown,
  lastUsedStep: number | null,
  now: Date = new Date(),
): Promise<TotpCheck> {
  if (typeof code !== "string" || !/^\d{6}$/.test(code)) return { ok: false, reason: "totp_invalid" };
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: totpToleranceS });
  if (!result.valid) return { ok: false, reason: "totp_invalid" };
  const step = Math.floor(epoch / totpPeriodS) + (result.delta ?? 0);
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: "totp_replayed" };
  return { ok: true, step };
}

/** The current code, for tests and the sandbox. */
export function totpCodeAt(secret: string, at: Date = new Date()): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/** How every API (console, operators, wallets) shows a new enrollment: the secret, its URI and its QR code. */
export function totpEnrollmentBody(enrollment: TotpEnrollment) {
  return {
    object: "totp_enrollment" as const,
    secret: enrollment.secret,
    otpauth_uri: enrollment.otpauthUri,
    qr_svg: enrollment.qrSvg,
  };
}
