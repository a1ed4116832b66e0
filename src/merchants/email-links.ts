import type { Queryable } from "../db/pool.js";
import { emailVerificationLinkTtlMs, passwordResetLinkTtlMs } from "../limits.js";
import { fail, ok, type Result } from "./model.js";
import { randomToken, sha256 } from "./tokens.js";

/**
 * Single-use links sent by mail: verify an email address, reset a password. The mail carries a random token; the
 * table keeps its SHA-256, its purpose and its expiry. Using a link marks it used in the same transaction as what
 * it does, so it works exactly once; an expired link is refused and stays unused.
 */
export type EmailLinkPurpose = "verify_email" | "password_reset";

export const emailLinkTtlMs: Readonly<Record<EmailLinkPurpose, number>> = {
  verify_email: emailVerificationLinkTtlMs,
  password_reset: passwordResetLinkTtlMs,
};

export async function issueEmailLink(
  tx: Queryable,
  purpose: EmailLinkPurpose,
  userId: string,
  now: Date,
): Promise<string> {
  const token = randomToken();
  await tx.query(
    "INSERT INTO email_links (token_hash, purpose, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    [sha256(token), purpose, userId, now, new Date(now.getTime() + emailLinkTtlMs[purpose])],
  );
  return token;
}

/** Looks a token up without using it (to refuse early, before anything else is written). */
export async function checkEmailLink(
  db: Queryable,
  purpose: EmailLinkPurpose,
  token: string,
  now: Date,
): Promise<Result<{ userId: string }, "link_invalid" | "link_expired">> {
  const result = await db.query<{ user_id: string; expires_at: Date; used_at: Date | null }>(
    "SELECT user_id, expires_at, used_at FROM email_links WHERE token_hash = $1 AND purpose = $2",
    [sha256(token), purpose],
  );
  const row = result.rows[0];
  if (!row || row.used_at) return fail("link_invalid");
  if (row.expires_at.getTime() <= now.getTime()) return fail("link_expired");
  return ok({ userId: row.user_id });
}

/** Marks the link used; only one of two racing requests gets ok. Call in the transaction that acts on it. */
export async function useEmailLink(
  tx: Queryable,
  purpose: EmailLinkPurpose,
  token: string,
  now: Date,
): Promise<Result<{ userId: string }, "link_invalid" | "link_expired">> {
  const checked = await checkEmailLink(tx, purpose, token, now);
  if (!checked.ok) return checked;
  const used = await tx.query(
    "UPDATE email_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL",
    [sha256(token), purpose, now],
  );
  return used.rowCount === 1 ? checked : fail("link_invalid");
}
