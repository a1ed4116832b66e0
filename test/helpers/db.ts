import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../../src/db/migrate.js";
import { createPool, type Pool } from "../../src/db/pool.js";

/**
 * A database of the test file's own, cloned from the migrated template that `npm test` prepared. Run a file alone
 * (`node --import tsx --test file`) with DATABASE_URL set and it migrates a fresh database itself.
 */
export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.COFFER_TEST_ADMIN_URL ?? process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("run tests with `npm test`, or set DATABASE_URL to a PostgreSQL server");
  const template = process.env.COFFER_TEST_TEMPLATE;
  const runId = process.env.COFFER_TEST_RUN_ID ?? `solo_${process.pid}`;
  const name = `coffer_t_${runId}_${randomBytes(4).toString("hex")}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pool = createPool({ connectionString: url, max: options.poolSize ?? 10, applicationName: "coffer-test" });
  if (!template) await migrate(pool);

  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
