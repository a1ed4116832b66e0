import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { personNameLengthMax, teamInviteTtlMs } from "../limits.js";
import type { NotificationService } from "../notifications/service.js";
import { appendAudit } from "../security/audit.js";
import { checkPassword, hashPassword, type PasswordProblem, verifyPassword } from "../security/passwords.js";
import type { ConsoleSessions } from "./console-sessions.js";
import { normalizeEmail } from "./email-address.js";
import { consoleLink } from "./links.js";
import { recordFailure, recordSuccess, reserveAttempt } from "./lockout.js";
import { teamInviteTemplate } from "./messages.js";
import { type AssignableRole, type ConsoleActor, type ConsoleRole, fail, ok, type Result } from "./model.js";
import { randomToken, sha256 } from "./tokens.js";
import type { TotpFactor } from "./totp-factor.js";
import { findUserByEmail, findUserById } from "./users.js";

/**
 * The team of a merchant: invites by email (a single-use link, teamInviteTtlMs), members with roles, role changes
 * and removals. There is exactly one owner, who signed the merchant up; the owner cannot be removed or demoted (the
 * database enforces it too) and "owner" is not a role anyone can be given. Someone who already has a console
 * account accepts with their password (and code); a new person sets a password while accepting, and the link
 * proves their address.
 */
export interface Invite {
  id: string;
  email: string;
  role: AssignableRole;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

export interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: ConsoleRole;
  twoFactor: boolean;
  joinedAt: Date;
}

interface InviteRow {
  id: string;
  merchant_id: string;
  email: string;
  role: AssignableRole;
  locale: "en" | "zh-CN";
  invited_by: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

function inviteFromRow(row: InviteRow): Invite {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
  };
}

export type TeamFailure =
  | "email_invalid"
  | "already_member"
  | "owner_immutable"
  | "resource_not_found"
  | "link_invalid"
  | "link_expired"
  | "login_failed"
  | "account_locked"
  | "two_factor_required"
  | "totp_invalid"
  | "totp_replayed"
  | "parameter_invalid"
  | PasswordProblem;

export type TeamService = ReturnType<typeof createTeamService>;

