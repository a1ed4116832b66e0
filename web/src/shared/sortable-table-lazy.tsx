import { lazy, type ReactNode, Suspense } from "react";
import { type Column, DataTable } from "./ui";

/**
 * A table whose columns sort, as pages import it: React Aria's Table comes in a chunk of its own, fetched when a
 * page first shows one (ADR 0030), and until then the same rows show in the plain DataTable. Only for a list whose
 * every row is on the page: sorting one page of a cursor-paginated list would misstate the order of the whole.
 */
export interface SortableColumn<T> extends Column<T> {
  /** Names the column in the table's sort state. */
  id: string;
  /** What the column sorts by (a number or a text); without it the column does not sort. null sorts last. */
  sortValue?(row: T): number | string | null;
}

export type SortDirection = "ascending" | "descending";

export interface SortableTableProps<T> {
  rows: readonly T[];
  columns: SortableColumn<T>[];
  rowKey(row: T): string;
  /** Names the table for screen readers. */
  caption: string;
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  /** The order the rows come in, when it is a column's (the API's order); none says they come unsorted. */
  initialSort?: { column: string; direction: SortDirection };
  className?: string;
}

const LazySortableTable = lazy(() => import("./sortable-table"));

export function SortableTable<T>(props: SortableTableProps<T>) {
  const plain = (
    <DataTable
      rows={props.rows}
      columns={props.columns}
      rowKey={props.rowKey}
      caption={props.caption}
      empty={props.empty}
    />
  );
  // No rows: the empty text, as the plain table shows it, without fetching the chunk.
  if (props.rows.length === 0 && props.empty !== undefined) return plain;
  return (
    <Suspense fallback={plain}>
      <LazySortableTable {...(props as SortableTableProps<unknown>)} />
    </Suspense>
  );
}
