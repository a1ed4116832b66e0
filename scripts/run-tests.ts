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

/** What a file needs, judged from its source: a browser, processes of its own, or neither. */
type FileKind = "browser" | "processes" | "plain";

/**
 * Plain files share a process, this many at a time: loading coffer's modules costs seconds of CPU per process,
 * paid once per group instead of once per file. Files with a browser or processes of their own run alone, so
 * nothing they start can reach another file.
 */
const plainFilesPerProcessMax = 6;

interface TestUnit {
  files: string[];
  kind: FileKind;
}

/**
 * Longest first: a long unit started last keeps the run going after the others are done. Browser files are the
 * longest, then those that start processes, then the plain ones, grouped; within each, the bigger file first.
 * Judged from the source, so a new file finds its place without a list to keep.
 */
async function plan(files: string[]): Promise<TestUnit[]> {
  const weighed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, "utf8");
      const kind: FileKind = /helpers\/browser\.js/.test(text)
        ? "browser"
        : /helpers\/cli\.js|helpers\/chain\.js|chain\/sandbox-node\.js|node:child_process/.test(text)
          ? "processes"
          : "plain";
      return { file, kind, size: text.length };
    }),
  );
  const rank = { browser: 2, processes: 1, plain: 0 } as const;
  weighed.sort((a, b) => rank[b.kind] - rank[a.kind] || b.size - a.size || a.file.localeCompare(b.file));
  const units: TestUnit[] = weighed.filter((w) => w.kind !== "plain").map((w) => ({ files: [w.file], kind: w.kind }));
  const plain = weighed.filter((w) => w.kind === "plain").map((w) => w.file);
  for (let at = 0; at < plain.length; at += plainFilesPerProcessMax) {
    units.push({ files: plain.slice(at, at + plainFilesPerProcessMax), kind: "plain" });
  }
  return units;
}

interface FileResult {
  file: string;
  ok: boolean;
  seconds: number;
}

interface UnitResult {
  unit: TestUnit;
  exitCode: number;
  seconds: number;
  tests: number;
  failed: number;
  files: FileResult[];
}

/**
 * Each file's line in the unit's TAP: test-group.ts reports every file as a top-level suite named after it. A file
 * with no line did not finish (its process died first).
 */
function fileResults(unit: TestUnit, tap: string): FileResult[] {
  return unit.files.map((file) => {
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const line = tap.match(new RegExp(`^(not )?ok \\d+ - ${escaped}\\n  ---\\n  duration_ms: ([\\d.]+)`, "m"));
    if (!line) return { file, ok: false, seconds: 0 };
    return {
      file,
      ok: line[1] === undefined,
      seconds: Number(line[2]) / 1000,
    };
  });
}

/**
 * Runs each unit in its own node process, at most `concurrency` at once, in the order given. Not `node --test`:
 * it sorts files by name, which would start the longest ones last, and gives each file a process. Each unit's TAP
 * output is printed whole when it ends, so parallel units do not interleave.
 */
async function runUnits(units: TestUnit[], concurrency: number, env: NodeJS.ProcessEnv): Promise<UnitResult[]> {
  const queue = [...units];
  const results: UnitResult[] = [];
  const runOne = (unit: TestUnit) =>
    new Promise<UnitResult>((resolve) => {
      const started = performance.now();
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--test-reporter=tap", "scripts/test-group.ts", ...unit.files],
        { env, stdio: ["ignore", "pipe", "pipe"] },
      );
      const output: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
      child.on("close", (code, signal) => {
        const text = Buffer.concat(output).toString("utf8");
        const count = (name: string) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
        const seconds = (performance.now() - started) / 1000;
        const exitCode = code ?? (signal ? 1 : 0);
        const files = fileResults(unit, text);
        const timing = files.map((f) => `${f.file} (${f.seconds.toFixed(1)} s)`).join(", ");
        process.stdout.write(`# unit: ${timing}, ${seconds.toFixed(1)} s in all\n${text}`);
        resolve({
          unit,
          exitCode,
          seconds,
          tests: count("tests"),
          // A test cancelled by its suite's failing hook is a failure too.
          failed: count("fail") + count("cancelled"),
          files,
        });
      });
    });
  const lanes = Array.from({ length: Math.min(concurrency, units.length) }, async () => {
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) results.push(await runOne(unit));
  });
  await Promise.all(lanes);
  return results;
}

/** The run's totals, the files that failed and the slowest ones; 1 when any unit failed. */
function report(results: UnitResult[]): number {
  const files = results.flatMap((r) => r.files);
  const failedUnits = results.filter((r) => r.exitCode !== 0);
  const sum = (pick: (r: UnitResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const slowest = [...files].sort((a, b) => b.seconds - a.seconds).slice(0, slowestFilesShown);
  console.log(
    `# files ${files.length} in ${results.length} processes, tests ${sum((r) => r.tests)}, failed tests ${sum((r) => r.failed)}`,
  );
  console.log(`# slowest files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(", ")}`);
  for (const r of failedUnits) {
    const failedFiles = r.files.filter((f) => !f.ok).map((f) => f.file);
    const named = failedFiles.length > 0 ? failedFiles.join(", ") : r.unit.files.join(", ");
    console.log(`# FAILED: ${named} (exit ${r.exitCode}, ${r.failed} failed tests)`);
  }
  return failedUnits.length > 0 ? 1 : 0;
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
  const files = filters.length === 0 ? all : all.filter((f) => filters.some((flt) => f.includes(flt)));
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
  const results = await runUnits(await plan(files), testConcurrency, env);
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
