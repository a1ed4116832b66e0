import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { WorkloadResult } from "./ledger.js";

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

const w1TargetRatio = 3;
const w2TargetOfW1 = 0.8;

/** Rewrites docs/PERFORMANCE.md from one run: the figures are never typed in by hand. */
export async function writePerformanceDoc(report: BenchReport): Promise<string> {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(os.totalmem() / 1024 ** 3);
  const pgbenchTps = report.pgbench?.tps ?? null;
  const ratio = (tps: number) => (pgbenchTps ? (tps / pgbenchTps).toFixed(2) : "n/a");
  const w1 = report.workloads.find((w) => w.workload === "W1");
  const w2 = report.workloads.find((w) => w.workload === "W2");
  const rows = report.workloads
    .map(
      (w) =>
        `| ${w.workload} | ${w.description} | ${w.transfersPerS.toLocaleString("en-US")} | ${w.p50Ms} | ${w.p99Ms} | ${w.meanBatchTransfers} | ${ratio(w.transfersPerS)} |`,
    )
    .join("\n");
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
  const settings = Object.entries(report.settings)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `| ${k} | ${v} |`)
    .join("\n");
  const text = `# Performance

Figures are written by \`npm run bench -- ledger\`; do not edit them by hand. Run it again on your machine to compare.

## How it is measured

- One PostgreSQL server, one run: first pgbench's built-in **tpcb-like** workload (${report.pgbench ? `${report.pgbench.clients} clients, scale ${report.pgbench.scale}` : "not available"}, ${report.durationS} s) as the yardstick — five statements and one durable commit per transaction, the shape of a one-transaction-per-transfer ledger — then the ledger workloads.
- The ledger workloads drive the real write path in process (ledger service → batch writer → PostgreSQL) with ${report.concurrency} concurrent callers in a closed loop; each caller submits one operation and waits for its result. Latency is per operation, submit to result, including the durable commit. ${report.durationS} s per workload after 1 s of warm-up; pool of ${report.poolSize} connections.
- Commits are durable: nothing is relaxed for the benchmark (see the settings below).
- After the workloads, \`coffer verify\` must pass on the benchmark's books, or the run fails.

| workload | what | transfers/s | p50 ms | p99 ms | transfers per batch | × pgbench |
|---|---|---:|---:|---:|---:|---:|
${rows}

pgbench tpcb-like: **${pgbenchTps === null ? "n/a" : Math.round(pgbenchTps).toLocaleString("en-US")} tps**.

${targets.join("\n")}

## Machine and settings (${report.date.toISOString().slice(0, 10)})

- ${os.cpus().length} × ${cpu}, ${memoryGiB} GiB memory, ${os.type()} ${os.release()}, Node.js ${process.version}
- PostgreSQL: ${report.embedded ? "embedded (the npm package's binaries, default settings)" : "the server in DATABASE_URL"}, on the same machine, over TCP loopback

| setting | value |
|---|---|
${settings}

## Why the ledger beats one transaction per transfer

The batch writer gathers what callers submit while the previous batch is being written (group commit), locks the
touched accounts once per batch in id order, applies every transfer in memory with all the ledger's rules, and writes
the batch with a constant number of set-based statements (\`INSERT … SELECT FROM unnest\`, \`UPDATE … FROM unnest\`)
and one commit. A hot account (W2's merchant and fee accounts) is one row update per batch, not per transfer, so it
costs no more than a cold one. See docs/adr/0005-ledger-batch-writer.md.
`;
  const file = path.resolve("docs", "PERFORMANCE.md");
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
}
