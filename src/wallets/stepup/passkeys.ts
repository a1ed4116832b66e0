import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { ApiError } from "../../http/errors.js";
import { newId } from "../../ids.js";
import { walletPasskeysPerUserMax, walletWebauthnChallengeTtlMs } from "../../limits.js";
import { appendAudit } from "../../security/audit.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { unixSeconds, unixSecondsOrNull } from "../time.js";
import type { WalletUserService } from "../users/service.js";

/**
 * Passkeys (WebAuthn) as a wallet user's second factor for step-up. Registration and each step-up get a
 * one-time challenge stored for walletWebauthnChallengeTtlMs; user verification (PIN or biometrics on the device)
 * is required; the signature counter is kept to spot cloned authenticators.
 */
export interface Passkey {
  id: string;
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: string[];
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface PasskeyRow {
  id: string;
  credential_id: string;
  public_key: Buffer;
  counter: bigint;
  transports: string[];
  name: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

function passkeyFromRow(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function passkeyJson(passkey: Passkey) {
  return {
    id: passkey.id,
    object: "passkey" as const,
    name: passkey.name,
    created: unixSeconds(passkey.createdAt),
    last_used: unixSecondsOrNull(passkey.lastUsedAt),
  };
}

export type WalletPasskeys = ReturnType<typeof createWalletPasskeys>;

type ChallengePurpose = "passkey_registration" | "step_up";

export function createWalletPasskeys(deps: WalletDeps & { users: WalletUserService }) {
  const { pool, clock } = deps;
  const rp = deps.config.webauthn;

  async function list(userId: string, db: Queryable = pool): Promise<Passkey[]> {
    const result = await db.query<PasskeyRow>(
      "SELECT * FROM wallet_passkeys WHERE wallet_user_id = $1 ORDER BY created_at, id",
      [userId],
    );
    return result.rows.map(passkeyFromRow);
  }

  async function storeChallenge(userId: string, purpose: ChallengePurpose, challenge: string): Promise<string> {
    const id = newId("wch");
    const now = clock.now();
    await pool.query(
      `INSERT INTO wallet_challenges (id, wallet_user_id, purpose, challenge, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, userId, purpose, challenge, new Date(now.getTime() + walletWebauthnChallengeTtlMs), now],
    );
    return id;
  }

  /** Takes a challenge once: a second use, another user's, an expired one or another purpose is undefined. */
  async function takeChallenge(
    userId: string,
    challengeId: string,
    purpose: ChallengePurpose,
  ): Promise<string | undefined> {
    const now = clock.now();
    const taken = await pool.query<{ challenge: string }>(
      `UPDATE wallet_challenges SET consumed_at = $4
        WHERE id = $1 AND wallet_user_id = $2 AND purpose = $3 AND consumed_at IS NULL AND expires_at > $4
        RETURNING challenge`,
      [challengeId, userId, purpose, now],
    );
    return taken.rows[0]?.challenge;
  }

  async function registrationOptions(
    userId: string,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const user = await deps.users.get(userId);
    const existing = await list(userId);
    if (existing.length >= walletPasskeysPerUserMax) throw walletError("passkeys_limit_reached");
    const options = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpId,
      userName: user.email ?? user.phone ?? user.id,
      userDisplayName: user.displayName ?? "",
      userID: new TextEncoder().encode(user.id),
      attestationType: "none",
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
      timeout: walletWebauthnChallengeTtlMs,
    });
    return { challengeId: await storeChallenge(userId, "passkey_registration", options.challenge), options };
  }

  async function register(
    userId: string,
    input: { challengeId: string; credential: RegistrationResponseJSON; name?: string },
    ip: string | null,
  ): Promise<Passkey> {
    const challenge = await takeChallenge(userId, input.challengeId, "passkey_registration");
    if (!challenge) throw walletError("passkey_invalid", "The challenge is unknown, used or expired.", "challenge_id");
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: input.credential,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
      });
    } catch (error) {
      throw walletError("passkey_invalid", `The passkey did not verify: ${(error as Error).message}`, "credential");
    }
    if (!verified.verified) throw walletError("passkey_invalid", undefined, "credential");
    const { credential } = verified.registrationInfo;
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const count = await tx.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM wallet_passkeys WHERE wallet_user_id = $1",
        [userId],
      );
      if (Number(count.rows[0]?.n ?? 0n) >= walletPasskeysPerUserMax) throw walletError("passkeys_limit_reached");
      const inserted = await tx.query<PasskeyRow>(
        `INSERT INTO wallet_passkeys (id, wallet_user_id, credential_id, public_key, counter, transports, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (credential_id) DO NOTHING RETURNING *`,
        [
          newId("wpk"),
          userId,
          credential.id,
          Buffer.from(credential.publicKey),
          credential.counter,
          credential.transports ?? [],
          input.name ?? null,
          now,
        ],
      );
      if (!inserted.rows[0]) throw walletError("passkey_invalid", "This passkey is registered already.", "credential");
      await appendAudit(
        tx,
        {
          actorType: "wallet_user",
          actorId: userId,
          merchantId: null,
          action: "wallet_user.passkey_added",
          targetType: "passkey",
          targetId: inserted.rows[0].id,
          ip,
        },
        now,
      );
      return passkeyFromRow(inserted.rows[0]);
    });
  }

  async function remove(userId: string, passkeyId: string, ip: string | null): Promise<Passkey> {
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const deleted = await tx.query<PasskeyRow>(
        "DELETE FROM wallet_passkeys WHERE id = $1 AND wallet_user_id = $2 RETURNING *",
        [passkeyId, userId],
      );
      if (!deleted.rows[0]) throw new ApiError("resource_not_found", "No such passkey.", "id");
      await appendAudit(
        tx,
        {
          actorType: "wallet_user",
          actorId: userId,
          merchantId: null,
          action: "wallet_user.passkey_removed",
          targetType: "passkey",
          targetId: passkeyId,
          ip,
        },
        now,
      );
      return passkeyFromRow(deleted.rows[0]);
    });
  }

  async function stepUpOptions(
    userId: string,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const passkeys = await list(userId);
    if (passkeys.length === 0) throw walletError("step_up_failed", "This wallet has no passkey; register one first.");
    const options = await generateAuthenticationOptions({
      rpID: rp.rpId,
      allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
      userVerification: "required",
      timeout: walletWebauthnChallengeTtlMs,
    });
    return { challengeId: await storeChallenge(userId, "step_up", options.challenge), options };
  }

  /** Verifies a step-up assertion against its one-time challenge; true when it passes. */
  async function verifyStepUp(
    userId: string,
    challengeId: string,
    response: AuthenticationResponseJSON,
  ): Promise<boolean> {
    const challenge = await takeChallenge(userId, challengeId, "step_up");
    if (!challenge) return false;
    const passkey = (await list(userId)).find((p) => p.credentialId === response.id);
    if (!passkey) return false;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (!result.verified) return false;
      await pool.query("UPDATE wallet_passkeys SET counter = $2, last_used_at = $3 WHERE id = $1", [
        passkey.id,
        result.authenticationInfo.newCounter,
        clock.now(),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  return { list, registrationOptions, register, remove, stepUpOptions, verifyStepUp };
}
