import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { type ApiClient, ApiRequestError } from "./api";

/**
 * A cookie session with a CSRF token, as the merchant console and the operator console keep theirs. The app asks
 * its /me endpoint once at start (the cookie is HttpOnly and survives a reload; the CSRF token comes back with /me).
 * Any 401 later means the session ended: back to sign-in. Each console is its own page, so one context serves both.
 */
export type CookieSessionState<S> = { status: "loading" } | { status: "signed_out" } | { status: "signed_in"; me: S };

export interface CookieSessionValue<S> {
  state: CookieSessionState<S>;
  /** After sign-in, or anything else that answers a new session object. */
  signedIn(session: S): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

/** Where a console's session lives; pass a module-level constant (the provider's callbacks depend on it). */
export interface CookieSessionEndpoints {
  api: ApiClient;
  mePath: string;
  logoutPath: string;
  setCsrfToken(token: string | undefined): void;
  onUnauthorized(listener: (() => void) | undefined): void;
}

const CookieSessionContext = createContext<CookieSessionValue<unknown> | null>(null);

export function CookieSessionProvider<S extends { csrf_token: string }>({
  endpoints,
  children,
}: {
  endpoints: CookieSessionEndpoints;
  children: ReactNode;
}) {
  const { api, mePath, logoutPath, setCsrfToken, onUnauthorized } = endpoints;
  const [state, setState] = useState<CookieSessionState<S>>({ status: "loading" });

  const signedIn = useCallback(
    (session: S) => {
      setCsrfToken(session.csrf_token);
      setState({ status: "signed_in", me: session });
    },
    [setCsrfToken],
  );

  const signedOut = useCallback(() => {
    setCsrfToken(undefined);
    setState({ status: "signed_out" });
  }, [setCsrfToken]);

  const refresh = useCallback(async () => {
    try {
      signedIn(await api.get<S>(mePath));
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) signedOut();
      else throw error;
    }
  }, [api, mePath, signedIn, signedOut]);

  const signOut = useCallback(async () => {
    try {
      await api.post(logoutPath);
    } finally {
      signedOut();
    }
  }, [api, logoutPath, signedOut]);

  useEffect(() => {
    onUnauthorized(signedOut);
    refresh().catch(signedOut);
    return () => onUnauthorized(undefined);
  }, [onUnauthorized, refresh, signedOut]);

  const value = useMemo(() => ({ state, signedIn, refresh, signOut }), [state, signedIn, refresh, signOut]);
  return (
    <CookieSessionContext.Provider value={value as CookieSessionValue<unknown>}>
      {children}
    </CookieSessionContext.Provider>
  );
}

/** The session of the CookieSessionProvider around; S is the type the provider was given. */
export function useCookieSession<S>(): CookieSessionValue<S> {
  const value = useContext(CookieSessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value as CookieSessionValue<S>;
}
