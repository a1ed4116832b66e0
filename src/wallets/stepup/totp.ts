import { withTransaction } from "../../db/tx.js";
import { appendAudit } from "../../security/audit.js";
import { checkTotp, createTotpEnrollment, type TotpEnrollment } from "../../security/totp.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import type { WalletUser } from "../users/model.js";
import type { WalletUserService } from "../users/service.js";

/**
 * An authenticator app (TOTP) as a wallet user's second factor. The secret is encrypted at rest; enrollment is
 * two steps (start: the secret and its QR code; confirm: a first code), and each accepted code's time step is
 * stored so a code is never accepted twice.
 */
export type WalletTotp = ReturnType<typeof createWalletTotp>;

const aadOf = (userId: string) => `wallet_users.totp_secret:${userId}`;

export function createWalletTotp(deps: WalletDeps & { users: WalletUserService }) {
  const { pool, clock, secrets } = deps;

  async function begin(userId: string): Promise<TotpEnrollment> {
    const user = await deps.users.get(userId);
    if (user.totpEnabledAt) throw walletError("totp_already_enabled");
    const enrollment = await createTotpEnrollment("coffer", user.email ?? user.phone ?? user.id);
    const secret = await secrets.encrypt(enrollment.secret, aadOf(userId));
    const updated = await pool.query(
      `UPDATE wallet_users SET totp_secret = $2, totp_last_step = NULL, updated_at = $3
        WHERE id = $1 AND totp_enabled_at IS NULL`,
      [userId, secret, clock.now()],
    );
    if (updated.rowCount !== 1) throw walletError("totp_already_enabled");
    return enrollment;
  }

  async function confirm(userId: string, code: string, ip: string | null): Promise<WalletUser> {
    const user = await deps.users.get(userId);
    if (user.totpEnabledAt) throw walletError("totp_already_enabled");
    if (!user.totpSecret) throw walletError("totp_enrollment_missing");
    const now = clock.now();
    const check = await checkTotp(await secrets.decryptString(user.totpSecret, aadOf(userId)), code, null, now);
    if (!check.ok) throw walletError("totp_code_invalid", undefined, "code");
    await withTransaction(pool, async (tx) => {
      const updated = await tx.query(
        `UPDATE wallet_users SET totp_enabled_at = $2, totp_last_step = $3, updated_at = $2
          WHERE id = $1 AND totp_enabled_at IS NULL AND totp_secret = $4`,
        [userId, now, check.step, user.totpSecret],
      );
      if (updated.rowCount !== 1) throw walletError("totp_enrollment_missing");
      await appendAudit(
        tx,
        {
          actorType: "wallet_user",
          actorId: userId,
          merchantId: null,
          action: "wallet_user.totp_enabled",
          targetType: "wallet_user",
          targetId: userId,
          ip,
        },
        now,
      );
    });
    return deps.users.get(userId);
  }

  /**
   * Accepts a code of an enabled authenticator once: the compare-and-set on totp_last_step makes two concurrent
   * requests with one code succeed at most once.
   */
  async function consume(user: WalletUser, code: string): Promise<boolean> {
    if (!user.totpEnabledAt || !user.totpSecret) return false;
    const secret = await secrets.decryptString(user.totpSecret, aadOf(user.id));
    const check = await checkTotp(secret, code, user.totpLastStep, clock.now());
    if (!check.ok) return false;
    const updated = await pool.query(
      `UPDATE wallet_users SET totp_last_step = $2
        WHERE id = $1 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)`,
      [user.id, check.step],
    );
    return updated.rowCount === 1;
  }

  async function disable(userId: string, code: string, ip: string | null): Promise<WalletUser> {
    const user = await deps.users.get(userId);
    if (!user.totpEnabledAt) throw walletError("totp_not_enabled");
    if (!(await consume(user, code))) {
      await deps.users.recordAuthFailure(userId, ip);
      throw walletError("totp_code_invalid", undefined, "code");
    }
    const now = clock.now();
    await withTransaction(pool, async (tx) => {
      await tx.query(
        `UPDATE wallet_users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = $2
          WHERE id = $1`,
        [userId, now],
      );
      await appendAudit(
        tx,
        {
          actorType: "wallet_user",
          actorId: userId,
          merchantId: null,
          action: "wallet_user.totp_disabled",
          targetType: "wallet_user",
          targetId: userId,
          ip,
        },
        now,
      );
    });
    return deps.users.get(userId);
  }

  return { begin, confirm, consume, disable };
}
