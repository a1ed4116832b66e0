import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closedLoop, HttpClient, type LoopResult } from "./http-client.js";
import {
  CofferCluster,
  cofferEnvironment,
  ensureBuilt,
  generateMasterKey,
  runVerify,
  type ServerLogMessage,
  type VerifyOutcome,
} from "./http-coffer.js";
import { describeLedgerDelta, scrapeLedgerTotals } from "./http-ledger-metrics.js";
import { type BenchSetup, setUp } from "./http-setup.js";
import { httpTargets, type TargetResult } from "./http-targets.js";
import { registerEndpoint, runWebhookLoad, type WebhookFigures, WebhookReceiver } from "./http-webhooks.js";
import { type LoadWorkloadName, type WorkloadName, workloadNames, workloadSpecs } from "./http-workloads.js";
import { runPgbench } from "./pgbench.js";
import { round } from "./stats.js";

/**
 * `npm run bench -- http`: coffer measured from outside, the way a user runs it. The built coffer runs as child
 * processes against a fresh database; the bench sets everything up through the HTTP API, drives each workload in a
 * closed loop at each caller count, runs pgbench on the same server as the yardstick, then `coffer verify`.
 */

/** Not counted: connections open, caches and JIT warm, the scripted payer exists. */
export const warmupMs = 2_000;
/** Between two runs, so the last one's in-flight background work (events, webhooks) does not bleed in. */
const settleMs = 1_000;

export interface HttpRunResult extends LoopResult {
  /** The highest RSS of any coffer process during this run, sampled. */
  peakRssMb: number;
  /** CPU used during the run (warm-up included) in % of one core: the bench process, and all coffer processes. */
  benchCpuPct: number;
  cofferCpuPct: number;
  webhooks?: WebhookFigures;
}

export interface HttpWorkloadResult {
  workload: WorkloadName;
  description: string;
  requestsPerOp: number;
  runs: HttpRunResult[];
}

export interface HttpBenchReport {
  date: Date;
  durationS: number;
  warmupS: number;
  concurrency: number[];
  apiProcesses: number;
  pgbench: { tps: number; clients: number; scale: number } | null;
  settings: Record<string, string>;
  embedded: boolean;
  workloads: HttpWorkloadResult[];
  rss: { role: string; pid: number; peakRssMb: number }[];
  verify: VerifyOutcome;
  serverLog: ServerLogMessage[];
  /** The coffer settings of the run (environment variables), the master key left out. */
  cofferEnv: Record<string, string>;
  targets: TargetResult[];
  /** The machine's 1-minute load average before coffer started and after the workloads: others' work shows here. */
  loadAverage: { start: number; end: number };
}

export interface HttpBenchOptions {
  benchUrl: string;
  pgbenchUrl: string;
  durationS: number;
  concurrency: number[];
  apiProcesses: number;
  workloads: WorkloadName[];
  pgbenchClients: number;
  pgbenchScale: number;
  settings: Record<string, string>;
  embedded: boolean;
  log: (line: string) => void;
}

/** The environment variables the report lists; the rest are the machine's own. */
const shownEnv = [
  "HOST",
  "LOG_LEVEL",
  "COFFER_ROLE",
  "COFFER_WEBHOOK_LOCAL_TARGETS",
  "DATABASE_POOL_SIZE",
  "COFFER_RATE_LIMIT_TEST_PER_S",
  "COFFER_RATE_LIMIT_TEST_BURST",
];

async function yardstick(options: HttpBenchOptions): Promise<HttpBenchReport["pgbench"]> {
  const { pgbenchClients: clients, pgbenchScale: scale, durationS } = options;
  options.log(`pgbench tpcb-like: ${clients} clients, ${durationS} s, scale ${scale}`);
  try {
    const result = await runPgbench(options.pgbenchUrl, { clients, durationS, scale });
    options.log(`pgbench: ${result.tps.toFixed(0)} tps`);
    return { tps: result.tps, clients, scale };
  } catch (error) {
    options.log(`pgbench could not run (${(error as Error).message.split("\n")[0]}); ratios will be n/a`);
    return null;
  }
}

