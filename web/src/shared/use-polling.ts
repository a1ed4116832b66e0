import { useEffect, useRef } from "react";

/**
 * Calls `refresh` every `intervalMs` while the page is visible, and once at once when it becomes visible again: a
 * hidden tab asks the server nothing. A tick is skipped while `busy()` says the previous load is still running, so
 * a slow server never gets a pile of requests.
 */
export function usePolling(refresh: () => void, intervalMs: number, busy: () => boolean = () => false): void {
  const latest = useRef({ refresh, busy });
  latest.current = { refresh, busy };
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const tick = () => {
      if (!latest.current.busy()) latest.current.refresh();
    };
    const start = () => {
      if (timer === undefined) timer = setInterval(tick, intervalMs);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        tick();
        start();
      } else {
        stop();
      }
    };
    if (document.visibilityState === "visible") start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs]);
}
