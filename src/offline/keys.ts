import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { newId } from "../ids.js";
import { offlineCertificateTtlMs } from "../limits.js";
import { appendAudit } from "../security/audit.js";
import type { SecretBox } from "../security/encryption.js";
import { certificateContext, p256PublicKey, pointOfJwk } from "./format.js";

/**
 * coffer's offline signing keys (ES256). One key signs at a time; rotation retires it and makes a new one. A
 * retired key is published until every certificate it signed has expired (retired_at + the certificate TTL), and
 * kept for settlement after that. Private keys are SecretBox tokens; a decrypted key is kept in process (keys never
 * change once made).
 */
export interface OfflinePublicJwk {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  kid: string;
  alg: "ES256";
  use: "sig";
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

const aadOf = (kid: string) => `offline_signing_keys:${kid}`;

export type OfflineKeys = ReturnType<typeof createOfflineKeys>;

export function createOfflineKeys(deps: { pool: Pool; clock: Clock; secrets: SecretBox }) {
  const publicKeys = new Map<string, KeyObject>();
  let signing: SigningKey | undefined;

  /** A new key pair, its private key sealed (before any transaction: sealing may need a data key made first). */
  async function makeKey(): Promise<{ kid: string; publicJwk: OfflinePublicJwk; sealed: string }> {
    const kid = newId("ofk");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const publicJwk: OfflinePublicJwk = {
      kty: "EC",
      crv: "P-256",
      x: jwk.x!,
      y: jwk.y!,
      kid,
      alg: "ES256",
      use: "sig",
    };
    const sealed = await deps.secrets.encrypt(privateKey.export({ format: "der", type: "pkcs8" }), aadOf(kid));
    return { kid, publicJwk, sealed };
  }

  async function insertKey(tx: Queryable, key: Awaited<ReturnType<typeof makeKey>>, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO offline_signing_keys (kid, public_jwk, private_key, created_at) VALUES ($1, $2, $3, $4)`,
      [key.kid, JSON.stringify(key.publicJwk), key.sealed, now],
    );
  }

  async function loadSigning(): Promise<SigningKey | undefined> {
    const found = await deps.pool.query<{ kid: string; private_key: string }>(
      "SELECT kid, private_key FROM offline_signing_keys WHERE retired_at IS NULL",
    );
    const row = found.rows[0];
    if (!row) return undefined;
    const der = await deps.secrets.decrypt(row.private_key, aadOf(row.kid));
    return { kid: row.kid, privateKey: createPrivateKey({ key: der, format: "der", type: "pkcs8" }) };
  }

  /** The key that signs now, made on first need (the unique index lets one of two racing makers win). */
  async function signingKey(): Promise<SigningKey> {
    if (signing) {
      // Another process may have rotated: a cheap check that ours still signs.
      const current = await deps.pool.query(
        "SELECT 1 FROM offline_signing_keys WHERE kid = $1 AND retired_at IS NULL",
        [signing.kid],
      );
      if (current.rowCount === 1) return signing;
      signing = undefined;
    }
    let found = await loadSigning();
    if (!found) {
      const made = await makeKey();
      await withTransaction(deps.pool, async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('offline_signing_keys'))");
        const exists = await tx.query("SELECT 1 FROM offline_signing_keys WHERE retired_at IS NULL");
        if (exists.rowCount === 0) await insertKey(tx, made, deps.clock.now());
      });
      found = await loadSigning();
    }
    if (!found) throw new Error("no offline signing key after making one");
    signing = found;
    return found;
  }

  /** Signs a certificate's bytes (ES256, r‖s). */
  async function signCertificate(kid: string, signed: Buffer): Promise<Buffer> {
    const key = signing?.kid === kid ? signing : undefined;
    if (!key) throw new Error(`offline key ${kid} is not the signing key`);
    return sign("sha256", Buffer.concat([Buffer.from(certificateContext, "latin1"), signed]), {
      key: key.privateKey,
      dsaEncoding: "ieee-p1363",
    });
  }

  /** Any key coffer ever made, published or not (settlement checks certificates of retired keys too). */
  async function publicKey(kid: string): Promise<KeyObject | undefined> {
    const cached = publicKeys.get(kid);
    if (cached) return cached;
    const found = await deps.pool.query<{ public_jwk: OfflinePublicJwk }>(
      "SELECT public_jwk FROM offline_signing_keys WHERE kid = $1",
      [kid],
    );
    const jwk = found.rows[0]?.public_jwk;
    if (!jwk) return undefined;
    const key = p256PublicKey(pointOfJwk(jwk));
    publicKeys.set(kid, key);
    return key;
  }

  /** The JWK set of GET /v1/offline_keys: the signing key and every retired one whose certificates may be valid. */
  async function published(now = deps.clock.now()): Promise<OfflinePublicJwk[]> {
    const found = await deps.pool.query<{ public_jwk: OfflinePublicJwk }>(
      `SELECT public_jwk FROM offline_signing_keys WHERE retired_at IS NULL OR publish_until > $1
        ORDER BY created_at DESC, kid`,
      [now],
    );
    return found.rows.map((r) => r.public_jwk);
  }

  /**
   * Retires the signing key and makes a new one, in one transaction with its audit record. Certificates of the old
   * key stay valid until they expire; the old key stays published until then.
   */
  async function rotate(): Promise<{ retired: string | null; kid: string; publishUntil: Date | null }> {
    const now = deps.clock.now();
    const publishUntil = new Date(now.getTime() + offlineCertificateTtlMs);
    const made = await makeKey();
    const result = await withTransaction(deps.pool, async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('offline_signing_keys'))");
      const retired = await tx.query<{ kid: string }>(
        `UPDATE offline_signing_keys SET retired_at = $1, publish_until = $2 WHERE retired_at IS NULL RETURNING kid`,
        [now, publishUntil],
      );
      await insertKey(tx, made, now);
      // Like the data and master key rotations (src/security/encryption.ts): an operator's act at the command
      // line, recorded as the system's, in the transaction that makes the new key.
      await appendAudit(
        tx,
        {
          actorType: "system",
          actorId: null,
          merchantId: null,
          action: "security.offline_key_rotated",
          targetType: "offline_signing_key",
          targetId: made.kid,
          details: {
            retired: retired.rows[0]?.kid ?? null,
            publish_until: retired.rows[0] ? publishUntil.toISOString() : null,
          },
        },
        now,
      );
      return {
        retired: retired.rows[0]?.kid ?? null,
        kid: made.kid,
        publishUntil: retired.rows[0] ? publishUntil : null,
      };
    });
    signing = undefined;
    return result;
  }

  return { signingKey, signCertificate, publicKey, published, rotate };
}
