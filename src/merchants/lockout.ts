import type { Queryable } from "../db/pool.js";
import { consoleLockoutFailuresMax, consoleLockoutMs } from "../limits.js";

/**
 * Account lockout, kept in the account's row so it holds across coffer processes: after consoleLockoutFailuresMax
 * failed passwords or second factors in a row, the account refuses sign-ins for consoleLockoutMs. An attempt is
 * counted *before* the password is checked (one atomic UPDATE that also refuses a locked account), so a burst of
 * parallel guesses cannot slip more than the limit past the check; a success resets the count.
 */
export type LockableTable = "merchant_users" | "operators";

export type AttemptReservation = { ok: true } | { ok: false; lockedUntil: Date };

export async function reserveAttempt(
  db: Queryable,
  table: LockableTable,
  id: string,
  now: Date,
): Promise<AttemptReservation> {
  const reserved = await db.query(
    `UPDATE ${table} SET failed_logins = failed_logins + 1, locked_until = NULL
      WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) AND failed_logins < $3`,
    [id, now, consoleLockoutFailuresMax],
  );
  if (reserved.rowCount === 1) return { ok: true };
  // Locked, or at the limit without a lock (a process died between the last failure and the lock): lock now.
  const locked = await db.query<{ locked_until: Date }>(
    `UPDATE ${table}
        SET locked_until = CASE WHEN locked_until > $2 THEN locked_until ELSE $3 END,
            failed_logins = 0
      WHERE id = $1 RETURNING locked_until`,
    [id, now, new Date(now.getTime() + consoleLockoutMs)],
  );
  return { ok: false, lockedUntil: locked.rows[0]?.locked_until ?? new Date(now.getTime() + consoleLockoutMs) };
}

/**
 * The reserved attempt failed. Returns true when this failure locked the account. The count stays where
 * reserveAttempt put it; at the limit the account locks.
 */
export async function recordFailure(db: Queryable, table: LockableTable, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE ${table} SET locked_until = $3, failed_logins = 0 WHERE id = $1 AND failed_logins >= $2`,
    [id, consoleLockoutFailuresMax, new Date(now.getTime() + consoleLockoutMs)],
  );
  return result.rowCount === 1;
}

/**
 * The reserved attempt was not a guess after all (the password was right but a second factor is still missing):
 * give it back.
 */
export async function releaseAttempt(db: Queryable, table: LockableTable, id: string): Promise<void> {
  await db.query(`UPDATE ${table} SET failed_logins = GREATEST(failed_logins - 1, 0) WHERE id = $1`, [id]);
}

export async function recordSuccess(db: Queryable, table: LockableTable, id: string): Promise<void> {
  await db.query(`UPDATE ${table} SET failed_logins = 0, locked_until = NULL WHERE id = $1`, [id]);
}
