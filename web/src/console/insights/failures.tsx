import { CircleCheck } from "lucide-react";
import { Link } from "../../shared/router";
import { SortableTable } from "../../shared/sortable-table-lazy";
import { Card, Empty } from "../../shared/ui";
import { paymentsUrl } from "./drill";
import { formatCount, formatRate } from "./format";
import { useInsightsT } from "./messages";
import type { AnalyticsFailures } from "./model";
import type { DateRange } from "./range";

/**
 * Why payments failed in the range, by failure code and method (every row, so they sort on the page); each row opens
 * those failed payments. Codes are
 * shown as coffer names them (docs/errors.md explains each), methods in the reader's language.
 */
export function FailuresBreakdown({
  failures,
  range,
  methodName,
}: {
  failures: AnalyticsFailures;
  range: DateRange;
  methodName(method: string): string;
}) {
  const { t, locale } = useInsightsT();
  return (
    <Card title={t("failures.title")}>
      <SortableTable
        rows={failures.data}
        rowKey={(row) => `${row.failure_code}/${row.method}`}
        caption={t("failures.title")}
        // The API lists the most frequent first.
        initialSort={{ column: "count", direction: "descending" }}
        empty={
          <Empty compact icon={CircleCheck} title={t("failures.none")}>
            {t("failures.noneText")}
          </Empty>
        }
        columns={[
          {
            id: "code",
            header: t("failures.code"),
            rowHeader: true,
            sortValue: (row) => row.failure_code,
            render: (row) => (
              <Link
                to={paymentsUrl(range, { status: "failed", method: row.method })}
                aria-label={t("failures.open", { method: methodName(row.method), code: row.failure_code })}
              >
                <code>{row.failure_code}</code>
              </Link>
            ),
          },
          {
            id: "method",
            header: t("failures.method"),
            render: (row) => methodName(row.method),
            sortValue: (row) => methodName(row.method),
          },
          {
            id: "count",
            header: t("failures.count"),
            className: "amount",
            render: (row) => formatCount(row.count, locale),
            sortValue: (row) => row.count,
          },
          {
            id: "share",
            header: t("failures.share"),
            className: "amount",
            render: (row) => formatRate(row.share, locale),
            sortValue: (row) => row.share,
          },
        ]}
      />
    </Card>
  );
}
