import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import {
  loginFailuresPerIpMax,
  loginFailureWindowMs,
  operatorOneTimePasswordLength,
  personNameLengthMax,
} from "../limits.js";
import type { IssuedSession } from "../merchants/console-sessions.js";
import { normalizeEmail } from "../merchants/email-address.js";
import { recordFailure, recordSuccess, releaseAttempt, reserveAttempt } from "../merchants/lockout.js";
import { fail, ok, type Result } from "../merchants/model.js";
import { hitRateLimit, rateLimitCount, retryAfterSeconds } from "../merchants/rate-limits.js";
import { randomBase62 } from "../merchants/tokens.js";
import type { TotpFactor } from "../merchants/totp-factor.js";
import { type AuditEntry, appendAudit } from "../security/audit.js";
import { checkPassword, hashPassword, type PasswordProblem, verifyPassword } from "../security/passwords.js";
import type { Operator, OperatorRole } from "./model.js";
import type { OperatorSessions } from "./sessions.js";

/**
 * Operator accounts. An operator is created (by `coffer operator create` or by an admin) with a random one-time
 * password, shown once; the first sign-in must set a password of their own (`new_password`), and no session exists
 * before that. Sign-in follows the console's rules: lockout, per-address limit, TOTP when enrolled, audit records.
 */
