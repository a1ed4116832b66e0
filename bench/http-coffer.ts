import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { rateLimitBurstRequestsMax, rateLimitRequestsPerSMax } from "../src/limits.js";

/**
 * The coffer under test, run the way a user runs it: the built program (`node dist/src/main.js start`) as child
 * processes on loopback ports, configured by environment variables only. Also: building it when dist/ is missing
 * or older than the sources, sampling the processes' memory, and reading their logs for errors afterwards.
 */

const execFileAsync = promisify(execFile);
export const mainScript = path.resolve("dist", "src", "main.js");
const readyTimeoutMs = 60_000;
const readyPollIntervalMs = 200;
const stopTimeoutMs = 20_000;
const rssSampleIntervalMs = 250;
const buildTimeoutMs = 5 * 60_000;
/** The server log lines kept per distinct message in the summary. */
const logSummaryMessagesMax = 12;

export type CofferRole = "all" | "api" | "worker";

export interface CofferProcessInfo {
  role: CofferRole;
  pid: number;
  origin: string | undefined;
  logFile: string;
}

export interface ServerLogMessage {
  level: string;
  message: string;
  count: number;
}

/** True when dist/src/main.js is missing or older than any non-test source file (or the migrations). */
async function buildIsStale(): Promise<boolean> {
  if (!existsSync(mainScript)) return true;
  const built = (await fs.stat(mainScript)).mtimeMs;
  const files = await fs.readdir(path.resolve("src"), { recursive: true });
  for (const file of files) {
    if (file.endsWith(".test.ts") || !(file.endsWith(".ts") || file.endsWith(".sql"))) continue;
    if ((await fs.stat(path.resolve("src", file))).mtimeMs > built) return true;
  }
  return false;
}

/**
 * Compiles the server half of `npm run build` (tsc -p tsconfig.build.json) when the build is stale. The web app is
 * not needed to measure the API, so its Vite build is left to `npm run build`.
 */
export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  if (!(await buildIsStale())) {
    log("dist/src/main.js is up to date with src/");
    return;
  }
  log("dist/ is missing or older than src/: building coffer (tsc -p tsconfig.build.json)");
  const tsc = path.resolve("node_modules", "typescript", "bin", "tsc");
  try {
    await execFileAsync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { timeout: buildTimeoutMs });
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? (error as Error).message;
    throw new Error(`building coffer failed; fix the build or run \`npm run build\`:\n${output.slice(0, 4000)}`);
  }
}

export function generateMasterKey(): string {
  // 32 bytes as 64 hex digits: the format COFFER_MASTER_KEY and src/runtime/master-key.ts accept.
  return randomBytes(32).toString("hex");
}

export async function freePort(): Promise<number> {
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

/** The environment every coffer process of the run gets; the settings are listed in the report. */
export function cofferEnvironment(databaseUrl: string, dataDir: string, masterKey: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The bench reads the dev mailbox, which exists only without SMTP_URL; COFFER_* comes from the bench alone.
    if (value !== undefined && key !== "SMTP_URL" && !key.startsWith("COFFER_")) env[key] = value;
  }
  return {
    ...env,
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    COFFER_DATA_DIR: dataDir,
    COFFER_MASTER_KEY: masterKey,
    LOG_LEVEL: "warn",
    // With DATABASE_URL the default is "none": test-mode endpoints may then not target the bench's loopback receiver.
    COFFER_WEBHOOK_LOCAL_TARGETS: "test",
    // The bench reads the verification mail from the dev mailbox, which is off by default with DATABASE_URL.
    COFFER_DEV_MAILBOX: "on",
    // Every workload runs through one key: the per-key limits go as high as they can, so the bench measures
    // coffer's throughput, not the limiter's refusals.
    COFFER_RATE_LIMIT_TEST_PER_S: String(rateLimitRequestsPerSMax),
    COFFER_RATE_LIMIT_TEST_BURST: String(rateLimitBurstRequestsMax),
    COFFER_RATE_LIMIT_LIVE_PER_S: String(rateLimitRequestsPerSMax),
    COFFER_RATE_LIMIT_LIVE_BURST: String(rateLimitBurstRequestsMax),
  };
}

