import { parseCertificate } from "./format.js";

/** An offline certificate as coffer keeps it (offline_certificates). */
export interface OfflineCertificate {
  id: string;
  walletUserId: string;
  livemode: boolean;
  kid: string;
  currency: string;
  cap: bigint;
  /** The only merchant its codes pay (a shop's prepaid card), or null: any. Signed into the certificate. */
  merchantId: string | null;
  /** What the current ledger hold holds: the cap minus what settled codes took. */
  remaining: bigint;
  deviceKey: Buffer;
  /** The signed certificate, as the device embeds it in every code. */
  certificate: Buffer;
  holdTransferId: string | null;
  status: "active" | "released";
  spendDay: string;
  spendMonth: string;
  issuedAt: Date;
  expiresAt: Date;
  settleBefore: Date;
  releasedAt: Date | null;
  releasedAmount: bigint | null;
}

export interface OfflineCertificateRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  kid: string;
  currency: string;
  cap: string;
  remaining: string;
  device_key: Buffer;
  certificate: Buffer;
  hold_transfer_id: string | null;
  status: "active" | "released";
  spend_day: string;
  spend_month: string;
  issued_at: Date;
  expires_at: Date;
  settle_before: Date;
  released_at: Date | null;
  released_amount: string | null;
}

export function certificateFromRow(row: OfflineCertificateRow): OfflineCertificate {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    kid: row.kid,
    currency: row.currency,
    cap: BigInt(row.cap),
    merchantId: parseCertificate(row.certificate).merchantId,
    remaining: BigInt(row.remaining),
    deviceKey: row.device_key,
    certificate: row.certificate,
    holdTransferId: row.hold_transfer_id,
    status: row.status,
    spendDay: row.spend_day,
    spendMonth: row.spend_month,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    settleBefore: row.settle_before,
    releasedAt: row.released_at,
    releasedAmount: row.released_amount === null ? null : BigInt(row.released_amount),
  };
}

const unix = (at: Date) => Math.floor(at.getTime() / 1000);

/** The certificate as the wallet API answers it. */
export function certificateJson(c: OfflineCertificate) {
  return {
    object: "offline_certificate" as const,
    id: c.id,
    livemode: c.livemode,
    currency: c.currency,
    cap: String(c.cap),
    merchant: c.merchantId,
    remaining: String(c.remaining),
    status: c.status,
    kid: c.kid,
    certificate: c.certificate.toString("base64url"),
    issued_at: unix(c.issuedAt),
    expires_at: unix(c.expiresAt),
    settle_before: unix(c.settleBefore),
  };
}
