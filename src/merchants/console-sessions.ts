import type { FastifyRequest } from "fastify";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import type { AuthContext, Authenticator } from "../http/auth.js";
import { newId } from "../ids.js";
import { consoleSessionTtlMs, sessionIdleTimeoutMs, sessionTouchIntervalMs } from "../limits.js";
import { appendAudit } from "../security/audit.js";
import { isUnsafeMethod, readCookie } from "./cookies.js";
import { merchantErrors } from "./errors.js";
import { type ConsoleRole, fail, ok, type Result } from "./model.js";
import { csrfTokenFor, randomToken, safeEqual, sha256 } from "./tokens.js";

/**
 * Console sessions. The cookie holds 32 random bytes; the table holds their SHA-256, so a database dump cannot be
 * replayed. A session ends at its expiry (consoleSessionTtlMs after login), after sessionIdleTimeoutMs without a
 * request, at logout, when its user's password is reset, or when its user leaves the merchant (the role is read
 * from the membership on every request, so a role change applies at once).
 *
 * The cookie's Path is /v1: the console reads and changes payments, refunds, payouts, webhook endpoints and events
 * through the merchant API itself, as the signed-in user with their role (docs/adr/0011-console-mode.md). The
 * areas with callers of their own (operators, wallet users, the hosted checkout) never see a console session.
 *
 * Each session works in one mode, test or live (stored on the row, test at sign-in). Live mode needs the merchant's
 * KYB approved and the user's second factor; both are checked again on every request, so a session left in live
 * mode falls back to test mode the moment either stops being true.
 */
export const consoleCookieName = "coffer_console";
export const consoleCookiePath = "/v1";
export const csrfHeader = "x-csrf-token";

/** API areas whose callers bring their own credentials; a console cookie sent there is ignored. */
const pathsOutsideTheConsole = ["/v1/ops", "/v1/wallet", "/v1/checkout"];

function isOutsideTheConsole(url: string): boolean {
  const pathName = url.split("?", 1)[0] ?? "";
  return pathsOutsideTheConsole.some((prefix) => pathName === prefix || pathName.startsWith(`${prefix}/`));
}

/** Whether the merchant and user may work in live mode: KYB approved and a second factor on (as SQL, for reuse). */
const liveModeAllowedSql = `
  EXISTS (SELECT 1 FROM kyb_applications k WHERE k.merchant_id = $MERCHANT AND k.state = 'approved')
  AND EXISTS (SELECT 1 FROM merchant_users u WHERE u.id = $USER
               AND (u.totp_enabled_at IS NOT NULL OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id)))`;

function liveModeAllowedFor(merchant: string, user: string): string {
  return liveModeAllowedSql.replaceAll("$MERCHANT", merchant).replaceAll("$USER", user);
}

export type SessionMethod = "password" | "password_totp" | "passkey";

