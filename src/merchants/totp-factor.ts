import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { type AuditEntry, appendAudit } from "../security/audit.js";
import type { SecretBox } from "../security/encryption.js";
import { checkTotp, createTotpEnrollment, type TotpEnrollment } from "../security/totp.js";
import type { LockableTable } from "./lockout.js";
import { fail, ok, type Result } from "./model.js";

/**
 * TOTP as a second factor, for console users and operators alike (the table says which). Enrolling is two steps:
 * begin stores a new secret as pending and shows it (otpauth URI and QR); confirm with a first code moves it to
 * the active column. Secrets are encrypted at rest with an aad naming their column and row. A code is accepted
 * once: the time step of the last accepted code is kept, and the UPDATE that records a new one only succeeds for
 * a later step, so even two requests racing with one code cannot both pass.
 */
export const totpIssuer = "coffer";

export type TotpFailure = "totp_invalid" | "totp_replayed";

interface TotpRow {
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
}

export type TotpFactor = ReturnType<typeof createTotpFactor>;

export function createTotpFactor(
  deps: { pool: Pool; clock: Clock; secrets: SecretBox },
  table: LockableTable,
  issuer: string = totpIssuer,
) {
  const aad = (column: "totp_secret" | "totp_pending_secret", id: string) => `${table}.${column}:${id}`;

  async function row(db: Queryable, id: string, lock = false): Promise<TotpRow | undefined> {
    const result = await db.query<TotpRow>(
      `SELECT totp_secret, totp_pending_secret, totp_last_step FROM ${table} WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    );
    return result.rows[0];
  }

  async function isEnabled(db: Queryable, id: string): Promise<boolean> {
    return (await row(db, id))?.totp_secret != null;
  }

  async function begin(
    id: string,
    accountName: string,
  ): Promise<Result<TotpEnrollment, "totp_already_enabled" | "resource_not_found">> {
    const current = await row(deps.pool, id);
    if (!current) return fail("resource_not_found");
    if (current.totp_secret) return fail("totp_already_enabled");
    const enrollment = await createTotpEnrollment(issuer, accountName);
    const sealed = await deps.secrets.encrypt(enrollment.secret, aad("totp_pending_secret", id));
    await deps.pool.query(`UPDATE ${table} SET totp_pending_secret = $2 WHERE id = $1 AND totp_secret IS NULL`, [
      id,
      sealed,
    ]);
    return ok(enrollment);
  }

  async function confirm(
    id: string,
    code: string,
    audit: AuditEntry,
  ): Promise<Result<void, TotpFailure | "totp_not_pending" | "totp_already_enabled">> {
    return withTransaction(deps.pool, async (tx) => {
      const current = await row(tx, id, true);
      if (current?.totp_secret) return fail("totp_already_enabled");
      if (!current?.totp_pending_secret) return fail("totp_not_pending");
      const secret = await deps.secrets.decryptString(current.totp_pending_secret, aad("totp_pending_secret", id));
      const now = deps.clock.now();
      const check = await checkTotp(secret, code, null, now);
      if (!check.ok) return fail(check.reason);
      const sealed = await deps.secrets.encrypt(secret, aad("totp_secret", id));
      await tx.query(
        `UPDATE ${table} SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = $4, totp_pending_secret = NULL
          WHERE id = $1`,
        [id, sealed, now, check.step],
      );
      await appendAudit(tx, audit, now);
      return ok(undefined);
    });
  }

  /**
   * Checks a code against the active secret and, when right, records its step so it cannot be used again.
   * Runs on `db` (the caller's transaction, or the pool).
   */
  async function verify(
    db: Queryable,
    id: string,
    code: string,
  ): Promise<Result<void, TotpFailure | "totp_not_enabled">> {
    const current = await row(db, id);
    if (!current?.totp_secret) return fail("totp_not_enabled");
    const secret = await deps.secrets.decryptString(current.totp_secret, aad("totp_secret", id));
    const check = await checkTotp(secret, code, current.totp_last_step, deps.clock.now());
    if (!check.ok) return fail(check.reason);
    const recorded = await db.query(
      `UPDATE ${table} SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
      [id, check.step],
    );
    return recorded.rowCount === 1 ? ok(undefined) : fail("totp_replayed");
  }

  /** Turns TOTP off; needs a current code, so a stolen session alone cannot remove the second factor. */
  async function disable(
    id: string,
    code: string,
    audit: AuditEntry,
  ): Promise<Result<void, TotpFailure | "totp_not_enabled">> {
    return withTransaction(deps.pool, async (tx) => {
      await row(tx, id, true);
      const checked = await verify(tx, id, code);
      if (!checked.ok) return checked;
      await tx.query(
        `UPDATE ${table} SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending_secret = NULL WHERE id = $1`,
        [id],
      );
      await appendAudit(tx, audit, deps.clock.now());
      return ok(undefined);
    });
  }

  return { begin, confirm, verify, disable, isEnabled };
}
