import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { apiVersionLatest } from "../http/versioning.js";
import { newId } from "../ids.js";
import {
  businessNameLengthMax,
  emailLinksPerAddressMax,
  emailLinkWindowMs,
  emailVerificationLinkTtlMs,
  passwordResetLinkTtlMs,
  personNameLengthMax,
  signupsPerIpMax,
  signupWindowMs,
} from "../limits.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import { appendAudit } from "../security/audit.js";
import { checkPassword, hashPassword, type PasswordProblem } from "../security/passwords.js";
import type { ApiKeyService } from "./api-keys.js";
import type { ConsoleSessions } from "./console-sessions.js";
import { normalizeEmail } from "./email-address.js";
import { checkEmailLink, issueEmailLink, useEmailLink } from "./email-links.js";
import type { KybService } from "./kyb.js";
import { consoleLink } from "./links.js";
import { passwordResetTemplate, signupExistingTemplate, verifyEmailTemplate } from "./messages.js";
import { fail, ok, type Result } from "./model.js";
import { hitRateLimit, retryAfterSeconds } from "./rate-limits.js";
import { findUserByEmail, findUserById } from "./users.js";

/**
 * Developer accounts: sign-up (a merchant, its owner, a KYB draft and test keys, in one transaction, with the
 * verification mail queued in it), email verification, and password reset. Nothing here tells a caller whether
 * an address has an account: sign-up with a known address and reset requests answer the same as for a new one,
 * and the mail goes to the address's owner instead.
 */
export type SignupFailure = "email_invalid" | PasswordProblem | "parameter_invalid" | "rate_limited";

export type ConsoleAccounts = ReturnType<typeof createConsoleAccounts>;