export interface IssuedSession {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

interface SessionRow {
  id: string;
  user_id: string;
  merchant_id: string;
  livemode: boolean;
  role: ConsoleRole;
  last_seen_at: Date;
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;

export function createConsoleSessions(deps: { pool: Pool; clock: Clock }) {
  async function create(
    tx: Queryable,
    input: { userId: string; merchantId: string; method: SessionMethod; ip: string | null; userAgent: string | null },
  ): Promise<IssuedSession> {
    const now = deps.clock.now();
    const token = randomToken();
    const id = newId("cs");
    const expiresAt = new Date(now.getTime() + consoleSessionTtlMs);
    await tx.query(
      `INSERT INTO console_sessions (id, token_hash, user_id, merchant_id, method, ip, user_agent, created_at,
                                     last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
      [id, sha256(token), input.userId, input.merchantId, input.method, input.ip, input.userAgent, now, expiresAt],
    );
    return { id, token, csrfToken: csrfTokenFor(token), expiresAt };
  }

  /** The live session for a cookie token, with the member's current role; null when unknown or ended. */
  async function find(token: string): Promise<SessionRow | null> {
    const now = deps.clock.now();
    const result = await deps.pool.query<SessionRow>(
      `SELECT s.id, s.user_id, s.merchant_id, s.last_seen_at, m.role,
              s.livemode AND ${liveModeAllowedFor("s.merchant_id", "s.user_id")} AS livemode
         FROM console_sessions s
         JOIN merchant_members m ON m.merchant_id = s.merchant_id AND m.user_id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3`,
      [sha256(token), now, new Date(now.getTime() - sessionIdleTimeoutMs)],
    );
    return result.rows[0] ?? null;
  }

  /** Moves the idle deadline, at most once per sessionTouchIntervalMs (no write per request). */
  async function touch(row: SessionRow): Promise<void> {
    const now = deps.clock.now();
    if (now.getTime() - row.last_seen_at.getTime() < sessionTouchIntervalMs) return;
    await deps.pool.query("UPDATE console_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2", [
      row.id,
      now,
    ]);
  }

  /** Whether this user may switch this merchant's console to live mode now. */
  async function liveModeAllowed(db: Queryable, merchantId: string, userId: string): Promise<boolean> {
    const result = await db.query<{ allowed: boolean }>(`SELECT ${liveModeAllowedFor("$1", "$2")} AS allowed`, [
      merchantId,
      userId,
    ]);
    return result.rows[0]?.allowed === true;
  }

  /**
   * Switches a session between test and live mode. Live mode is refused (live_mode_unavailable) until the merchant's
   * KYB is approved and the user has a second factor; test mode is always allowed.
   */
  async function setMode(
    session: { sessionId: string; merchantId: string; userId: string; ip: string | null },
    livemode: boolean,
  ): Promise<Result<{ livemode: boolean }, "live_mode_unavailable">> {
    return withTransaction(deps.pool, async (tx) => {
      if (livemode && !(await liveModeAllowed(tx, session.merchantId, session.userId))) {
        return fail("live_mode_unavailable");
      }
      const changed = await tx.query("UPDATE console_sessions SET livemode = $2 WHERE id = $1 AND livemode <> $2", [
        session.sessionId,
        livemode,
      ]);
      if (changed.rowCount === 1) {
        await appendAudit(
          tx,
          {
            actorType: "merchant_user",
            actorId: session.userId,
            merchantId: session.merchantId,
            action: livemode ? "console.live_mode_entered" : "console.test_mode_entered",
            targetType: "console_session",
            targetId: session.sessionId,
            ip: session.ip,
          },
          deps.clock.now(),
        );
      }
      return ok({ livemode });
    });
  }

  async function revoke(db: Queryable, sessionId: string): Promise<void> {
    await db.query("UPDATE console_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [
      sessionId,
      deps.clock.now(),
    ]);
  }

  async function revokeAllOfUser(db: Queryable, userId: string, merchantId?: string): Promise<void> {
    await db.query(
      `UPDATE console_sessions SET revoked_at = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::text IS NULL OR merchant_id = $3)`,
      [userId, deps.clock.now(), merchantId ?? null],
    );
  }

  /**
   * The console authenticator: the session cookie, plus the CSRF header on every unsafe method. An unknown or
   * ended session is no caller at all (the route then answers 401), so an old cookie never blocks signing in again.
   */
  const authenticator: Authenticator = {
    name: "console_session",
    cookie: true,
    async authenticate(request: FastifyRequest): Promise<AuthContext | null> {
      if (isOutsideTheConsole(request.url)) return null;
      const token = readCookie(request.headers.cookie, consoleCookieName);
      if (!token) return null;
      const row = await find(token);
      if (!row) return null;
      if (isUnsafeMethod(request.method)) {
        const sent = request.headers[csrfHeader];
        if (typeof sent !== "string" || !safeEqual(sent, csrfTokenFor(token))) {
          throw merchantErrors.toApiError("csrf_token_invalid");
        }
      }
      await touch(row);
      return {
        kind: "console",
        userId: row.user_id,
        merchantId: row.merchant_id,
        role: row.role,
        livemode: row.livemode,
        sessionId: row.id,
      };
    },
  };

  return { create, find, liveModeAllowed, setMode, revoke, revokeAllOfUser, authenticator };
}

/** The CSRF token of the request's own session cookie (for GET /me, so a reloaded console page can get it again). */
export function csrfTokenOfRequest(request: FastifyRequest): string | null {
  const token = readCookie(request.headers.cookie, consoleCookieName);
  return token ? csrfTokenFor(token) : null;
}
