import { randomBytes } from "node:crypto";
import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { ApiError } from "../../http/errors.js";
import { newId } from "../../ids.js";
import {
  walletLockoutMs,
  walletLoginFailuresMax,
  walletVerificationAttemptsMax,
  walletVerificationCodeTtlMs,
  walletVerificationsPerContactMax,
  walletVerificationWindowMs,
} from "../../limits.js";
import type { Locale } from "../../notifications/templates.js";
import { appendAudit } from "../../security/audit.js";
import { checkPassword, hashPassword, verifyPassword } from "../../security/passwords.js";
import { walletNewDeviceSmsTemplate, walletNewDeviceTemplate } from "../../security/sign-ins/messages.js";
import type { SignInService } from "../../security/sign-ins/service.js";
import type { Tier } from "../config.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { recordWalletEvent } from "../events.js";
import { signupExistingTemplate, verificationCodeTemplate } from "../messages.js";
import { unixSeconds } from "../time.js";
import { codeMatches, hashVerificationCode, newVerificationCode } from "./codes.js";
import { channelOf, maskContact, parseContact } from "./contacts.js";
import { type WalletUser, type WalletUserRow, walletUserFromRow, walletUserJson } from "./model.js";
import type { SessionMeta, SessionStore, WalletSession } from "./sessions.js";
import { findWalletUserByContact, getWalletUser } from "./store.js";

export interface SignupInput {
  email?: string;
  phone?: string;
  password: string;
  displayName?: string;
  locale: Locale;
  /** Wallet users are real people in the live ledger; the sandbox creates test-mode payers with false. */
  livemode?: boolean;
}

export interface Verification {
  id: string;
  channel: "email" | "sms";
  sentTo: string;
  expiresAt: Date;
}

export interface SessionGrant {
  token: string;
  session: WalletSession;
  user: WalletUser;
  /** The token of the device signed in from, for the app to keep and send with its next login. */
  deviceToken: string;
}

interface VerificationRow {
  id: string;
  livemode: boolean;
  channel: "email" | "sms";
  contact: string;
  code_hash: Buffer | null;
  password_hash: string;
  display_name: string | null;
  locale: Locale;
  attempts: number;
  expires_at: Date;
  consumed_at: Date | null;
}

export type WalletUserService = ReturnType<typeof createWalletUserService>;

