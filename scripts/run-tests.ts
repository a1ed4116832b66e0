/**
 * `npm test`: runs every *.test.ts under src/ and test/ with node's test runner against a real PostgreSQL —
 * the one in DATABASE_URL, else an embedded one started here. Each test file gets its own database, cloned
 * from a migrated template so a file costs one CREATE DATABASE, not a migration run.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../src/db/embedded.js";
import { migrate } from "../src/db/migrate.js";
import { createPool } from "../src/db/pool.js";

const testConcurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, os.availableParallelism()));
const slowestFilesShown = 8;

async function findTestFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") found.push(...(await findTestFiles(full)));
    else if (entry.isFile() && entry.name.endsWith(".test.ts")) found.push(full);
  }
  return found.sort();
}

/**
 * Longest first: a long file started last keeps the run going after the others are done. Browser files are the longest, then those that start coffer processes; within each,
 * the bigger file first. Judged from the source, so a new file finds its place without a list to keep.
 */
async function longestFirst(files: string[]): Promise<string[]> {
  const weighed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, "utf8");
      const kind = /helpers\/browser\.js/.test(text)
        ? 2
        : /helpers\/cli\.js|helpers\/chain\.js|chain\/sandbox-node\.js|node:child_process/.test(text)
          ? 1
          : 0;
      return { file, kind, size: text.length };
    }),
  );
  return weighed.sort((a, b) => b.kind - a.kind || b.size - a.size || a.file.localeCompare(b.file)).map((w) => w.file);
}

interface FileResult {
  file: string;
  exitCode: number;
  seconds: number;
  tests: number;
  failed: number;
}

/**
 * Runs each file in its own node process (as `node --test` does), at most `concurrency` at once, in the order given.
 * Not `node --test` itself: it sorts the files by name, which would start the longest ones last. Each file's TAP
 * output is printed whole when it ends, so parallel files do not interleave.
 */
async function runFiles(files: string[], concurrency: number, env: NodeJS.ProcessEnv): Promise<FileResult[]> {
  const queue = [...files];
  const results: FileResult[] = [];
  const runOne = (file: string) =>
    new Promise<FileResult>((resolve) => {
      const started = performance.now();
      const child = spawn(process.execPath, ["--import", "tsx", "--test-reporter=tap", file], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
      child.on("close", (exitCode, signal) => {
        const text = Buffer.concat(output).toString("utf8");
        const count = (name: string) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
        process.stdout.write(`# file: ${file}\n${text}`);
        resolve({
          file,
          exitCode: exitCode ?? (signal ? 1 : 0),
          seconds: (performance.now() - started) / 1000,
          tests: count("tests"),
          // A test cancelled by its suite's failing hook is a failure too.
          failed: count("fail") + count("cancelled"),
        });
      });
    });
  const lanes = Array.from({ length: Math.min(concurrency, files.length) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) results.push(await runOne(file));
  });
  await Promise.all(lanes);
  return results;
}

/** The run's totals, the files that failed and the slowest ones; 1 when any file failed. */
function report(results: FileResult[]): number {
  const failedFiles = results.filter((r) => r.exitCode !== 0);
  const sum = (pick: (r: FileResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, slowestFilesShown);
  console.log(`# files ${results.length}, tests ${sum((r) => r.tests)}, failed tests ${sum((r) => r.failed)}`);
  console.log(`# slowest files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(", ")}`);
  for (const r of failedFiles) console.log(`# FAILED: ${r.file} (exit ${r.exitCode}, ${r.failed} failed tests)`);
  return failedFiles.length > 0 ? 1 : 0;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const all = [...(await findTestFiles("src")), ...(await findTestFiles("test"))];
  const files = await longestFirst(
    filters.length === 0 ? all : all.filter((f) => filters.some((flt) => f.includes(flt))),
  );
  if (files.length === 0) {
    console.error(`no test files match ${filters.join(" ")}`);
    return 1;
  }

  let embedded: EmbeddedPostgres | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.join(os.tmpdir(), `coffer-test-${randomBytes(4).toString("hex")}`);
    console.log(`DATABASE_URL is not set: starting an embedded PostgreSQL in ${dataDir}`);
    // Tests do not need durability; fsync off keeps the disk out of the way.
    embedded = await startEmbeddedPostgres({ dataDir, settings: { fsync: "off", max_connections: "300" } });
    adminUrl = embedded.url;
  }

  const runId = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const template = `coffer_tpl_${runId}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${template}`));
  const pool = createPool({ connectionString: withDatabase(adminUrl, template), max: 1 });
  await migrate(pool);
  await pool.end();

  const env = {
    ...process.env,
    COFFER_TEST_ADMIN_URL: adminUrl,
    COFFER_TEST_TEMPLATE: template,
    COFFER_TEST_RUN_ID: runId,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    // A coffer a test starts would start a sandbox chain of its own (a hardhat node, seconds and ~100 MB each);
    // the files that test crypto start one chain themselves (test/helpers/chain.ts) and hand it over.
    COFFER_SANDBOX_CHAIN: process.env.COFFER_SANDBOX_CHAIN ?? "off",
  };
  const results = await runFiles(files, testConcurrency, env);
  const code = report(results);
  // Drop what the files left behind (a crashed file cannot clean up after itself).
  await admin(adminUrl, async (c) => {
    const left = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `coffer_%${runId}%`,
    ]);
    for (const row of left.rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
  });
  if (embedded) {
    await embedded.stop();
    await fs.rm(path.dirname(embedded.dataDir), { recursive: true, force: true });
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
