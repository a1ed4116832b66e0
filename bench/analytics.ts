import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { type Dataset, loadDataset } from "./analytics-data.js";
import { analyticsRanges, benchTimeZone, measureQueries, opsQueries, type QueryFigures } from "./analytics-queries.js";
import { buildRollups, type RollupBuild, setRollupMaintenance } from "./analytics-rollups.js";
import { closedLoop, HttpClient, type LoopResult } from "./http-client.js";
import { CofferCluster, cofferEnvironment, ensureBuilt, generateMasterKey, mainScript } from "./http-coffer.js";
import { setUp } from "./http-setup.js";
import { payTwoStep } from "./http-workloads.js";
import { runPgbench } from "./pgbench.js";
import { round } from "./stats.js";

const execFileAsync = promisify(execFile);

/**
 * `npm run bench -- analytics`: the merchant dashboard's queries against a year of history, and what keeping the
 * analytics rollups costs the payment path.
 *
 * 1. pgbench tpcb-like on the same server, the yardstick.
 * 2. The built coffer starts on a fresh database; a merchant signs up through the API (its test key asks the
 *    queries) with test payers for pay2.
 * 3. The history is generated in SQL (bench/analytics-data.ts): by default 10 million payments over 1,000
 *    merchants and a year, 1 million of them the measured merchant's; then the rollups are built from it.
 * 4. Each dashboard query over the last year, month and day, timed over HTTP.
 * 5. pay2 (create a QR payment, the payer confirms it) in a closed loop, with the rollups kept up to date and with
 *    their maintenance switched off, alternating, on top of that history.
 */

/** Between a pay2 run and the next, so background work (events, the rollup fold) of one does not bleed in. */
const settleMs = 2_000;
const warmupMs = 2_000;

export interface AnalyticsBenchOptions {
  benchUrl: string;
  pgbenchUrl: string;
  payments: number;
  merchants: number;
  durationS: number;
  callers: number;
  /** pay2 runs with the rollups on and off, alternating, each this many times. */
  rounds: number;
  samples: number;
  pgbenchClients: number;
  pgbenchScale: number;
  settings: Record<string, string>;
  embedded: boolean;
  log: (line: string) => void;
}

export interface Pay2Run {
  rollups: "on" | "off";
  round: number;
  run: LoopResult;
}

export interface AnalyticsBenchReport {
  date: Date;
  options: Omit<AnalyticsBenchOptions, "log" | "benchUrl" | "pgbenchUrl" | "settings" | "embedded">;
  settings: Record<string, string>;
  embedded: boolean;
  pgbench: { tps: number; clients: number; scale: number } | null;
  dataset: Dataset;
  rollups: RollupBuild;
  /** Sizes on disk after the load, MB. */
  sizes: Record<string, number>;
  queries: QueryFigures[];
  pay2: Pay2Run[];
  loadAverage: { start: number; end: number };
}

async function yardstick(options: AnalyticsBenchOptions) {
  const { pgbenchClients: clients, pgbenchScale: scale, durationS } = options;
  options.log(`pgbench tpcb-like: ${clients} clients, ${durationS} s, scale ${scale}`);
  try {
    const result = await runPgbench(options.pgbenchUrl, { clients, durationS, scale });
    options.log(`pgbench: ${result.tps.toFixed(0)} tps`);
    return { tps: result.tps, clients, scale };
  } catch (error) {
    options.log(`pgbench could not run (${(error as Error).message.split("\n")[0]}); no yardstick`);
    return null;
  }
}

/** The history's tables and their indexes on disk, MB. */
async function sizes(db: pg.Pool, tables: string[]): Promise<Record<string, number>> {
  const result = await db.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes
       FROM pg_class c WHERE c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    [tables],
  );
  return Object.fromEntries(result.rows.map((r) => [r.name, Math.round(Number(r.bytes) / 1024 ** 2)]));
}

async function loadHistory(options: AnalyticsBenchOptions, db: pg.Pool, merchantId: string, end: Date) {
  options.log(
    `data: ${options.payments.toLocaleString("en-US")} payments over ${options.merchants.toLocaleString("en-US")} merchants and ${analyticsRanges.year} days`,
  );
  const client = await db.connect();
  try {
    const dataset = await loadDataset(client, {
      payments: options.payments,
      merchants: options.merchants,
      bigMerchantId: merchantId,
      end,
      log: options.log,
    });
    options.log(`data: loaded in ${JSON.stringify(dataset.timings)} s`);
    // The measured merchant's dashboard is in its own time zone, the one the queries ask in (a console owner sets
    // it with PATCH /v1/console/merchant); its daily rollups are built below, in that zone.
    await client.query("UPDATE merchants SET time_zone = $2 WHERE id = $1", [merchantId, benchTimeZone]);
    const rollups = await buildRollups(client, { bigMerchantId: merchantId, end, log: options.log });
    options.log(`rollups: built in ${rollups.seconds} s (${JSON.stringify(rollups.rows)} rows)`);
    // The rollups are what the queries read: vacuumed (visibility map for index-only scans) and analyzed; the
    // payments only analyzed (the pay2 runs insert into them).
    await client.query(`VACUUM ANALYZE ${rollups.tables.join(", ")}`);
    await client.query("ANALYZE payments, refunds");
    return { dataset, rollups };
  } finally {
    client.release();
  }
}

