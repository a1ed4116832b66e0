import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { webauthnChallengeTtlMs, webauthnCredentialsPerUserMax } from "../limits.js";
import { appendAudit } from "../security/audit.js";
import {
  type AuthenticationResponseJSON,
  authenticationOptions,
  challengeOf,
  type RegistrationResponseJSON,
  type RelyingParty,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from "../security/webauthn.js";
import type { ConsoleLogin, OpenedSession } from "./console-login.js";
import { fail, ok, type Result } from "./model.js";
import { findUserById } from "./users.js";

/**
 * Passkeys for console users: a signed-in user registers one (options, then verify); anyone signs in with one
 * (options, then verify) and gets a session like a password sign-in would give. Challenges live in the database
 * for webauthnChallengeTtlMs and are deleted when answered, so each is used at most once, by any coffer process.
 * A passkey counts as two-factor on (for the go-live checklist) because user verification is required.
 */
export interface Passkey {
  id: string;
  name: string | null;
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface CredentialRow {
  id: string;
  user_id: string;
  public_key: Buffer;
  sign_count: bigint;
  transports: string[];
  device_type: "singleDevice" | "multiDevice";
  backed_up: boolean;
  name: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

function passkeyFromRow(row: CredentialRow): Passkey {
  return {
    id: row.id,
    name: row.name,
    deviceType: row.device_type,
    backedUp: row.backed_up,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export type PasskeyFailure =
  | "webauthn_challenge_invalid"
  | "webauthn_verification_failed"
  | "passkey_limit_reached"
  | "email_not_verified"
  | "no_merchant_access"
  | "password_reset_required"
  | "resource_not_found";

export type Passkeys = ReturnType<typeof createPasskeys>;

export function createPasskeys(deps: { pool: Pool; clock: Clock; login: ConsoleLogin }) {
  async function storeChallenge(challenge: string, purpose: "registration" | "authentication", userId: string | null) {
    await deps.pool.query(
      "INSERT INTO webauthn_challenges (challenge, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4)",
      [challenge, purpose, userId, new Date(deps.clock.now().getTime() + webauthnChallengeTtlMs)],
    );
  }

  /** Takes the challenge the response answers out of the table; only one request can take it. */
  async function takeChallenge(
    db: Queryable,
    response: { response?: { clientDataJSON?: unknown } },
    purpose: "registration" | "authentication",
    userId: string | null,
  ): Promise<string | null> {
    const challenge = challengeOf(response);
    if (!challenge) return null;
    const taken = await db.query(
      `DELETE FROM webauthn_challenges
        WHERE challenge = $1 AND purpose = $2 AND user_id IS NOT DISTINCT FROM $3 AND expires_at > $4`,
      [challenge, purpose, userId, deps.clock.now()],
    );
    return taken.rowCount === 1 ? challenge : null;
  }

  async function credentialsOf(db: Queryable, userId: string): Promise<CredentialRow[]> {
    const result = await db.query<CredentialRow>(
      "SELECT * FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id",
      [userId],
    );
    return result.rows;
  }

  async function beginRegistration(rp: RelyingParty, userId: string) {
    const user = await findUserById(deps.pool, userId);
    if (!user) throw new Error(`user ${userId} not found`);
    const existing = await credentialsOf(deps.pool, userId);
    const options = await registrationOptions(rp, user, existing);
    await storeChallenge(options.challenge, "registration", userId);
    return options;
  }

  async function finishRegistration(
    rp: RelyingParty,
    actor: { userId: string; merchantId: string; ip: string | null },
    response: RegistrationResponseJSON,
    name: string | null,
  ): Promise<Result<Passkey, PasskeyFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const challenge = await takeChallenge(tx, response, "registration", actor.userId);
      if (!challenge) return fail("webauthn_challenge_invalid");
      const credential = await verifyRegistration(rp, response, challenge);
      if (!credential) return fail("webauthn_verification_failed");
      await tx.query("SELECT id FROM merchant_users WHERE id = $1 FOR UPDATE", [actor.userId]);
      if ((await credentialsOf(tx, actor.userId)).length >= webauthnCredentialsPerUserMax) {
        return fail("passkey_limit_reached");
      }
      const now = deps.clock.now();
      const inserted = await tx.query<CredentialRow>(
        `INSERT INTO webauthn_credentials (id, user_id, public_key, sign_count, transports, device_type, backed_up,
                                           name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          credential.id,
          actor.userId,
          Buffer.from(credential.publicKey),
          credential.counter,
          credential.transports,
          credential.deviceType,
          credential.backedUp,
          name,
          now,
        ],
      );
      const row = inserted.rows[0];
      if (!row) return fail("webauthn_verification_failed", "This passkey is already registered.");
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: actor.userId,
          merchantId: actor.merchantId,
          action: "two_factor.passkey_added",
          targetType: "passkey",
          targetId: row.id,
          ip: actor.ip,
        },
        now,
      );
      return ok(passkeyFromRow(row));
    });
  }

  async function beginAuthentication(rp: RelyingParty) {
    const options = await authenticationOptions(rp);
    await storeChallenge(options.challenge, "authentication", null);
    return options;
  }

  async function finishAuthentication(
    rp: RelyingParty,
    response: AuthenticationResponseJSON,
    input: {
      merchantId?: string;
      ip: string | null;
      userAgent: string | null;
      deviceToken?: string | null;
      linkBase?: string;
    },
  ): Promise<Result<OpenedSession, PasskeyFailure>> {
    const verified = await withTransaction(deps.pool, async (tx): Promise<Result<string, PasskeyFailure>> => {
      const challenge = await takeChallenge(tx, response, "authentication", null);
      if (!challenge) return fail("webauthn_challenge_invalid");
      const found = await tx.query<CredentialRow>("SELECT * FROM webauthn_credentials WHERE id = $1 FOR UPDATE", [
        typeof response.id === "string" ? response.id : "",
      ]);
      const row = found.rows[0];
      if (!row) return fail("webauthn_verification_failed");
      const result = await verifyAuthentication(rp, response, challenge, {
        id: row.id,
        publicKey: row.public_key,
        counter: Number(row.sign_count),
        transports: row.transports,
      });
      if (!result) return fail("webauthn_verification_failed");
      await tx.query("UPDATE webauthn_credentials SET sign_count = $2, last_used_at = $3 WHERE id = $1", [
        row.id,
        result.newCounter,
        deps.clock.now(),
      ]);
      return ok(row.user_id);
    });
    if (!verified.ok) return verified;
    const user = await findUserById(deps.pool, verified.value);
    if (!user) return fail("webauthn_verification_failed");
    if (user.email_verified_at === null) return fail("email_not_verified");
    return deps.login.openSession(user, { ...input, method: "passkey" });
  }

  async function list(userId: string): Promise<Passkey[]> {
    return (await credentialsOf(deps.pool, userId)).map(passkeyFromRow);
  }

  async function remove(
    actor: { userId: string; merchantId: string; ip: string | null },
    id: string,
  ): Promise<Result<void, PasskeyFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const deleted = await tx.query("DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2", [
        id,
        actor.userId,
      ]);
      if (deleted.rowCount !== 1) return fail("resource_not_found");
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: actor.userId,
          merchantId: actor.merchantId,
          action: "two_factor.passkey_removed",
          targetType: "passkey",
          targetId: id,
          ip: actor.ip,
        },
        deps.clock.now(),
      );
      return ok(undefined);
    });
  }

  return { beginRegistration, finishRegistration, beginAuthentication, finishAuthentication, list, remove };
}