interface Running {
  info: CofferProcessInfo;
  child: ChildProcess;
  exited: Promise<number | null>;
  peakRssKb: number;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const clockTicksPerS = 100;

/** User + system CPU seconds the process has used, from /proc/<pid>/stat (0 when it is gone). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS;
  } catch {
    return 0;
  }
}

function readStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // the process is gone, or this is not Linux
  }
}

export class CofferCluster {
  private readonly processes: Running[] = [];
  private sampler: NodeJS.Timeout | undefined;
  private windowPeakKb = new Map<number, number>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get origins(): string[] {
    return this.processes.flatMap((p) => (p.info.origin ? [p.info.origin] : []));
  }

  get infos(): CofferProcessInfo[] {
    return this.processes.map((p) => p.info);
  }

  /** One `all` process, or `apiProcesses` api processes on their own ports and one worker process. */
  async start(apiProcesses: number): Promise<void> {
    if (apiProcesses <= 1) {
      await this.spawnOne("all", await freePort());
    } else {
      // The first process applies the migrations; the others then find the schema current.
      await this.spawnOne("api", await freePort());
      const rest = [this.spawnOne("worker", undefined)];
      for (let i = 1; i < apiProcesses; i++) rest.push(this.spawnOne("api", await freePort()));
      await Promise.all(rest);
    }
    this.sampler = setInterval(() => this.sample(), rssSampleIntervalMs);
    this.sampler.unref();
  }

