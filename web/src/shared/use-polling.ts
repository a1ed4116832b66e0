import { useQuery } from "@tanstack/react-query";
import { useId, useRef } from "react";

/**
 * Calls `refresh` every `intervalMs` while the page is visible, and once at once when it becomes visible again: a
 * hidden tab asks the server nothing. A tick is skipped while `busy()` says the previous load is still running, so
 * a slow server never gets a pile of requests.
 *
 * The timer is a TanStack query of its own (refetchInterval, not run in the background, and refetched when the page
 * is shown again), so polling follows the same visibility rules as every other query; it holds no data.
 */
export function usePolling(refresh: () => void, intervalMs: number, busy: () => boolean = () => false): void {
  const latest = useRef({ refresh, busy });
  latest.current = { refresh, busy };
  const instance = useId();
  useQuery({
    queryKey: ["usePolling", instance],
    queryFn: () => {
      if (!latest.current.busy()) latest.current.refresh();
      return Date.now();
    },
    // The page has just loaded: the first tick is an interval away, not at mount.
    initialData: 0,
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: "always",
    retry: false,
    gcTime: 0,
  });
}
