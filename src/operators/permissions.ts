import type { FastifyReply, FastifyRequest } from "fastify";
import { authErrors, authOf, guardFor, requireAuth } from "../http/auth.js";
import type { OperatorRole } from "./model.js";

/**
 * What each operator role may do. Reviewers decide KYB applications and see their sensitive fields and documents;
 * support staff can look at the queue (numbers masked) but not decide; admins do everything, including managing
 * operators, reading the platform's whole audit log and the security audit's reports, carrying files to and from the
 * bank and running verify. Everyone can search merchants and wallet users and see the latest verify result. The
 * platform's business figures (volume, active merchants, the KYB funnel) are for admins and reviewers.
 */
export const operatorPermissions = {
  "self.manage": ["admin", "reviewer", "support"],
  "kyb.read": ["admin", "reviewer", "support"],
  "kyb.read_sensitive": ["admin", "reviewer"],
  "kyb.decide": ["admin", "reviewer"],
  "operators.manage": ["admin"],
  "audit_log.read": ["admin"],
  "merchants.read": ["admin", "reviewer", "support"],
  "wallet_users.read": ["admin", "reviewer", "support"],
  "bank_files.manage": ["admin"],
  "verify.read": ["admin", "reviewer", "support"],
  "verify.run": ["admin"],
  "audit_report.read": ["admin"],
  "system_health.read": ["admin", "reviewer", "support"],
  "platform_analytics.read": ["admin", "reviewer"],
  /** Disputes (src/disputes): everyone sees the queue; deciding moves money, like a KYB decision. */
  "disputes.read": ["admin", "reviewer", "support"],
  "disputes.decide": ["admin", "reviewer"],
  /** Custody (src/crypto): everyone sees deposits, alerts and reserves reports; the hot wallets' and withdrawals'
   * queues, and acknowledging an alert, are for those who act on them; a reserves report on demand is an admin's. */
  "crypto.read": ["admin", "reviewer", "support"],
  "crypto.custody": ["admin", "support"],
  "crypto.reserves_run": ["admin"],
  /** Support tickets to the platform (src/support): the support staff answer them. */
  "support.read": ["admin", "reviewer", "support"],
  "support.write": ["admin", "support"],
} as const satisfies Record<string, readonly OperatorRole[]>;

export type OperatorPermission = keyof typeof operatorPermissions;

export function operatorRoleAllows(role: OperatorRole, permission: OperatorPermission): boolean {
  return (operatorPermissions[permission] as readonly OperatorRole[]).includes(role);
}

export function requireOperator(permission: OperatorPermission) {
  const signedIn = requireAuth("operator");
  return guardFor(
    signedIn.authKinds,
    async (request: FastifyRequest, reply: FastifyReply) => {
      await signedIn(request, reply);
      const auth = authOf(request, "operator");
      if (!operatorRoleAllows(auth.role, permission)) {
        throw authErrors.toApiError("permission_denied", `The ${auth.role} role may not do this (${permission}).`);
      }
    },
    `operator roles: ${operatorPermissions[permission].join(", ")}`,
  );
}

export function operatorActor(request: FastifyRequest) {
  const auth = authOf(request, "operator");
  return { operatorId: auth.operatorId, role: auth.role, sessionId: auth.sessionId, ip: request.ip };
}
