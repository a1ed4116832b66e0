import type { Logger } from "pino";
import { type Config, ConfigError } from "../config.js";
import { EmbeddedClusterMissing, type EmbeddedPostgres, startEmbeddedPostgres } from "../db/embedded.js";
import { createPool, type Pool } from "../db/pool.js";

/** The database coffer runs on: DATABASE_URL when set, else an embedded PostgreSQL under the data folder. */
export interface Database {
  pool: Pool;
  /** For the operator: where the data is, with any password masked. */
  description: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Inspect an existing install: without DATABASE_URL, a data folder with no database is an error, not a new one. */
  existing?: boolean;
}

export async function openDatabase(
  config: Config,
  log: Logger,
  applicationName: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    log.info({ dataDir: config.dataDir }, "DATABASE_URL is not set: starting the embedded PostgreSQL");
    try {
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        log: (line) => log.debug({ postgres: line.trim() }, "embedded postgres"),
        mustExist: options.existing,
      });
    } catch (error) {
      if (!(error instanceof EmbeddedClusterMissing)) throw error;
      throw new ConfigError([
        `no coffer database in ${error.dataDir}. Set COFFER_DATA_DIR to the folder \`coffer start\` uses (or run this command from the same directory), or DATABASE_URL.`,
      ]);
    }
    url = embedded.url;
  }
  const pool = createPool({ connectionString: url, max: config.dbPoolSize, applicationName });
  const description = embedded
    ? `embedded PostgreSQL on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`
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
