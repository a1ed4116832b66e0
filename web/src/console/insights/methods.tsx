import { Layers } from "lucide-react";
import { Link } from "../../shared/router";
import { type SortableColumn, SortableTable } from "../../shared/sortable-table-lazy";
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
 * "How to choose a payment method": every method side by side, one row each, with where each figure comes from
 * (the merchant's own payments, or the whole platform's when the merchant has too few with that method). Every
 * method is on the page, so its figures sort here (a method without data stays last).
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
  const columns: SortableColumn<MethodFigures>[] = [
    {
      id: "method",
      header: t("methods.method"),
      rowHeader: true,
      render: (m) => methodName(m.method),
      sortValue: (m) => methodName(m.method),
    },
    {
      id: "fee",
      header: t("methods.fee"),
      render: (m) => feeText(m, locale, t),
      // By the percentage: a schedule's fixed part is in its own currency, so it does not compare across methods.
      sortValue: (m) => m.fee_schedule?.percent_bps ?? 0,
    },
    {
      id: "success_rate",
      header: t("methods.successRate"),
      render: (m) => (m.success_rate === null ? t("methods.noData") : formatRate(m.success_rate, locale)),
      sortValue: (m) => m.success_rate,
    },
    {
      id: "time_to_pay",
      header: t("methods.timeToPay"),
      render: (m) => formatDuration(m.median_time_to_pay_ms, t, locale),
      sortValue: (m) => m.median_time_to_pay_ms,
    },
    {
      id: "refund_rate",
      header: t("methods.refundRate"),
      render: (m) => formatRate(m.refund_rate, locale),
      sortValue: (m) => m.refund_rate,
    },
    { id: "currencies", header: t("methods.currencies"), render: (m) => m.currencies.join(", ") || "—" },
    { id: "who_can_pay", header: t("methods.whoCanPay"), render: (m) => t(`methods.whoCanPay.${m.who_can_pay}`) },
    { id: "settlement", header: t("methods.settlement"), render: (m) => t(`methods.settlement.${m.settlement}`) },
    {
      id: "source",
      header: t("methods.source"),
      render: (m) => (
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
      {methods.data && list.length === 0 ? (
        <Empty icon={Layers} title={t("methods.empty")}>
          {t("methods.emptyText")}
        </Empty>
      ) : null}
      {list.length > 0 ? (
        <SortableTable
          rows={list}
          columns={columns}
          rowKey={(m) => m.method}
          caption={t("methods.title")}
          className="methods-table"
        />
      ) : null}
    </>
  );
}
