/**
 * `npm run bench -- ledger [--duration-s N] [--concurrency N] [--no-report]`
 *
 * Against one PostgreSQL (DATABASE_URL, else an embedded one with durable defaults), in one run: pgbench's
 * tpcb-like workload as the yardstick, then the ledger workloads W1–W3. Prints one JSON line per workload and
 * rewrites docs/PERFORMANCE.md with the figures, the machine and the Postgres settings.
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
import { runLedgerWorkloads } from "./ledger.js";
import { runPgbench } from "./pgbench.js";
import { type BenchReport, writePerformanceDoc } from "./report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "duration-s": { type: "string", default: "15" },
    concurrency: { type: "string", default: "256" },
    "pgbench-clients": { type: "string", default: "8" },
    "pgbench-scale": { type: "string", default: "10" },
    "pool-size": { type: "string", default: "8" },
    "no-report": { type: "boolean", default: false },
  },
});
const suite = positionals[0] ?? "ledger";
if (suite !== "ledger") {
  console.error(`unknown benchmark "${suite}"; available: ledger`);
  process.exit(2);
}
const durationS = Number(values["duration-s"]);
const concurrency = Number(values.concurrency);
const log = (line: string) => console.error(`[bench] ${line}`);

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

async function main(): Promise<void> {
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
    await migrate(pool);

    log(`pgbench tpcb-like: ${values["pgbench-clients"]} clients, ${durationS} s, scale ${values["pgbench-scale"]}`);
    let pgbenchTps: number | null = null;
    try {
      const result = await runPgbench(withDatabase(serverUrl, pgbenchDb), {
        clients: Number(values["pgbench-clients"]),
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
        pgbenchTps === null
          ? null
          : { tps: pgbenchTps, clients: Number(values["pgbench-clients"]), scale: Number(values["pgbench-scale"]) },
      settings,
      embedded: embedded !== undefined,
      workloads,
    };
    if (!values["no-report"]) {
      const file = await writePerformanceDoc(report);
      log(`wrote ${file}`);
    }
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
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