export function createConsoleAccounts(deps: {
  pool: Pool;
  clock: Clock;
  notifications: NotificationService;
  apiKeys: ApiKeyService;
  kyb: KybService;
  sessions: ConsoleSessions;
}) {
  /** Queues a mail unless this address already got emailLinksPerAddressMax in the current window. */
  async function mailAllowed(db: Queryable, email: string): Promise<boolean> {
    return (await hitRateLimit(db, `mail:${email}`, emailLinkWindowMs, deps.clock.now())) <= emailLinksPerAddressMax;
  }

  async function signup(input: {
    email: string;
    password: string;
    businessName: string;
    name: string | null;
    locale: Locale;
    ip: string | null;
    linkBase: string;
  }): Promise<Result<{ email: string }, SignupFailure>> {
    const email = normalizeEmail(input.email);
    if (!email) return fail("email_invalid", undefined, "email");
    const businessName = input.businessName.trim();
    if (businessName.length === 0 || businessName.length > businessNameLengthMax) {
      return fail(
        "parameter_invalid",
        `business_name must be 1 to ${businessNameLengthMax} characters.`,
        "business_name",
      );
    }
    const name = input.name?.trim() || null;
    if (name !== null && name.length > personNameLengthMax) {
      return fail("parameter_invalid", `name must be at most ${personNameLengthMax} characters.`, "name");
    }
    const problem = checkPassword(input.password, [email, businessName]);
    if (problem) return fail(problem, undefined, "password");

    const now = deps.clock.now();
    if (input.ip && (await hitRateLimit(deps.pool, `signup:ip:${input.ip}`, signupWindowMs, now)) > signupsPerIpMax) {
      return { ...fail("rate_limited"), retryAfterS: retryAfterSeconds(now, signupWindowMs) };
    }

    const passwordHash = await hashPassword(input.password);
    const created = await withTransaction(deps.pool, async (tx) => {
      const exists = await findUserByEmail(tx, email);
      if (exists) return false;
      const merchantId = newId("mer");
      const userId = newId("usr");
      // A new account starts on the newest API version; older accounts keep theirs until they upgrade.
      await tx.query("INSERT INTO merchants (id, business_name, created_at, api_version) VALUES ($1, $2, $3, $4)", [
        merchantId,
        businessName,
        now,
        apiVersionLatest,
      ]);
      const inserted = await tx.query(
        `INSERT INTO merchant_users (id, email, password_hash, name, locale, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING`,
        [userId, email, passwordHash, name, input.locale, now],
      );
      if (inserted.rowCount !== 1) throw new EmailTakenDuringSignup();
      await tx.query(
        "INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)",
        [merchantId, userId, now],
      );
      await deps.kyb.createDraft(tx, merchantId);
      await deps.apiKeys.createSignupKeys(tx, merchantId, userId);
      const token = await issueEmailLink(tx, "verify_email", userId, now);
      await deps.notifications.enqueue(tx, {
        channel: "email",
        to: email,
        template: verifyEmailTemplate,
        locale: input.locale,
        merchantId,
        vars: {
          business_name: businessName,
          link: consoleLink(input.linkBase, "verify-email", token),
          hours: String(emailVerificationLinkTtlMs / 3_600_000),
        },
      });
      await hitRateLimit(tx, `mail:${email}`, emailLinkWindowMs, now);
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: userId,
          merchantId,
          action: "console.signed_up",
          targetType: "merchant",
          targetId: merchantId,
          ip: input.ip,
        },
        now,
      );
      return true;
    }).catch((error: unknown) => {
      if (error instanceof EmailTakenDuringSignup) return false;
      throw error;
    });

    if (!created) {
      // Someone has this address already: tell them, not the caller.
      const user = await findUserByEmail(deps.pool, email);
      if (user && (await mailAllowed(deps.pool, email))) {
        await deps.notifications.enqueue(deps.pool, {
          channel: "email",
          to: email,
          template: signupExistingTemplate,
          locale: user.locale,
          vars: { link: `${input.linkBase}/console/forgot-password` },
        });
      }
    }
    deps.notifications.kick();
    return ok({ email });
  }

  async function verifyEmail(
    token: string,
    ip: string | null,
  ): Promise<Result<{ email: string }, "link_invalid" | "link_expired">> {
    const now = deps.clock.now();
    return withTransaction(deps.pool, async (tx) => {
      const used = await useEmailLink(tx, "verify_email", token, now);
      if (!used.ok) return used;
      const user = await tx.query<{ email: string; merchant_id: string | null }>(
        `UPDATE merchant_users u SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1
         RETURNING email, (SELECT merchant_id FROM merchant_members m WHERE m.user_id = u.id AND m.role = 'owner') AS merchant_id`,
        [used.value.userId, now],
      );
      const row = user.rows[0]!;
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: used.value.userId,
          merchantId: row.merchant_id,
          action: "console.email_verified",
          ip,
        },
        now,
      );
      return ok({ email: row.email });
    });
  }

  /** Sends a new verification link to an unverified address; answers the same whatever the address. */
  async function resendVerification(rawEmail: string, linkBase: string): Promise<Result<void, "email_invalid">> {
    const email = normalizeEmail(rawEmail);
    if (!email) return fail("email_invalid", undefined, "email");
    const user = await findUserByEmail(deps.pool, email);
    if (user && user.email_verified_at === null && (await mailAllowed(deps.pool, email))) {
      const now = deps.clock.now();
      await withTransaction(deps.pool, async (tx) => {
        const merchant = await tx.query<{ business_name: string; id: string }>(
          `SELECT mer.id, mer.business_name FROM merchant_members m JOIN merchants mer ON mer.id = m.merchant_id
            WHERE m.user_id = $1 ORDER BY (m.role = 'owner') DESC, m.created_at LIMIT 1`,
          [user.id],
        );
        const token = await issueEmailLink(tx, "verify_email", user.id, now);
        await deps.notifications.enqueue(tx, {
          channel: "email",
          to: email,
          template: verifyEmailTemplate,
          locale: user.locale,
          merchantId: merchant.rows[0]?.id ?? null,
          vars: {
            business_name: merchant.rows[0]?.business_name ?? "coffer",
            link: consoleLink(linkBase, "verify-email", token),
            hours: String(emailVerificationLinkTtlMs / 3_600_000),
          },
        });
      });
      deps.notifications.kick();
    }
    return ok(undefined);
  }

  /** Mails a reset link when the address has an account; answers the same whatever the address. */
  async function requestPasswordReset(rawEmail: string, linkBase: string): Promise<Result<void, "email_invalid">> {
    const email = normalizeEmail(rawEmail);
    if (!email) return fail("email_invalid", undefined, "email");
    const user = await findUserByEmail(deps.pool, email);
    if (user && (await mailAllowed(deps.pool, email))) {
      const now = deps.clock.now();
      await withTransaction(deps.pool, async (tx) => {
        const token = await issueEmailLink(tx, "password_reset", user.id, now);
        await deps.notifications.enqueue(tx, {
          channel: "email",
          to: email,
          template: passwordResetTemplate,
          locale: user.locale,
          vars: {
            link: consoleLink(linkBase, "reset-password", token),
            minutes: String(passwordResetLinkTtlMs / 60_000),
          },
        });
      });
      deps.notifications.kick();
    }
    return ok(undefined);
  }

  /**
   * Sets a new password from a reset link. Also proves the address (verifies it), unlocks the account and ends
   * every session of the user. The password is checked before the link is used, so a weak one costs nothing.
   */
  async function confirmPasswordReset(
    token: string,
    password: string,
    ip: string | null,
  ): Promise<Result<void, "link_invalid" | "link_expired" | PasswordProblem>> {
    const now = deps.clock.now();
    const link = await checkEmailLink(deps.pool, "password_reset", token, now);
    if (!link.ok) return link;
    const user = await findUserById(deps.pool, link.value.userId);
    if (!user) return fail("link_invalid");
    const problem = checkPassword(password, [user.email]);
    if (problem) return fail(problem, undefined, "password");
    const passwordHash = await hashPassword(password);
    return withTransaction(deps.pool, async (tx) => {
      const used = await useEmailLink(tx, "password_reset", token, now);
      if (!used.ok) return used;
      await tx.query(
        `UPDATE merchant_users SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, $3),
                failed_logins = 0, locked_until = NULL, password_reset_required_at = NULL WHERE id = $1`,
        [user.id, passwordHash, now],
      );
      await deps.sessions.revokeAllOfUser(tx, user.id);
      const owner = await tx.query<{ merchant_id: string }>(
        "SELECT merchant_id FROM merchant_members WHERE user_id = $1 ORDER BY (role = 'owner') DESC, created_at LIMIT 1",
        [user.id],
      );
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: user.id,
          merchantId: owner.rows[0]?.merchant_id ?? null,
          action: "console.password_reset",
          ip,
        },
        now,
      );
      return ok(undefined);
    });
  }

  return { signup, verifyEmail, resendVerification, requestPasswordReset, confirmPasswordReset };
}

class EmailTakenDuringSignup extends Error {}
