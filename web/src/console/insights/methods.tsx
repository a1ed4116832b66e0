import type { ReactNode } from "react";
import { Link } from "../../shared/router";
import { Badge, Card, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { ConsoleError } from "../common";
import { type en, useT } from "../messages";
import { loadMethods } from "./api";
import { formatAmount, formatDuration, formatRate } from "./format";
import { useInsightsT } from "./messages";
import type { MethodFigures } from "./model";
import "./insights.css";

/**
 * "How to choose a payment method": every method side by side, one column each, with where each figure comes from
 * (the merchant's own payments, or the whole platform's when the merchant has too few with that method).
 */
function feeText(method: MethodFigures, locale: string, t: ReturnType<typeof useInsightsT>["t"]): string {
  const fee = method.fee_schedule;
  if (!fee || (fee.percent_bps === 0 && BigInt(fee.fixed) === 0n)) return t("methods.feeNone");
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(
    fee.percent_bps / 10_000,
  );
  return t("methods.feeValue", { percent, fixed: formatAmount(fee.fixed, fee.currency, locale) });
}

export default function MethodsPage() {
  const { t, locale } = useInsightsT();
  const area = useT();
  const methods = useAsync(loadMethods, []);
  const methodName = (method: string) => {
    const key = `method.${method}` as keyof typeof en;
    const name = area.t(key);
    return name === key ? method : name;
  };
  const rows: { header: string; cell(m: MethodFigures): ReactNode }[] = [
    { header: t("methods.fee"), cell: (m) => feeText(m, locale, t) },
    {
      header: t("methods.successRate"),
      cell: (m) => (m.success_rate === null ? t("methods.noData") : formatRate(m.success_rate, locale)),
    },
    { header: t("methods.timeToPay"), cell: (m) => formatDuration(m.median_time_to_pay_ms, t, locale) },
    { header: t("methods.refundRate"), cell: (m) => formatRate(m.refund_rate, locale) },
    { header: t("methods.currencies"), cell: (m) => m.currencies.join(", ") || "—" },
    { header: t("methods.whoCanPay"), cell: (m) => t(`methods.whoCanPay.${m.who_can_pay}`) },
    { header: t("methods.settlement"), cell: (m) => t(`methods.settlement.${m.settlement}`) },
    {
      header: t("methods.source"),
      cell: (m) => (
        <>
          <Badge tone={m.source === "merchant" ? "good" : "info"}>
            {t(`methods.source.${m.source}`, { count: m.payments })}
          </Badge>
          <span className="field-hint"> {t(`methods.sourceHint.${m.source}`)}</span>
        </>
      ),
    },
  ];
  const list = methods.data?.data ?? [];
  return (
    <>
      <p>
        <Link to="/">{t("methods.toDashboard")}</Link>
      </p>
      <h1>{t("methods.title")}</h1>
      <p>{t("methods.intro")}</p>
      <Card>
        <p>{t("methods.how")}</p>
      </Card>
      {methods.status === "loading" && !methods.data ? <Spinner label={t("methods.title")} /> : null}
      <ConsoleError error={methods.error} />
      {methods.data && list.length === 0 ? <Empty>{t("methods.empty")}</Empty> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="methods-table">
            <caption className="visually-hidden">{t("methods.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("methods.method")}</th>
                {list.map((m) => (
                  <th key={m.method} scope="col">
                    {methodName(m.method)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.header}>
                  <th scope="row">{row.header}</th>
                  {list.map((m) => (
                    <td key={m.method}>{row.cell(m)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
