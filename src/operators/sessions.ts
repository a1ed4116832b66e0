import type { FastifyRequest } from "fastify";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import type { AuthContext, Authenticator } from "../http/auth.js";
import { newId } from "../ids.js";
import { consoleSessionTtlMs, sessionIdleTimeoutMs, sessionTouchIntervalMs } from "../limits.js";
import { csrfHeader, type IssuedSession } from "../merchants/console-sessions.js";
import { isUnsafeMethod, readCookie } from "../merchants/cookies.js";
import { merchantErrors } from "../merchants/errors.js";
import { csrfTokenFor, randomToken, safeEqual, sha256 } from "../merchants/tokens.js";
import type { OperatorRole } from "./model.js";

/**
 * Operator sessions: the same design as console sessions (a random token in an HttpOnly cookie, its SHA-256 in the
 * table, expiry and idle timeout, the CSRF header on unsafe methods) with their own cookie, scoped to /v1/ops, and
 * their own table. The operator's role is read on every request; a disabled operator's sessions stop at once.
 */
export const operatorCookieName = "coffer_ops";
export const operatorCookiePath = "/v1/ops";

interface SessionRow {
  id: string;
  operator_id: string;
  role: OperatorRole;
  last_seen_at: Date;
}

export type OperatorSessions = ReturnType<typeof createOperatorSessions>;

export function createOperatorSessions(deps: { pool: Pool; clock: Clock }) {
  async function create(
    tx: Queryable,
    input: { operatorId: string; method: "password" | "password_totp"; ip: string | null; userAgent: string | null },
  ): Promise<IssuedSession> {
    const now = deps.clock.now();
    const token = randomToken();
    const id = newId("os");
    const expiresAt = new Date(now.getTime() + consoleSessionTtlMs);
    await tx.query(
      `INSERT INTO operator_sessions (id, token_hash, operator_id, method, ip, user_agent, created_at, last_seen_at,
                                      expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
      [id, sha256(token), input.operatorId, input.method, input.ip, input.userAgent, now, expiresAt],
    );
    return { id, token, csrfToken: csrfTokenFor(token), expiresAt };
  }

  async function find(token: string): Promise<SessionRow | null> {
    const now = deps.clock.now();
    const result = await deps.pool.query<SessionRow>(
      `SELECT s.id, s.operator_id, s.last_seen_at, o.role
         FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
          AND o.disabled_at IS NULL AND NOT o.must_change_password`,
      [sha256(token), now, new Date(now.getTime() - sessionIdleTimeoutMs)],
    );
    return result.rows[0] ?? null;
  }

  async function revoke(db: Queryable, sessionId: string): Promise<void> {
    await db.query("UPDATE operator_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [
      sessionId,
      deps.clock.now(),
    ]);
  }

  async function revokeAllOf(db: Queryable, operatorId: string): Promise<void> {
    await db.query("UPDATE operator_sessions SET revoked_at = $2 WHERE operator_id = $1 AND revoked_at IS NULL", [
      operatorId,
      deps.clock.now(),
    ]);
  }

  const authenticator: Authenticator = {
    name: "operator_session",
    cookie: true,
    async authenticate(request: FastifyRequest): Promise<AuthContext | null> {
      const token = readCookie(request.headers.cookie, operatorCookieName);
      if (!token) return null;
      const row = await find(token);
      if (!row) return null;
      if (isUnsafeMethod(request.method)) {
        const sent = request.headers[csrfHeader];
        if (typeof sent !== "string" || !safeEqual(sent, csrfTokenFor(token))) {
          throw merchantErrors.toApiError("csrf_token_invalid");
        }
      }
      const now = deps.clock.now();
      if (now.getTime() - row.last_seen_at.getTime() >= sessionTouchIntervalMs) {
        await deps.pool.query("UPDATE operator_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2", [
          row.id,
          now,
        ]);
      }
      return { kind: "operator", operatorId: row.operator_id, role: row.role, sessionId: row.id };
    },
  };

  return { create, revoke, revokeAllOf, authenticator };
}

export function operatorCsrfTokenOfRequest(request: FastifyRequest): string | null {
  const token = readCookie(request.headers.cookie, operatorCookieName);
  return token ? csrfTokenFor(token) : null;
}
