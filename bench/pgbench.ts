import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface PgbenchResult {
  tps: number;
  clients: number;
  durationS: number;
  scale: number;
}

function connectionArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const args = ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres")];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  return { args, env };
}

/**
 * pgbench's built-in tpcb-like workload: five statements per transaction, one commit each — the classic
 * one-transaction-per-transfer shape, measured on the same server in the same run as the yardstick.
 */
export async function runPgbench(
  url: string,
  options: { clients: number; durationS: number; scale: number },
): Promise<PgbenchResult> {
  const database = new URL(url).pathname.slice(1);
  const { args, env } = connectionArgs(url);
  await execFileAsync("pgbench", [...args, "-i", "-q", "-s", String(options.scale), database], { env });
  const threads = Math.min(options.clients, 2);
  const { stdout } = await execFileAsync(
    "pgbench",
    [
      ...args,
      "-b",
      "tpcb-like",
      "-c",
      String(options.clients),
      "-j",
      String(threads),
      "-T",
      String(options.durationS),
      database,
    ],
    { env, maxBuffer: 8 * 1024 * 1024 },
  );
  const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`could not read pgbench's tps from:\n${stdout}`);
  return { tps: Number(match[1]), clients: options.clients, durationS: options.durationS, scale: options.scale };
}
