import type { Logger } from "pino";
import { type App, buildApp } from "../app.js";
import type { Config } from "../config.js";
import { migrate } from "../db/migrate.js";
import { docsPath } from "../http/openapi.js";
import { httpShutdownGraceMs } from "../limits.js";
import { createLogger } from "../logging.js";
import { cofferVersion } from "../version.js";
import { type RunningChains, startChains } from "./chains.js";
import { type Database, openDatabase } from "./database.js";
import { loadOrCreateMasterKey } from "./master-key.js";
import { createServices, type Services } from "./services.js";
import { type RunningWorkers, startWorkers } from "./worker-loop.js";
import { backgroundWorkers } from "./workers.js";

/**
 * `coffer start`: master key → database (embedded when no DATABASE_URL) → migrations → HTTP app (role api|all) →
 * workers (role worker|all) → listen. stop() undoes it in reverse: stop accepting and let in-flight requests
 * finish (at most httpShutdownGraceMs), stop the workers, close the pool, stop the embedded PostgreSQL.
 */
export interface RunningCoffer {
  /** Where the HTTP API listens; undefined for role worker. */
  url: string | undefined;
  /** Which database, for the operator (password masked). */
  database: string;
  masterKey: Buffer;
  /** What is on that must never be on in production (the wallets' sandbox identity checks and bank). */
  sandboxWarning: string | undefined;
  /** The chains coffer follows, for the start banner. */
  crypto: string;
  stop(): Promise<void>;
}

/** The loud line for the log and the start banner when live wallets use the sandbox, else undefined. */
export function sandboxWarningOf(config: Services["wallets"]["config"]): string | undefined {
  const on = [
    config.kycProvider === "sandbox" ? "identity checks approve automatically (COFFER_KYC_PROVIDER=sandbox)" : "",
    config.bankConnector === "sandbox" ? "bank top-ups settle with no bank (COFFER_BANK_CONNECTOR=sandbox)" : "",
  ].filter(Boolean);
  if (on.length === 0) return undefined;
  return `SANDBOX, DEVELOPMENT ONLY: ${on.join("; ")}. No real money or identity is checked.`;
}

export async function startCoffer(config: Config, log: Logger): Promise<RunningCoffer> {
  const masterKey = await resolveMasterKey(config, log);
  const db = await openDatabase(config, log, `coffer-${config.role}`);
  let app: App | undefined;
  let workers: RunningWorkers | undefined;
  let services: Services | undefined;
  let chains: RunningChains | undefined;
  try {
    const migrated = await migrate(db.pool);
    log.info(
      { applied: migrated.applied.map((m) => `${m.version}_${m.name}`), version: migrated.current },
      migrated.applied.length > 0 ? "database migrated" : "database schema is current",
    );

    services = createServices({ config, pool: db.pool, log, masterKey });
    await services.secrets.warm();
    chains = await startChains(config, services, log);
    if (config.role !== "worker") {
      app = await buildApp({
        config,
        pool: db.pool,
        logger: log,
        version: cofferVersion,
        services,
        schemaCompilation: config.schemaCompilation,
      });
    }
    if (config.role !== "api") {
      workers = startWorkers(backgroundWorkers({ pool: db.pool, log, services }), log, services.workerHealth);
    }

    let url: string | undefined;
    if (app) {
      await app.listen({ port: config.port, host: config.host }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EADDRINUSE" && error.code !== "EADDRNOTAVAIL") throw error;
        const problem = error.code === "EADDRINUSE" ? "is in use" : "is not an address of this machine";
        throw new Error(`${config.host}:${config.port} ${problem}; choose another with PORT/--port or HOST/--host`);
      });
      url = listeningUrl(app, config.host);
    }
    log.info({ url, role: config.role, dataDir: config.dataDir, database: db.description }, "coffer started");
    const sandboxWarning = sandboxWarningOf(services.wallets.config);
    if (sandboxWarning) log.warn({ environment: config.environment }, sandboxWarning);
    return {
      url,
      database: db.description,
      masterKey,
      sandboxWarning,
      crypto: chains.summary,
      stop: () => stopCoffer(log, app, workers, services, chains, db),
    };
  } catch (error) {
    await stopCoffer(log, app, workers, services, chains, db).catch(() => {});
    throw error;
  }
}

async function resolveMasterKey(config: Config, log: Logger): Promise<Buffer> {
  if (config.masterKey) return config.masterKey;
  const found = await loadOrCreateMasterKey(config.dataDir);
  if (found.created) {
    log.warn({ file: found.file }, "COFFER_MASTER_KEY is not set: generated a new master key; back this file up");
  } else {
    log.info({ file: found.file }, "COFFER_MASTER_KEY is not set: using the master key file");
  }
  if (found.readableByOthers) log.warn({ file: found.file }, "the master key file is readable by others: chmod 600 it");
  if (config.databaseUrl) {
    log.warn("with DATABASE_URL, set COFFER_MASTER_KEY: every coffer process on one database needs the same key");
  }
  return found.key;
}

function listeningUrl(app: App, host: string): string {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return `http://${shownHost}:${port}`;
}

async function stopCoffer(
  log: Logger,
  app: App | undefined,
  workers: RunningWorkers | undefined,
  services: Services | undefined,
  chains: RunningChains | undefined,
  db: Database,
): Promise<void> {
  if (app) {
    const closed = app.close();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), httpShutdownGraceMs);
    });
    if ((await Promise.race([closed.then(() => "closed" as const), grace])) === "timeout") {
      log.warn({ graceMs: httpShutdownGraceMs }, "requests still running after the grace period: closing them");
      app.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  }
  await workers?.stop();
  // The last passes' heartbeats, so the console shows when this process's loops last ran.
  if (workers) await services?.workerHealth.flush();
  await services?.close();
  await chains?.stop();
  await db.close();
  log.info("coffer stopped");
}

/**
 * Starts coffer and keeps it running until SIGTERM or SIGINT, then stops it gracefully and exits 0 (1 when the
 * shutdown failed). A second signal during shutdown exits at once with 1. Prints where to find things.
 */
export async function runCoffer(config: Config): Promise<void> {
  const log = createLogger({ level: config.logLevel });
  const running = await startCoffer(config, log);

  const lines = [
    running.url ? `coffer ${cofferVersion} is listening on ${running.url}` : `coffer ${cofferVersion} is running`,
    running.url ? `  API reference: ${running.url}${docsPath}` : "  role worker: background work only, no HTTP",
    `  data folder:   ${config.dataDir}`,
    `  database:      ${running.database}`,
    `  role:          ${config.role}`,
    `  environment:   ${config.environment}`,
    `  crypto:        ${running.crypto}`,
    ...(running.sandboxWarning ? [`  ${running.sandboxWarning}`] : []),
    "  stop with Ctrl+C",
  ];
  process.stderr.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without finishing the shutdown");
      log.flush();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, graceMs: httpShutdownGraceMs }, "shutting down: finishing in-flight requests");
    running.stop().then(
      () => exitAfterFlush(log, 0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        exitAfterFlush(log, 1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

function exitAfterFlush(log: Logger, code: number): void {
  log.flush(() => process.exit(code));
}
