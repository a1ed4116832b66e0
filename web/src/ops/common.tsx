import { type FormEvent, isValidElement, type ReactNode, useState } from "react";
import type { ListPage } from "../shared/api";
import { Link, navigate, useSearch } from "../shared/router";
import { Button, type Column, DataTable, Empty, ErrorAlert, Spinner } from "../shared/ui";
import { type AsyncState, useAsync } from "../shared/use-async";
import { api } from "./api";
import { useT } from "./messages";

/** Pieces every operator page uses: loading/error states around data, a search form, cursor paging, dates. */

export function Loaded<T>({
  state,
  children,
}: {
  state: AsyncState<T> & { reload(): void };
  children: (data: T) => ReactNode;
}) {
  const { t } = useT();
  if (state.status === "error" && state.data === undefined) {
    return (
      <>
        <ErrorAlert error={state.error} />
        <Button variant="secondary" onClick={state.reload}>
          {t("common.retry")}
        </Button>
      </>
    );
  }
  if (state.data === undefined) return <Spinner label={t("app.loading")} />;
  return (
    <>
      {state.status === "error" ? <ErrorAlert error={state.error} /> : null}
      {children(state.data)}
    </>
  );
}

/** The page's query string as an object, and a way to change it (search filters and cursors live in the URL). */
export function useQueryParams(): [Record<string, string>, (next: Record<string, string | undefined>) => void] {
  const search = useSearch();
  const params = Object.fromEntries(search.entries());
  const set = (next: Record<string, string | undefined>) => {
    const merged = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) merged.set(key, value);
    const text = merged.toString();
    navigate(`${location.pathname}${text ? `?${text}` : ""}`);
  };
  return [params, set];
}

/** A labelled search box; submits on Enter or the button. */
export function SearchForm({
  initial,
  hint,
  label,
  onSearch,
}: {
  initial: string;
  hint: string;
  label: string;
  onSearch(query: string): void;
}) {
  const { t } = useT();
  const [query, setQuery] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(query.trim());
  };
  return (
    <search>
      <form className="ops-search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="ops-search-input">{label}</label>
          <input
            id="ops-search-input"
            type="search"
            value={query}
            maxLength={254}
            aria-describedby="ops-search-hint"
            onChange={(event) => setQuery(event.target.value)}
          />
          <p className="field-hint" id="ops-search-hint">
            {hint}
          </p>
        </div>
        <Button type="submit">{t("common.search")}</Button>
      </form>
    </search>
  );
}

/** Next/previous page links for a cursor-paged list; the cursor is kept in the URL. */
export function Pager<T extends { id: string }>({
  page,
  params,
  setParams,
}: {
  page: ListPage<T>;
  params: Record<string, string>;
  setParams(next: Record<string, string | undefined>): void;
}) {
  const { t } = useT();
  const first = page.data[0];
  const last = page.data.at(-1);
  const backward = params.ending_before !== undefined;
  const paged = params.starting_after !== undefined || backward;
  const hasNext = backward ? paged : page.has_more;
  const hasPrevious = backward ? page.has_more : paged;
  if (!hasNext && !hasPrevious) return null;
  const base = { ...params, starting_after: undefined, ending_before: undefined };
  return (
    <nav className="button-row ops-pager" aria-label={t("common.pagination")}>
      <Button
        variant="secondary"
        disabled={!hasPrevious || !first}
        onClick={() => setParams({ ...base, ending_before: first?.id })}
      >
        {t("common.previous")}
      </Button>
      <Button
        variant="secondary"
        disabled={!hasNext || !last}
        onClick={() => setParams({ ...base, starting_after: last?.id })}
      >
        {t("common.next")}
      </Button>
    </nav>
  );
}

/** One page of an ops list, at the cursor in the URL; `filters` are its query (they reload it when they change). */
export function usePagedList<T>(
  path: string,
  params: Record<string, string>,
  filters: Record<string, string | undefined>,
  limit: number,
) {
  const query = { ...filters, limit, starting_after: params.starting_after, ending_before: params.ending_before };
  return useAsync(() => api.get<ListPage<T>>(path, query), [path, query]);
}

/**
 * A loaded list: its empty state when there is nothing (an <Empty> or <NoMatch>; without one, an empty table), else
 * the table and pager.
 */
export function PagedTable<T extends { id: string }>({
  state,
  params,
  setParams,
  columns,
  empty,
}: {
  state: AsyncState<ListPage<T>> & { reload(): void };
  params: Record<string, string>;
  setParams(next: Record<string, string | undefined>): void;
  columns: Column<T>[];
  empty?: ReactNode;
}) {
  return (
    <Loaded state={state}>
      {(page) =>
        page.data.length === 0 && empty !== undefined ? (
          isValidElement(empty) ? (
            empty
          ) : (
            <Empty>{empty}</Empty>
          )
        ) : (
          <>
            <DataTable rows={page.data} columns={columns} rowKey={(row) => row.id} />
            <Pager page={page} params={params} setParams={setParams} />
          </>
        )
      }
    </Loaded>
  );
}

export function When({ at }: { at: number | null }) {
  const { t, locale } = useT();
  if (at === null) return <>{t("common.none")}</>;
  const date = new Date(at * 1000);
  return (
    <time dateTime={date.toISOString()}>
      {new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date)}
    </time>
  );
}

export function BackLink({ to }: { to: string }) {
  const { t } = useT();
  return (
    <p>
      <Link to={to}>← {t("common.back")}</Link>
    </p>
  );
}
