import type { Pool } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { newId } from "../../ids.js";
import {
  walletPasswordResetCodeTtlMs,
  walletPasswordResetsPerContactMax,
  walletVerificationAttemptsMax,
  walletVerificationWindowMs,
} from "../../limits.js";
import type { Locale } from "../../notifications/templates.js";
import { appendAudit } from "../../security/audit.js";
import { checkPassword, hashPassword } from "../../security/passwords.js";
import { walletPasswordResetTemplate } from "../../security/sign-ins/messages.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { codeMatches, hashVerificationCode, newVerificationCode } from "./codes.js";
import { channelOf, maskContact, parseContact } from "./contacts.js";
import type { WalletUserService } from "./service.js";
import type { SessionStore } from "./sessions.js";
import { findWalletUserByContact, getWalletUser } from "./store.js";

/**
 * Wallet password reset: a six-digit code sent to the wallet's email or phone, then the code with a new password.
 * The request answers the same whether or not the contact has a wallet (only a wallet's owner gets a code). The
 * reset ends every session of the wallet, unlocks it, and lifts a freeze its owner asked for by reporting a
 * sign-in (docs/security-centre.md); an operator's freeze stays.
 */
export interface PasswordResetRequest {
  id: string;
  channel: "email" | "sms";
  sentTo: string;
  expiresAt: Date;
}

interface ResetRow {
  id: string;
  wallet_user_id: string | null;
  code_hash: Buffer | null;
  attempts: number;
  expires_at: Date;
  consumed_at: Date | null;
}

const problemReasons = {
  password_too_short: "is too short",
  password_too_long: "is too long",
  password_too_common: "is too easy to guess",
  password_invalid: "must be a string",
} as const;

export type WalletPasswordReset = ReturnType<typeof createWalletPasswordReset>;

export function createWalletPasswordReset(
  deps: Pick<WalletDeps, "pool" | "clock" | "notifications"> & { sessions: SessionStore; users: WalletUserService },
) {
  const pool: Pool = deps.pool;

  async function request(input: { email?: string; phone?: string; locale: Locale }): Promise<PasswordResetRequest> {
    const contact = parseContact(input);
    const now = deps.clock.now();
    const id = newId("wpr");
    const expiresAt = new Date(now.getTime() + walletPasswordResetCodeTtlMs);
    await withTransaction(pool, async (tx) => {
      const recent = await tx.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM wallet_password_resets WHERE contact = $1 AND created_at > $2",
        [contact.value, new Date(now.getTime() - walletVerificationWindowMs)],
      );
      if (Number(recent.rows[0]?.n ?? 0n) >= walletPasswordResetsPerContactMax) {
        throw walletError("verification_rate_limited");
      }
      const user = await findWalletUserByContact(tx, true, contact);
      const code = newVerificationCode();
      await tx.query(
        `INSERT INTO wallet_password_resets (id, wallet_user_id, contact, code_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, user?.id ?? null, contact.value, user ? hashVerificationCode(id, code) : null, now, expiresAt],
      );
      if (!user) return;
      await deps.notifications.enqueue(tx, {
        channel: channelOf(contact),
        to: contact.value,
        template: walletPasswordResetTemplate,
        locale: user.locale,
        vars: { code, minutes: String(walletPasswordResetCodeTtlMs / 60_000) },
        walletUserId: user.id,
      });
    });
    deps.notifications.kick();
    return { id, channel: channelOf(contact), sentTo: maskContact(contact.value), expiresAt };
  }

  /** Sets the new password with the code; a wrong code uses up one of walletVerificationAttemptsMax tries. */
  async function confirm(input: { reset: string; code: string; password: string; ip: string | null }): Promise<void> {
    const now = deps.clock.now();
    const peek = await pool.query<ResetRow>("SELECT * FROM wallet_password_resets WHERE id = $1", [input.reset]);
    const target = peek.rows[0]?.wallet_user_id ? await getWalletUser(pool, peek.rows[0].wallet_user_id) : undefined;
    if (target) {
      const problem = checkPassword(input.password, [target.email ?? "", target.phone ?? "", target.displayName ?? ""]);
      if (problem) {
        throw walletError("password_invalid", `The password ${problemReasons[problem]}.`, "password");
      }
    }
    const passwordHash = target ? await hashPassword(input.password) : "";
    const failure = await withTransaction(
      pool,
      async (tx): Promise<"password_reset_code_invalid" | "password_reset_expired" | null> => {
        const found = await tx.query<ResetRow>("SELECT * FROM wallet_password_resets WHERE id = $1 FOR UPDATE", [
          input.reset,
        ]);
        const row = found.rows[0];
        if (!row) return "password_reset_code_invalid";
        if (row.consumed_at !== null || row.expires_at <= now || row.attempts >= walletVerificationAttemptsMax) {
          return "password_reset_expired";
        }
        if (!row.wallet_user_id || !target || !codeMatches(row.id, input.code, row.code_hash)) {
          // Committed, not rolled back: a wrong code uses up an attempt.
          await tx.query("UPDATE wallet_password_resets SET attempts = attempts + 1 WHERE id = $1", [row.id]);
          return "password_reset_code_invalid";
        }
        await tx.query("UPDATE wallet_password_resets SET consumed_at = $2 WHERE id = $1", [row.id, now]);
        await tx.query(
          `UPDATE wallet_users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3
            WHERE id = $1`,
          [target.id, passwordHash, now],
        );
        await deps.sessions.revokeAllBut(target.id, null, tx);
        await deps.users.liftOwnerFreeze(tx, target.id, now);
        await appendAudit(
          tx,
          {
            actorType: "wallet_user",
            actorId: target.id,
            merchantId: null,
            action: "wallet_user.password_reset",
            targetType: "wallet_user",
            targetId: target.id,
            ip: input.ip,
            details: { was_frozen_by_owner: target.frozenByOwner },
          },
          now,
        );
        return null;
      },
    );
    if (failure) throw walletError(failure, undefined, failure === "password_reset_code_invalid" ? "code" : "reset");
    if (target) deps.sessions.forgetUsers([target.id]);
  }

  return { request, confirm };
}
