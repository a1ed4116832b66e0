import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the URL from "coffer … is listening on http://…", rejects if the process exits first. */
  listening: Promise<string>;
}

/** Runs the real CLI (src/main.ts through tsx), the same code path as `coffer`. */
export function runCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/main.ts"), ...args], {
    cwd: repoRoot,
    // Lazy schema compilation starts each coffer seconds sooner; src/cli/start.test.ts and the README walk-through start it eagerly, as users do.
    env: { ...process.env, LOG_LEVEL: "info", COFFER_SCHEMA_COMPILATION: "lazy", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
      const match = /is listening on (http:\/\/\S+)/.exec(err);
      if (match?.[1]) resolve(match[1]);
    });
    exited.then(({ code }) => reject(new Error(`coffer exited with ${code} before listening:\n${err}\n${out}`)));
  });
  listening.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, exited, listening };
}
