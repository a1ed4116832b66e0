import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { ApiKeyScope } from "../http/auth.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { apiKeyRollOverlapMsMax, apiKeysPerMerchantMax } from "../limits.js";
import { appendAudit } from "../security/audit.js";
import type { SecretBox } from "../security/encryption.js";
import type { ApiKeyAuthCache } from "./api-key-authenticator.js";
import type { GoLiveChecklist } from "./go-live.js";
import { type ApiKey, type ApiKeyType, apiKeyStatus, type ConsoleActor, fail, ok, type Result } from "./model.js";
import { parseScopes } from "./scopes.js";
import { randomBase62, sha256 } from "./tokens.js";

/**
 * API keys: secret (sk_test_/sk_live_), restricted (rk_…, with scopes) and publishable (pk_…). A key is 44 random
 * base62 characters (about 262 bits) after its prefix. Secret and restricted keys are shown once, when created or
 * rolled, and stored as SHA-256 (a fast hash is right for a random 262-bit value: there is nothing to brute-force)
 * with a visible prefix and the last four characters for display. Publishable keys are public by design and kept
 * whole. Live keys need the go-live checklist to pass for the user creating them.
 */
const tokenRandomLength = 44;
const typePrefix: Readonly<Record<ApiKeyType, string>> = { secret: "sk", restricted: "rk", publishable: "pk" };

export function newApiKeyToken(type: ApiKeyType, livemode: boolean): string {
  return `${typePrefix[type]}_${livemode ? "live" : "test"}_${randomBase62(tokenRandomLength)}`;
}

/** What an API key token looks like; anything else in an Authorization header is not ours. */
export const apiKeyTokenPattern = /^(sk|rk|pk)_(test|live)_[0-9A-Za-z]{20,100}$/;