  private async spawnOne(role: CofferRole, port: number | undefined): Promise<void> {
    const index = this.processes.length;
    const logFile = path.join(this.logDir, `coffer-${index}-${role}.log`);
    const out = createWriteStream(logFile);
    const env = { ...this.env, COFFER_ROLE: role, PORT: String(port ?? 0) };
    // COFFER_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the coffer processes (written at stop).
    const nodeArgs = (process.env.COFFER_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    const child = spawn(process.execPath, [...nodeArgs, mainScript, "start"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    let banner = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (banner.length < 4096) banner += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const origin = port === undefined ? undefined : `http://127.0.0.1:${port}`;
    const running: Running = { info: { role, pid: child.pid ?? 0, origin, logFile }, child, exited, peakRssKb: 0 };
    this.processes.push(running);
    await this.waitReady(running, () => banner);
  }

  /** An HTTP process is ready when /readyz answers 200; a worker when it printed its banner. */
  private async waitReady(running: Running, banner: () => string): Promise<void> {
    let dead = false;
    void running.exited.then(() => {
      dead = true;
    });
    const until = performance.now() + readyTimeoutMs;
    while (performance.now() < until) {
      if (dead) break;
      if (running.info.origin) {
        const ok = await fetch(`${running.info.origin}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
      } else if (banner().includes("is running")) return;
      await new Promise((resolve) => setTimeout(resolve, readyPollIntervalMs));
    }
    const log = await fs.readFile(running.info.logFile, "utf8").catch(() => "");
    throw new Error(
      `coffer (${running.info.role}) did not become ready within ${readyTimeoutMs} ms${dead ? " (it exited)" : ""}; its output:\n${log.slice(-4000)}`,
    );
  }

  private sample(): void {
    for (const p of this.processes) {
      const rss = readStatusKb(p.info.pid, "VmRSS");
      p.peakRssKb = Math.max(p.peakRssKb, rss);
      this.windowPeakKb.set(p.info.pid, Math.max(this.windowPeakKb.get(p.info.pid) ?? 0, rss));
    }
  }

  /** The highest RSS (MB) any process reached since the last call, sampled every rssSampleIntervalMs. */
  takeWindowPeakRssMb(): number {
    this.sample();
    const peak = Math.max(0, ...this.windowPeakKb.values());
    this.windowPeakKb.clear();
    return Math.round(peak / 1024);
  }

  /** Per process: the kernel's high-water mark (VmHWM) or the sampled peak, whichever is higher, in MB. */
  peakRss(): { role: CofferRole; pid: number; peakRssMb: number }[] {
    this.sample();
    return this.processes.map((p) => ({
      role: p.info.role,
      pid: p.info.pid,
      peakRssMb: Math.round(Math.max(p.peakRssKb, readStatusKb(p.info.pid, "VmHWM")) / 1024),
    }));
  }

  /** CPU seconds all coffer processes have used so far. */
  cpuSeconds(): number {
    return this.processes.reduce((sum, p) => sum + cpuSecondsOf(p.info.pid), 0);
  }

  /** True while every process is running. */
  alive(): boolean {
    return this.processes.every((p) => p.child.exitCode === null && p.child.signalCode === null);
  }

  /** SIGTERM to each process the bench started (by its pid), SIGKILL if it has not stopped in time. */
  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        p.child.kill("SIGTERM");
        const timer = setTimeout(() => p.child.kill("SIGKILL"), stopTimeoutMs);
        await p.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Warnings and errors from the processes' logs, counted per distinct message, most frequent first. */
  async logSummary(): Promise<ServerLogMessage[]> {
    const counts = new Map<string, ServerLogMessage>();
    for (const p of this.processes) {
      const text = await fs.readFile(p.info.logFile, "utf8").catch(() => "");
      for (const line of text.split("\n")) {
        const entry = summarizeLogLine(line);
        if (!entry) continue;
        const key = `${entry.level}\u0000${entry.message}`;
        const found = counts.get(key);
        if (found) found.count++;
        else counts.set(key, { ...entry, count: 1 });
      }
    }
    return [...counts.values()].sort((a, b) => b.count - a.count).slice(0, logSummaryMessagesMax);
  }
}

const pinoLevels: Record<number, string> = { 40: "warn", 50: "error", 60: "fatal" };

/** A pino JSON line at warn or above as level + message (with the error's message); other output as is. */
function summarizeLogLine(line: string): { level: string; message: string } | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  if (!text.startsWith("{")) {
    // The start banner is not a problem; anything else on stderr (Node warnings, crashes) is worth seeing.
    if (/^(coffer \d|\s*(API reference|data folder|database|role|stop with))/.test(line)) return undefined;
    return { level: "stderr", message: text.slice(0, 300) };
  }
  try {
    const entry = JSON.parse(text) as { level?: number; msg?: string; err?: { message?: string; code?: string } };
    if ((entry.level ?? 0) < 40) return undefined;
    const error = entry.err ? `: ${entry.err.code ? `${entry.err.code} ` : ""}${entry.err.message ?? ""}` : "";
    return {
      level: pinoLevels[entry.level ?? 0] ?? String(entry.level),
      message: `${entry.msg ?? ""}${error}`.slice(0, 300),
    };
  } catch {
    return { level: "stderr", message: text.slice(0, 300) };
  }
}

/** `node dist/src/main.js verify --json` against the bench's database (it reads DATABASE_URL like `start`). */
export async function runVerify(env: Record<string, string>): Promise<VerifyOutcome> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [mainScript, "verify", "--json"], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseVerify(stdout, 0);
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof failed.code === "number" && failed.stdout) return parseVerify(failed.stdout, failed.code);
    return {
      ok: false,
      exitCode: failed.code ?? null,
      accounts: 0,
      transfers: 0,
      violations: [failed.stderr ?? failed.message],
    };
  }
}

export interface VerifyOutcome {
  ok: boolean;
  exitCode: number | null;
  accounts: number;
  transfers: number;
  violations: string[];
}

function parseVerify(stdout: string, exitCode: number): VerifyOutcome {
  const report = JSON.parse(stdout) as {
    ok: boolean;
    accounts: number;
    transfers: number;
    violations: { message?: string }[];
  };
  return {
    ok: report.ok && exitCode === 0,
    exitCode,
    accounts: report.accounts,
    transfers: report.transfers,
    violations: report.violations.slice(0, 20).map((v) => v.message ?? JSON.stringify(v)),
  };
}
