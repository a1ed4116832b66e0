/**
 * `npm run bench -- statements [--ops N]`: see bench/statements.ts.
 * `npm run bench -- ledger [--duration-s N] [--concurrency N] [--no-report]`
 * `npm run bench -- http [--duration-s N] [--concurrency 64,256] [--api-processes 1|2] [--workloads a,b] [--no-report]`
 * `npm run bench -- analytics [--payments N] [--merchants N] [--samples N] [--rounds N] [--duration-s N]
 *   [--concurrency N] [--no-report]`
 *
 * Against one PostgreSQL (DATABASE_URL, else an embedded one with durable defaults), in one run: pgbench's
 * tpcb-like workload as the yardstick, then the suite's workloads. Prints one JSON line per workload and rewrites
 * the suite's own section of docs/PERFORMANCE.md with the figures, the machine and the Postgres settings.
 *
 * ledger: the ledger workloads W1–W3 in process (bench/ledger.ts).
 * http: the built coffer as child processes, driven over HTTP (bench/http.ts).
 * analytics: the dashboard's queries over a generated year of payments, and pay2 with and without the rollups
 * (bench/analytics.ts).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../src/db/embedded.js";
import { migrate } from "../src/db/migrate.js";
import { createPool } from "../src/db/pool.js";
import { runAnalyticsBench } from "./analytics.js";
import { writeAnalyticsSection } from "./analytics-report.js";
import { runHttpBench } from "./http.js";
import { type WorkloadName, workloadNames } from "./http-workloads.js";
import { runLedgerWorkloads } from "./ledger.js";
import { runPgbench } from "./pgbench.js";
import { type BenchReport, writeHttpSection, writePerformanceDoc } from "./report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "duration-s": { type: "string", default: "15" },
    // Defaults differ per suite (see suiteDefaults).
    concurrency: { type: "string" },
    "pgbench-clients": { type: "string" },
    "pgbench-scale": { type: "string", default: "10" },
    "pool-size": { type: "string", default: "8" },
    "api-processes": { type: "string", default: "1" },
    workloads: { type: "string" },
    "no-report": { type: "boolean", default: false },
    // analytics: the generated history's size, query samples and pay2 rounds.
    payments: { type: "string", default: "10000000" },
    merchants: { type: "string", default: "1000" },
    samples: { type: "string", default: "200" },
    rounds: { type: "string", default: "2" },
  },
});
const suites = ["ledger", "http", "analytics"] as const;
type Suite = (typeof suites)[number];
const suiteDefaults: Record<Suite, { concurrency: string; pgbenchClients: string }> = {
  ledger: { concurrency: "256", pgbenchClients: "8" },
  http: { concurrency: "64,256", pgbenchClients: "16" },
  analytics: { concurrency: "64", pgbenchClients: "16" },
};
const suiteArg = positionals[0] ?? "ledger";
if (!(suites as readonly string[]).includes(suiteArg)) {
  console.error(`unknown benchmark "${suiteArg}"; available: ${suites.join(", ")}`);
  process.exit(2);
}
const suite = suiteArg as Suite;
const durationS = Number(values["duration-s"]);
const concurrencyList = (values.concurrency ?? suiteDefaults[suite].concurrency).split(",").map(Number);
const concurrency = concurrencyList[0]!;
const pgbenchClients = Number(values["pgbench-clients"] ?? suiteDefaults[suite].pgbenchClients);
const log = (line: string) => console.error(`[bench] ${line}`);

function usageError(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

if (!Number.isFinite(durationS) || durationS <= 0) usageError("--duration-s must be a positive number of seconds");
if (concurrencyList.some((n) => !Number.isSafeInteger(n) || n < 1)) {
  usageError("--concurrency must be whole numbers of callers, comma-separated (e.g. 64,256)");
}
if (suite !== "http" && concurrencyList.length > 1) usageError(`${suite} takes one --concurrency`);
const analyticsSize = {
  payments: Number(values.payments),
  merchants: Number(values.merchants),
  samples: Number(values.samples),
  rounds: Number(values.rounds),
};
for (const [name, n] of Object.entries(analyticsSize)) {
  if (!Number.isSafeInteger(n) || n < 1) usageError(`--${name} must be a positive whole number`);
}
if (analyticsSize.payments < analyticsSize.merchants) usageError("--payments must be at least --merchants");
const apiProcesses = Number(values["api-processes"]);
if (apiProcesses !== 1 && apiProcesses !== 2) usageError("--api-processes must be 1 or 2");
const selectedWorkloads = (values.workloads?.split(",") ?? [...workloadNames]).map((w) => w.trim());
for (const w of selectedWorkloads) {
  if (!(workloadNames as readonly string[]).includes(w)) {
    usageError(`unknown workload "${w}"; available: ${workloadNames.join(", ")}`);
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  let embedded: EmbeddedPostgres | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(os.tmpdir(), `coffer-bench-${randomBytes(4).toString("hex")}`);
    log(`DATABASE_URL is not set: starting an embedded PostgreSQL (durable defaults) in ${dataDir}`);
    embedded = await startEmbeddedPostgres({ dataDir });
    serverUrl = embedded.url;
  }
  const suffix = randomBytes(3).toString("hex");
  const benchDb = `coffer_bench_${suffix}`;
  const pgbenchDb = `coffer_pgbench_${suffix}`;
  await admin(serverUrl, async (c) => {
    await c.query(`CREATE DATABASE ${benchDb}`);
    await c.query(`CREATE DATABASE ${pgbenchDb}`);
  });
  const pool = createPool({
    connectionString: withDatabase(serverUrl, benchDb),
    max: Number(values["pool-size"]),
    applicationName: "coffer-bench",
  });
  try {
    const settings = await readSettings(pool);
    log(
      `PostgreSQL ${settings.server_version}: fsync=${settings.fsync} synchronous_commit=${settings.synchronous_commit}`,
    );
    const databases = { serverUrl, benchDb, pgbenchDb, settings, embedded: embedded !== undefined };
    if (suite === "ledger") return await ledgerSuite(pool, databases);
    return suite === "http" ? await httpSuite(databases) : await analyticsSuite(databases);
  } finally {
    await pool.end();
    await admin(serverUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${pgbenchDb} WITH (FORCE)`);
    });
    if (embedded) {
      await embedded.stop();
      await fs.rm(path.dirname(embedded.dataDir), { recursive: true, force: true });
    }
  }
}

interface Databases {
  serverUrl: string;
  benchDb: string;
  pgbenchDb: string;
  settings: Record<string, string>;
  embedded: boolean;
}

async function ledgerSuite(pool: ReturnType<typeof createPool>, databases: Databases): Promise<number> {
  const { serverUrl, pgbenchDb, settings } = databases;
  await migrate(pool);

  log(`pgbench tpcb-like: ${pgbenchClients} clients, ${durationS} s, scale ${values["pgbench-scale"]}`);
  let pgbenchTps: number | null = null;
  try {
    const result = await runPgbench(withDatabase(serverUrl, pgbenchDb), {
      clients: pgbenchClients,
      durationS,
      scale: Number(values["pgbench-scale"]),
    });
    pgbenchTps = result.tps;
    log(`pgbench: ${result.tps.toFixed(0)} tps`);
  } catch (error) {
    log(`pgbench could not run (${(error as Error).message.split("\n")[0]}); ratios will be null`);
  }

  const workloads = await runLedgerWorkloads({ pool, durationS, concurrency, log });
  for (const w of workloads) {
    console.log(
      JSON.stringify({
        workload: w.workload,
        transfers_per_s: w.transfersPerS,
        p50_ms: w.p50Ms,
        p99_ms: w.p99Ms,
        pgbench_tps: pgbenchTps === null ? null : Math.round(pgbenchTps),
        ratio_to_pgbench: pgbenchTps === null ? null : Math.round((w.transfersPerS / pgbenchTps) * 100) / 100,
        synchronous_commit: settings.synchronous_commit,
        mean_batch_transfers: w.meanBatchTransfers,
      }),
    );
  }
  const report: BenchReport = {
    date: new Date(),
    durationS,
    concurrency,
    poolSize: Number(values["pool-size"]),
    pgbench:
      pgbenchTps === null ? null : { tps: pgbenchTps, clients: pgbenchClients, scale: Number(values["pgbench-scale"]) },
    settings,
    embedded: databases.embedded,
    workloads,
  };
  if (!values["no-report"]) {
    const file = await writePerformanceDoc(report);
    log(`wrote ${file}`);
  }
  return 0;
}

/** The http suite fails (exit 1) when `coffer verify` finds the books wrong; the report still shows the figures. */
async function httpSuite(databases: Databases): Promise<number> {
  const report = await runHttpBench({
    benchUrl: withDatabase(databases.serverUrl, databases.benchDb),
    pgbenchUrl: withDatabase(databases.serverUrl, databases.pgbenchDb),
    durationS,
    concurrency: concurrencyList,
    apiProcesses,
    workloads: selectedWorkloads as WorkloadName[],
    pgbenchClients,
    pgbenchScale: Number(values["pgbench-scale"]),
    settings: databases.settings,
    embedded: databases.embedded,
    log,
  });
  if (!values["no-report"]) {
    const file = await writeHttpSection(report);
    log(`wrote ${file}`);
  }
  if (!report.verify.ok) {
    log(`coffer verify failed:\n${report.verify.violations.join("\n")}`);
    return 1;
  }
  return 0;
}

