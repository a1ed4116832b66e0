import { createHash } from "node:crypto";
import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { paymentCodeTtlMs } from "../limits.js";
import { assertNotFrozen } from "../wallets/limits/tiers.js";
import { code128cSvg } from "./barcode.js";
import type { PaymentContext } from "./deps.js";
import { unixSeconds } from "./model.js";
import { generatePaymentCode } from "./payment-codes.js";
import { qrSvg } from "./qr.js";

/**
 * One-time payment codes of wallet users (the customer-presented side). Each GET of the wallet's code issues a fresh
 * one and retires the one before (one active code per wallet). Only the code's SHA-256 is stored: 16 random digits
 * are not a password, and a stolen hash is worth at most the minute the code lives. A merchant's POS uses a code with
 * claimPaymentCode, one conditional UPDATE: two parallel uses of one code can never both get it.
 */
export function hashPaymentCode(code: string): Buffer {
  return createHash("sha256").update(code, "utf8").digest();
}

export interface IssuedPaymentCode {
  code: string;
  expiresAt: Date;
}

export function createPaymentCodeStore(ctx: PaymentContext) {
  const { pool, clock } = ctx;

  async function issue(userId: string): Promise<IssuedPaymentCode> {
    const user = await ctx.wallets.users.get(userId);
    assertNotFrozen(user);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + paymentCodeTtlMs);
    for (let attempt = 0; ; attempt++) {
      const code = generatePaymentCode();
      try {
        await withTransaction(pool, async (tx) => {
          await tx.query(
            `UPDATE wallet_payment_codes SET expires_at = $2
              WHERE wallet_user_id = $1 AND used_at IS NULL AND expires_at > $2`,
            [userId, now],
          );
          await tx.query(
            `INSERT INTO wallet_payment_codes (code_hash, wallet_user_id, livemode, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)`,
            [hashPaymentCode(code), userId, user.livemode, now, expiresAt],
          );
        });
        return { code, expiresAt };
      } catch (error) {
        // Two codes alike out of 10^16 live ones: draw again.
        if ((error as { code?: string }).code === "23505" && attempt < 3) continue;
        throw error;
      }
    }
  }

  return { issue };
}

/** The code as the wallet app shows it: digits, a Code 128 barcode and a QR code holding the same digits. */
export function paymentCodeJson(issued: IssuedPaymentCode) {
  return {
    object: "payment_code" as const,
    code: issued.code,
    expires_at: unixSeconds(issued.expiresAt),
    barcode_svg: code128cSvg(issued.code),
    qr_svg: qrSvg(issued.code, "payment code"),
  };
}

/**
 * Uses a code for a payment, in the caller's transaction: the wallet user it belongs to, or why not. The payment row
 * must be inserted in the same transaction (the reference is checked at commit).
 */
export async function claimPaymentCode(
  tx: Queryable,
  code: string,
  livemode: boolean,
  paymentId: string,
  now: Date,
): Promise<{ walletUserId: string } | { miss: "payment_code_invalid" | "payment_code_expired" }> {
  const hash = hashPaymentCode(code);
  const claimed = await tx.query<{ wallet_user_id: string }>(
    `UPDATE wallet_payment_codes SET used_at = $4, payment_id = $3
      WHERE code_hash = $1 AND livemode = $2 AND used_at IS NULL AND expires_at > $4
      RETURNING wallet_user_id`,
    [hash, livemode, paymentId, now],
  );
  if (claimed.rows[0]) return { walletUserId: claimed.rows[0].wallet_user_id };
  const found = await tx.query<{ used: boolean }>(
    "SELECT used_at IS NOT NULL AS used FROM wallet_payment_codes WHERE code_hash = $1 AND livemode = $2",
    [hash, livemode],
  );
  const row = found.rows[0];
  return { miss: row && !row.used ? "payment_code_expired" : "payment_code_invalid" };
}

/**
 * Whose a code is, without using it: the look before the payment's transaction. The binding step is
 * claimPaymentCode in that transaction; a code used in between is refused there and nothing is written.
 */
export async function peekPaymentCode(
  db: Queryable,
  code: string,
  livemode: boolean,
  now: Date,
): Promise<{ walletUserId: string } | { miss: "payment_code_invalid" | "payment_code_expired" }> {
  const found = await db.query<{ wallet_user_id: string; used: boolean; expired: boolean }>(
    `SELECT wallet_user_id, used_at IS NOT NULL AS used, expires_at <= $3 AS expired
       FROM wallet_payment_codes WHERE code_hash = $1 AND livemode = $2`,
    [hashPaymentCode(code), livemode, now],
  );
  const row = found.rows[0];
  if (!row || row.used) return { miss: "payment_code_invalid" };
  if (row.expired) return { miss: "payment_code_expired" };
  return { walletUserId: row.wallet_user_id };
}

/** Deletes codes that expired unused more than a day ago (used ones stay, beside their payment). */
export async function purgeOldPaymentCodes(db: Queryable, now: Date, limit: number): Promise<number> {
  const deleted = await db.query(
    `DELETE FROM wallet_payment_codes WHERE code_hash IN (
       SELECT code_hash FROM wallet_payment_codes WHERE used_at IS NULL AND expires_at < $1 LIMIT $2)`,
    [new Date(now.getTime() - 24 * 60 * 60 * 1000), limit],
  );
  return deleted.rowCount ?? 0;
}
