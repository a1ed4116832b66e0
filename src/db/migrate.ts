import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrationLockKey } from "../limits.js";
import type { Pool } from "./pool.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The .sql files live beside this module in src/; the compiled build reads them from the source tree. */
export function migrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "migrations"), path.resolve(here, "../../../src/db/migrations")];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`migrations folder not found (looked in ${candidates.join(", ")})`);
  return found;
}

export async function loadMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileNamePattern.exec(file);
    if (!match) throw new Error(`migration file name ${file} must look like 0001_name.sql`);
    const sql = await fs.readFile(path.join(dir, file), "utf8");
    const version = Number(match[1]);
    if (migrations.length > 0 && migrations[migrations.length - 1]!.version !== version - 1) {
      throw new Error(`migration ${file} breaks the numbering: versions must be consecutive`);
    }
    migrations.push({ version, name: match[2]!, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return migrations;
}

export interface MigrateResult {
  applied: Migration[];
  current: number;
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock so several
 * coffer processes starting at once apply each migration exactly once.
 */
export async function migrate(pool: Pool, migrations?: Migration[]): Promise<MigrateResult> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ version: number; checksum: string; name: string }>(
        "SELECT version, checksum, name FROM schema_migrations ORDER BY version",
      );
      const doneByVersion = new Map(done.rows.map((row) => [row.version, row]));
      for (const row of done.rows) {
        const known = all.find((m) => m.version === row.version);
        if (!known)
          throw new Error(
            `database has migration ${row.version} (${row.name}) that this coffer does not know: is it older than the database?`,
          );
        if (known.checksum !== row.checksum)
          throw new Error(
            `migration ${row.version} (${row.name}) was edited after it was applied; add a new migration instead`,
          );
      }
      const applied: Migration[] = [];
      for (const migration of all) {
        if (doneByVersion.has(migration.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`);
        }
        applied.push(migration);
      }
      return { applied, current: all.at(-1)?.version ?? 0 };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}

/** For /readyz: true when every migration this build knows is applied. */
export async function migrationsApplied(pool: Pool, expectedVersion: number): Promise<boolean> {
  const result = await pool.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
  return (result.rows[0]?.version ?? 0) >= expectedVersion;
}