/**
 * An admin operator made the way an install makes its first one (`coffer operator create`), signed in with a
 * password of its own: the ops query's caller. Answers the session cookie.
 */
async function operatorSession(env: Record<string, string>, client: HttpClient): Promise<string> {
  const email = `ops-${randomBytes(4).toString("hex")}@bench.example`;
  const { stdout } = await execFileAsync(
    process.execPath,
    [mainScript, "operator", "create", "--email", email, "--role", "admin"],
    { env },
  );
  const password = /one-time password: (\S+)/.exec(stdout)?.[1];
  if (!password) throw new Error(`coffer operator create printed no password: ${stdout}`);
  const login = await client.must(0, {
    method: "POST",
    path: "/v1/ops/login",
    json: { email, password, new_password: `bench ${randomBytes(12).toString("hex")}` },
  });
  const setCookie = login.headers["set-cookie"];
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ""])
    .map((c) => c.split(";")[0])
    .find((c) => c?.startsWith("coffer_ops="));
  if (!cookie) throw new Error("operator sign-in set no coffer_ops cookie");
  return cookie;
}

async function pay2Runs(
  options: AnalyticsBenchOptions,
  context: { client: HttpClient; db: pg.Pool; cluster: CofferCluster; setup: Awaited<ReturnType<typeof setUp>> },
): Promise<Pay2Run[]> {
  const runs: Pay2Run[] = [];
  const operation = payTwoStep(context.setup, (caller) => context.setup.payers[caller]!);
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const rollups of ["on", "off"] as const) {
        await setRollupMaintenance(context.db, rollups === "on");
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        if (!context.cluster.alive()) throw new Error("coffer exited during the benchmark");
        const run = await closedLoop(
          { client: context.client, callers: options.callers, warmupMs, durationMs: options.durationS * 1000 },
          operation,
        );
        const errors = Object.entries({ ...run.errors, ...run.failedOutcomes }).map(([k, n]) => `${k}×${n}`);
        options.log(
          `pay2 rollups ${rollups} (round ${round}): ${run.opsPerS} payments/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms${errors.length ? `, errors ${errors.join(" ")}` : ""}`,
        );
        runs.push({ rollups, round, run });
      }
    }
  } finally {
    await setRollupMaintenance(context.db, true);
  }
  return runs;
}

export async function runAnalyticsBench(options: AnalyticsBenchOptions): Promise<AnalyticsBenchReport> {
  await ensureBuilt(options.log);
  const loadAtStart = os.loadavg()[0]!;
  const pgbench = await yardstick(options);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-bench-analytics-"));
  const env = cofferEnvironment(options.benchUrl, dataDir, generateMasterKey());
  const cluster = new CofferCluster(env, dataDir);
  const db = new pg.Pool({ connectionString: options.benchUrl, max: 2, application_name: "coffer-bench-analytics" });
  let client: HttpClient | undefined;
  try {
    await cluster.start(1);
    client = new HttpClient(cluster.origins, options.callers);
    // The ranges end at the start of this hour; the generated history ends before, the setup's payments after.
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const setup = await setUp(client, options.callers, options.log);
    const { dataset, rollups } = await loadHistory(options, db, setup.merchant.merchantId, to);
    const measure = { client, to, samples: options.samples, warmup: Math.min(10, options.samples), log: options.log };
    const queries = await measureQueries({
      ...measure,
      headers: { authorization: `Bearer ${setup.merchant.secretKey}` },
    });
    const cookie = await operatorSession(env, client);
    queries.push(...(await measureQueries({ ...measure, headers: { cookie } }, opsQueries)));
    const pay2 = await pay2Runs(options, { client, db, cluster, setup });
    const { log: _log, benchUrl: _b, pgbenchUrl: _p, settings, embedded, ...shown } = options;
    return {
      date: new Date(),
      options: shown,
      settings,
      embedded,
      pgbench,
      dataset,
      rollups,
      sizes: await sizes(db, ["payments", "refunds", ...rollups.tables]),
      queries,
      pay2,
      loadAverage: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) },
    };
  } catch (error) {
    await cluster.stop();
    for (const m of await cluster.logSummary()) options.log(`server log: ${m.count}× ${m.level} ${m.message}`);
    throw error;
  } finally {
    await client?.close();
    await cluster.stop();
    await db.end();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
