import type { ReactNode } from "react";
import {
  type CookieSessionEndpoints,
  CookieSessionProvider,
  type CookieSessionValue,
  useCookieSession,
} from "../shared/cookie-session";
import { api, type Me, onUnauthorized, setCsrfToken } from "./api";

/** Who is signed in to the console: the session of GET /v1/console/me (see CookieSessionProvider). */
const endpoints: CookieSessionEndpoints = {
  api,
  mePath: "/v1/console/me",
  logoutPath: "/v1/console/logout",
  setCsrfToken,
  onUnauthorized,
};

export function SessionProvider({ children }: { children: ReactNode }) {
  return <CookieSessionProvider<Me> endpoints={endpoints}>{children}</CookieSessionProvider>;
}

export function useSession(): CookieSessionValue<Me> {
  return useCookieSession<Me>();
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
