import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { HttpBenchReport, HttpRunResult } from "./http.js";
import { payerBalanceMinor, payerPasswordFreeMinor, payerTier, refundablePaymentMinor } from "./http-setup.js";
import { hotPaymentMinor, paymentMinor, refundMinor } from "./http-workloads.js";
import type { WorkloadResult } from "./ledger.js";

/**
 * docs/PERFORMANCE.md is written by the benchmarks, one section per suite between marker comments
 * (`<!-- bench:ledger:start -->` … `<!-- bench:ledger:end -->`). A suite rewrites only its own section; anything
 * else in the file, hand-written text included, stays as it is. The figures are never typed in by hand.
 */

export interface BenchReport {
  date: Date;
  durationS: number;
  concurrency: number;
  poolSize: number;
  pgbench: { tps: number; clients: number; scale: number } | null;
  settings: Record<string, string>;
  embedded: boolean;
  workloads: WorkloadResult[];
}

type Suite = "ledger" | "http" | "analytics";

const w1TargetRatio = 3;
const w2TargetOfW1 = 0.8;
const docFile = path.resolve("docs", "PERFORMANCE.md");
const docHeader = `# Performance

Each section between \`bench:\` marker comments is written by its benchmark (\`npm run bench -- <suite>\`); do not edit
the figures by hand. Run it again on your machine to compare. Text outside the markers is left as it is.
`;

/** Replaces the suite's section (markers included) or appends it; creates the file with a header if needed. */
export async function writeSection(suite: Suite, body: string): Promise<string> {
  const start = `<!-- bench:${suite}:start -->`;
  const end = `<!-- bench:${suite}:end -->`;
  const block = `${start}\n\n${body.trim()}\n\n${end}`;
  const current = await fs.readFile(docFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const from = current.indexOf(start);
  const to = current.indexOf(end, from);
  let text: string;
  if (current.trim() === "") text = `${docHeader}\n${block}\n`;
  else if (from >= 0 && to > from) text = `${current.slice(0, from)}${block}${current.slice(to + end.length)}`;
  else text = `${current.trimEnd()}\n\n${block}\n`;
  await fs.mkdir(path.dirname(docFile), { recursive: true });
  await fs.writeFile(docFile, text);
  return docFile;
}

/** A Markdown table with padded columns, so the file reads well as text too. */
export function table(headers: string[], right: boolean[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

export function machineLine(date: Date): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(os.totalmem() / 1024 ** 3);
  return `- ${os.cpus().length} × ${cpu}, ${memoryGiB} GiB memory, ${os.type()} ${os.release()}, Node.js ${process.version} (${date.toISOString().slice(0, 10)})`;
}

export function settingsTable(settings: Record<string, string>): string {
  const rows = Object.entries(settings)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, v]);
  return table(["setting", "value"], [false, false], rows);
}

export function postgresLine(embedded: boolean): string {
  return `- PostgreSQL: ${embedded ? "embedded (the npm package's binaries, default settings)" : "the server in DATABASE_URL"}, on the same machine, over TCP loopback`;
}

