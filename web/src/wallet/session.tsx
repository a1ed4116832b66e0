import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { type ApiClient, createApiClient } from "../shared/api";
import { navigate } from "../shared/router";
import { walletTokenKey } from "../shared/wallet-login";

/**
 * The wallet user's bearer token, kept in this browser (the app is installable; people expect to stay logged in on
 * their phone until they log out or the session ends). A 401 from any call means the session is over: back to login.
 */
const tokenKey = walletTokenKey;

export const walletBase = "/wallet";
export const paths = {
  home: `${walletBase}/`,
  login: `${walletBase}/login`,
  signup: `${walletBase}/signup`,
  topUp: `${walletBase}/top-up`,
  withdraw: `${walletBase}/withdraw`,
  send: `${walletBase}/send`,
  scan: `${walletBase}/scan`,
  code: `${walletBase}/code`,
  pending: `${walletBase}/payments`,
  payment: (id: string) => `${walletBase}/payments/${encodeURIComponent(id)}`,
  history: `${walletBase}/history`,
  security: `${walletBase}/security`,
  identity: `${walletBase}/identity`,
  welcome: `${walletBase}/welcome`,
  notMe: `${walletBase}/not-me`,
  forgotPassword: `${walletBase}/forgot-password`,
} as const;

interface SessionValue {
  token: string | null;
  api: ApiClient;
  logIn(token: string): void;
  logOut(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

function readToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(tokenKey) ?? null;
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(tokenKey, token);
    else localStorage.removeItem(tokenKey);
  } catch {
    // Private mode without storage: the session lasts as long as the page.
  }
}

/**
 * A test payer's sign-in link (POST /v1/test_helpers/wallet_users answers sign_in_url) carries the payer's session
 * token in the fragment, #sign_in=wst_…, which the browser never sends to a server. It becomes this browser's
 * session, and the fragment is removed so the token does not stay in the address bar or the history.
 */
function adoptSignInLink(): string | null {
  const match = /^#sign_in=([A-Za-z0-9_%.-]+)$/.exec(globalThis.location?.hash ?? "");
  if (!match?.[1]) return null;
  const token = decodeURIComponent(match[1]);
  writeToken(token);
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  return token;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => adoptSignInLink() ?? readToken());
  const forget = useCallback(() => {
    writeToken(null);
    setToken(null);
  }, []);
  const api = useMemo(
    () =>
      createApiClient({
        headers: () => {
          const current = readToken();
          return { authorization: current ? `Bearer ${current}` : undefined };
        },
        onUnauthorized: () => {
          if (!readToken()) return;
          forget();
          navigate(paths.login, { replace: true });
        },
      }),
    [forget],
  );
  const value = useMemo<SessionValue>(
    () => ({
      token,
      api,
      logIn(next) {
        writeToken(next);
        setToken(next);
      },
      logOut: forget,
    }),
    [token, api, forget],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
