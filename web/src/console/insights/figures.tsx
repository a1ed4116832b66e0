import type { ReactNode } from "react";
import { Link } from "../../shared/router";
import { paymentsUrl } from "./drill";
import {
  type Change,
  formatAmount,
  formatCount,
  formatDuration,
  formatRate,
  pointsChange,
  relativeChange,
} from "./format";
import { type InsightKey, useInsightsT } from "./messages";
import type { AnalyticsSummary } from "./model";
import type { DateRange } from "./range";

/** The key figures of the range, each with its change against the period of the same length just before. */
interface Figure {
  key: InsightKey;
  value: string;
  change: Change;
  detail?: string;
  to: string;
}

function ChangeLine({ change }: { change: Change }) {
  const { t } = useInsightsT();
  const text =
    change.kind === "up"
      ? t("figure.changeUp", { change: change.text })
      : change.kind === "down"
        ? t("figure.changeDown", { change: change.text })
        : change.kind === "new"
          ? t("figure.changeNew")
          : change.kind === "none"
            ? t("figure.changeNone")
            : t("figure.changeUnknown");
  return <span className={`figure-change change-${change.kind}`}>{text}</span>;
}

function FigureTile({ figure }: { figure: Figure }): ReactNode {
  const { t } = useInsightsT();
  return (
    <li>
      <Link to={figure.to} className="figure" data-figure={figure.key.replace("figure.", "")}>
        <span className="figure-label">{t(figure.key)}</span>
        <span className="figure-value">{figure.value}</span>
        {figure.detail ? <span className="figure-detail">{figure.detail}</span> : null}
        <ChangeLine change={figure.change} />
      </Link>
    </li>
  );
}

export function KeyFigures({ summary, range }: { summary: AnalyticsSummary; range: DateRange }) {
  const { t, locale } = useInsightsT();
  const s = summary;
  const p = summary.previous;
  const money = (minor: string | null) => formatAmount(minor, s.currency, locale);
  const rate = (value: number | null) => formatRate(value, locale);
  const all = paymentsUrl(range);
  const succeeded = paymentsUrl(range, { status: "succeeded" });
  const figures: Figure[] = [
    {
      key: "figure.gross_volume",
      value: money(s.gross_volume),
      change: relativeChange(s.gross_volume, p.gross_volume, locale),
      to: succeeded,
    },
    {
      key: "figure.net_volume",
      value: money(s.net_volume),
      change: relativeChange(s.net_volume, p.net_volume, locale),
      to: succeeded,
    },
    {
      key: "figure.payments_succeeded",
      value: formatCount(s.payments.succeeded, locale),
      detail: t("figure.timeToPay", { time: formatDuration(s.time_to_pay.median_ms, t, locale) }),
      change: relativeChange(s.payments.succeeded, p.payments.succeeded, locale),
      to: succeeded,
    },
    {
      key: "figure.success_rate",
      value: rate(s.success_rate),
      detail: t("figure.conversion", { rate: rate(s.conversion_rate) }),
      change: pointsChange(s.success_rate, p.success_rate, locale, t),
      to: all,
    },
    {
      key: "figure.average_ticket",
      value: money(s.average_ticket),
      change:
        s.average_ticket === null || p.average_ticket === null
          ? { kind: "unknown" }
          : relativeChange(s.average_ticket, p.average_ticket, locale),
      to: succeeded,
    },
    {
      key: "figure.customers",
      value: t("figure.customersValue", {
        new: formatCount(s.customers.new, locale),
        returning: formatCount(s.customers.returning_payments, locale),
      }),
      detail: t("figure.returning_rate", { rate: rate(s.customers.returning_rate) }),
      change: relativeChange(s.customers.new, p.customers.new, locale),
      to: succeeded,
    },
    {
      key: "figure.refund_rate",
      value: rate(s.refund_rate),
      detail: t("figure.refundedAmount", { amount: money(s.refunded_amount) }),
      change: pointsChange(s.refund_rate, p.refund_rate, locale, t),
      to: succeeded,
    },
  ];
  return (
    <ul className="figures">
      {figures.map((figure) => (
        <FigureTile key={figure.key} figure={figure} />
      ))}
    </ul>
  );
}
