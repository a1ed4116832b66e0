/** The analytics API's answers as the console reads them (docs/analytics.md defines every figure). */
export interface PaymentCounts {
  created: number;
  opened: number;
  succeeded: number;
  failed: number;
  canceled: number;
  expired: number;
}

export interface CustomerFigures {
  new: number;
  returning_payments: number;
  identified_payments: number;
  returning_rate: number | null;
}

export interface PeriodFigures {
  gross_volume: string;
  net_volume: string;
  fees: string;
  refunded_amount: string;
  payments: PaymentCounts;
  success_rate: number | null;
  conversion_rate: number | null;
  time_to_pay: { median_ms: number | null; p90_ms: number | null };
  refunds: { count: number; amount: string };
  refund_rate: number | null;
  average_ticket: string | null;
  customers: CustomerFigures;
}

export interface AnalyticsSummary extends PeriodFigures {
  object: "analytics_summary";
  livemode: boolean;
  from: number;
  to: number;
  time_zone: string;
  currency: string | null;
  previous: PeriodFigures;
}

export const timeseriesMetrics = [
  "gross_volume",
  "net_volume",
  "payments_succeeded",
  "payments_created",
  "success_rate",
  "refunded_amount",
  "average_ticket",
  "new_customers",
] as const;
export type TimeseriesMetric = (typeof timeseriesMetrics)[number];

export const intervals = ["hour", "day", "week", "month"] as const;
export type Interval = (typeof intervals)[number];

export interface TimeseriesPoint {
  start: number;
  end: number;
  /** A string of minor units for amounts, a number for counts and rates, null for a rate with no attempts. */
  value: string | number | null;
}

export interface AnalyticsTimeseries {
  object: "analytics_timeseries";
  metric: TimeseriesMetric;
  interval: Interval;
  time_zone: string;
  currency: string | null;
  data: TimeseriesPoint[];
}

export interface AnalyticsFailures {
  object: "analytics_failures";
  data: { failure_code: string; method: string; count: number; share: number }[];
}

export interface MethodFigures {
  method: string;
  source: "merchant" | "platform";
  fee_schedule: { percent_bps: number; fixed: string; currency: string } | null;
  success_rate: number | null;
  median_time_to_pay_ms: number | null;
  refund_rate: number | null;
  payments: number;
  currencies: string[];
  /** Codes: the console words them in the reader's language (messages "methods.whoCanPay.<code>"). */
  who_can_pay: "wallet_scans_qr" | "wallet_shows_code" | "wallet_signs_in_checkout" | "anyone_sends_crypto";
  settlement: "balance_now_daily_payout" | "balance_now_payout_on_request";
}

export interface AnalyticsMethods {
  object: "analytics_methods";
  data: MethodFigures[];
}

/** Which amounts a metric's values are: minor units of the range's currency, a count, or a rate 0..1. */
export function metricKind(metric: TimeseriesMetric): "amount" | "count" | "rate" {
  if (metric === "success_rate") return "rate";
  if (metric === "payments_succeeded" || metric === "payments_created" || metric === "new_customers") return "count";
  return "amount";
}
