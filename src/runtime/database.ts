import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../db/embedded.js";
import { createPool, type Pool } from "../db/pool.js";

/** The database coffer runs on: DATABASE_URL when set, else an embedded PostgreSQL under the data folder. */
export interface Database {
  pool: Pool;
  /** For the operator: where the data is, with any password masked. */
  description: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: Logger, applicationName: string): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    log.info({ dataDir: config.dataDir }, "DATABASE_URL is not set: starting the embedded PostgreSQL");
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      log: (line) => log.debug({ postgres: line.trim() }, "embedded postgres"),
    });
    url = embedded.url;
  }
  const pool = createPool({ connectionString: url, max: config.dbPoolSize, applicationName });
  const description = embedded
    ? `embedded PostgreSQL on 127.0.0.1:${embedded.port}, data in ${path.relative(process.cwd(), embedded.dataDir) || "."}`
    : maskPassword(url);
  return {
    pool,
    description,
    embedded: embedded !== undefined,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