/** Rewrites the ledger's section of docs/PERFORMANCE.md from one run. */
export async function writePerformanceDoc(report: BenchReport): Promise<string> {
  const pgbenchTps = report.pgbench?.tps ?? null;
  const ratio = (tps: number) => (pgbenchTps ? (tps / pgbenchTps).toFixed(2) : "n/a");
  const w1 = report.workloads.find((w) => w.workload === "W1");
  const w2 = report.workloads.find((w) => w.workload === "W2");
  const rows = report.workloads.map((w) => [
    w.workload,
    w.description,
    w.transfersPerS.toLocaleString("en-US"),
    String(w.p50Ms),
    String(w.p99Ms),
    String(w.meanBatchTransfers),
    ratio(w.transfersPerS),
  ]);
  const targets: string[] = [];
  if (w1 && pgbenchTps) {
    const r = w1.transfersPerS / pgbenchTps;
    targets.push(`- W1 ≥ ${w1TargetRatio}× pgbench: **${r.toFixed(2)}×** — ${r >= w1TargetRatio ? "met" : "not met"}`);
  }
  if (w1 && w2) {
    const r = w2.transfersPerS / w1.transfersPerS;
    targets.push(
      `- W2 ≥ ${w2TargetOfW1}× W1 (the hot account does not collapse throughput): **${r.toFixed(2)}×** — ${r >= w2TargetOfW1 ? "met" : "not met"}`,
    );
  }
  const text = `## The ledger (\`npm run bench -- ledger\`)

### How it is measured

- One PostgreSQL server, one run: first pgbench's built-in **tpcb-like** workload (${report.pgbench ? `${report.pgbench.clients} clients, scale ${report.pgbench.scale}` : "not available"}, ${report.durationS} s) as the yardstick — five statements and one durable commit per transaction, the shape of a one-transaction-per-transfer ledger — then the ledger workloads.
- The ledger workloads drive the real write path in process (ledger service → batch writer → PostgreSQL) with ${report.concurrency} concurrent callers in a closed loop; each caller submits one operation and waits for its result. Latency is per operation, submit to result, including the durable commit. ${report.durationS} s per workload after 1 s of warm-up; pool of ${report.poolSize} connections.
- Commits are durable: nothing is relaxed for the benchmark (see the settings below).
- After the workloads, \`coffer verify\` must pass on the benchmark's books, or the run fails.

${table(["workload", "what", "transfers/s", "p50 ms", "p99 ms", "transfers per batch", "× pgbench"], [false, false, true, true, true, true, true], rows)}

pgbench tpcb-like: **${pgbenchTps === null ? "n/a" : Math.round(pgbenchTps).toLocaleString("en-US")} tps**.

${targets.join("\n")}

### Machine and settings (${report.date.toISOString().slice(0, 10)})

${machineLine(report.date)}
${postgresLine(report.embedded)}

${settingsTable(report.settings)}

### Why the ledger beats one transaction per transfer

The batch writer gathers what callers submit while the previous batch is being written (group commit), locks the
touched accounts once per batch in id order, applies every transfer in memory with all the ledger's rules, and writes
the batch with a constant number of set-based statements (\`INSERT … SELECT FROM unnest\`, \`UPDATE … FROM unnest\`)
and one commit. A hot account (W2's merchant and fee accounts) is one row update per batch, not per transfer, so it
costs no more than a cold one. See docs/adr/0005-ledger-batch-writer.md.
`;
  return writeSection("ledger", text);
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
}

/** Errors in the window, then (in brackets) those answered in the warm-up or after the window. */
function errorsText(errors: Record<string, number>, outside: Record<string, number> = {}): string {
  const inWindow = countsText(errors);
  const beyond = countsText(outside);
  const text = [inWindow, beyond ? `(outside the window: ${beyond})` : ""].filter(Boolean).join(" ");
  return text || "—";
}

/** p50, p99, max; dashes when no request was answered 2xx in the window (0 ms would read as fast). */
function latencyCells(answered: number, figures: { p50Ms: number; p99Ms: number; maxMs: number }): string[] {
  if (answered === 0) return ["—", "—", "—"];
  return [String(figures.p50Ms), String(figures.p99Ms), String(figures.maxMs)];
}