/** The dedicated databases are dropped at the end whatever happens: the history takes several GB. */
async function analyticsSuite(databases: Databases): Promise<number> {
  const report = await runAnalyticsBench({
    benchUrl: withDatabase(databases.serverUrl, databases.benchDb),
    pgbenchUrl: withDatabase(databases.serverUrl, databases.pgbenchDb),
    ...analyticsSize,
    durationS,
    callers: concurrency,
    pgbenchClients,
    pgbenchScale: Number(values["pgbench-scale"]),
    settings: databases.settings,
    embedded: databases.embedded,
    log,
  });
  for (const q of report.queries) console.log(JSON.stringify({ suite: "analytics", ...q }));
  for (const r of report.pay2) {
    console.log(
      JSON.stringify({
        suite: "analytics",
        workload: "pay2",
        rollups: r.rollups,
        round: r.round,
        ops_per_s: r.run.opsPerS,
        p50_ms: r.run.p50Ms,
        p99_ms: r.run.p99Ms,
      }),
    );
  }
  if (!values["no-report"]) {
    const file = await writeAnalyticsSection(report);
    log(`wrote ${file}`);
  }
  return 0;
}

async function readSettings(pool: pg.Pool): Promise<Record<string, string>> {
  const names = [
    "server_version",
    "fsync",
    "synchronous_commit",
    "wal_sync_method",
    "shared_buffers",
    "max_connections",
    "full_page_writes",
    "commit_delay",
  ];
  const result = await pool.query<{ name: string; setting: string }>(
    "SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1)",
    [names],
  );
  return Object.fromEntries(result.rows.map((r) => [r.name, r.setting]));
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
