import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { isHoldingConnection, type Pool, type Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { newId } from "../ids.js";
import { type AuditEntry, appendAudit } from "./audit.js";

/**
 * Secrets at rest (bank account numbers, ID numbers, documents, webhook secrets, chain keys) are encrypted with
 * AES-256-GCM under a data key; data keys are stored wrapped (encrypted) by the master key, which never touches the
 * database. Rotating the data key is a new row; old ciphertexts name their key and stay readable.
 *
 * Every encryption takes an `aad` (additional authenticated data) naming where the value lives, e.g.
 * "kyb_applications.bank_account_number:kyb_123". A ciphertext copied to another row or column then fails to decrypt
 * instead of silently revealing one merchant's secret as another's.
 */

const algorithm = "aes-256-gcm";
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;
const tokenPrefix = "enc1";

/**
 * db: the caller's transaction, when it holds one: a data key not yet in memory is read through it (a holder may
 * not take a second pool connection, src/db/pool.ts). Making the first data key needs its own transaction, so it
 * happens in warm(), at start.
 */
export interface SecretBox {
  encrypt(plaintext: string | Buffer, aad: string, db?: Queryable): Promise<string>;
  decrypt(token: string, aad: string, db?: Queryable): Promise<Buffer>;
  decryptString(token: string, aad: string, db?: Queryable): Promise<string>;
  /**
   * Loads (or makes) the active data key and every existing one, so encrypting and decrypting inside a database
   * transaction never needs a second connection (src/db/pool.ts). Called once at start, before requests.
   */
  warm(): Promise<void>;
  /** Starts a new data key for new encryptions; existing ciphertexts keep working. */
  rotateDataKey(): Promise<string>;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function open(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv(algorithm, key, iv, { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

export function createSecretBox(deps: { db: Pool; masterKey: Buffer }): SecretBox {
  if (deps.masterKey.length !== keyBytes) throw new Error("the master key must be 32 bytes");
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;

  const unwrap = (id: string, wrapped: Buffer): Buffer => unwrapWith(deps.masterKey, id, wrapped);

  /** A new active data key. With `retireCurrent` false it only succeeds when no key is active yet. */
  const createDataKey = async (retireCurrent: boolean): Promise<string> => {
    const id = newId("dk");
    const key = randomBytes(keyBytes);
    const { iv, tag, ciphertext } = seal(deps.masterKey, key, `data_key:${id}`);
    // The partial unique index keeps one key active: a concurrent first key makes this insert fail.
    await withTransaction(deps.db, async (tx) => {
      if (retireCurrent) await tx.query("UPDATE data_keys SET retired_at = now() WHERE retired_at IS NULL");
      await tx.query("INSERT INTO data_keys (id, wrapped_key) VALUES ($1, $2)", [
        id,
        Buffer.concat([iv, tag, ciphertext]),
      ]);
      if (retireCurrent) await appendAudit(tx, systemKeyAudit("security.data_key_rotated", id));
    });
    keys.set(id, key);
    activeKeyId = id;
    return id;
  };

  const activeKey = async (db?: Queryable): Promise<{ id: string; key: Buffer }> => {
    if (activeKeyId) return { id: activeKeyId, key: keys.get(activeKeyId)! };
    const found = await (db ?? deps.db).query<{ id: string; wrapped_key: Buffer }>(
      "SELECT id, wrapped_key FROM data_keys WHERE retired_at IS NULL",
    );
    const row = found.rows[0];
    if (row) {
      keys.set(row.id, unwrap(row.id, row.wrapped_key));
      activeKeyId = row.id;
      return { id: row.id, key: keys.get(row.id)! };
    }
    if (db || isHoldingConnection()) {
      throw new Error("there is no data key yet and this code holds a transaction: call secrets.warm() at start");
    }
    try {
      const id = await createDataKey(false);
      return { id, key: keys.get(id)! };
    } catch (error) {
      // Another process created the first key at the same moment: use theirs.
      if ((error as { code?: string }).code !== "23505") throw error;
      activeKeyId = undefined;
      return activeKey();
    }
  };

  const keyById = async (id: string, db?: Queryable): Promise<Buffer> => {
    const cached = keys.get(id);
    if (cached) return cached;
    const found = await (db ?? deps.db).query<{ wrapped_key: Buffer }>(
      "SELECT wrapped_key FROM data_keys WHERE id = $1",
      [id],
    );
    const row = found.rows[0];
    if (!row) throw new DecryptionError(`data key ${id} does not exist`);
    const key = unwrap(id, row.wrapped_key);
    keys.set(id, key);
    return key;
  };

  const decrypt = async (token: string, aad: string, db?: Queryable): Promise<Buffer> => {
    const parts = token.split(".");
    if (parts.length !== 5 || parts[0] !== tokenPrefix) throw new DecryptionError("not a coffer ciphertext");
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const key = await keyById(keyId, db);
    try {
      return open(
        key,
        Buffer.from(iv, "base64url"),
        Buffer.from(tag, "base64url"),
        Buffer.from(ciphertext, "base64url"),
        aad,
      );
    } catch {
      throw new DecryptionError("ciphertext does not authenticate (tampered, or decrypted in the wrong place)");
    }
  };

  return {
    async encrypt(plaintext, aad, db) {
      const { id, key } = await activeKey(db);
      const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
      const { iv, tag, ciphertext } = seal(key, data, aad);
      return [
        tokenPrefix,
        id,
        iv.toString("base64url"),
        tag.toString("base64url"),
        ciphertext.toString("base64url"),
      ].join(".");
    },
    decrypt,
    async decryptString(token, aad, db) {
      return (await decrypt(token, aad, db)).toString("utf8");
    },
    rotateDataKey: () => createDataKey(true),
    async warm() {
      // A key this master key cannot unwrap is left to fail where it is used, as before warming: starting must not
      // depend on every old key (a database shared with another master key in development).
      await activeKey().catch((error: unknown) => {
        if (!(error instanceof DecryptionError)) throw error;
      });
      const all = await deps.db.query<{ id: string; wrapped_key: Buffer }>("SELECT id, wrapped_key FROM data_keys");
      for (const row of all.rows) {
        if (keys.has(row.id)) continue;
        try {
          keys.set(row.id, unwrap(row.id, row.wrapped_key));
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
        }
      }
    },
  };
}

/**
 * Re-wraps every data key under a new master key, in one transaction: each is unwrapped with the current master
 * key (any that cannot be is an error and nothing changes), sealed with the new one, and the new wrapping is opened
 * again before it is written, so a commit never stores a key the new master key cannot read. Ciphertexts are not
 * touched: they name their data key, and the data keys themselves do not change.
 */
export async function rewrapDataKeys(db: Pool, currentMasterKey: Buffer, newMasterKey: Buffer): Promise<string[]> {
  if (currentMasterKey.length !== keyBytes || newMasterKey.length !== keyBytes) {
    throw new Error("master keys must be 32 bytes");
  }
  if (currentMasterKey.equals(newMasterKey)) throw new Error("the new master key is the current one");
  return withTransaction(db, async (tx) => {
    const rows = await tx.query<{ id: string; wrapped_key: Buffer }>(
      "SELECT id, wrapped_key FROM data_keys ORDER BY created_at FOR UPDATE",
    );
    const rewrapped: string[] = [];
    for (const row of rows.rows) {
      const key = unwrapWith(currentMasterKey, row.id, row.wrapped_key);
      const sealed = seal(newMasterKey, key, `data_key:${row.id}`);
      const wrapped = Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]);
      if (!unwrapWith(newMasterKey, row.id, wrapped).equals(key)) throw new Error(`re-wrapping ${row.id} failed`);
      await tx.query("UPDATE data_keys SET wrapped_key = $2 WHERE id = $1", [row.id, wrapped]);
      rewrapped.push(row.id);
    }
    await appendAudit(tx, {
      ...systemKeyAudit("security.master_key_rotated", null),
      details: { data_keys: rewrapped },
    });
    return rewrapped;
  });
}

/** Key changes are made by an operator at the command line: the audit log records them as the system's. */
function systemKeyAudit(action: string, dataKeyId: string | null): AuditEntry {
  return {
    actorType: "system",
    actorId: null,
    merchantId: null,
    action,
    targetType: dataKeyId ? "data_key" : null,
    targetId: dataKeyId,
  };
}

function unwrapWith(masterKey: Buffer, id: string, wrapped: Buffer): Buffer {
  const iv = wrapped.subarray(0, ivBytes);
  const tag = wrapped.subarray(ivBytes, ivBytes + tagBytes);
  try {
    return open(masterKey, iv, tag, wrapped.subarray(ivBytes + tagBytes), `data_key:${id}`);
  } catch {
    throw new DecryptionError(`data key ${id} cannot be unwrapped: is COFFER_MASTER_KEY the key it was made with?`);
  }
}

/** Shows the last four characters only: "•••• 6789". */
export function lastFour(value: string): string {
  return value.slice(-4);
}
