import type { Query } from "../../shared/api";
import { api, type Balance } from "../api";
import type {
  AnalyticsFailures,
  AnalyticsMethods,
  AnalyticsSummary,
  AnalyticsTimeseries,
  Interval,
  TimeseriesMetric,
} from "./model";
import type { DateRange } from "./range";

/** The analytics API calls of the dashboard: everything one screen needs, fetched in parallel. */
export const chartMetrics = [
  "gross_volume",
  "net_volume",
  "payments_created",
  "payments_succeeded",
  "success_rate",
] as const satisfies readonly TimeseriesMetric[];

export interface DashboardQuery {
  range: DateRange;
  interval: Interval;
  timeZone: string;
  currency?: string;
}

export interface DashboardData {
  summary: AnalyticsSummary;
  series: AnalyticsTimeseries[];
  failures: AnalyticsFailures;
  currencies: string[];
}

function common(query: DashboardQuery): Query {
  return { from: query.range.from, to: query.range.to, time_zone: query.timeZone, currency: query.currency };
}

export async function loadDashboard(query: DashboardQuery): Promise<DashboardData> {
  const [summary, failures, balance, ...series] = await Promise.all([
    api.get<AnalyticsSummary>("/v1/analytics/summary", common(query)),
    api.get<AnalyticsFailures>("/v1/analytics/failures", common(query)),
    api.get<Balance>("/v1/balance"),
    ...chartMetrics.map((metric) =>
      api.get<AnalyticsTimeseries>("/v1/analytics/timeseries", { ...common(query), metric, interval: query.interval }),
    ),
  ]);
  // The currencies a merchant can switch between: those it holds money in, and the one the range answered in.
  const currencies = new Set(balance.currencies.map((c) => c.currency));
  if (summary.currency) currencies.add(summary.currency);
  return { summary, failures, series, currencies: [...currencies].sort() };
}

export function loadMethods(): Promise<AnalyticsMethods> {
  return api.get<AnalyticsMethods>("/v1/analytics/methods");
}

/** The merchant's time zone setting (days, weeks and months of every figure follow it). */
export interface MerchantSettings {
  time_zone: string;
  /** Unix seconds: now in the session's mode (the test clock in test mode), where date presets end. */
  now: number;
}

export function loadSettings(): Promise<MerchantSettings> {
  return api.get<MerchantSettings>("/v1/console/merchant");
}

export function saveTimeZone(timeZone: string): Promise<MerchantSettings> {
  return api.send<MerchantSettings>("PATCH", "/v1/console/merchant", JSON.stringify({ time_zone: timeZone }));
}