interface OperatorRow {
  id: string;
  email: string;
  name: string | null;
  role: OperatorRole;
  password_hash: string;
  must_change_password: boolean;
  totp_enabled_at: Date | null;
  disabled_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

function operatorFromRow(row: OperatorRow): Operator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    mustChangePassword: row.must_change_password,
    totpEnabled: row.totp_enabled_at !== null,
    disabledAt: row.disabled_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export type OperatorLoginFailure =
  | "email_invalid"
  | "login_failed"
  | "account_locked"
  | "password_change_required"
  | "two_factor_required"
  | "totp_invalid"
  | "totp_replayed"
  | "rate_limited"
  | "parameter_invalid"
  | PasswordProblem;

export interface NewOperator {
  email: string;
  role: OperatorRole;
  name: string | null;
  /** The admin creating them; null for `coffer operator create`. */
  createdBy: string | null;
  ip: string | null;
}

/**
 * Creates an operator with a random one-time password (returned once, stored as its argon2id hash). Used by the
 * admin API and by `coffer operator create`, which has no other service.
 */
export async function createOperator(
  deps: { pool: Pool; clock: Clock },
  input: NewOperator,
): Promise<
  Result<
    { operator: Operator; oneTimePassword: string },
    "email_invalid" | "operator_email_taken" | "parameter_invalid"
  >
> {
  const email = normalizeEmail(input.email);
  if (!email) return fail("email_invalid", undefined, "email");
  const name = input.name?.trim() || null;
  if (name !== null && name.length > personNameLengthMax) return fail("parameter_invalid", undefined, "name");
  const oneTimePassword = randomBase62(operatorOneTimePasswordLength);
  const passwordHash = await hashPassword(oneTimePassword);
  const now = deps.clock.now();
  return withTransaction(deps.pool, async (tx) => {
    const inserted = await tx.query<OperatorRow>(
      `INSERT INTO operators (id, email, name, role, password_hash, must_change_password, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, true, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING *`,
      [newId("op"), email, name, input.role, passwordHash, input.createdBy, now],
    );
    const row = inserted.rows[0];
    if (!row) return fail("operator_email_taken", undefined, "email");
    await appendAudit(
      tx,
      {
        actorType: input.createdBy ? "operator" : "system",
        actorId: input.createdBy,
        merchantId: null,
        action: "operator.created",
        targetType: "operator",
        targetId: row.id,
        ip: input.ip,
        details: { email, role: input.role },
      },
      now,
    );
    return ok({ operator: operatorFromRow(row), oneTimePassword });
  });
}

export type OperatorAccounts = ReturnType<typeof createOperatorAccounts>;

export function createOperatorAccounts(deps: {
  pool: Pool;
  clock: Clock;
  sessions: OperatorSessions;
  totp: TotpFactor;
}) {
  const ipBucket = (ip: string) => `ops_login_failures:ip:${ip}`;

  async function byEmail(db: Queryable, email: string): Promise<OperatorRow | undefined> {
    return (await db.query<OperatorRow>("SELECT * FROM operators WHERE email = $1", [email])).rows[0];
  }

  async function get(id: string): Promise<Operator | undefined> {
    const row = (await deps.pool.query<OperatorRow>("SELECT * FROM operators WHERE id = $1", [id])).rows[0];
    return row ? operatorFromRow(row) : undefined;
  }

  const create = (input: NewOperator) => createOperator(deps, input);

  async function loginFailed(ip: string | null, email: string, operatorId: string | null, reason: string) {
    const now = deps.clock.now();
    await withTransaction(deps.pool, async (tx) => {
      if (ip) await hitRateLimit(tx, ipBucket(ip), loginFailureWindowMs, now);
      await appendAudit(
        tx,
        {
          actorType: "operator",
          actorId: operatorId,
          merchantId: null,
          action: "ops.login_failed",
          ip,
          details: { email, reason },
        },
        now,
      );
    });
  }

  async function login(input: {
    email: string;
    password: string;
    newPassword?: string;
    totpCode?: string;
    ip: string | null;
    userAgent: string | null;
  }): Promise<Result<{ session: IssuedSession; operator: Operator }, OperatorLoginFailure>> {
    const email = normalizeEmail(input.email);
    if (!email) return fail("email_invalid", undefined, "email");
    const now = deps.clock.now();
    if (
      input.ip &&
      (await rateLimitCount(deps.pool, ipBucket(input.ip), loginFailureWindowMs, now)) >= loginFailuresPerIpMax
    ) {
      return { ...fail("rate_limited"), retryAfterS: retryAfterSeconds(now, loginFailureWindowMs) };
    }
    const row = await byEmail(deps.pool, email);
    if (!row || row.disabled_at) {
      await verifyPassword(null, input.password);
      await loginFailed(input.ip, email, row?.id ?? null, row ? "disabled" : "unknown_email");
      return fail("login_failed");
    }
    const reserved = await reserveAttempt(deps.pool, "operators", row.id, now);
    if (!reserved.ok) {
      await loginFailed(input.ip, email, row.id, "locked");
      return fail("account_locked");
    }
    if (!(await verifyPassword(row.password_hash, input.password))) {
      await recordFailure(deps.pool, "operators", row.id, now);
      await loginFailed(input.ip, email, row.id, "wrong_password");
      return fail("login_failed");
    }
    let newHash: string | null = null;
    if (row.must_change_password) {
      if (input.newPassword === undefined) {
        await releaseAttempt(deps.pool, "operators", row.id);
        return fail("password_change_required");
      }
      const problem = checkPassword(input.newPassword, [email]);
      if (problem) {
        await releaseAttempt(deps.pool, "operators", row.id);
        return fail(problem, undefined, "new_password");
      }
      if (input.newPassword === input.password) {
        await releaseAttempt(deps.pool, "operators", row.id);
        return fail("parameter_invalid", "new_password must differ from the one-time password.", "new_password");
      }
      newHash = await hashPassword(input.newPassword);
    }
    let method: "password" | "password_totp" = "password";
    if (row.totp_enabled_at !== null) {
      if (input.totpCode === undefined) {
        await releaseAttempt(deps.pool, "operators", row.id);
        return fail("two_factor_required");
      }
      const checked = await deps.totp.verify(deps.pool, row.id, input.totpCode);
      if (!checked.ok) {
        const code = checked.code === "totp_replayed" ? "totp_replayed" : "totp_invalid";
        await recordFailure(deps.pool, "operators", row.id, now);
        await loginFailed(input.ip, email, row.id, code);
        return fail(code);
      }
      method = "password_totp";
    }
    return withTransaction(deps.pool, async (tx) => {
      await recordSuccess(tx, "operators", row.id);
      if (newHash) {
        await tx.query("UPDATE operators SET password_hash = $2, must_change_password = false WHERE id = $1", [
          row.id,
          newHash,
        ]);
        await appendAudit(
          tx,
          { actorType: "operator", actorId: row.id, merchantId: null, action: "ops.password_changed", ip: input.ip },
          now,
        );
      }
      const session = await deps.sessions.create(tx, {
        operatorId: row.id,
        method,
        ip: input.ip,
        userAgent: input.userAgent,
      });
      await appendAudit(
        tx,
        {
          actorType: "operator",
          actorId: row.id,
          merchantId: null,
          action: "ops.login_succeeded",
          targetType: "operator_session",
          targetId: session.id,
          ip: input.ip,
          details: { method },
        },
        now,
      );
      return ok({ session, operator: operatorFromRow({ ...row, must_change_password: false }) });
    });
  }

  async function logout(actor: { operatorId: string; sessionId: string; ip: string | null }) {
    await withTransaction(deps.pool, async (tx) => {
      await deps.sessions.revoke(tx, actor.sessionId);
      await appendAudit(
        tx,
        {
          actorType: "operator",
          actorId: actor.operatorId,
          merchantId: null,
          action: "ops.logged_out",
          targetType: "operator_session",
          targetId: actor.sessionId,
          ip: actor.ip,
        },
        deps.clock.now(),
      );
    });
  }

  async function list(page: PageRequest): Promise<ListPage<Operator>> {
    const rows = await keysetPage<OperatorRow>(deps.pool, page, {
      from: "operators",
      scope: "TRUE",
      params: [],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "asc",
    });
    return mapPage(rows, operatorFromRow);
  }

  /** An admin changes another operator's role or disables them (which ends their sessions). */
  async function update(
    actor: { operatorId: string; ip: string | null },
    id: string,
    change: { role?: OperatorRole; disabled?: boolean },
  ): Promise<Result<Operator, "resource_not_found" | "parameter_invalid">> {
    if (id === actor.operatorId) {
      return fail("parameter_invalid", "Operators cannot change their own role or disable themselves.", "id");
    }
    return withTransaction(deps.pool, async (tx) => {
      const found = await tx.query<OperatorRow>("SELECT * FROM operators WHERE id = $1 FOR UPDATE", [id]);
      const row = found.rows[0];
      if (!row) return fail("resource_not_found");
      const now = deps.clock.now();
      const role = change.role ?? row.role;
      const disabledAt =
        change.disabled === undefined ? row.disabled_at : change.disabled ? (row.disabled_at ?? now) : null;
      const updated = await tx.query<OperatorRow>(
        "UPDATE operators SET role = $2, disabled_at = $3 WHERE id = $1 RETURNING *",
        [id, role, disabledAt],
      );
      if (disabledAt) await deps.sessions.revokeAllOf(tx, id);
      const entry: AuditEntry = {
        actorType: "operator",
        actorId: actor.operatorId,
        merchantId: null,
        action: "operator.updated",
        targetType: "operator",
        targetId: id,
        ip: actor.ip,
        details: { role: { from: row.role, to: role }, disabled: disabledAt !== null },
      };
      await appendAudit(tx, entry, now);
      return ok(operatorFromRow(updated.rows[0]!));
    });
  }

  return { create, login, logout, list, get, update };
}
