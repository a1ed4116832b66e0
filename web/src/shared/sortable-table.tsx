import { useMemo, useState } from "react";
import {
  Cell,
  Column,
  I18nProvider,
  Row,
  type SortDescriptor,
  Table,
  TableBody,
  TableHeader,
} from "react-aria-components";
import { useI18n } from "./i18n";
import type { SortableColumn, SortableTableProps, SortDirection } from "./sortable-table-lazy";
import "./sortable-table.css";
import "./react-aria-csp";

/**
 * React Aria's Table with sortable columns (loaded lazily through ./sortable-table-lazy.tsx): a grid the arrow keys
 * move through, headers that sort on a click, Enter or Space and say how (aria-sort), rows sorted here, in the page.
 */
const ariaLocales = { en: "en-US", "zh-CN": "zh-CN" } as const;

type SortValue = number | string | null;

function compareValues(a: SortValue, b: SortValue, direction: SortDirection, collator: Intl.Collator): number {
  // Rows without a value (no data yet) stay at the end, whichever way the column is sorted.
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const order = typeof a === "number" && typeof b === "number" ? a - b : collator.compare(String(a), String(b));
  return direction === "descending" ? -order : order;
}

function sortRows<T>(
  rows: readonly T[],
  columns: SortableColumn<T>[],
  sort: SortDescriptor | undefined,
  collator: Intl.Collator,
): readonly T[] {
  const sortValue = columns.find((column) => column.id === sort?.column)?.sortValue;
  if (!sort || !sortValue) return rows;
  // Array sort is stable: rows that tie keep the order they came in.
  return [...rows].sort((x, y) => compareValues(sortValue(x), sortValue(y), sort.direction, collator));
}

/** ▲ or ▼ on the sorted column, ↕ on the others that sort; the header's aria-sort says it to screen readers. */
function SortMark({ direction }: { direction: SortDirection | undefined }) {
  const mark = direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕";
  return (
    <span className={direction ? "sort-mark sort-mark-active" : "sort-mark"} aria-hidden="true">
      {mark}
    </span>
  );
}

export default function SortableTable<T>({
  rows,
  columns,
  rowKey,
  caption,
  initialSort,
  className,
}: SortableTableProps<T>) {
  const { locale } = useI18n();
  const [sort, setSort] = useState<SortDescriptor | undefined>(initialSort);
  const collator = useMemo(() => new Intl.Collator(locale, { numeric: true }), [locale]);
  const items = sortRows(rows, columns, sort, collator).map((row) => ({ id: rowKey(row), row }));
  // React Aria names each row by its row header cell: the column marked so, or else the first.
  const rowHeaderId = columns.find((column) => column.rowHeader)?.id ?? columns[0]?.id;
  return (
    <I18nProvider locale={ariaLocales[locale]}>
      <div className="table-wrap">
        <Table
          aria-label={caption}
          className={className ? `sortable-table ${className}` : "sortable-table"}
          sortDescriptor={sort}
          onSortChange={setSort}
        >
          <TableHeader columns={columns}>
            {(column) => (
              <Column
                id={column.id}
                isRowHeader={column.id === rowHeaderId}
                allowsSorting={column.sortValue !== undefined}
                className={column.className ? `sortable-column ${column.className}` : "sortable-column"}
              >
                {({ allowsSorting, sortDirection }) => (
                  <span className="sortable-header">
                    {column.header}
                    {allowsSorting ? <SortMark direction={sortDirection} /> : null}
                  </span>
                )}
              </Column>
            )}
          </TableHeader>
          <TableBody items={items}>
            {(item) => (
              <Row id={item.id} columns={columns} className="sortable-row">
                {(column) => <Cell className={column.className}>{column.render(item.row)}</Cell>}
              </Row>
            )}
          </TableBody>
        </Table>
      </div>
    </I18nProvider>
  );
}
