import { useEffect, useRef } from "react";

/**
 * Calls `tick` every `ms` while the page is visible (a hidden tab asks the server nothing), skipping a tick while
 * `busy()` says the last load still runs. For lazily loaded pages: unlike usePolling it needs no query library, so
 * a page chunk that uses it does not pull TanStack Query out of the apps' shared first-load chunk.
 */
export function useVisibleInterval(tick: () => void, ms: number | null, busy: () => boolean = () => false): void {
  const latest = useRef({ tick, busy });
  latest.current = { tick, busy };
  useEffect(() => {
    if (ms === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== "visible" || latest.current.busy()) return;
      latest.current.tick();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}
