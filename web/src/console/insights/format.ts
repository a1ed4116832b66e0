import { formatMoney } from "../../shared/money";
import type { InsightKey } from "./messages";

/** How the dashboard writes rates, changes and durations; money stays exact (shared/money). */
type T = (key: InsightKey, values?: Record<string, string | number>) => string;

export function formatRate(rate: number | null | undefined, locale: string): string {
  if (rate === null || rate === undefined) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

export function formatCount(count: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(count);
}

export function formatAmount(minor: string | null | undefined, currency: string | null, locale: string): string {
  if (minor === null || minor === undefined || !currency) return "—";
  return formatMoney(minor, currency, locale);
}

export function formatDuration(ms: number | null | undefined, t: T, locale: string): string {
  if (ms === null || ms === undefined) return "—";
  const number = (value: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
  if (ms < 1000) return t("duration.ms", { value: number(ms) });
  if (ms < 60_000) return t("duration.s", { value: number(ms / 1000) });
  if (ms < 3_600_000) return t("duration.min", { value: number(ms / 60_000) });
  return t("duration.h", { value: number(ms / 3_600_000) });
}

/**
 * A figure against the previous period. Amounts and counts change by a relative share (computed in BigInt to a
 * tenth of a percent, so large volumes keep their precision); rates change by percentage points.
 */
export type Change = { kind: "up" | "down"; text: string } | { kind: "none" } | { kind: "new" } | { kind: "unknown" };

export function relativeChange(current: string | number, previous: string | number, locale: string): Change {
  const now = BigInt(current);
  const before = BigInt(previous);
  if (before === 0n) return now === 0n ? { kind: "none" } : { kind: "new" };
  const permille = ((now - before) * 1000n) / before;
  if (permille === 0n) return { kind: "none" };
  const share = Number(permille < 0n ? -permille : permille) / 1000;
  const text = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(share);
  return { kind: permille > 0n ? "up" : "down", text };
}

export function pointsChange(current: number | null, previous: number | null, locale: string, t: T): Change {
  if (current === null || previous === null) return { kind: "unknown" };
  const points = Math.round((current - previous) * 1000) / 10;
  if (points === 0) return { kind: "none" };
  const text = t("figure.points", {
    points: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(Math.abs(points)),
  });
  return { kind: points > 0 ? "up" : "down", text };
}

/** A bucket's period as the reader sees it in the merchant's zone: a date, or a date and hour for hourly buckets. */
export function formatBucket(start: number, hourly: boolean, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: "medium",
    ...(hourly ? { timeStyle: "short" } : {}),
  }).format(new Date(start * 1000));
}
