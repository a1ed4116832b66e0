import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { loginFailuresPerIpMax, loginFailureWindowMs } from "../limits.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import { appendAudit } from "../security/audit.js";
import { verifyPassword } from "../security/passwords.js";
import { consoleNewDeviceTemplate } from "../security/sign-ins/messages.js";
import type { SignInService } from "../security/sign-ins/service.js";
import type { ConsoleSessions, IssuedSession, SessionMethod } from "./console-sessions.js";
import { normalizeEmail } from "./email-address.js";
import { recordFailure, recordSuccess, releaseAttempt, reserveAttempt } from "./lockout.js";
import { fail, type Membership, ok, type Result } from "./model.js";
import { hitRateLimit, rateLimitCount, retryAfterSeconds } from "./rate-limits.js";
import type { TotpFactor } from "./totp-factor.js";
import { findUserByEmail, membershipsOf, type UserRow } from "./users.js";

/**
 * Signing in to the console: email and password, plus the authenticator code when the user has TOTP on (users
 * whose only second factor is a passkey sign in with the passkey, see passkeys.ts). Failed passwords and codes
 * count towards the account's lockout and the caller's address's limit; every outcome is in the audit log.
 */
export type LoginFailure =
  | "email_invalid"
  | "login_failed"
  | "account_locked"
  | "email_not_verified"
  | "two_factor_required"
  | "totp_invalid"
  | "totp_replayed"
  | "no_merchant_access"
  | "password_reset_required"
  | "rate_limited";

export interface LoginRequest {
  email: string;
  password: string;
  totpCode?: string;
  merchantId?: string;
  ip: string | null;
  userAgent: string | null;
  /** The browser's device cookie (src/security/sign-ins), if it has one. */
  deviceToken?: string | null;
  /** Where links in a new-device alert point. */
  linkBase?: string;
}

export interface OpenedSession {
  session: IssuedSession;
  userId: string;
  membership: Membership;
  /** The device token for the browser's device cookie. */
  deviceToken: string;
}

export type ConsoleLogin = ReturnType<typeof createConsoleLogin>;