function number(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/** Two decimals, or two significant digits below 1 so a small ratio does not read as 0.00. */
export function formatRatio(ratio: number): string {
  return ratio >= 1 || ratio === 0 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

function ratioText(value: number, base: number | undefined | null): string {
  return base ? formatRatio(value / base) : "n/a";
}

function resultsTable(report: HttpBenchReport): string {
  const pgbenchTps = report.pgbench?.tps;
  const healthz = report.workloads.find((w) => w.workload === "healthz");
  const rows = report.workloads.flatMap((w) =>
    w.runs.map((run) => {
      const healthzReqs = healthz?.runs.find((r) => r.callers === run.callers)?.requestsPerS;
      return [
        w.workload,
        String(run.callers),
        number(run.opsPerS),
        number(run.requestsPerS),
        ...latencyCells(run.answered, run),
        errorsText({ ...run.errors, ...prefixed(run.failedOutcomes) }, run.errorsOutsideWindow),
        ratioText(run.opsPerS, pgbenchTps),
        ratioText(run.opsPerS, healthzReqs),
        `${run.benchCpuPct} / ${run.cofferCpuPct}`,
      ];
    }),
  );
  return table(
    [
      "workload",
      "callers",
      "ops/s",
      "req/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "errors by status",
      "× pgbench",
      "× healthz",
      "CPU % bench / coffer",
    ],
    [false, true, true, true, true, true, true, false, true, true, true],
    rows,
  );
}

/** Outcomes that were 2xx but not what the operation expected, shown beside the statuses. */
function prefixed(outcomes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(outcomes).map(([reason, n]) => [`"${reason}"`, n]));
}

function stepsTable(report: HttpBenchReport): string {
  const rows = report.workloads.flatMap((w) =>
    w.runs.flatMap((run) =>
      Object.entries(run.steps).map(([step, s]) => [
        w.workload,
        String(run.callers),
        step,
        number(s.requests / run.durationS),
        ...latencyCells(s.answered, s),
        errorsText(s.errors),
      ]),
    ),
  );
  return table(
    ["workload", "callers", "request", "req/s", "p50 ms", "p99 ms", "max ms", "errors by status"],
    [false, true, false, true, true, true, true, false],
    rows,
  );
}

function webhookSection(report: HttpBenchReport): string {
  const webhooks = report.workloads.find((w) => w.workload === "webhooks");
  if (!webhooks) return "Not run (left out with `--workloads`).";
  const rows = webhooks.runs.map((run: HttpRunResult) => {
    const w = run.webhooks!;
    return [
      String(run.callers),
      number(run.opsPerS),
      String(w.deliveries),
      number(w.duringPerS),
      w.afterPerS === null ? "—" : number(w.afterPerS),
      number(w.overallPerS),
      `${w.backlogAtLoadEnd} in ${w.drainS} s${w.drained ? "" : " (not drained)"}`,
      `${w.commitToReceiptP50Ms} / ${w.commitToReceiptP99Ms} / ${w.commitToReceiptMaxMs}`,
      `${w.answerToReceiptP50Ms} / ${w.answerToReceiptP99Ms}`,
      String(w.duplicates),
    ];
  });
  const types = webhooks.runs[0]?.webhooks?.byType ?? {};
  return `The endpoint subscribes to \`payment.*\` (${Object.keys(types).join(", ") || "no events"} arrived), on a receiver in the bench process that answers 204 at once. The load is pay2 at each caller count; then the bench waits until coffer has no event left to fan out and no delivery left to send.

- **during**: deliveries received in the ${report.durationS} s window, per second; **after**: received after the window until the last one arrived, per second (the backlog draining); **overall**: every delivery of the run's events ÷ (last arrival − load start), which is the figure held against pgbench.
- **commit → receipt**: arrival at the receiver − the event row's \`created_at\` (written in the payment's transaction just before its commit, ms precision, read from the database after the run), for events created in the measured window. **answer → receipt**: for \`payment.succeeded\`, arrival − the moment the confirm request was answered (after the commit): a lower bound.

${table(
  [
    "callers",
    "payments/s",
    "deliveries",
    "during /s",
    "after /s",
    "overall /s",
    "delivered after the load",
    "commit → receipt p50 / p99 / max ms",
    "answer → receipt p50 / p99 ms",
    "duplicates",
  ],
  [true, true, true, true, true, true, false, false, false, true],
  rows,
)}`;
}

function workloadsTable(report: HttpBenchReport): string {
  const rows = report.workloads.map((w) => [w.workload, w.description, String(w.requestsPerOp)]);
  return table(["workload", "one operation", "requests"], [false, false, true], rows);
}

function deploymentLine(report: HttpBenchReport): string {
  const processes =
    report.apiProcesses === 1
      ? "one process (COFFER_ROLE=all)"
      : `${report.apiProcesses} COFFER_ROLE=api processes on their own ports (callers spread evenly across them) and one COFFER_ROLE=worker process`;
  const env = Object.entries(report.cofferEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return `- The built coffer (\`node dist/src/main.js start\`) as ${processes}, against a fresh database on the PostgreSQL below, with ${env}, a generated COFFER_MASTER_KEY, a temporary COFFER_DATA_DIR, and every other setting at its default (DATABASE_POOL_SIZE 10 per process).
- The per-key rate limits (COFFER_RATE_LIMIT_*) are raised as far as the configuration allows: every workload runs through one test key, and the bench measures coffer's throughput, not the limiter's 429s.`;
}

function targetsList(report: HttpBenchReport): string {
  return report.targets
    .map((t) => `- ${t.target}: **${t.measured}** — ${t.met === null ? "not measured" : t.met ? "met" : "not met"}`)
    .join("\n");
}

function serverLogSection(report: HttpBenchReport): string {
  if (report.serverLog.length === 0) return "No warnings or errors.";
  return table(
    ["count", "level", "message"],
    [true, false, false],
    report.serverLog.map((m) => [String(m.count), m.level, m.message.replace(/\|/g, "\\|")]),
  );
}

function verifySection(report: HttpBenchReport): string {
  const v = report.verify;
  const head = `\`coffer verify\` after the run: **${v.ok ? "ok" : "FAILED"}** — ${v.accounts.toLocaleString("en-US")} accounts, ${v.transfers.toLocaleString("en-US")} transfers.`;
  return v.violations.length === 0 ? head : `${head}\n\n${v.violations.map((m) => `- ${m}`).join("\n")}`;
}

/** Rewrites the HTTP section of docs/PERFORMANCE.md from one run of `npm run bench -- http`. */
export async function writeHttpSection(report: HttpBenchReport): Promise<string> {
  const pgbench = report.pgbench;
  const callersMax = Math.max(...report.concurrency);
  const text = `## coffer over HTTP (\`npm run bench -- http\`)

### How it is measured

${deploymentLine(report)}
- Setup through the HTTP API only: console sign-up, the verification mail from the dev mailbox, verify, login, reveal the test secret key; ${callersMax} test payers from \`POST /v1/test_helpers/wallet_users\` (tier ${payerTier}, the highest the helper allows, funded with ${payerBalanceMinor} minor units of USD, the tier's balance cap, and password-free up to ${payerPasswordFreeMinor}); ${2 * callersMax} paid payments of ${refundablePaymentMinor} for the refunds and reads. Caller n acts as payer n.
- Closed loop: each caller sends one operation, waits for its answer, then sends the next; ${report.warmupS} s of warm-up, then ${report.durationS} s measured, at ${report.concurrency.join(" and ")} callers. **ops/s** counts operations completed in the window whose requests all answered 2xx with the expected outcome (a payment \`succeeded\`); **req/s** every request answered in the window, any status. Latency is per request, sent → body read, over 2xx answers. Every POST carries a unique Idempotency-Key.
- The client (undici, one keep-alive connection per caller) runs in the bench process on the same machine as coffer and PostgreSQL, and shares its ${os.cpus().length} cores.
- Amounts: ${paymentMinor} minor units (1.00 USD) for pay2, code and the webhook load; partial refunds of ${refundMinor}. code-hot charges ${hotPaymentMinor}: the scripted payer behind the magic code is funded once by coffer with 100,000 and the API cannot add to it, so 1.00 USD payments would empty it after 1,000; at ${hotPaymentMinor} the fee rounds to 0 and each payment is one ledger transfer instead of two.
- code counts fetching the payer's fresh one-time code (\`GET /v1/wallet/payment_code\`, single use, the previous one stops working) as part of the operation: two requests per payment.
- Yardstick: pgbench tpcb-like (${pgbench ? `${pgbench.clients} clients, scale ${pgbench.scale}` : "not available"}, ${report.durationS} s) on the same server, before coffer starts.
- After the workloads coffer is stopped and \`coffer verify\` must pass, or the run fails.

${workloadsTable(report)}

### Results

${resultsTable(report)}

pgbench tpcb-like: **${pgbench ? `${Math.round(pgbench.tps).toLocaleString("en-US")} tps` : "n/a"}**. × pgbench is ops/s ÷ pgbench's tps; × healthz is ops/s ÷ healthz's req/s at the same number of callers. Errors list non-2xx answers in the window by status ("network": no answer), quoted the 2xx answers with an unexpected outcome, and in brackets the errors answered in the warm-up or after the window (not in the figures, but not hidden). A dash for latency: no 2xx answer in the window. CPU is in % of one core over the run (warm-up included): the bench process (the HTTP client) and all coffer processes.

### Targets

A ratio between workloads is taken at the same number of callers and is met only when it holds at each.

${targetsList(report)}

### Latency per request

${stepsTable(report)}

### Webhooks

${webhookSection(report)}

### Memory

Peak resident set size per coffer process (the kernel's high-water mark, VmHWM, or the highest of samples every 250 ms): ${report.rss.map((p) => `${p.role} **${p.peakRssMb} MB**`).join(", ")}. Per run, the highest sample of any process is in the JSON lines (\`peak_rss_mb\`).

### Books

${verifySection(report)}

### Server log

Warnings and errors the coffer processes logged during the run (LOG_LEVEL=warn), most frequent first:

${serverLogSection(report)}

### Machine and settings (${report.date.toISOString().slice(0, 10)})

${machineLine(report.date)}
- 1-minute load average ${report.loadAverage.start} before the run and ${report.loadAverage.end} after the workloads (anything else running on the machine takes its share of the cores)
${postgresLine(report.embedded)}

${settingsTable(report.settings)}
`;
  return writeSection("http", text);
}
