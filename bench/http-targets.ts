import type { HttpBenchReport, HttpWorkloadResult } from "./http.js";
import { formatRatio } from "./report.js";

/**
 * The HTTP targets, computed from one run's figures. A throughput ratio compares two workloads at the same number of
 * callers and is met only when it holds at every caller count of the run.
 */

const pay2OfPgbenchMin = 0.5;
const pay2OfHealthzMin = 0.3;
const codeOfPay2Min = 0.9;
const codeHotOfCodeMin = 0.8;
const readOfHealthzMin = 0.5;
const requestP99MsMax = 100;
const webhooksOfPgbenchMin = 0.5;
const webhookP99MsMax = 1_000;
const peakRssMbMax = 300;

export interface TargetResult {
  target: string;
  /** The measured figures, as shown in the report. */
  measured: string;
  /** null: not measured in this run (workload left out, pgbench missing). */
  met: boolean | null;
}

function runAt(report: HttpBenchReport, workload: string, callers: number) {
  return report.workloads.find((w) => w.workload === workload)?.runs.find((r) => r.callers === callers);
}

function ratioTarget(
  report: HttpBenchReport,
  target: string,
  min: number,
  value: (callers: number) => number | undefined,
): TargetResult {
  const parts: string[] = [];
  let met: boolean | null = true;
  for (const callers of report.concurrency) {
    const ratio = value(callers);
    if (ratio === undefined || !Number.isFinite(ratio)) {
      met = null;
      continue;
    }
    parts.push(`${callers} callers: ${formatRatio(ratio)}×`);
    if (ratio < min && met !== null) met = false;
  }
  return { target, measured: parts.join(" · ") || "n/a", met: parts.length === 0 ? null : met };
}

/** ops/s of one workload ÷ ops/s (or req/s) of another at the same caller count. */
function opsOf(report: HttpBenchReport, workload: string, callers: number): number | undefined {
  return runAt(report, workload, callers)?.opsPerS;
}

function worstStepP99(workload: HttpWorkloadResult, callers: number): { step: string; p99Ms: number } | undefined {
  const run = workload.runs.find((r) => r.callers === callers);
  if (!run) return undefined;
  let worst: { step: string; p99Ms: number } | undefined;
  for (const [step, figures] of Object.entries(run.steps)) {
    // No 2xx answer in the window at all is worse than any latency.
    const p99Ms = figures.answered === 0 ? Number.POSITIVE_INFINITY : figures.p99Ms;
    if (!worst || p99Ms > worst.p99Ms) worst = { step, p99Ms };
  }
  return worst;
}

function p99Target(report: HttpBenchReport): TargetResult {
  const callers = Math.min(...report.concurrency);
  const over: string[] = [];
  let worst = 0;
  for (const workload of report.workloads) {
    const step = worstStepP99(workload, callers);
    if (!step) continue;
    if (Number.isFinite(step.p99Ms)) worst = Math.max(worst, step.p99Ms);
    if (step.p99Ms > requestP99MsMax) {
      const p99 = Number.isFinite(step.p99Ms) ? `${step.p99Ms} ms` : "no 2xx answer in the window";
      over.push(`${workload.workload} ${step.step} ${p99}`);
    }
  }
  return {
    target: `p99 of each request ≤ ${requestP99MsMax} ms at ${callers} callers`,
    measured: over.length === 0 ? `worst ${worst} ms` : `over: ${over.join(", ")}`,
    met: report.workloads.length === 0 ? null : over.length === 0,
  };
}

function no5xxTarget(report: HttpBenchReport): TargetResult {
  const callers = Math.max(...report.concurrency);
  const offenders = report.workloads.flatMap((w) => {
    // Also those answered in the warm-up or after the window: a 5xx is one whenever it came.
    const run = w.runs.find((r) => r.callers === callers);
    const n = run ? run.errors5xx + run.errors5xxOutsideWindow : 0;
    return n > 0 ? [`${w.workload} ${n}`] : [];
  });
  return {
    target: `zero 5xx at ${callers} callers`,
    measured: offenders.length === 0 ? "0" : offenders.join(", "),
    met: report.workloads.length === 0 ? null : offenders.length === 0,
  };
}

function webhookTarget(report: HttpBenchReport): TargetResult {
  const webhooks = report.workloads.find((w) => w.workload === "webhooks");
  const target = `webhook deliveries ≥ ${webhooksOfPgbenchMin}× pgbench with commit → receipt p99 ≤ ${webhookP99MsMax} ms`;
  if (!webhooks || !report.pgbench) return { target, measured: "n/a", met: null };
  const tps = report.pgbench.tps;
  let met = true;
  const parts = webhooks.runs.map((run) => {
    const figures = run.webhooks!;
    const ratio = figures.overallPerS / tps;
    if (ratio < webhooksOfPgbenchMin || figures.commitToReceiptP99Ms > webhookP99MsMax || !figures.drained) met = false;
    return `${run.callers} callers: ${figures.overallPerS}/s = ${formatRatio(ratio)}×, p99 ${figures.commitToReceiptP99Ms} ms`;
  });
  return { target, measured: parts.join(" · "), met };
}

function rssTarget(report: HttpBenchReport): TargetResult {
  const peak = Math.max(0, ...report.rss.map((p) => p.peakRssMb));
  return {
    target: `peak RSS ≤ ${peakRssMbMax} MB per coffer process`,
    measured: report.rss.map((p) => `${p.role} ${p.peakRssMb} MB`).join(", "),
    met: report.rss.length === 0 ? null : peak <= peakRssMbMax,
  };
}

export function httpTargets(report: HttpBenchReport): TargetResult[] {
  const pgbenchTps = report.pgbench?.tps;
  const healthz = (callers: number) => runAt(report, "healthz", callers)?.requestsPerS;
  const divide = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? undefined : a / b);
  return [
    ratioTarget(report, `pay2 ≥ ${pay2OfPgbenchMin}× pgbench tps`, pay2OfPgbenchMin, (c) =>
      divide(opsOf(report, "pay2", c), pgbenchTps),
    ),
    ratioTarget(report, `pay2 ≥ ${pay2OfHealthzMin}× healthz req/s`, pay2OfHealthzMin, (c) =>
      divide(opsOf(report, "pay2", c), healthz(c)),
    ),
    ratioTarget(report, `code ≥ ${codeOfPay2Min}× pay2`, codeOfPay2Min, (c) =>
      divide(opsOf(report, "code", c), opsOf(report, "pay2", c)),
    ),
    ratioTarget(report, `code-hot ≥ ${codeHotOfCodeMin}× code`, codeHotOfCodeMin, (c) =>
      divide(opsOf(report, "code-hot", c), opsOf(report, "code", c)),
    ),
    ratioTarget(report, `read ≥ ${readOfHealthzMin}× healthz req/s`, readOfHealthzMin, (c) =>
      divide(opsOf(report, "read", c), healthz(c)),
    ),
    p99Target(report),
    no5xxTarget(report),
    webhookTarget(report),
    rssTarget(report),
  ];
}
