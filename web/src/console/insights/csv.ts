import { minorToDecimal } from "../../shared/money";
import { type AnalyticsTimeseries, metricKind, type TimeseriesMetric } from "./model";
import { zonedDay } from "./range";

/**
 * The timeseries on screen as CSV: one row per bucket, one column per metric. Amounts are written exactly (decimal
 * strings from minor units, never through a float) with the currency in its own column; empty rates stay empty.
 */
function cell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function valueText(metric: TimeseriesMetric, value: string | number | null, currency: string | null): string {
  if (value === null) return "";
  if (metricKind(metric) === "amount") return currency ? minorToDecimal(String(value), currency) : String(value);
  return String(value);
}

export function timeseriesCsv(series: AnalyticsTimeseries[], timeZone: string): string {
  const first = series[0];
  if (!first) return "";
  const currency = first.currency;
  const header = ["bucket_start", "bucket_end", "local_day", "time_zone", "currency", ...series.map((s) => s.metric)];
  const rows = first.data.map((point, index) => [
    String(point.start),
    String(point.end),
    zonedDay(point.start, timeZone),
    timeZone,
    currency ?? "",
    ...series.map((s) => valueText(s.metric, s.data[index]?.value ?? null, currency)),
  ]);
  return `${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Hands the text to the browser as a file download. */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the object URL can go once the event loop moves on.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
