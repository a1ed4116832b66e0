import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiRequestError } from "../shared/api";
import { api, type Operator, type OperatorRole, type OperatorSession, onUnauthorized, setCsrfToken } from "./api";

/**
 * Who is signed in to the operator console. GET /v1/ops/me at start (the cookie survives a reload; the CSRF token
 * comes back with it); any 401 later means the session ended or the operator was disabled: back to sign-in.
 */
type SessionState = { status: "loading" } | { status: "signed_out" } | { status: "signed_in"; operator: Operator };

interface SessionValue {
  state: SessionState;
  signedIn(session: OperatorSession): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const signedIn = useCallback((session: OperatorSession) => {
    setCsrfToken(session.csrf_token);
    setState({ status: "signed_in", operator: session.operator });
  }, []);

  const signedOut = useCallback(() => {
    setCsrfToken(undefined);
    setState({ status: "signed_out" });
  }, []);

  const refresh = useCallback(async () => {
    try {
      signedIn(await api.get<OperatorSession>("/v1/ops/me"));
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) signedOut();
      else throw error;
    }
  }, [signedIn, signedOut]);

  const signOut = useCallback(async () => {
    try {
      await api.post("/v1/ops/logout");
    } finally {
      signedOut();
    }
  }, [signedOut]);

  useEffect(() => {
    onUnauthorized(signedOut);
    refresh().catch(signedOut);
    return () => onUnauthorized(undefined);
  }, [refresh, signedOut]);

  const value = useMemo(() => ({ state, signedIn, refresh, signOut }), [state, signedIn, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

export function useOperator(): Operator {
  const { state } = useSession();
  if (state.status !== "signed_in") throw new Error("useOperator outside a signed-in page");
  return state.operator;
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
} as const satisfies Record<string, readonly OperatorRole[]>;

export type ConsolePermission = keyof typeof permissions;

export function can(operator: Operator, permission: ConsolePermission): boolean {
  return (permissions[permission] as readonly OperatorRole[]).includes(operator.role);
}
