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
  /** Paying with no network: one-time codes made on the phone (web/src/wallet/offline). */
  offline: `${walletBase}/offline`,
  pending: `${walletBase}/payments`,
  payment: (id: string) => `${walletBase}/payments/${encodeURIComponent(id)}`,
  history: `${walletBase}/history`,
  security: `${walletBase}/security`,
  identity: `${walletBase}/identity`,
  welcome: `${walletBase}/welcome`,
  notMe: `${walletBase}/not-me`,
  forgotPassword: `${walletBase}/forgot-password`,
  /** Help and support: the payer's conversations with merchants and coffer (web/src/wallet/support). */
  support: `${walletBase}/support`,
  ticket: (id: string) => `${walletBase}/support/${encodeURIComponent(id)}`,
  /** Blockchain wallets: balances, receive, send, history and the withdrawal allowlist (web/src/wallet/crypto). */
  crypto: `${walletBase}/crypto`,
  cryptoReceive: `${walletBase}/crypto/receive`,
  cryptoSend: `${walletBase}/crypto/send`,
  cryptoHistory: `${walletBase}/crypto/history`,
  cryptoAllowlist: `${walletBase}/crypto/allowlist`,
  /** Add a prepaid card (no sign-up); its printed QR code opens /wallet/card#number=…&secret=…. */
  card: `${walletBase}/card`,
} as const;

/** A prepaid card's session (POST /v1/wallet/cards): an ordinary wallet session of the card's own wallet user. */
export interface CardSession {
  token: string;
  card: string;
}

interface SessionValue {
  /** The session the pages act with: the card's while a card is open here, else the account's. */
  token: string | null;
  /** The account's session, kept while a card is open (to move the card's balance into the account). */
  accountToken: string | null;
  card: CardSession | null;
  /** Calls with `token`. */
  api: ApiClient;
  /** Calls with the account's session. */
  accountApi: ApiClient;
  logIn(token: string): void;
  logOut(): void;
  openCard(session: CardSession): void;
  closeCard(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

function readToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(tokenKey) ?? null;
  } catch {
    return null;
  }
}

/** The open card's session, kept apart from the account's so a person can hold both in this browser. */
const cardKey = "coffer.wallet.card";

function readCard(): CardSession | null {
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(cardKey) ?? "null") as CardSession | null;
    return stored && typeof stored.token === "string" && typeof stored.card === "string" ? stored : null;
  } catch {
    return null;
  }
}

function writeCard(card: CardSession | null): void {
  try {
    if (card) localStorage.setItem(cardKey, JSON.stringify(card));
    else localStorage.removeItem(cardKey);
  } catch {
    // Private mode without storage: the card stays open as long as the page.
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
  const [card, setCard] = useState<CardSession | null>(readCard);
  const forget = useCallback(() => {
    writeToken(null);
    setToken(null);
  }, []);
  const forgetCard = useCallback(() => {
    writeCard(null);
    setCard(null);
  }, []);
  const accountApi = useMemo(
    () =>
      createApiClient({
        headers: () => {
          const current = readToken();
          return { authorization: current ? `Bearer ${current}` : undefined };
        },
        onUnauthorized: () => {
          if (!readToken()) return;
          forget();
          // With a card open, the card's pages stay; without, back to the sign-in.
          if (!readCard()) navigate(paths.login, { replace: true });
        },
      }),
    [forget],
  );
  const cardApi = useMemo(
    () =>
      createApiClient({
        headers: () => {
          const current = readCard()?.token;
          return { authorization: current ? `Bearer ${current}` : undefined };
        },
        onUnauthorized: () => {
          if (!readCard()) return;
          forgetCard();
          navigate(readToken() ? paths.home : paths.card, { replace: true });
        },
      }),
    [forgetCard],
  );
  const value = useMemo<SessionValue>(
    () => ({
      token: card?.token ?? token,
      accountToken: token,
      card,
      api: card ? cardApi : accountApi,
      accountApi,
      logIn(next) {
        writeToken(next);
        setToken(next);
      },
      logOut: forget,
      openCard(next) {
        writeCard(next);
        setCard(next);
      },
      closeCard: forgetCard,
    }),
    [token, card, cardApi, accountApi, forget, forgetCard],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
