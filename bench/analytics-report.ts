import type { AnalyticsBenchReport, Pay2Run } from "./analytics.js";
import { bigMerchantShare, historyDays } from "./analytics-data.js";
import { analyticsRanges, benchTimeZone, opsQueries, type QueryFigures, queryP99MsMax } from "./analytics-queries.js";
import { machineLine, postgresLine, settingsTable, table, writeSection } from "./report.js";
import { round } from "./stats.js";

/** docs/PERFORMANCE.md's analytics section, from one run of `npm run bench -- analytics`. */

const number = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });

function queriesTable(report: AnalyticsBenchReport): string {
  const rows = report.queries.map((q) =>
    q.status === 200
      ? [q.query, q.range, String(q.samples), String(q.p50Ms), String(q.p95Ms), String(q.p99Ms), String(q.maxMs)]
      : [q.query, q.range, "—", notAnswered(q), "—", "—", "—"],
  );
  return table(
    ["query", "range", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms"],
    [false, false, true, true, true, true, true],
    rows,
  );
}

/** A range the API refuses by design (more points than a timeseries holds) is not a failure of the target. */
function refusedByDesign(q: QueryFigures): boolean {
  return q.status === 400 && (q.refusal ?? "").includes("analytics_range_too_long");
}

function notAnswered(q: QueryFigures): string {
  return refusedByDesign(q) ? "not offered (400 analytics_range_too_long)" : `answered ${q.status}`;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function pay2Table(runs: Pay2Run[]): string {
  const rows = runs.map((r) => [
    r.rollups,
    String(r.round),
    number(r.run.opsPerS),
    String(r.run.p50Ms),
    String(r.run.p99Ms),
    String(r.run.errors5xx),
  ]);
  return table(
    ["rollups", "round", "payments/s", "p50 ms", "p99 ms", "5xx"],
    [false, true, true, true, true, true],
    rows,
  );
}

/** Throughput with the rollups kept ÷ without, over the alternating rounds. */
export function pay2Cost(runs: Pay2Run[]): { on: number; off: number; ratio: number | null } {
  const on = mean(runs.filter((r) => r.rollups === "on").map((r) => r.run.opsPerS));
  const off = mean(runs.filter((r) => r.rollups === "off").map((r) => r.run.opsPerS));
  return { on: round(on, 1), off: round(off, 1), ratio: off > 0 ? round(on / off, 3) : null };
}

function targets(report: AnalyticsBenchReport): string {
  const merchantQueries = report.queries.filter((q) => !opsQueries.some((o) => o.name === q.query));
  const measured = merchantQueries.filter((q) => q.status === 200);
  const ops = report.queries.filter((q) => opsQueries.some((o) => o.name === q.query) && q.status === 200);
  const worst = measured.reduce((a, q) => (a && a.p99Ms >= q.p99Ms ? a : q), measured[0]);
  const refused = merchantQueries.filter((q) => q.status !== 200 && !refusedByDesign(q));
  const met = worst !== undefined && worst.p99Ms <= queryP99MsMax && refused.length === 0;
  const cost = pay2Cost(report.pay2);
  const lines = [
    `- p99 ≤ ${queryP99MsMax} ms per query for the merchant with ${number(report.dataset.bigMerchantPayments)} payments: ${
      worst ? `worst **${worst.p99Ms} ms** (${worst.query}, ${worst.range})` : "nothing measured"
    }${refused.length > 0 ? `, ${refused.length} queries not answered 200` : ""} — ${met ? "met" : "not met"}`,
    `- The operators' platform summary over ${number(report.dataset.payments)} payments: p99 ${
      ops.length > 0 ? ops.map((q) => `${q.p99Ms} ms (${q.range})`).join(", ") : "not measured"
    }`,
    `- pay2 with the rollups kept: **${number(cost.on)}/s** against **${number(cost.off)}/s** without (${
      cost.ratio === null ? "n/a" : `${cost.ratio}×, ${round((1 - cost.ratio) * 100, 1)} % slower`
    })`,
  ];
  return lines.join("\n");
}

function datasetLines(report: AnalyticsBenchReport): string {
  const d = report.dataset;
  const sizes = Object.entries(report.sizes)
    .map(([t, mb]) => `${t} ${number(mb)} MB`)
    .join(", ");
  const rows = Object.entries(report.rollups.rows)
    .map(([t, n]) => `${t} ${number(n)}`)
    .join(", ");
  return `- ${number(d.payments)} payments over ${number(d.merchants)} merchants and ${historyDays} days (the measured merchant ${number(d.bigMerchantPayments)}, ${bigMerchantShare * 100} %; the others ${number(Math.floor((d.payments - d.bigMerchantPayments) / Math.max(1, d.merchants - 1)))} each), ${number(d.payers)} payers, ${number(d.refunds)} refunds, all in test mode and USD.
- Loaded in ${Object.entries(d.timings)
    .map(([s, t]) => `${s.replace(/_/g, " ")} ${t} s`)
    .join(", ")}; rollups built in ${report.rollups.seconds} s.
- Rows: ${rows}.
- On disk (with indexes): ${sizes}.`;
}

export async function writeAnalyticsSection(report: AnalyticsBenchReport): Promise<string> {
  const o = report.options;
  const pgbench = report.pgbench;
  const text = `## Merchant analytics (\`npm run bench -- analytics\`)

### How it is measured

- Yardstick: pgbench tpcb-like (${pgbench ? `${pgbench.clients} clients, scale ${pgbench.scale}` : "not available"}, ${o.durationS} s) on the same server, before coffer starts: **${pgbench ? `${number(Math.round(pgbench.tps))} tps` : "n/a"}**.
- The built coffer (\`node dist/src/main.js start\`, one process, COFFER_ROLE=all, its analytics worker folding the inbox) on a fresh database. A merchant signs up through the API; its test secret key asks every query. ${o.callers} test payers for pay2.
- The history is generated in SQL (bench/analytics-data.ts: \`generate_series\`, \`INSERT … SELECT\`, the inbox triggers and foreign keys off while loading, secondary indexes built afterwards), and the rollups are built from it by set-based statements equal to what the worker folds (bench/analytics-rollups.ts); the daily levels are summed from the 15-minute and hourly rows, by day of each merchant's time zone (the measured merchant's is ${benchTimeZone}, the zone the queries ask in, as its dashboard would). Then the rollup tables are vacuumed and every table analyzed.
${datasetLines(report)}
- Queries: each endpoint over the last ${Object.entries(analyticsRanges)
    .map(([range, days]) => `${range} (${days} day${days === 1 ? "" : "s"})`)
    .join(
      ", ",
    )}, ending at the start of the hour, in ${benchTimeZone} (the operators' platform summary, \`GET /v1/ops/analytics/summary?livemode=false\`, in whole UTC hours, as an admin signed in); one request after another over HTTP (a dashboard's requests come from one browser), ${o.samples} measured after up to 10 unmeasured. Latency is sent → body read. \`timeseries\` asks for \`gross_volume\`.
- Write path: pay2 (\`POST /v1/payments\` qr + \`POST /v1/wallet/payments/{id}/confirm\`) in a closed loop with ${o.callers} callers, ${o.durationS} s measured after 2 s of warm-up, on top of the history; alternately with the rollups kept (the inbox triggers on, the worker folding) and without (the triggers disabled), ${o.rounds} rounds.

### Results

${queriesTable(report)}

${pay2Table(report.pay2)}

${targets(report)}

### Machine and settings (${report.date.toISOString().slice(0, 10)})

${machineLine(report.date)}
${postgresLine(report.embedded)}
- The machine's 1-minute load average: ${report.loadAverage.start} at the start, ${report.loadAverage.end} at the end.

${settingsTable(report.settings)}
`;
  return writeSection("analytics", text);
}
