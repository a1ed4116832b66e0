import { Link } from "../../shared/router";
import { Card, DataTable } from "../../shared/ui";
import { paymentsUrl } from "./drill";
import { formatCount, formatRate } from "./format";
import { useInsightsT } from "./messages";
import type { AnalyticsFailures } from "./model";
import type { DateRange } from "./range";

/**
 * Why payments failed in the range, by failure code and method; each row opens those failed payments. Codes are
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
      <DataTable
        rows={failures.data}
        rowKey={(row) => `${row.failure_code}/${row.method}`}
        caption={t("failures.title")}
        empty={t("failures.none")}
        columns={[
          {
            header: t("failures.code"),
            rowHeader: true,
            render: (row) => (
              <Link
                to={paymentsUrl(range, { status: "failed", method: row.method })}
                aria-label={t("failures.open", { method: methodName(row.method), code: row.failure_code })}
              >
                <code>{row.failure_code}</code>
              </Link>
            ),
          },
          { header: t("failures.method"), render: (row) => methodName(row.method) },
          { header: t("failures.count"), className: "amount", render: (row) => formatCount(row.count, locale) },
          { header: t("failures.share"), className: "amount", render: (row) => formatRate(row.share, locale) },
        ]}
      />
    </Card>
  );
}