interface ApiKeyRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  type: ApiKeyType;
  name: string | null;
  token_prefix: string;
  last4: string;
  publishable_token: string | null;
  scopes: Record<string, ApiKeyScope> | null;
  secret_reveal_enc: string | null;
  created_by: string | null;
  rolled_from: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function keyFromRow(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    type: row.type,
    name: row.name,
    tokenPrefix: row.token_prefix,
    last4: row.last4,
    publishableToken: row.publishable_token,
    scopes: row.scopes,
    revealable: row.secret_reveal_enc !== null,
    createdBy: row.created_by,
    rolledFrom: row.rolled_from,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** The API object of a key, as the console and events show it. Never the secret. */
export function apiKeyObject(key: ApiKey, now: Date) {
  return {
    id: key.id,
    object: "api_key" as const,
    type: key.type,
    livemode: key.livemode,
    name: key.name,
    prefix: key.tokenPrefix,
    last4: key.last4,
    token: key.publishableToken,
    scopes: key.scopes,
    status: apiKeyStatus(key, now),
    revealable: key.revealable,
    created: unix(key.createdAt)!,
    expires_at: unix(key.expiresAt),
    revoked_at: unix(key.revokedAt),
    last_used: unix(key.lastUsedAt),
    rolled_from: key.rolledFrom,
    created_by: key.createdBy,
  };
}
export type ApiKeyObject = ReturnType<typeof apiKeyObject>;

export interface NewKeyInput {
  merchantId: string;
  livemode: boolean;
  type: ApiKeyType;
  name: string | null;
  scopes: Record<string, ApiKeyScope> | null;
  createdBy: string | null;
  rolledFrom?: string | null;
  /** Keep an encrypted copy of the secret to show once later (the test key made at sign-up). */
  revealLater?: boolean;
}

export type ApiKeyFailure =
  | "go_live_incomplete"
  | "api_key_not_active"
  | "api_key_limit_reached"
  | "api_key_scopes_invalid"
  | "api_key_secret_unavailable"
  | "resource_not_found";

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

export function createApiKeyService(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  goLive: GoLiveChecklist;
  /** The authenticator's cache: a key changed here is forgotten there at once. */
  authCache?: Pick<ApiKeyAuthCache, "forget">;
}) {
  const revealAad = (id: string) => `api_keys.secret_reveal_enc:${id}`;

  async function insertKey(tx: Queryable, input: NewKeyInput): Promise<{ key: ApiKey; token: string }> {
    const id = newId("key");
    const token = newApiKeyToken(input.type, input.livemode);
    const prefixLength = token.indexOf("_", 3) + 1 + 4; // "sk_live_" and four characters
    const reveal = input.revealLater ? await deps.secrets.encrypt(token, revealAad(id), tx) : null;
    const result = await tx.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, merchant_id, livemode, type, name, token_hash, token_prefix, last4, publishable_token,
                             scopes, secret_reveal_enc, created_by, rolled_from, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
      [
        id,
        input.merchantId,
        input.livemode,
        input.type,
        input.name,
        sha256(token),
        token.slice(0, prefixLength),
        token.slice(-4),
        input.type === "publishable" ? token : null,
        input.scopes ? JSON.stringify(input.scopes) : null,
        reveal,
        input.createdBy,
        input.rolledFrom ?? null,
        deps.clock.now(),
      ],
    );
    return { key: keyFromRow(result.rows[0]!), token };
  }

  /** The test keys every merchant gets at sign-up: a secret key to be shown once later, and a publishable key. */
  async function createSignupKeys(tx: Queryable, merchantId: string, userId: string): Promise<void> {
    const base = { merchantId, livemode: false, scopes: null, createdBy: userId } as const;
    await insertKey(tx, { ...base, type: "secret", name: "Default test key", revealLater: true });
    await insertKey(tx, { ...base, type: "publishable", name: "Default publishable test key" });
  }

  async function get(db: Queryable, merchantId: string, id: string, lock = false): Promise<ApiKey | undefined> {
    const result = await db.query<ApiKeyRow>(
      `SELECT * FROM api_keys WHERE id = $1 AND merchant_id = $2${lock ? " FOR UPDATE" : ""}`,
      [id, merchantId],
    );
    return result.rows[0] ? keyFromRow(result.rows[0]) : undefined;
  }

  async function list(
    merchantId: string,
    filter: { livemode?: boolean },
    page: PageRequest,
  ): Promise<ListPage<ApiKey>> {
    // A console user manages both modes' keys of their merchant: the scope is the merchant.
    const rows = await keysetPage<ApiKeyRow>(deps.pool, page, {
      from: "api_keys",
      scope: "merchant_id = $1",
      filter: "$2::boolean IS NULL OR livemode = $2",
      params: [merchantId, filter.livemode ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, keyFromRow);
  }

  async function goLiveAllows(db: Queryable, actor: ConsoleActor): Promise<Result<void, "go_live_incomplete">> {
    const report = await deps.goLive.evaluate({ db, merchantId: actor.merchantId, userId: actor.userId });
    if (report.ready) return ok(undefined);
    const missing = report.items.filter((i) => !i.passed).map((i) => i.id);
    return fail("go_live_incomplete", `Live keys need the go-live checklist to pass; missing: ${missing.join(", ")}.`);
  }

  async function activeKeyCount(tx: Queryable, merchantId: string): Promise<number> {
    // Serialize key creation per merchant so parallel requests cannot pass the limit together.
    await tx.query("SELECT id FROM merchants WHERE id = $1 FOR UPDATE", [merchantId]);
    const result = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM api_keys
        WHERE merchant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [merchantId, deps.clock.now()],
    );
    return result.rows[0]?.n ?? 0;
  }

  async function create(
    actor: ConsoleActor,
    input: { livemode: boolean; type: ApiKeyType; name: string | null; scopes?: unknown },
  ): Promise<Result<{ key: ApiKey; token: string }, ApiKeyFailure>> {
    let scopes: Record<string, ApiKeyScope> | null = null;
    if (input.type === "restricted") {
      scopes = parseScopes(input.scopes);
      if (!scopes) return fail("api_key_scopes_invalid", undefined, "scopes");
    } else if (input.scopes !== undefined) {
      return fail("api_key_scopes_invalid", "Only restricted keys have scopes.", "scopes");
    }
    if (input.livemode) {
      const allowed = await goLiveAllows(deps.pool, actor);
      if (!allowed.ok) return allowed;
    }
    return withTransaction(deps.pool, async (tx) => {
      if ((await activeKeyCount(tx, actor.merchantId)) >= apiKeysPerMerchantMax) return fail("api_key_limit_reached");
      const created = await insertKey(tx, {
        merchantId: actor.merchantId,
        livemode: input.livemode,
        type: input.type,
        name: input.name,
        scopes,
        createdBy: actor.userId,
      });
      await recordKeyChange(tx, actor, "created", created.key);
      return ok(created);
    });
  }

  async function recordKeyChange(
    tx: Queryable,
    actor: ConsoleActor,
    change: "created" | "rolled" | "revoked" | "revealed",
    key: ApiKey,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const now = deps.clock.now();
    await appendAudit(
      tx,
      {
        actorType: "merchant_user",
        actorId: actor.userId,
        merchantId: actor.merchantId,
        action: `api_key.${change}`,
        targetType: "api_key",
        targetId: key.id,
        ip: actor.ip ?? null,
        details: { type: key.type, livemode: key.livemode, prefix: key.tokenPrefix, ...details },
      },
      now,
    );
    if (change === "revealed") return;
    await recordEvent(
      tx,
      {
        type: `api_key.${change}`,
        merchantId: actor.merchantId,
        livemode: key.livemode,
        object: apiKeyObject(key, now),
      },
      now,
    );
  }

  /**
   * A new key with the same type, mode, name and scopes; the old one keeps working for `overlapMs` (0: stops
   * now, at most apiKeyRollOverlapMsMax), so deployments can switch without downtime.
   */
  async function roll(
    actor: ConsoleActor,
    id: string,
    overlapMs: number,
  ): Promise<Result<{ key: ApiKey; token: string; previous: ApiKey }, ApiKeyFailure>> {
    const rolled = await rollKey(actor, id, overlapMs);
    deps.authCache?.forget(id);
    return rolled;
  }

  async function rollKey(
    actor: ConsoleActor,
    id: string,
    overlapMs: number,
  ): Promise<Result<{ key: ApiKey; token: string; previous: ApiKey }, ApiKeyFailure>> {
    if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > apiKeyRollOverlapMsMax) {
      throw new RangeError("overlapMs out of range"); // the route's schema bounds it
    }
    const existing = await get(deps.pool, actor.merchantId, id);
    if (!existing) return fail("resource_not_found");
    if (existing.livemode) {
      const allowed = await goLiveAllows(deps.pool, actor);
      if (!allowed.ok) return allowed;
    }
    return withTransaction(deps.pool, async (tx) => {
      const old = await get(tx, actor.merchantId, id, true);
      if (!old) return fail("resource_not_found");
      if (old.revokedAt || old.expiresAt) return fail("api_key_not_active");
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + overlapMs);
      const updated = await tx.query<ApiKeyRow>(
        "UPDATE api_keys SET expires_at = $2, secret_reveal_enc = NULL WHERE id = $1 RETURNING *",
        [old.id, expiresAt],
      );
      const created = await insertKey(tx, {
        merchantId: old.merchantId,
        livemode: old.livemode,
        type: old.type,
        name: old.name,
        scopes: old.scopes,
        createdBy: actor.userId,
        rolledFrom: old.id,
      });
      await recordKeyChange(tx, actor, "rolled", created.key, { rolled_from: old.id, overlap_ms: overlapMs });
      return ok({ ...created, previous: keyFromRow(updated.rows[0]!) });
    });
  }

  /** Revokes at once. Revoking a revoked key answers it unchanged (DELETE is idempotent). */
  async function revoke(actor: ConsoleActor, id: string): Promise<Result<ApiKey, ApiKeyFailure>> {
    const revoked = await revokeKey(actor, id);
    deps.authCache?.forget(id);
    return revoked;
  }

  async function revokeKey(actor: ConsoleActor, id: string): Promise<Result<ApiKey, ApiKeyFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const key = await get(tx, actor.merchantId, id, true);
      if (!key) return fail("resource_not_found");
      if (key.revokedAt) return ok(key);
      const result = await tx.query<ApiKeyRow>(
        "UPDATE api_keys SET revoked_at = $2, secret_reveal_enc = NULL WHERE id = $1 RETURNING *",
        [id, deps.clock.now()],
      );
      const revoked = keyFromRow(result.rows[0]!);
      await recordKeyChange(tx, actor, "revoked", revoked);
      return ok(revoked);
    });
  }

  /** Shows the sign-up test secret key once, then forgets the encrypted copy. */
  async function reveal(
    actor: ConsoleActor,
    id: string,
  ): Promise<Result<{ key: ApiKey; token: string }, ApiKeyFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const result = await tx.query<ApiKeyRow>("SELECT * FROM api_keys WHERE id = $1 AND merchant_id = $2 FOR UPDATE", [
        id,
        actor.merchantId,
      ]);
      const row = result.rows[0];
      if (!row) return fail("resource_not_found");
      const key = keyFromRow(row);
      if (!row.secret_reveal_enc || apiKeyStatus(key, deps.clock.now()) !== "active") {
        return fail("api_key_secret_unavailable");
      }
      const token = await deps.secrets.decryptString(row.secret_reveal_enc, revealAad(id));
      await tx.query("UPDATE api_keys SET secret_reveal_enc = NULL WHERE id = $1", [id]);
      const revealed = { ...key, revealable: false };
      await recordKeyChange(tx, actor, "revealed", revealed);
      return ok({ key: revealed, token });
    });
  }

  return {
    /** Makes a key with no go-live check and no audit record: for sign-up, tests and the platform's own use. */
    issue: (db: Queryable, input: NewKeyInput) => insertKey(db, input),
    createSignupKeys,
    list,
    create,
    roll,
    revoke,
    reveal,
    get: (merchantId: string, id: string) => get(deps.pool, merchantId, id),
  };
}