export function createConsoleLogin(deps: {
  pool: Pool;
  clock: Clock;
  sessions: ConsoleSessions;
  totp: TotpFactor;
  signIns: SignInService;
  notifications: NotificationService;
}) {
  const ipBucket = (ip: string) => `login_failures:ip:${ip}`;

  async function loginFailed(input: {
    ip: string | null;
    email: string;
    user?: UserRow;
    reason: string;
    code: LoginFailure;
  }): Promise<Result<never, LoginFailure>> {
    const now = deps.clock.now();
    await withTransaction(deps.pool, async (tx) => {
      if (input.ip) await hitRateLimit(tx, ipBucket(input.ip), loginFailureWindowMs, now);
      const merchantId = input.user ? ((await membershipsOf(tx, input.user.id))[0]?.merchantId ?? null) : null;
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: input.user?.id ?? null,
          merchantId,
          action: "console.login_failed",
          ip: input.ip,
          details: { email: input.email, reason: input.reason },
        },
        now,
      );
    });
    return fail(input.code);
  }

  /**
   * Opens a session for a user who has proven who they are; shared by password and passkey sign-in. Records the
   * sign-in and its device, and queues a new-device alert in the same transaction. A user who reported a sign-in as
   * not theirs gets no session until they reset their password.
   */
  async function openSession(
    user: { id: string },
    input: {
      merchantId?: string;
      method: SessionMethod;
      ip: string | null;
      userAgent: string | null;
      deviceToken?: string | null;
      linkBase?: string;
    },
  ): Promise<Result<OpenedSession, "no_merchant_access" | "password_reset_required">> {
    const now = deps.clock.now();
    const opened = await withTransaction(
      deps.pool,
      async (tx): Promise<Result<OpenedSession, "no_merchant_access" | "password_reset_required">> => {
        const person = await tx.query<{ email: string; locale: Locale; reset_required: boolean }>(
          "SELECT email, locale, password_reset_required_at IS NOT NULL AS reset_required FROM merchant_users WHERE id = $1",
          [user.id],
        );
        if (person.rows[0]?.reset_required) return fail("password_reset_required");
        const memberships = await membershipsOf(tx, user.id);
        const membership = input.merchantId
          ? memberships.find((m) => m.merchantId === input.merchantId)
          : memberships[0];
        if (!membership) return fail("no_merchant_access");
        await recordSuccess(tx, "merchant_users", user.id);
        const session = await deps.sessions.create(tx, {
          userId: user.id,
          merchantId: membership.merchantId,
          method: input.method,
          ip: input.ip,
          userAgent: input.userAgent,
        });
        await appendAudit(
          tx,
          {
            actorType: "merchant_user",
            actorId: user.id,
            merchantId: membership.merchantId,
            action: "console.login_succeeded",
            targetType: "console_session",
            targetId: session.id,
            ip: input.ip,
            details: { method: input.method },
          },
          now,
        );
        const base = input.linkBase ?? "";
        const signIn = await deps.signIns.record(tx, {
          subject: { type: "merchant_user", id: user.id },
          deviceToken: input.deviceToken,
          sessionId: session.id,
          method: input.method,
          ip: input.ip,
          userAgent: input.userAgent,
          alert: person.rows[0]
            ? {
                channel: "email",
                to: person.rows[0].email,
                locale: person.rows[0].locale,
                template: consoleNewDeviceTemplate,
                vars: { email: person.rows[0].email },
                link: (token) => `${base}/console/not-me?token=${encodeURIComponent(token)}`,
                merchantId: membership.merchantId,
              }
            : null,
        });
        return ok({ session, userId: user.id, membership, deviceToken: signIn.deviceToken });
      },
    );
    if (opened.ok) deps.notifications.kick();
    return opened;
  }

  async function login(input: LoginRequest): Promise<Result<OpenedSession, LoginFailure>> {
    const email = normalizeEmail(input.email);
    if (!email) return fail("email_invalid", undefined, "email");
    const now = deps.clock.now();
    if (
      input.ip &&
      (await rateLimitCount(deps.pool, ipBucket(input.ip), loginFailureWindowMs, now)) >= loginFailuresPerIpMax
    ) {
      return { ...fail("rate_limited"), retryAfterS: retryAfterSeconds(now, loginFailureWindowMs) };
    }
    const user = await findUserByEmail(deps.pool, email);
    if (!user) {
      await verifyPassword(null, input.password); // the same time as a real check: no account enumeration by timing
      return loginFailed({ ip: input.ip, email, reason: "unknown_email", code: "login_failed" });
    }
    const reserved = await reserveAttempt(deps.pool, "merchant_users", user.id, now);
    if (!reserved.ok) {
      return loginFailed({ ip: input.ip, email, user, reason: "locked", code: "account_locked" });
    }
    if (!(await verifyPassword(user.password_hash, input.password))) {
      const locked = await recordFailure(deps.pool, "merchant_users", user.id, now);
      return loginFailed({
        ip: input.ip,
        email,
        user,
        reason: locked ? "wrong_password_locked" : "wrong_password",
        code: "login_failed",
      });
    }
    if (user.email_verified_at === null) {
      await releaseAttempt(deps.pool, "merchant_users", user.id);
      return fail("email_not_verified");
    }
    let method: SessionMethod = "password";
    if (user.totp_enabled_at !== null) {
      if (input.totpCode === undefined) {
        await releaseAttempt(deps.pool, "merchant_users", user.id);
        return fail("two_factor_required");
      }
      const checked = await deps.totp.verify(deps.pool, user.id, input.totpCode);
      if (!checked.ok) {
        const code = checked.code === "totp_replayed" ? "totp_replayed" : "totp_invalid";
        await recordFailure(deps.pool, "merchant_users", user.id, now);
        return loginFailed({ ip: input.ip, email, user, reason: code, code });
      }
      method = "password_totp";
    } else if (user.passkeys > 0) {
      await releaseAttempt(deps.pool, "merchant_users", user.id);
      return fail("two_factor_required", "This account signs in with its passkey: use the passkey sign-in.");
    }
    return openSession(user, {
      merchantId: input.merchantId,
      method,
      ip: input.ip,
      userAgent: input.userAgent,
      deviceToken: input.deviceToken,
      linkBase: input.linkBase,
    });
  }

  async function logout(actor: { userId: string; merchantId: string; sessionId: string; ip: string | null }) {
    await withTransaction(deps.pool, async (tx) => {
      await deps.sessions.revoke(tx, actor.sessionId);
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: actor.userId,
          merchantId: actor.merchantId,
          action: "console.logged_out",
          targetType: "console_session",
          targetId: actor.sessionId,
          ip: actor.ip,
        },
        deps.clock.now(),
      );
    });
  }

  return { login, logout, openSession };
}
