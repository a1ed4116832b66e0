import type { DateRange } from "./range";

/**
 * Drill-down: the payments list filtered to a period (by creation time, the list's own filter) and optionally a
 * status and method, as a console URL, so the back button returns to the dashboard as it was.
 */
export function paymentsUrl(range: DateRange, filters: { status?: string; method?: string } = {}): string {
  const query = new URLSearchParams();
  if (filters.status) query.set("status", filters.status);
  if (filters.method) query.set("method", filters.method);
  query.set("created_gte", String(range.from));
  query.set("created_lt", String(range.to));
  return `/payments?${query.toString()}`;
}
