import { focusManager, QueryClient } from "@tanstack/react-query";
import { ApiRequestError } from "./api";

/**
 * A load worth one more try: the server failed (5xx) or could not be reached while the device is online. A 4xx is
 * coffer's answer (asking again gets the same one), and offline the wallet says so at once instead of waiting.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiRequestError)) return false;
  if (error.status >= 500) return true;
  return error.code === "network_error" && navigator.onLine;
}

/**
 * TanStack Query, set up the way the pages expect (docs/adr/0030): a page loads when it opens and when it asks
 * (reload, polling), never because the window got focus or the network came back; requests and actions run offline
 * too (the wallet has offline pages), and an action (a POST) is never repeated on its own.
 */
export function createQueryClient(): QueryClient {
  // visibilitychange is fired at the document: listen there, not on window (Query's default), which hears it only
  // when it bubbles.
  focusManager.setEventListener((onVisibilityChange) => {
    const listener = () => onVisibilityChange();
    document.addEventListener("visibilitychange", listener);
    return () => document.removeEventListener("visibilitychange", listener);
  });
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 1 && isTransient(error),
        retryDelay: 1_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        networkMode: "always",
      },
      mutations: { retry: false, networkMode: "always" },
    },
  });
}
