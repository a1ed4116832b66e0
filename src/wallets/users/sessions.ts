import { createHash, randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../../clock.js";
import type { Pool, Queryable } from "../../db/pool.js";
import type { AuthContext, Authenticator } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { newId } from "../../ids.js";
import {
  walletSessionCacheEntriesMax,
  walletSessionCacheMs,
  walletSessionIdleTimeoutMs,
  walletSessionsListedMax,
  walletSessionTouchIntervalMs,
  walletSessionTtlMs,
} from "../../limits.js";
import { storedValueError } from "../../stored-value/errors.js";
import { cardSessionAllows } from "../../stored-value/session-routes.js";
import { unixSeconds } from "../time.js";

/**
 * Wallet sessions are bearer tokens: `Authorization: Bearer wst_<43 characters>`, 32 random bytes. Only their
 * SHA-256 is stored (a database dump cannot be replayed). A session ends walletSessionTtlMs after login, after
 * walletSessionIdleTimeoutMs without a request, or when revoked; each one is a device in the device list.
 */
export const walletTokenPrefix = "wst_";

export interface SessionMeta {
  userAgent: string | null;
  ip: string | null;
  /** The device token the app kept from an earlier sign-in (src/security/sign-ins), if any. */
  deviceToken?: string | null;
  /** Where links in a new-device alert point. */
  linkBase?: string;
}

export interface WalletSession {
  id: string;
  walletUserId: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The session of a stored-value card's wallet user: only the routes of src/stored-value/session-routes.ts. */
  card: boolean;
}

interface SessionRow {
  id: string;
  wallet_user_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  card?: boolean;
}

function sessionFromRow(row: SessionRow): WalletSession {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    card: row.card === true,
  };
}

function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** When the session ends if nothing else happens: its absolute end or its idle end, whichever is first. */
function endOf(session: WalletSession): Date {
  return new Date(Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + walletSessionIdleTimeoutMs));
}

export function walletSessionJson(session: WalletSession, currentSessionId?: string) {
  return {
    id: session.id,
    object: "wallet_session" as const,
    user_agent: session.userAgent,
    ip: session.ip,
    created: unixSeconds(session.createdAt),
    last_seen: unixSeconds(session.lastSeenAt),
    expires_at: unixSeconds(endOf(session)),
    current: session.id === currentSessionId,
  };
}

