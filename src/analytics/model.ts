import type { Figures } from "./contributions.js";

export const analyticsMetrics = [
  "gross_volume",
  "net_volume",
  "payments_succeeded",
  "payments_created",
  "success_rate",
  "refunded_amount",
  "average_ticket",
  "new_customers",
] as const;
export type AnalyticsMetric = (typeof analyticsMetrics)[number];

export const analyticsIntervals = ["hour", "day", "week", "month"] as const;
export type AnalyticsInterval = (typeof analyticsIntervals)[number];

/** What a caller asks, after defaults: a range of whole rollup buckets, a time zone and one currency. */
export interface AnalyticsRange {
  merchantId: string;
  livemode: boolean;
  from: Date;
  to: Date;
  timeZone: string;
  currency: string;
}

const rate = (part: bigint, whole: bigint): number | null => (whole > 0n ? Number(part) / Number(whole) : null);

export const finished = (f: Figures) => f.succeeded + f.failed + f.canceled + f.expired;
export const successRate = (f: Figures) => rate(f.succeeded, finished(f));
export const netFees = (f: Figures) => f.fees_charged - f.fees_returned;
export const netVolume = (f: Figures) => f.gross_amount - f.refunded_amount - netFees(f);
export const refundRate = (f: Figures) => rate(f.refunded_amount, f.gross_amount);
export const conversionRate = (f: Figures) => rate(f.succeeded, f.created);
export const returningRate = (f: Figures) => rate(f.returning_payments, f.identified_payments);
/** Gross volume over succeeded payments, in minor units rounded down; null without a success. */
export const averageTicket = (f: Figures) => (f.succeeded > 0n ? f.gross_amount / f.succeeded : null);
