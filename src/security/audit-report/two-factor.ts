import { securityAuditSubjectsMax } from "../../limits.js";
import { type AuditContext, type Finding, subjectList } from "./model.js";

/**
 * People who can change what others may do, signing in with a password alone: operators (any role sees merchants'
 * and wallet users' data; admins manage operators and run the bank files), and merchant owners and admins (they
 * manage the team and the keys). A second factor is an authenticator app, or for console users also a passkey.
 */
export async function checkTwoFactor(context: AuditContext): Promise<Finding[]> {
  return [...(await operatorFindings(context)), ...(await merchantAdminFindings(context))];
}

async function operatorFindings(context: AuditContext): Promise<Finding[]> {
  const operators = await context.pool.query<{ email: string; role: string }>(
    `SELECT email, role FROM operators
      WHERE disabled_at IS NULL AND totp_enabled_at IS NULL
      ORDER BY (role = 'admin') DESC, created_at, id`,
  );
  if (operators.rows.length === 0) return [];
  const admins = operators.rows.filter((o) => o.role === "admin").length;
  const names = operators.rows.map((o) => `${o.email} (${o.role})`);
  return [
    {
      id: "operators_without_two_factor",
      severity: admins > 0 ? "high" : "medium",
      title: `${operators.rows.length} operator(s) sign in without a second factor`,
      detail: `Operators: ${subjectList(names, securityAuditSubjectsMax)}. A stolen password is enough to open the operator console${admins > 0 ? ", as an admin" : ""}.`,
      remedy:
        "Each of them turns on an authenticator app in the operator console (Security); an admin disables the " +
        "accounts nobody uses (Operators page).",
    },
  ];
}

async function merchantAdminFindings(context: AuditContext): Promise<Finding[]> {
  const members = await context.pool.query<{ email: string; role: string; merchant_id: string }>(
    `SELECT u.email, m.role, m.merchant_id
       FROM merchant_members m JOIN merchant_users u ON u.id = m.user_id
      WHERE m.role IN ('owner', 'admin') AND u.totp_enabled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id)
      ORDER BY m.merchant_id, (m.role = 'owner') DESC, u.email`,
  );
  if (members.rows.length === 0) return [];
  const names = members.rows.map((m) => `${m.email} (${m.role} of ${m.merchant_id})`);
  return [
    {
      id: "merchant_admins_without_two_factor",
      severity: "medium",
      title: `${members.rows.length} merchant owner(s) or admin(s) sign in without a second factor`,
      detail:
        `Console users: ${subjectList(names, securityAuditSubjectsMax)}. Live mode already asks for a second ` +
        "factor, but with a password alone these accounts manage the team and the test-mode keys and webhooks.",
      remedy:
        "Ask them to turn on an authenticator app or add a passkey (console: Security). Merchants' own settings " +
        "cannot be changed by operators.",
    },
  ];
}
