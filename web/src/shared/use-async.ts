import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { ApiRequestError } from "./api";

export type AsyncState<T> =
  | { status: "loading"; data?: T; error?: undefined }
  | { status: "ready"; data: T; error?: undefined }
  | { status: "error"; data?: T; error: ApiRequestError };

function asApiError(error: unknown): ApiRequestError {
  if (error instanceof ApiRequestError) return error;
  return new ApiRequestError(0, { type: "api_error", code: "unexpected", message: String(error) });
}

/** Loads data for a page and keeps loading / error / ready apart; `reload()` fetches again, keeping old data visible. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> & { reload(): void } {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  // The caller lists what the loader depends on; their serialized form is the key that reloads.
  const key = JSON.stringify(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for the caller's dependency list.
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ status: "loading", data: previous.data }));
    loader.current().then(
      (data) => {
        if (mine === generation.current) setState({ status: "ready", data });
      },
      (error: unknown) => {
        if (mine === generation.current)
          setState((previous) => ({ status: "error", data: previous.data, error: asApiError(error) }));
      },
    );
  }, [key]);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** Runs an action (a form submit, a button) and tracks pending and error for it. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await action(...args);
      } catch (caught) {
        setError(asApiError(caught));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [action],
  );
  return { run, pending, error, setError };
}
