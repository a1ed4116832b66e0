import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { type DependencyList, useCallback, useId, useRef, useState } from "react";
import { ApiRequestError } from "./api";

export type AsyncState<T> =
  | { status: "loading"; data?: T; error?: undefined }
  | { status: "ready"; data: T; error?: undefined }
  | { status: "error"; data?: T; error: ApiRequestError };

function asApiError(error: unknown): ApiRequestError {
  if (error instanceof ApiRequestError) return error;
  return new ApiRequestError(0, { type: "api_error", code: "unexpected", message: String(error) });
}

/** A loader may answer undefined (nothing to load yet); Query keeps only defined data, so it is kept in a box. */
interface Loaded<T> {
  value: T;
}

/**
 * Loads data for a page (a TanStack query) and keeps loading / error / ready apart; `reload()` fetches again,
 * keeping old data visible, and so does a change of `deps`.
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> & { reload(): void } {
  const loader = useRef(load);
  loader.current = load;
  // The key is this hook's own (useId) plus the caller's dependency list, serialized: no two pages, and no two
  // signed-in people on one device, ever share an entry by accident.
  const instance = useId();
  const query = useQuery({
    queryKey: ["useAsync", instance, JSON.stringify(deps)],
    queryFn: async (): Promise<Loaded<T>> => ({ value: await loader.current() }),
    placeholderData: keepPreviousData,
    // Each load gives the page new objects, as before: a page may key an effect on them.
    structuralSharing: false,
  });
  // What was shown last stays visible while loading and beside an error, even after a change of deps.
  const shown = useRef<Loaded<T> | undefined>(undefined);
  if (query.data) shown.current = query.data;
  const { refetch } = query;
  const reload = useCallback(() => {
    void refetch();
  }, [refetch]);
  const data = (query.data ?? shown.current)?.value;
  if (query.isFetching) return { status: "loading", data, reload };
  if (query.isError) return { status: "error", data, error: asApiError(query.error), reload };
  if (query.isSuccess) return { status: "ready", data: query.data.value, reload };
  return { status: "loading", data, reload };
}

/** Runs an action (a form submit, a button: a TanStack mutation) and tracks pending and error for it. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const latest = useRef(action);
  latest.current = action;
  const mutation = useMutation({ mutationFn: (args: A) => latest.current(...args) });
  const { mutateAsync, reset } = mutation;
  // An error the page sets itself (or null to clear one) is shown until the next run.
  const [pageError, setPageError] = useState<ApiRequestError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPageError(null);
      try {
        return await mutateAsync(args);
      } catch {
        return undefined;
      }
    },
    [mutateAsync],
  );
  const setError = useCallback(
    (error: ApiRequestError | null) => {
      if (error === null) reset();
      setPageError(error);
    },
    [reset],
  );
  const error = pageError ?? (mutation.error ? asApiError(mutation.error) : null);
  return { run, pending: mutation.isPending, error, setError };
}
