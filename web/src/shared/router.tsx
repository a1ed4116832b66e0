import { type AnchorHTMLAttributes, type ReactNode, useMemo } from "react";
import {
  type AroundNavHandler,
  matchRoute,
  type Parser,
  Router,
  Link as WouterLink,
  Redirect as WouterRedirect,
} from "wouter";
import { useLocationProperty, navigate as wouterNavigate } from "wouter/use-browser-location";

/**
 * Routing on wouter (docs/adr/0030): pages use this small API — navigate, usePath, useSearch, match, Link, Redirect —
 * and wouter does the work underneath (history, its links and redirects, route matching). Each area renders inside
 * <AppRouter>, so a wouter <Route> or <Switch> matches paths the same way match() does.
 */

/**
 * Patterns match whole path segments, case-sensitively, and ignore empty segments (a trailing slash): `/payments/:id`
 * matches `/payments/py_1` and `/payments/py_1/`, not `/payments` or `/Payments/py_1`.
 */
const segmentParser: Parser = (route, loose) => {
  const keys: string[] = [];
  const segments = route
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      if (!segment.startsWith(":")) return `/+${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
      keys.push(segment.slice(1));
      return "/+([^/]+)";
    });
  return { keys, pattern: new RegExp(`^${segments.join("")}${loose ? "(?=$|/)" : "/*$"}`) };
};

/** Every navigation starts the new page at its top, as a page load would. */
const scrollToTopAfter: AroundNavHandler = (go, to, options) => {
  go(to, options);
  window.scrollTo(0, 0);
};

export function AppRouter({ children }: { children: ReactNode }) {
  return (
    <Router parser={segmentParser} aroundNav={scrollToTopAfter}>
      {children}
    </Router>
  );
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  scrollToTopAfter(wouterNavigate, to, options);
}

const currentPath = () => location.pathname;
const currentSearch = () => location.search;

/**
 * The path as the browser has it, still percent-encoded: match() decodes each parameter once (wouter's useLocation
 * would decode the whole path first, and a parameter twice).
 */
export function usePath(): string {
  return useLocationProperty(currentPath);
}

export function useSearch(): URLSearchParams {
  const search = useLocationProperty(currentSearch);
  return useMemo(() => new URLSearchParams(search), [search]);
}

/** `match("/payments/:id", path)` gives the named parameters, decoded, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const [matched, params] = matchRoute(segmentParser, pattern, path);
  if (!matched) return null;
  // wouter also lists the captures by position ("0", "1"): only the named ones are the pattern's.
  const named = Object.entries(params).filter(([name]) => !/^\d+$/.test(name));
  return Object.fromEntries(named.map(([name, value]) => [name, decodeURIComponent(value ?? "")]));
}

/** A link inside the app: a plain click navigates here, a modified one (new tab, say) is the browser's. */
export function Link(props: Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string }) {
  return <WouterLink {...props} />;
}

/** Sends the browser elsewhere inside the app once rendered (e.g. to the login page), replacing the history entry. */
export function Redirect({ to }: { to: string }) {
  return <WouterRedirect to={to} replace />;
}
