import type { ReactNode } from "react";
import {
  type CookieSessionEndpoints,
  CookieSessionProvider,
  type CookieSessionValue,
  useCookieSession,
} from "../shared/cookie-session";
import { api, type Operator, type OperatorRole, type OperatorSession, onUnauthorized, setCsrfToken } from "./api";

/**
 * Who is signed in to the operator console: the session of GET /v1/ops/me (see CookieSessionProvider); a 401 also
 * comes when the operator was disabled.
 */
const endpoints: CookieSessionEndpoints = {
  api,
  mePath: "/v1/ops/me",
  logoutPath: "/v1/ops/logout",
  setCsrfToken,
  onUnauthorized,
};

export function SessionProvider({ children }: { children: ReactNode }) {
  return <CookieSessionProvider<OperatorSession> endpoints={endpoints}>{children}</CookieSessionProvider>;
}

export function useSession(): CookieSessionValue<OperatorSession> {
  return useCookieSession<OperatorSession>();
}

export function useOperator(): Operator {
  const { state } = useSession();
  if (state.status !== "signed_in") throw new Error("useOperator outside a signed-in page");
  return state.me.operator;
}

/** What each role may do, as src/operators/permissions.ts says; the API refuses anyway, the pages hide what fails. */
const permissions = {
  "kyb.decide": ["admin", "reviewer"],
  "kyb.documents": ["admin", "reviewer"],
  "kyc.review": ["admin", "reviewer"],
  "wallet_users.freeze": ["admin", "support"],
  "audit_log.read": ["admin"],
  "operators.manage": ["admin"],
  "bank_files.manage": ["admin"],
  "verify.run": ["admin"],
  "audit_report.read": ["admin"],
  "platform_analytics.read": ["admin", "reviewer"],
  "system_health.read": ["admin", "reviewer", "support"],
} as const satisfies Record<string, readonly OperatorRole[]>;

export type ConsolePermission = keyof typeof permissions;

export function can(operator: Operator, permission: ConsolePermission): boolean {
  return (permissions[permission] as readonly OperatorRole[]).includes(operator.role);
}