/** Sign-up with a one-time code, login with lockout, and an operator's freeze. */
export function createWalletUserService(deps: WalletDeps & { sessions: SessionStore; signIns: SignInService }) {
  const { pool, clock } = deps;

  /** Where a new-device alert for this user goes: their email, else their phone. */
  function alertTarget(user: WalletUser, linkBase: string | undefined) {
    const base = linkBase ?? "";
    const link = (token: string) => `${base}/wallet/not-me#token=${token}`;
    return user.email
      ? { channel: "email" as const, to: user.email, locale: user.locale, template: walletNewDeviceTemplate, link }
      : {
          channel: "sms" as const,
          to: user.phone ?? "",
          locale: user.locale,
          template: walletNewDeviceSmsTemplate,
          link,
        };
  }

  /**
   * Starts a sign-up: sends a code to the email or phone. The answer is the same whether or not the contact has a
   * wallet already (then the message says so instead of carrying a code), so sign-up does not reveal who is a user.
   */
  async function signup(input: SignupInput): Promise<Verification> {
    const contact = parseContact(input);
    const problem = checkPassword(input.password, [contact.value, input.displayName ?? ""]);
    if (problem) {
      const reason = {
        password_too_short: "is too short",
        password_too_long: "is too long",
        password_too_common: "is too easy to guess",
        password_invalid: "must be a string",
      }[problem];
      throw walletError("password_invalid", `The password ${reason}.`, "password");
    }
    const livemode = input.livemode ?? true;
    const passwordHash = await hashPassword(input.password);
    const now = clock.now();
    const id = newId("wvc");
    const code = newVerificationCode();
    const expiresAt = new Date(now.getTime() + walletVerificationCodeTtlMs);
    const channel = channelOf(contact);
    await withTransaction(pool, async (tx) => {
      const recent = await tx.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM wallet_verifications WHERE contact = $1 AND created_at > $2",
        [contact.value, new Date(now.getTime() - walletVerificationWindowMs)],
      );
      if (Number(recent.rows[0]?.n ?? 0n) >= walletVerificationsPerContactMax) {
        throw walletError("verification_rate_limited");
      }
      const existing = await findWalletUserByContact(tx, livemode, contact);
      await tx.query(
        `INSERT INTO wallet_verifications (id, livemode, channel, contact, code_hash, password_hash, display_name, locale,
                                           expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          livemode,
          channel,
          contact.value,
          existing ? null : hashVerificationCode(id, code),
          passwordHash,
          input.displayName ?? null,
          input.locale,
          expiresAt,
          now,
        ],
      );
      await deps.notifications.enqueue(tx, {
        channel,
        to: contact.value,
        template: existing ? signupExistingTemplate : verificationCodeTemplate,
        locale: existing?.locale ?? input.locale,
        vars: existing ? {} : { code, minutes: String(walletVerificationCodeTtlMs / 60_000) },
        walletUserId: existing?.id ?? null,
      });
    });
    deps.notifications.kick();
    return { id, channel, sentTo: maskContact(contact.value), expiresAt };
  }

  /** Completes a sign-up with its code: creates the wallet user (tier 0) and logs it in. */
  async function verify(verificationId: string, code: string, meta: SessionMeta): Promise<SessionGrant> {
    const now = clock.now();
    type Outcome =
      | { error: "verification_code_invalid" | "verification_expired" | "contact_already_registered" }
      | { grant: SessionGrant };
    const outcome = await withTransaction(pool, async (tx): Promise<Outcome> => {
      const found = await tx.query<VerificationRow>("SELECT * FROM wallet_verifications WHERE id = $1 FOR UPDATE", [
        verificationId,
      ]);
      const v = found.rows[0];
      if (!v) return { error: "verification_code_invalid" };
      if (v.consumed_at !== null || v.expires_at <= now || v.attempts >= walletVerificationAttemptsMax) {
        return { error: "verification_expired" };
      }
      if (!codeMatches(v.id, code, v.code_hash)) {
        // Committed, not rolled back: a wrong code uses up an attempt.
        await tx.query("UPDATE wallet_verifications SET attempts = attempts + 1 WHERE id = $1", [v.id]);
        return { error: "verification_code_invalid" };
      }
      const userId = newId("wal");
      const inserted = await tx.query<WalletUserRow>(
        `INSERT INTO wallet_users (id, livemode, email, phone, password_hash, display_name, locale, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT DO NOTHING RETURNING *`,
        [
          userId,
          v.livemode,
          v.channel === "email" ? v.contact : null,
          v.channel === "sms" ? v.contact : null,
          v.password_hash,
          v.display_name,
          v.locale,
          now,
        ],
      );
      await tx.query("UPDATE wallet_verifications SET consumed_at = $2, wallet_user_id = $3 WHERE id = $1", [
        v.id,
        now,
        inserted.rows[0] ? userId : null,
      ]);
      if (!inserted.rows[0]) return { error: "contact_already_registered" };
      const user = walletUserFromRow(inserted.rows[0]);
      await recordWalletEvent(tx, user, "wallet_user.created", walletUserJson(user), now);
      const { token, session } = await deps.sessions.create(tx, user.id, meta);
      // The first sign-in of a new wallet: its device is remembered, and there is nobody to alert yet.
      const signIn = await deps.signIns.record(tx, {
        subject: { type: "wallet_user", id: user.id },
        deviceToken: meta.deviceToken,
        sessionId: session.id,
        method: "sign_up",
        ip: meta.ip,
        userAgent: meta.userAgent,
        alert: null,
      });
      return { grant: { token, session, user, deviceToken: signIn.deviceToken } };
    });
    if ("grant" in outcome) return outcome.grant;
    throw walletError(outcome.error, undefined, outcome.error === "contact_already_registered" ? null : "code");
  }

  /**
   * Sandbox hook: a test-mode wallet user made directly for a merchant's test payer, in the caller's transaction (no
   * sign-up code: nobody reads it). Its password is random and never shown; scripts act through the session opened
   * here. The tier and the freeze are the test payer's scenario. Live wallet users are never made this way.
   */
  async function createTestModeUser(
    tx: Queryable,
    input: { email: string; displayName: string; tier: Tier; frozen: boolean },
    /** Where the payer's session is opened from; null opens none (a payer only coffer's sandbox acts for). */
    meta: SessionMeta | null,
  ): Promise<{ user: WalletUser; token: string | null }> {
    const contact = parseContact({ email: input.email });
    const now = clock.now();
    const inserted = await tx.query<WalletUserRow>(
      `INSERT INTO wallet_users (id, livemode, email, password_hash, display_name, locale, tier, frozen_at, frozen_reason,
                                 created_at, updated_at)
       VALUES ($1, false, $2, $3, $4, 'en', $5, $6, $7, $8, $8)
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        newId("wal"),
        contact.value,
        await hashPassword(randomBytes(32).toString("base64url")),
        input.displayName,
        input.tier,
        input.frozen ? now : null,
        input.frozen ? "Frozen by its sandbox scenario (wallet_frozen)." : null,
        now,
      ],
    );
    if (!inserted.rows[0]) throw walletError("contact_already_registered", undefined, "email");
    const user = walletUserFromRow(inserted.rows[0]);
    await recordWalletEvent(tx, user, "wallet_user.created", walletUserJson(user), now);
    if (!meta) return { user, token: null };
    const { token } = await deps.sessions.create(tx, user.id, meta);
    return { user, token };
  }

  /**
   * Logs in with a password. walletLoginFailuresMax failures in a row lock the wallet for walletLockoutMs; a locked
   * wallet refuses even the right password until then. Unknown contacts cost the same time as known ones.
   */
  async function login(
    input: { email?: string; phone?: string; password: string },
    meta: SessionMeta,
  ): Promise<SessionGrant> {
    const contact = parseContact(input);
    const user = await findWalletUserByContact(pool, true, contact);
    const now = clock.now();
    if (user) assertNotLocked(user, now);
    const ok = await verifyPassword(user?.passwordHash, input.password);
    if (!user) throw walletError("login_failed");
    if (!ok) {
      await recordAuthFailure(user.id, meta.ip);
      throw walletError("login_failed");
    }
    // Its owner reported a sign-in: until they reset the password, the password (perhaps stolen) opens nothing.
    if (user.frozenByOwner) throw walletError("password_reset_required");
    const grant = await withTransaction(pool, async (tx): Promise<SessionGrant> => {
      await tx.query("UPDATE wallet_users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [user.id]);
      const { token, session } = await deps.sessions.create(tx, user.id, meta);
      const signIn = await deps.signIns.record(tx, {
        subject: { type: "wallet_user", id: user.id },
        deviceToken: meta.deviceToken,
        sessionId: session.id,
        method: "password",
        ip: meta.ip,
        userAgent: meta.userAgent,
        alert: { ...alertTarget(user, meta.linkBase), walletUserId: user.id },
      });
      return {
        token,
        session,
        user: { ...user, failedLogins: 0, lockedUntil: null },
        deviceToken: signIn.deviceToken,
      };
    });
    deps.notifications.kick();
    return grant;
  }

  /**
   * What following a new-device alert's "this wasn't me" link does to a wallet, in the link's transaction: every
   * session ends and the wallet is frozen, a freeze its owner's password reset lifts. A wallet an operator froze
   * stays frozen by the operator.
   */
  async function secureAfterReport(tx: Queryable, userId: string, now: Date): Promise<void> {
    await deps.sessions.revokeAllBut(userId, null, tx);
    const updated = await tx.query<WalletUserRow>(
      `UPDATE wallet_users SET frozen_at = $2, frozen_by_owner = true, frozen_reason = $3, updated_at = $2
        WHERE id = $1 AND frozen_at IS NULL RETURNING *`,
      [userId, now, "Its owner reported a sign-in that was not theirs; a password reset unfreezes it."],
    );
    if (updated.rows[0]) {
      const after = walletUserFromRow(updated.rows[0]);
      await recordWalletEvent(tx, after, "wallet_user.frozen", walletUserJson(after), now, { frozen: false });
    }
  }

  /** Lifts the freeze its owner asked for (only that one), in the password reset's transaction. */
  async function liftOwnerFreeze(tx: Queryable, userId: string, now: Date): Promise<void> {
    const updated = await tx.query<WalletUserRow>(
      `UPDATE wallet_users SET frozen_at = NULL, frozen_by_owner = false, frozen_reason = NULL, updated_at = $2
        WHERE id = $1 AND frozen_by_owner RETURNING *`,
      [userId, now],
    );
    if (updated.rows[0]) {
      const after = walletUserFromRow(updated.rows[0]);
      await recordWalletEvent(tx, after, "wallet_user.unfrozen", walletUserJson(after), now, { frozen: true });
    }
  }

  function assertNotLocked(user: WalletUser, now: Date): void {
    if (user.lockedUntil && user.lockedUntil > now) {
      const minutes = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 60_000);
      throw walletError(
        "account_locked",
        `Too many failed attempts: this wallet is locked for ${minutes} more minute(s).`,
      );
    }
  }

  /** Counts a failed password or second factor; the one that reaches the limit locks the wallet. */
  async function recordAuthFailure(userId: string, ip: string | null): Promise<void> {
    const now = clock.now();
    await withTransaction(pool, async (tx) => {
      const updated = await tx.query<{ failed_logins: number; livemode: boolean }>(
        `UPDATE wallet_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins, livemode`,
        [userId],
      );
      const row = updated.rows[0];
      if (!row || row.failed_logins < walletLoginFailuresMax) return;
      const lockedUntil = new Date(now.getTime() + walletLockoutMs);
      await tx.query("UPDATE wallet_users SET failed_logins = 0, locked_until = $2 WHERE id = $1", [
        userId,
        lockedUntil,
      ]);
      await appendAudit(
        tx,
        {
          actorType: "wallet_user",
          actorId: userId,
          merchantId: null,
          action: "wallet_user.locked",
          targetType: "wallet_user",
          targetId: userId,
          ip,
          details: { failures: walletLoginFailuresMax, locked_until: lockedUntil.toISOString() },
        },
        now,
      );
      await recordWalletEvent(
        tx,
        { id: userId, livemode: row.livemode },
        "wallet_user.locked",
        { id: userId, object: "wallet_user", locked_until: unixSeconds(lockedUntil) },
        now,
      );
    });
  }

  async function resetAuthFailures(userId: string): Promise<void> {
    await pool.query("UPDATE wallet_users SET failed_logins = 0 WHERE id = $1 AND failed_logins > 0", [userId]);
  }

  /** The wallet user of an authenticated request (always exists: sessions reference users). */
  async function get(userId: string): Promise<WalletUser> {
    const user = await getWalletUser(pool, userId);
    if (!user) throw new ApiError("resource_not_found", "No such wallet user.");
    return user;
  }

  async function setFrozen(
    actor: { operatorId: string; ip: string | null },
    userId: string,
    frozen: boolean,
    reason: string | null,
  ): Promise<WalletUser> {
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const user = await getWalletUser(tx, userId, true);
      if (!user) throw new ApiError("resource_not_found", "No such wallet user.", "id");
      // An operator freezing a wallet its owner froze makes the freeze the operator's: a password reset no longer
      // lifts it.
      const takeOver = frozen && user.frozenByOwner;
      if ((user.frozenAt !== null) === frozen && !takeOver) return user;
      const updated = await tx.query<WalletUserRow>(
        `UPDATE wallet_users SET frozen_at = $2, frozen_reason = $3, updated_at = $4, frozen_by_owner = false
          WHERE id = $1 RETURNING *`,
        [userId, frozen ? (user.frozenAt ?? now) : null, frozen ? reason : null, now],
      );
      if (takeOver) {
        const after = walletUserFromRow(updated.rows[0]!);
        await appendAudit(
          tx,
          {
            actorType: "operator",
            actorId: actor.operatorId,
            merchantId: null,
            action: "wallet_user.frozen",
            targetType: "wallet_user",
            targetId: userId,
            ip: actor.ip,
            details: { reason, was_frozen_by_owner: true },
          },
          now,
        );
        return after;
      }
      const after = walletUserFromRow(updated.rows[0]!);
      await recordWalletEvent(
        tx,
        after,
        frozen ? "wallet_user.frozen" : "wallet_user.unfrozen",
        walletUserJson(after),
        now,
        { frozen: !frozen },
      );
      await appendAudit(
        tx,
        {
          actorType: "operator",
          actorId: actor.operatorId,
          merchantId: null,
          action: frozen ? "wallet_user.frozen" : "wallet_user.unfrozen",
          targetType: "wallet_user",
          targetId: userId,
          ip: actor.ip,
          details: frozen ? { reason } : {},
        },
        now,
      );
      return after;
    });
  }

  /** Raises a wallet user's tier after an approved identity check, in the caller's transaction. */
  async function raiseTier(tx: Queryable, userId: string, tier: Tier, legalName: string | null): Promise<void> {
    const now = clock.now();
    const before = await getWalletUser(tx, userId, true);
    if (!before || before.tier >= tier) return;
    const updated = await tx.query<WalletUserRow>(
      `UPDATE wallet_users SET tier = $2, legal_name = coalesce($3, legal_name), updated_at = $4 WHERE id = $1 RETURNING *`,
      [userId, tier, legalName, now],
    );
    const after = walletUserFromRow(updated.rows[0]!);
    await recordWalletEvent(tx, after, "wallet_user.tier_changed", walletUserJson(after), now, { tier: before.tier });
  }

  return {
    signup,
    verify,
    createTestModeUser,
    login,
    get,
    freeze: (actor: { operatorId: string; ip: string | null }, userId: string, reason: string) =>
      setFrozen(actor, userId, true, reason),
    unfreeze: (actor: { operatorId: string; ip: string | null }, userId: string) =>
      setFrozen(actor, userId, false, null),
    raiseTier,
    secureAfterReport,
    liftOwnerFreeze,
    assertNotLocked,
    recordAuthFailure,
    resetAuthFailures,
  };
}
