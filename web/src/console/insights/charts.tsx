import { useMemo } from "react";
import { Link, navigate } from "../../shared/router";
import { Card } from "../../shared/ui";
import { TimeChart, type TimeChartProps } from "./chart";
import { paymentsUrl } from "./drill";
import { formatAmount, formatBucket, formatCount, formatRate } from "./format";
import { type InsightKey, useInsightsT } from "./messages";
import { type AnalyticsTimeseries, type Interval, metricKind, type TimeseriesMetric } from "./model";

/**
 * The dashboard's charts (volume, payments, success rate) with, under each, the same buckets as a table whose
 * periods link to their payments: the drill-down for keyboards and screen readers, and what a click on the chart does.
 */
const colors: Record<string, string> = {
  gross_volume: "#1f5fbf",
  net_volume: "#2e8b57",
  payments_created: "#8a6d1f",
  payments_succeeded: "#1f5fbf",
  success_rate: "#2e8b57",
};

interface ChartSpec {
  title: InsightKey;
  metrics: TimeseriesMetric[];
  /** The status the chart's buckets drill down to. */
  status?: string;
}

const specs: ChartSpec[] = [
  { title: "chart.volume", metrics: ["gross_volume", "net_volume"], status: "succeeded" },
  { title: "chart.payments", metrics: ["payments_created", "payments_succeeded"] },
  { title: "chart.successRate", metrics: ["success_rate"] },
];

/** A bucket value as a chart point: minor units and counts as numbers (for drawing only; labels stay exact). */
function plotValue(value: string | number | null): number | null {
  if (value === null) return null;
  return typeof value === "number" ? value : Number(value);
}

function useValueFormat(currency: string | null) {
  const { locale } = useInsightsT();
  return (metric: TimeseriesMetric, value: string | number | null): string => {
    if (value === null) return "—";
    const kind = metricKind(metric);
    if (kind === "rate") return formatRate(Number(value), locale);
    if (kind === "count") return formatCount(Number(value), locale);
    // A drawn value (a tick, an interpolated point) is rounded back to whole minor units for the label.
    return formatAmount(typeof value === "string" ? value : String(Math.round(value)), currency, locale);
  };
}

function SeriesChart({
  spec,
  series,
  interval,
  timeZone,
}: {
  spec: ChartSpec;
  series: AnalyticsTimeseries[];
  interval: Interval;
  timeZone: string;
}) {
  const { t, locale } = useInsightsT();
  const shown = spec.metrics
    .map((metric) => series.find((s) => s.metric === metric))
    .filter((s): s is AnalyticsTimeseries => s !== undefined);
  const first = shown[0];
  const currency = first?.currency ?? null;
  const format = useValueFormat(currency);
  const hourly = interval === "hour";
  const bucketText = (seconds: number) => formatBucket(seconds, hourly, timeZone, locale);
  const starts = useMemo(() => first?.data.map((point) => point.start) ?? [], [first]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the answers and the language decide the chart (format and t follow them).
  const chartSeries = useMemo<TimeChartProps["series"]>(
    () =>
      shown.map((s) => ({
        label: t(`chart.series.${s.metric}` as InsightKey),
        color: colors[s.metric] ?? "#333",
        values: s.data.map((point) => plotValue(point.value)),
        format: (value: number) => format(s.metric, value),
      })),
    [series, locale],
  );
  if (!first) return null;
  const rangeOf = (index: number) => {
    const point = first.data[index];
    return point ? { from: point.start, to: point.end } : undefined;
  };
  const drill = (index: number) => {
    const range = rangeOf(index);
    if (range) navigate(paymentsUrl(range, { status: spec.status }));
  };
  const title = t(spec.title);
  return (
    <Card title={title}>
      <TimeChart
        label={title}
        bucketLabel={t("chart.bucket")}
        starts={starts}
        series={chartSeries}
        timeZone={timeZone}
        formatTick={(seconds) =>
          new Intl.DateTimeFormat(locale, {
            timeZone,
            ...(hourly
              ? { hour: "numeric" }
              : interval === "month"
                ? { month: "short" }
                : { month: "short", day: "numeric" }),
          }).format(new Date(seconds * 1000))
        }
        formatBucket={bucketText}
        formatAxis={(value) => format(shown[0]?.metric ?? "payments_created", value)}
        onPick={drill}
      />
      <p className="field-hint">{t("chart.clickHint")}</p>
      <details className="chart-table">
        <summary>{t("chart.asTable")}</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t("chart.bucket")}</th>
                {shown.map((s) => (
                  <th key={s.metric} scope="col" className="amount">
                    {t(`chart.series.${s.metric}` as InsightKey)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {first.data.map((point, index) => (
                <tr key={point.start}>
                  <th scope="row">
                    <Link
                      to={paymentsUrl({ from: point.start, to: point.end }, { status: spec.status })}
                      aria-label={t("chart.openBucket", { period: bucketText(point.start) })}
                    >
                      {bucketText(point.start)}
                    </Link>
                  </th>
                  {shown.map((s) => {
                    const value = s.data[index]?.value ?? null;
                    return (
                      <td key={s.metric} className="amount">
                        {value === null && metricKind(s.metric) === "rate"
                          ? t("chart.noAttempts")
                          : format(s.metric, value)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </Card>
  );
}

export function Charts(props: { series: AnalyticsTimeseries[]; interval: Interval; timeZone: string }) {
  return (
    <div className="charts">
      {specs.map((spec) => (
        <SeriesChart key={spec.title} spec={spec} {...props} />
      ))}
    </div>
  );
}
