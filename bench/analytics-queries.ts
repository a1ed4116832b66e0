import type { HttpClient } from "./http-client.js";
import { LatencyRecorder } from "./stats.js";

/**
 * The dashboard's queries, timed from outside over HTTP: each analytics endpoint for the measured merchant over the
 * last year, month and day, one request after another (a dashboard's requests come from one browser), after a few
 * unmeasured ones that warm connections and caches.
 */

export const analyticsRanges = { year: 365, month: 30, day: 1 } as const;
export type AnalyticsRange = keyof typeof analyticsRanges;
/** The time zone the queries ask for: not UTC, so buckets and the rollups' hours do not line up by accident. */
export const benchTimeZone = "Asia/Shanghai";
export const queryP99MsMax = 200;

export interface QueryFigures {
  range: AnalyticsRange;
  query: string;
  /** The status of the answers when all were the same; the bench fails a query answered other than 200. */
  status: number;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first refused answer's body, when status is not 200. */
  refusal?: string;
}

export const analyticsQueries: AnalyticsQuery[] = [
  { name: "summary", path: "/v1/analytics/summary", zoned: true },
  ...(["hour", "day", "week", "month"] as const).map((interval) => ({
    name: `timeseries ${interval}`,
    path: `/v1/analytics/timeseries?metric=gross_volume&interval=${interval}`,
    zoned: true,
  })),
  { name: "failures", path: "/v1/analytics/failures", zoned: true },
  { name: "customers", path: "/v1/analytics/customers", zoned: true },
  { name: "methods", path: "/v1/analytics/methods", zoned: true },
];

export interface QueryOptions {
  client: HttpClient;
  /** The caller's credentials: the merchant's secret key, or an operator's session cookie. */
  headers: Record<string, string>;
  /** The ranges end here (the start of the current hour). */
  to: Date;
  samples: number;
  warmup: number;
  log: (line: string) => void;
}

export interface AnalyticsQuery {
  name: string;
  path: string;
  /** Asks in benchTimeZone; the platform summary has none (whole UTC hours). */
  zoned: boolean;
}

function withRange(query: AnalyticsQuery, range: AnalyticsRange, to: Date): string {
  const toS = Math.floor(to.getTime() / 1000);
  const fromS = toS - analyticsRanges[range] * 86_400;
  const glue = query.path.includes("?") ? "&" : "?";
  const zone = query.zoned ? `&time_zone=${encodeURIComponent(benchTimeZone)}` : "";
  return `${query.path}${glue}from=${fromS}&to=${toS}${zone}`;
}

async function measureOne(options: QueryOptions, range: AnalyticsRange, query: AnalyticsQuery) {
  const path = withRange(query, range, options.to);
  const headers = options.headers;
  const latency = new LatencyRecorder();
  let status = 200;
  let refusal: string | undefined;
  for (let i = 0; i < options.warmup + options.samples; i++) {
    const t0 = performance.now();
    const answer = await options.client.send(0, { method: "GET", path, headers, read: true });
    const ms = performance.now() - t0;
    if (answer.status !== 200) {
      status = answer.status;
      refusal ??= answer.body.slice(0, 300);
      break;
    }
    if (i >= options.warmup) latency.record(ms);
  }
  const figures: QueryFigures = {
    range,
    query: query.name,
    status,
    samples: latency.count,
    p50Ms: latency.percentile(50),
    p95Ms: latency.percentile(95),
    p99Ms: latency.percentile(99),
    maxMs: latency.percentile(100),
    ...(refusal ? { refusal } : {}),
  };
  return figures;
}

/** The operators' platform summary (docs/platform-analytics.md), test mode: the generated history's. */
export const opsQueries: AnalyticsQuery[] = [
  { name: "ops summary", path: "/v1/ops/analytics/summary?livemode=false", zoned: false },
];

/** Every query over every range; a query not answered 200 is reported with its answer, not measured. */
export async function measureQueries(
  options: QueryOptions,
  queries: AnalyticsQuery[] = analyticsQueries,
): Promise<QueryFigures[]> {
  const results: QueryFigures[] = [];
  for (const range of Object.keys(analyticsRanges) as AnalyticsRange[]) {
    for (const query of queries) {
      const f = await measureOne(options, range, query);
      options.log(
        f.status === 200
          ? `query ${query.name} over a ${range}: p50 ${f.p50Ms} ms, p95 ${f.p95Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms (${f.samples} requests)`
          : `query ${query.name} over a ${range}: answered ${f.status}: ${f.refusal}`,
      );
      results.push(f);
    }
  }
  return results;
}
