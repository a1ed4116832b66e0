import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiRequestError } from "../shared/api";
import { api, type Me, onUnauthorized, setCsrfToken } from "./api";

/**
 * Who is signed in. The console asks GET /v1/console/me once at start (a reload keeps the session: the cookie is
 * HttpOnly and the CSRF token comes back with /me). Any 401 later means the session ended: back to sign-in.
 */
type SessionState = { status: "loading" } | { status: "signed_out" } | { status: "signed_in"; me: Me };

interface SessionValue {
  state: SessionState;
  /** After sign-in, a mode switch or a change to two-factor: the new session object. */
  signedIn(me: Me): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const signedIn = useCallback((me: Me) => {
    setCsrfToken(me.csrf_token);
    setState({ status: "signed_in", me });
  }, []);

  const refresh = useCallback(async () => {
    try {
      signedIn(await api.get<Me>("/v1/console/me"));
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) {
        setCsrfToken(undefined);
        setState({ status: "signed_out" });
      } else {
        throw error;
      }
    }
  }, [signedIn]);

  const signOut = useCallback(async () => {
    try {
      await api.post("/v1/console/logout");
    } finally {
      setCsrfToken(undefined);
      setState({ status: "signed_out" });
    }
  }, []);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(undefined);
      setState({ status: "signed_out" });
    });
    refresh().catch(() => setState({ status: "signed_out" }));
    return () => onUnauthorized(undefined);
  }, [refresh]);

  const value = useMemo(() => ({ state, signedIn, refresh, signOut }), [state, signedIn, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in session; pages inside the shell only render when there is one. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== "signed_in") throw new Error("useMe outside a signed-in page");
  return state.me;
}

const writers = new Set(["owner", "admin", "developer"]);
/** Whether the role may change payments, keys and webhooks (the API refuses anyway; the page hides what fails). */
export function canWrite(me: Me): boolean {
  return writers.has(me.role);
}
export function isAdmin(me: Me): boolean {
  return me.role === "owner" || me.role === "admin";
}