export async function runHttpBench(options: HttpBenchOptions): Promise<HttpBenchReport> {
  await ensureBuilt(options.log);
  const loadAtStart = os.loadavg()[0]!;
  const pgbench = await yardstick(options);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-bench-http-"));
  const env = cofferEnvironment(options.benchUrl, dataDir, generateMasterKey());
  const cluster = new CofferCluster(env, dataDir);
  const callersMax = Math.max(...options.concurrency);
  let client: HttpClient | undefined;
  const db = new pg.Pool({ connectionString: options.benchUrl, max: 2, application_name: "coffer-bench-http" });
  const receiver = new WebhookReceiver();
  try {
    await cluster.start(options.apiProcesses);
    options.log(`coffer: ${cluster.infos.map((p) => `${p.role} pid ${p.pid} ${p.origin ?? ""}`.trim()).join(", ")}`);
    client = new HttpClient(cluster.origins, callersMax);
    const setup = await setUp(client, callersMax, options.log);
    const workloads = await runWorkloads(options, { client, setup, cluster, db, receiver, pgbench });
    const rss = cluster.peakRss();
    const loadAtEnd = os.loadavg()[0]!;
    await cluster.stop();
    const serverLog = await cluster.logSummary();
    for (const m of serverLog) options.log(`server log: ${m.count}× ${m.level} ${m.message}`);
    const verify = await runVerify(env);
    options.log(
      `coffer verify: ${verify.ok ? "ok" : "FAILED"} (${verify.accounts} accounts, ${verify.transfers} transfers)`,
    );
    const report = buildReport(options, {
      pgbench,
      workloads,
      rss,
      verify,
      serverLog,
      cofferEnv: Object.fromEntries(shownEnv.flatMap((k) => (env[k] ? [[k, env[k]]] : []))),
      loadAverage: { start: round(loadAtStart, 2), end: round(loadAtEnd, 2) },
    });
    for (const t of report.targets) {
      options.log(`target: ${t.target}: ${t.measured} — ${t.met === null ? "n/a" : t.met ? "met" : "not met"}`);
    }
    return report;
  } catch (error) {
    // The data folder with the logs is removed below: show what coffer said first.
    await cluster.stop();
    for (const m of await cluster.logSummary()) options.log(`server log: ${m.count}× ${m.level} ${m.message}`);
    throw error;
  } finally {
    await client?.close();
    await cluster.stop();
    await receiver.close();
    await db.end();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

type Measured = Pick<
  HttpBenchReport,
  "pgbench" | "workloads" | "rss" | "verify" | "serverLog" | "cofferEnv" | "loadAverage"
>;

function buildReport(options: HttpBenchOptions, measured: Measured): HttpBenchReport {
  const report: HttpBenchReport = {
    ...measured,
    date: new Date(),
    durationS: options.durationS,
    warmupS: warmupMs / 1000,
    concurrency: options.concurrency,
    apiProcesses: options.apiProcesses,
    settings: options.settings,
    embedded: options.embedded,
    targets: [],
  };
  report.targets = httpTargets(report);
  return report;
}

interface RunContext {
  client: HttpClient;
  setup: BenchSetup;
  cluster: CofferCluster;
  db: pg.Pool;
  receiver: WebhookReceiver;
  pgbench: HttpBenchReport["pgbench"];
}

async function runWorkloads(options: HttpBenchOptions, context: RunContext): Promise<HttpWorkloadResult[]> {
  const specs = workloadSpecs(context.setup);
  const results: HttpWorkloadResult[] = [];
  for (const name of workloadNames.filter((n) => options.workloads.includes(n))) {
    const result =
      name === "webhooks" ? await webhookWorkload(options, context) : await loadWorkload(options, context, specs, name);
    results.push(result);
    console.log(JSON.stringify(jsonLine(result, context.pgbench, results)));
  }
  return results;
}

async function settle(cluster: CofferCluster): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  if (!cluster.alive()) throw new Error("a coffer process exited during the benchmark; see the server log above");
  cluster.takeWindowPeakRssMb(); // the next run's peak starts here
}

/** CPU of the bench (the HTTP client) and of coffer over a run, so a client-bound run shows as one. */
function startCpuMeter(cluster: CofferCluster) {
  const wallStart = performance.now();
  const benchStart = process.cpuUsage();
  const cofferStart = cluster.cpuSeconds();
  return {
    stop(): { benchCpuPct: number; cofferCpuPct: number } {
      const wallS = (performance.now() - wallStart) / 1000;
      const bench = process.cpuUsage(benchStart);
      const benchS = (bench.user + bench.system) / 1e6;
      return {
        benchCpuPct: Math.round((benchS / wallS) * 100),
        cofferCpuPct: Math.round(((cluster.cpuSeconds() - cofferStart) / wallS) * 100),
      };
    },
  };
}

function logRun(options: HttpBenchOptions, name: string, run: HttpRunResult): void {
  const outside = Object.entries(run.errorsOutsideWindow).map(([status, n]) => `${status}×${n}`);
  const errors = [
    ...Object.entries(run.errors).map(([status, n]) => `${status}×${n}`),
    ...(outside.length > 0 ? [`(outside the window: ${outside.join(" ")})`] : []),
  ].join(" ");
  options.log(
    `${name} @${run.callers}: ${run.opsPerS} ops/s, ${run.requestsPerS} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, max ${run.maxMs} ms, CPU bench ${run.benchCpuPct}% coffer ${run.cofferCpuPct}%${errors ? `, errors ${errors}` : ""}`,
  );
}

async function loadWorkload(
  options: HttpBenchOptions,
  context: RunContext,
  specs: ReturnType<typeof workloadSpecs>,
  name: LoadWorkloadName,
): Promise<HttpWorkloadResult> {
  const spec = specs[name];
  const runs: HttpRunResult[] = [];
  for (const callers of options.concurrency) {
    await settle(context.cluster);
    options.log(`${name}: ${callers} callers, ${options.durationS} s after ${warmupMs} ms of warm-up`);
    const cpu = startCpuMeter(context.cluster);
    const ledgerBefore = await scrapeLedgerTotals(context.cluster.origins);
    const loop = await closedLoop(
      { client: context.client, callers, warmupMs, durationMs: options.durationS * 1000 },
      spec.operation(callers),
    );
    const run = { ...loop, peakRssMb: context.cluster.takeWindowPeakRssMb(), ...cpu.stop() };
    logRun(options, name, run);
    options.log(
      `${name} @${callers}: ${describeLedgerDelta(ledgerBefore, await scrapeLedgerTotals(context.cluster.origins))}`,
    );
    runs.push(run);
  }
  return { workload: name, description: spec.description, requestsPerOp: spec.requestsPerOp, runs };
}

async function webhookWorkload(options: HttpBenchOptions, context: RunContext): Promise<HttpWorkloadResult> {
  await context.receiver.start();
  const webhookOptions = { ...context, log: options.log };
  await registerEndpoint(webhookOptions);
  const runs: HttpRunResult[] = [];
  for (const callers of options.concurrency) {
    await settle(context.cluster);
    options.log(`webhooks: pay2 with ${callers} callers, ${options.durationS} s, then until every delivery arrived`);
    const cpu = startCpuMeter(context.cluster);
    const { load, webhooks } = await runWebhookLoad(webhookOptions, {
      callers,
      warmupMs,
      durationMs: options.durationS * 1000,
    });
    const run = { ...load, peakRssMb: context.cluster.takeWindowPeakRssMb(), ...cpu.stop(), webhooks };
    logRun(options, "webhooks (pay2 load)", run);
    options.log(
      `webhooks @${callers}: ${webhooks.deliveries} deliveries, ${webhooks.duringPerS}/s during, ${webhooks.afterPerS ?? "-"}/s after (${webhooks.drainS} s), ${webhooks.overallPerS}/s overall, commit→receipt p50 ${webhooks.commitToReceiptP50Ms} ms p99 ${webhooks.commitToReceiptP99Ms} ms`,
    );
    runs.push(run);
  }
  return {
    workload: "webhooks",
    description: "pay2 with a webhook endpoint for payment.* on a loopback receiver",
    requestsPerOp: 2,
    runs,
  };
}

/** Four decimals: pay2 ÷ healthz can be well below 0.01. */
function ratio(value: number, base: number | undefined | null): number | null {
  return base ? round(value / base, 4) : null;
}

/** One JSON line per workload: every caller count's figures, with the ratios to pgbench and to healthz. */
function jsonLine(result: HttpWorkloadResult, pgbench: HttpBenchReport["pgbench"], results: HttpWorkloadResult[]) {
  const healthz = results.find((w) => w.workload === "healthz");
  return {
    suite: "http",
    workload: result.workload,
    description: result.description,
    requests_per_op: result.requestsPerOp,
    pgbench_tps: pgbench ? Math.round(pgbench.tps) : null,
    runs: result.runs.map((run) => ({
      callers: run.callers,
      duration_s: run.durationS,
      ops: run.ops,
      ops_per_s: run.opsPerS,
      req_per_s: run.requestsPerS,
      p50_ms: run.p50Ms,
      p99_ms: run.p99Ms,
      max_ms: run.maxMs,
      op_p50_ms: run.opP50Ms,
      op_p99_ms: run.opP99Ms,
      errors: run.errors,
      errors_5xx: run.errors5xx,
      errors_outside_window: run.errorsOutsideWindow,
      failed_outcomes: run.failedOutcomes,
      ratio_to_pgbench: ratio(run.opsPerS, pgbench?.tps),
      ratio_to_healthz: ratio(run.opsPerS, healthz?.runs.find((r) => r.callers === run.callers)?.requestsPerS),
      steps: Object.fromEntries(
        Object.entries(run.steps).map(([step, s]) => [
          step,
          { requests: s.requests, p50_ms: s.p50Ms, p99_ms: s.p99Ms, max_ms: s.maxMs, errors: s.errors },
        ]),
      ),
      peak_rss_mb: run.peakRssMb,
      bench_cpu_pct: run.benchCpuPct,
      coffer_cpu_pct: run.cofferCpuPct,
      ...(run.webhooks ? { webhooks: webhookJson(run.webhooks) } : {}),
    })),
  };
}

function webhookJson(w: WebhookFigures) {
  return {
    deliveries: w.deliveries,
    duplicates: w.duplicates,
    by_type: w.byType,
    during_per_s: w.duringPerS,
    after_per_s: w.afterPerS,
    overall_per_s: w.overallPerS,
    delivered_after_load: w.backlogAtLoadEnd,
    drain_s: w.drainS,
    drained: w.drained,
    commit_to_receipt_p50_ms: w.commitToReceiptP50Ms,
    commit_to_receipt_p99_ms: w.commitToReceiptP99Ms,
    commit_to_receipt_max_ms: w.commitToReceiptMaxMs,
    answer_to_receipt_p50_ms: w.answerToReceiptP50Ms,
    answer_to_receipt_p99_ms: w.answerToReceiptP99Ms,
  };
}