export function createTeamService(deps: {
  pool: Pool;
  clock: Clock;
  notifications: NotificationService;
  sessions: ConsoleSessions;
  totp: TotpFactor;
}) {
  async function audit(
    tx: Queryable,
    actor: ConsoleActor | { userId: string; merchantId: string; ip?: string | null },
    action: string,
    targetType: string,
    targetId: string,
    details: Record<string, unknown> = {},
  ) {
    await appendAudit(
      tx,
      {
        actorType: "merchant_user",
        actorId: actor.userId,
        merchantId: actor.merchantId,
        action,
        targetType,
        targetId,
        ip: actor.ip ?? null,
        details,
      },
      deps.clock.now(),
    );
  }

  async function invite(
    actor: ConsoleActor,
    input: { email: string; role: AssignableRole },
    linkBase: string,
  ): Promise<Result<Invite, TeamFailure>> {
    const email = normalizeEmail(input.email);
    if (!email) return fail("email_invalid", undefined, "email");
    const inviter = await findUserById(deps.pool, actor.userId);
    if (!inviter) return fail("resource_not_found");
    const now = deps.clock.now();
    const token = randomToken();
    const created = await withTransaction(deps.pool, async (tx): Promise<Result<Invite, TeamFailure>> => {
      const member = await tx.query(
        `SELECT 1 FROM merchant_members m JOIN merchant_users u ON u.id = m.user_id
          WHERE m.merchant_id = $1 AND u.email = $2`,
        [actor.merchantId, email],
      );
      if (member.rowCount !== 0) return fail("already_member", undefined, "email");
      const merchant = await tx.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
        actor.merchantId,
      ]);
      // An open invite to the same address expires when a new one is sent.
      await tx.query(
        `UPDATE team_invites SET revoked_at = $3
          WHERE merchant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL`,
        [actor.merchantId, email, now],
      );
      const inserted = await tx.query<InviteRow>(
        `INSERT INTO team_invites (id, merchant_id, email, role, locale, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          newId("inv"),
          actor.merchantId,
          email,
          input.role,
          inviter.locale,
          sha256(token),
          actor.userId,
          now,
          new Date(now.getTime() + teamInviteTtlMs),
        ],
      );
      const row = inserted.rows[0]!;
      await deps.notifications.enqueue(tx, {
        channel: "email",
        to: email,
        template: teamInviteTemplate,
        locale: inviter.locale,
        merchantId: actor.merchantId,
        vars: {
          business_name: merchant.rows[0]?.business_name ?? "",
          inviter: inviter.name ?? inviter.email,
          role: input.role,
          link: consoleLink(linkBase, "accept-invite", token),
          days: String(teamInviteTtlMs / 86_400_000),
        },
      });
      await audit(tx, actor, "team.invited", "team_invite", row.id, { email, role: input.role });
      return ok(inviteFromRow(row));
    });
    if (created.ok) deps.notifications.kick();
    return created;
  }

  async function listInvites(merchantId: string, page: PageRequest): Promise<ListPage<Invite>> {
    const rows = await keysetPage<InviteRow>(deps.pool, page, {
      from: "team_invites",
      scope: "merchant_id = $1",
      params: [merchantId],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, inviteFromRow);
  }

  async function revokeInvite(actor: ConsoleActor, id: string): Promise<Result<Invite, TeamFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const found = await tx.query<InviteRow>(
        "SELECT * FROM team_invites WHERE id = $1 AND merchant_id = $2 FOR UPDATE",
        [id, actor.merchantId],
      );
      const row = found.rows[0];
      if (!row) return fail("resource_not_found");
      if (row.accepted_at || row.revoked_at) return ok(inviteFromRow(row));
      const updated = await tx.query<InviteRow>("UPDATE team_invites SET revoked_at = $2 WHERE id = $1 RETURNING *", [
        id,
        deps.clock.now(),
      ]);
      await audit(tx, actor, "team.invite_revoked", "team_invite", id, { email: row.email });
      return ok(inviteFromRow(updated.rows[0]!));
    });
  }

  async function acceptInvite(input: {
    token: string;
    password: string;
    name: string | null;
    totpCode?: string;
    ip: string | null;
  }): Promise<Result<{ merchantId: string; businessName: string; role: AssignableRole; email: string }, TeamFailure>> {
    const now = deps.clock.now();
    const found = await deps.pool.query<InviteRow>("SELECT * FROM team_invites WHERE token_hash = $1", [
      sha256(input.token),
    ]);
    const inviteRow = found.rows[0];
    if (!inviteRow || inviteRow.accepted_at || inviteRow.revoked_at) return fail("link_invalid");
    if (inviteRow.expires_at.getTime() <= now.getTime()) return fail("link_expired");
    const name = input.name?.trim() || null;
    if (name !== null && name.length > personNameLengthMax) return fail("parameter_invalid", undefined, "name");

    const existing = await findUserByEmail(deps.pool, inviteRow.email);
    let newUserHash: string | null = null;
    if (existing) {
      // The invitee has an account: they prove it is theirs as at sign-in.
      const reserved = await reserveAttempt(deps.pool, "merchant_users", existing.id, now);
      if (!reserved.ok) return fail("account_locked");
      if (!(await verifyPassword(existing.password_hash, input.password))) {
        await recordFailure(deps.pool, "merchant_users", existing.id, now);
        return fail("login_failed");
      }
      if (existing.totp_enabled_at !== null) {
        if (input.totpCode === undefined) return fail("two_factor_required");
        const checked = await deps.totp.verify(deps.pool, existing.id, input.totpCode);
        if (!checked.ok) {
          await recordFailure(deps.pool, "merchant_users", existing.id, now);
          return fail(checked.code === "totp_replayed" ? "totp_replayed" : "totp_invalid");
        }
      }
      await recordSuccess(deps.pool, "merchant_users", existing.id);
    } else {
      const problem = checkPassword(input.password, [inviteRow.email]);
      if (problem) return fail(problem, undefined, "password");
      newUserHash = await hashPassword(input.password);
    }

    return withTransaction(deps.pool, async (tx) => {
      const claimed = await tx.query<InviteRow>(
        `UPDATE team_invites SET accepted_at = $2
          WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING *`,
        [inviteRow.id, now],
      );
      if (claimed.rowCount !== 1) return fail("link_invalid");
      let userId = existing?.id;
      if (!userId) {
        userId = newId("usr");
        const inserted = await tx.query(
          `INSERT INTO merchant_users (id, email, password_hash, name, locale, email_verified_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (email) DO NOTHING`,
          [userId, inviteRow.email, newUserHash, name, inviteRow.locale, now],
        );
        if (inserted.rowCount !== 1) return fail("link_invalid", "Accept the invitation again: the account changed.");
      }
      const member = await tx.query(
        `INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [inviteRow.merchant_id, userId, inviteRow.role, now],
      );
      if (member.rowCount !== 1) return fail("already_member");
      await tx.query("UPDATE team_invites SET accepted_by = $2 WHERE id = $1", [inviteRow.id, userId]);
      await audit(
        tx,
        { userId, merchantId: inviteRow.merchant_id, ip: input.ip },
        "team.invite_accepted",
        "team_invite",
        inviteRow.id,
        { role: inviteRow.role },
      );
      const merchant = await tx.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
        inviteRow.merchant_id,
      ]);
      return ok({
        merchantId: inviteRow.merchant_id,
        businessName: merchant.rows[0]?.business_name ?? "",
        role: inviteRow.role,
        email: inviteRow.email,
      });
    });
  }

  interface MemberRow {
    user_id: string;
    email: string;
    name: string | null;
    role: ConsoleRole;
    two_factor: boolean;
    created_at: Date;
  }

  const memberFromRow = (row: MemberRow): Member => ({
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    twoFactor: row.two_factor,
    joinedAt: row.created_at,
  });

  const memberSelect = `SELECT m.user_id, m.merchant_id, u.email, u.name, m.role, m.role <> 'owner' AS not_owner, m.created_at,
      (u.totp_enabled_at IS NOT NULL OR EXISTS (SELECT 1 FROM webauthn_credentials c WHERE c.user_id = u.id)) AS two_factor
    FROM merchant_members m JOIN merchant_users u ON u.id = m.user_id`;

  /** Members, oldest first (the owner first of all). The cursor is a user id. */
  async function listMembers(merchantId: string, page: PageRequest): Promise<ListPage<Member>> {
    // (not owner, joined, id): false sorts before true, so the owner comes first, then by when they joined.
    const rows = await keysetPage<MemberRow>(deps.pool, page, {
      from: `(${memberSelect}) members`,
      scope: "merchant_id = $1",
      params: [merchantId],
      idColumn: "user_id",
      sortColumns: ["not_owner", "created_at", "user_id"],
      order: "asc",
    });
    return mapPage(rows, memberFromRow);
  }

  async function memberRow(db: Queryable, merchantId: string, userId: string, lock = false) {
    const result = await db.query<MemberRow>(
      `${memberSelect} WHERE m.merchant_id = $1 AND m.user_id = $2${lock ? " FOR UPDATE OF m" : ""}`,
      [merchantId, userId],
    );
    return result.rows[0];
  }

  async function changeRole(
    actor: ConsoleActor,
    userId: string,
    role: AssignableRole,
  ): Promise<Result<Member, TeamFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const member = await memberRow(tx, actor.merchantId, userId, true);
      if (!member) return fail("resource_not_found");
      if (member.role === "owner") return fail("owner_immutable");
      if (member.role === role) return ok(memberFromRow(member));
      await tx.query("UPDATE merchant_members SET role = $3 WHERE merchant_id = $1 AND user_id = $2", [
        actor.merchantId,
        userId,
        role,
      ]);
      await audit(tx, actor, "team.role_changed", "merchant_user", userId, { from: member.role, to: role });
      return ok(memberFromRow({ ...member, role }));
    });
  }

  async function removeMember(actor: ConsoleActor, userId: string): Promise<Result<Member, TeamFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const member = await memberRow(tx, actor.merchantId, userId, true);
      if (!member) return fail("resource_not_found");
      if (member.role === "owner") return fail("owner_immutable");
      await tx.query("DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2", [
        actor.merchantId,
        userId,
      ]);
      await deps.sessions.revokeAllOfUser(tx, userId, actor.merchantId);
      await audit(tx, actor, "team.member_removed", "merchant_user", userId, { role: member.role });
      return ok(memberFromRow(member));
    });
  }

  return { invite, listInvites, revokeInvite, acceptInvite, listMembers, changeRole, removeMember };
}
