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
 * Longest first: node's runner starts files in the order given, so a long file started last keeps the run going
 * after the others are done. Browser files are the longest, then those that start coffer processes; within each,
 * the bigger file first. Judged from the source, so a new file finds its place without a list to keep.
 */
async function longestFirst(files: string[]): Promise<string[]> {
  const weighed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, "utf8");
      const kind = /helpers\/browser\.js/.test(text) ? 2 : /helpers\/cli\.js|node:child_process/.test(text) ? 1 : 0;
      return { file, kind, size: text.length };
    }),
  );
  return weighed.sort((a, b) => b.kind - a.kind || b.size - a.size || a.file.localeCompare(b.file)).map((w) => w.file);
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

  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${testConcurrency}`, ...files],
      {
        stdio: "inherit",
        env: {
          ...process.env,
          COFFER_TEST_ADMIN_URL: adminUrl,
          COFFER_TEST_TEMPLATE: template,
          COFFER_TEST_RUN_ID: runId,
          LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
        },
      },
    );
    child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });

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