const userAgentLengthMax = 512;

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(deps: { pool: Pool; clock: Clock }) {
  /** Opens a session in the caller's transaction (the login or verification that earns it). */
  async function create(
    tx: Queryable,
    walletUserId: string,
    meta: SessionMeta,
  ): Promise<{ token: string; session: WalletSession }> {
    const token = `${walletTokenPrefix}${randomBytes(32).toString("base64url")}`;
    const now = deps.clock.now();
    const result = await tx.query<SessionRow>(
      `INSERT INTO wallet_sessions (id, wallet_user_id, token_hash, user_agent, ip, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING *`,
      [
        newId("ws"),
        walletUserId,
        hashToken(token),
        meta.userAgent?.slice(0, userAgentLengthMax) ?? null,
        meta.ip,
        now,
        new Date(now.getTime() + walletSessionTtlMs),
      ],
    );
    return { token, session: sessionFromRow(result.rows[0]!) };
  }

  /**
   * Sessions are remembered for walletSessionCacheMs, so a wallet request costs no read for its token. A session
   * ended through this process is forgotten at once; through another process it stops working within
   * walletSessionCacheMs. Expiry and the idle timeout are checked on every request, remembered or not.
   */
  const sessionCache = new Map<string, { session: WalletSession; readAtMs: number }>();
  function remembered(key: string): WalletSession | undefined {
    const entry = sessionCache.get(key);
    if (!entry) return undefined;
    const ageMs = Date.now() - entry.readAtMs;
    if (ageMs < 0 || ageMs >= walletSessionCacheMs) {
      sessionCache.delete(key);
      return undefined;
    }
    return entry.session;
  }
  function remember(key: string, session: WalletSession): void {
    if (sessionCache.size >= walletSessionCacheEntriesMax) sessionCache.clear();
    sessionCache.set(key, { session, readAtMs: Date.now() });
  }
  function forgetSession(sessionId: string): void {
    for (const [key, entry] of sessionCache) if (entry.session.id === sessionId) sessionCache.delete(key);
  }
  /** Forgets every remembered session of these users (their sessions were ended or they were deleted). */
  function forgetUsers(walletUserIds: readonly string[]): void {
    const ids = new Set(walletUserIds);
    for (const [key, entry] of sessionCache) if (ids.has(entry.session.walletUserId)) sessionCache.delete(key);
  }

  /** The session of a token, or an authentication error. */
  async function authenticate(token: string): Promise<WalletSession> {
    const expired = () => new ApiError("authentication_required", "This wallet session has ended; log in again.");
    if (!token.startsWith(walletTokenPrefix) || token.length > 128) throw expired();
    const tokenHash = hashToken(token);
    const cacheKey = tokenHash.toString("hex");
    let session = remembered(cacheKey);
    if (!session) {
      const result = await deps.pool.query<SessionRow>(
        `SELECT s.*, u.kind = 'card' AS card FROM wallet_sessions s JOIN wallet_users u ON u.id = s.wallet_user_id
          WHERE s.token_hash = $1`,
        [tokenHash],
      );
      const row = result.rows[0];
      if (!row) throw expired();
      session = sessionFromRow(row);
      remember(cacheKey, session);
    }
    const now = deps.clock.now();
    if (session.revokedAt !== null || endOf(session).getTime() <= now.getTime()) throw expired();
    if (now.getTime() - session.lastSeenAt.getTime() >= walletSessionTouchIntervalMs) {
      await deps.pool.query("UPDATE wallet_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2", [
        session.id,
        now,
      ]);
      session.lastSeenAt = now;
    }
    return session;
  }

  /** The devices a wallet user is logged in on, newest first. */
  async function list(walletUserId: string): Promise<WalletSession[]> {
    const now = deps.clock.now();
    const result = await deps.pool.query<SessionRow>(
      `SELECT * FROM wallet_sessions
        WHERE wallet_user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [walletUserId, now, new Date(now.getTime() - walletSessionIdleTimeoutMs), walletSessionsListedMax],
    );
    return result.rows.map(sessionFromRow);
  }

  /** Ends one of the user's sessions; false when there is no such active session of theirs. */
  async function revoke(walletUserId: string, sessionId: string): Promise<WalletSession | undefined> {
    const result = await deps.pool.query<SessionRow>(
      `UPDATE wallet_sessions SET revoked_at = $3
        WHERE id = $1 AND wallet_user_id = $2 AND revoked_at IS NULL RETURNING *`,
      [sessionId, walletUserId, deps.clock.now()],
    );
    forgetSession(sessionId);
    return result.rows[0] ? sessionFromRow(result.rows[0]) : undefined;
  }

  /** Ends every live session of the user opened on one device; how many were ended. */
  async function revokeDevice(walletUserId: string, deviceId: string): Promise<number> {
    const result = await deps.pool.query<{ id: string }>(
      `UPDATE wallet_sessions SET revoked_at = $3
        WHERE wallet_user_id = $1 AND device_id = $2 AND revoked_at IS NULL RETURNING id`,
      [walletUserId, deviceId, deps.clock.now()],
    );
    for (const row of result.rows) forgetSession(row.id);
    return result.rowCount ?? 0;
  }

  /** Ends every live session of the user but one (null: all of them), in the caller's transaction if given. */
  async function revokeAllBut(walletUserId: string, keepSessionId: string | null, db: Queryable = deps.pool) {
    const result = await db.query(
      `UPDATE wallet_sessions SET revoked_at = $3
        WHERE wallet_user_id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR id <> $2)`,
      [walletUserId, keepSessionId, deps.clock.now()],
    );
    forgetUsers([walletUserId]);
    return result.rowCount ?? 0;
  }

  /** Reads `Authorization: Bearer wst_…`; leaves every other credential to the other authenticators. */
  const authenticator: Authenticator = {
    name: "wallet-session",
    async authenticate(request: FastifyRequest): Promise<AuthContext | null> {
      const header = request.headers.authorization;
      if (typeof header !== "string") return null;
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      const token = match?.[1];
      if (!token?.startsWith(walletTokenPrefix)) return null;
      const session = await authenticate(token);
      // The one place card sessions are kept to what a card may do: every wallet route passes here first.
      if (session.card && !cardSessionAllows(request.method, request.routeOptions.url)) {
        throw storedValueError("card_session_not_allowed");
      }
      return { kind: "wallet", walletUserId: session.walletUserId, sessionId: session.id, card: session.card };
    },
  };

  return { create, authenticate, list, revoke, revokeDevice, revokeAllBut, authenticator, forgetUsers };
}
