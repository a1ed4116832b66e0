import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig, type Role } from "../../src/config.js";
import type { Pool } from "../../src/db/pool.js";
import { idempotencyInProgressStaleMs, rateLimitBurstRequestsMax, rateLimitRequestsPerSMax } from "../../src/limits.js";
import { createLogger } from "../../src/logging.js";
import { createServices } from "../../src/runtime/services.js";
import { createTestApp } from "./app.js";
import { type CliProcess, runCli } from "./cli.js";
import type { TestDatabase } from "./db.js";
import { newMerchant } from "./merchant-console.js";
import { startSmtpSink } from "./smtp-sink.js";

/**
 * Crash tests of real `coffer start` processes: a fleet of them on one database, killed with SIGKILL under a load of
 * idempotent POSTs and started again, and a load driver that re-sends every request that got no answer with its
 * same Idempotency-Key and body until it gets one, as a careful client would.
 */

const processStartWaitMs = 60_000; // tsx compiles src/ on a cold start; two cores shared with the load
const processStopWaitMs = 15_000; // above httpShutdownGraceMs: a SIGTERM'd coffer finishes its requests first
const startPollMs = 25;
const idlePollMs = 5;
const loggedErrorLevelMin = 50; // pino's "error"

/** One run of a coffer process; a restart is a new incarnation (new pid, new port). */
export interface Incarnation {
  name: string;
  role: Role;
  generation: number;
  cli: CliProcess;
  /** Where it listens; undefined for role worker. */
  url: string | undefined;
  /** Listening and not killed: callers may send to it. */
  up: boolean;
  killed: boolean;
}

async function waitForRunning(cli: CliProcess): Promise<void> {
  const deadline = Date.now() + processStartWaitMs;
  while (!/is running|is listening on/.test(cli.stderr())) {
    if (cli.child.exitCode !== null || cli.child.signalCode !== null) {
      throw new Error(`coffer exited before running:\n${cli.stderr()}\n${cli.stdout()}`);
    }
    if (Date.now() > deadline) throw new Error(`coffer did not start within ${processStartWaitMs} ms`);
    await sleep(startPollMs);
  }
}

/** The load drives many requests through one test key: per-key rate limits as high as they go. */
const unthrottled = {
  COFFER_RATE_LIMIT_TEST_PER_S: String(rateLimitRequestsPerSMax),
  COFFER_RATE_LIMIT_TEST_BURST: String(rateLimitBurstRequestsMax),
  COFFER_RATE_LIMIT_LIVE_PER_S: String(rateLimitRequestsPerSMax),
  COFFER_RATE_LIMIT_LIVE_BURST: String(rateLimitBurstRequestsMax),
};

/** Real coffer processes (`coffer start --role …`) on one database, with the same master key. */
export class CofferFleet {
  readonly incarnations: Incarnation[] = [];
  private readonly current = new Map<string, Incarnation>();

  constructor(private readonly env: Record<string, string>) {}

  async start(name: string, role: Role): Promise<Incarnation> {
    // warn: the error lines are what we report; info would log every request of the load.
    const cli = runCli(["start", "--port", "0", "--role", role], { ...unthrottled, ...this.env, LOG_LEVEL: "warn" });
    const generation = this.incarnations.filter((i) => i.name === name).length;
    const incarnation: Incarnation = { name, role, generation, cli, url: undefined, up: false, killed: false };
    this.incarnations.push(incarnation);
    this.current.set(name, incarnation);
    if (role === "worker") await waitForRunning(cli);
    else {
      const timer = setTimeout(() => cli.child.kill("SIGKILL"), processStartWaitMs);
      try {
        incarnation.url = await cli.listening;
      } finally {
        clearTimeout(timer);
      }
    }
    incarnation.up = true;
    return incarnation;
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests die with their connections. Resolves once it is gone. */
  async kill(name: string): Promise<Incarnation> {
    const incarnation = this.get(name);
    incarnation.up = false;
    incarnation.killed = true;
    incarnation.cli.child.kill("SIGKILL");
    await incarnation.cli.exited;
    return incarnation;
  }

  async restart(name: string): Promise<Incarnation> {
    return this.start(name, this.get(name).role);
  }

  get(name: string): Incarnation {
    const found = this.current.get(name);
    if (!found) throw new Error(`no coffer process named ${name}`);
    return found;
  }

  /** API processes that are up now. */
  apis(): Incarnation[] {
    return [...this.current.values()].filter((i) => i.up && i.url !== undefined);
  }

  /** SIGTERM to every live process (graceful), SIGKILL to what has not exited in time. */
  async stopAll(): Promise<void> {
    const running = this.incarnations.filter((i) => i.cli.child.exitCode === null && i.cli.child.signalCode === null);
    for (const i of running) {
      i.up = false;
      i.cli.child.kill("SIGTERM");
    }
    await Promise.all(
      running.map(async (i) => {
        const timer = setTimeout(() => i.cli.child.kill("SIGKILL"), processStopWaitMs);
        await i.cli.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** The error-level log lines of every incarnation (their messages, counted), for the report. */
  loggedErrors(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const i of this.incarnations) {
      for (const line of i.cli.stdout().split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          if ((entry.level ?? 0) < loggedErrorLevelMin) continue;
          const text = `${entry.msg ?? "?"}${entry.err?.message ? `: ${entry.err.message}` : ""}`;
          counts.set(text, (counts.get(text) ?? 0) + 1);
        } catch {
          // a line cut by SIGKILL
        }
      }
    }
    return counts;
  }
}

/**
 * A merchant signed up through the console (in this process, on the test database, with the fleet's master key so
 * the coffer processes can use what it wrote) and its revealed sk_test_ key.
 */
export async function signUpTestMerchant(
  db: TestDatabase,
  masterKey: Buffer,
  businessName: string,
): Promise<{ merchantId: string; secretKey: string }> {
  const sink = await startSmtpSink();
  const services = createServices({
    config: loadConfig({}, { smtpUrl: sink.url }),
    pool: db.pool,
    log: createLogger({ level: "silent" }),
    masterKey,
  });
  const app = await createTestApp({ pool: db.pool, services, webDistDir: null });
  try {
    const merchant = await newMerchant(app, sink, businessName);
    const keys = (await merchant.client.get("/v1/console/api_keys")).json() as { data: { id: string; type: string }[] };
    const secret = keys.data.find((k) => k.type === "secret");
    assert.ok(secret, "sign-up makes a secret test key");
    const revealed = await merchant.client.post(`/v1/console/api_keys/${secret.id}/reveal`);
    assert.equal(revealed.statusCode, 200, revealed.body);
    const secretKey = (revealed.json() as { secret: string }).secret;
    assert.match(secretKey, /^sk_test_/);
    return { merchantId: merchant.merchantId, secretKey };
  } finally {
    await app.close();
    await services.close();
    await sink.close();
  }
}

/** A JSON request to a coffer process over real HTTP; throws on anything but 2xx (for setup, not for the load). */
export async function callApi<T>(
  baseUrl: string,
  method: "GET" | "POST",
  path: string,
  bearer: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export type Attempt =
  | { answered: true; incarnation: Incarnation; status: number; body: string; replayed: boolean }
  | { answered: false; incarnation: Incarnation; error: string };

/** One idempotent POST of the load. The driver fills attempts; key and body never change once sent. */
export interface LoadJob {
  key: string;
  path: string;
  bearer: string;
  body: unknown;
  /** Runs before the first send only (e.g. a payer's fresh payment code into body); may fail, then runs again. */
  prepare?: (baseUrl: string) => Promise<void>;
  attempts: Attempt[];
}

export function errorCodeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Answers that do not settle a request: the client must send it again with the same key. */
export function isRetryable(attempt: Attempt): boolean {
  if (!attempt.answered) return true;
  if (attempt.status >= 500) return true; // the key is released on a 5xx
  return attempt.status === 409 && errorCodeOf(attempt.body) === "idempotency_key_in_use";
}

/** The answer that settled a request, if one did. */
export function finalAnswer(job: LoadJob): Extract<Attempt, { answered: true }> | undefined {
  const last = job.attempts.at(-1);
  return last?.answered && !isRetryable(last) ? last : undefined;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return `${error.name}: ${error.message}${cause ? ` (${cause.code ?? cause.message})` : ""}`;
}

/** One POST with the job's key and body; no answer (reset, refused, cut off) is an attempt too. */
export async function sendJob(job: LoadJob, incarnation: Incarnation, answerWaitMs: number): Promise<Attempt> {
  try {
    const response = await fetch(`${incarnation.url}${job.path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${job.bearer}`,
        "content-type": "application/json",
        "idempotency-key": job.key,
      },
      body: JSON.stringify(job.body),
      signal: AbortSignal.timeout(answerWaitMs),
    });
    const body = await response.text();
    return {
      answered: true,
      incarnation,
      status: response.status,
      body,
      replayed: response.headers.get("idempotent-replayed") === "true",
    };
  } catch (error) {
    return { answered: false, incarnation, error: describeError(error) };
  }
}

/**
 * Makes in-progress claims of these keys look idempotencyInProgressStaleMs old, as if the client had waited that
 * long before retrying. Only for keys whose holder is known dead (its process was killed): a living request's key
 * must never be taken over. Returns how many claims were aged.
 */
export async function ageDeadClaims(pool: Pool, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const aged = await pool.query(
    `UPDATE idempotency_keys SET locked_at = now() - $2 * interval '1 millisecond'
      WHERE key = ANY($1) AND state = 'in_progress'`,
    [keys, idempotencyInProgressStaleMs + 1_000],
  );
  return aged.rowCount ?? 0;
}

export interface CrashLoadPlan<J extends LoadJob> {
  fleet: CofferFleet;
  pool: Pool;
  /** The next new request of the load; undefined when there are no more. */
  nextJob(): J | undefined;
  callersCount: number;
  killRoundsCount: number;
  /** Each kill waits for this many answers (random in the range) after the start or the last restart. */
  answersBeforeKillMin: number;
  answersBeforeKillMax: number;
  /** New requests keep coming until this many answers after the last restart. */
  answersAfterLastRestart: number;
  /**
   * Which of these in-flight requests is in its crash window now (its effect committed, its key not yet completed),
   * if any. After answersBeforeKill, the kill waits up to windowWaitMs for one and takes down the process serving it;
   * else it takes down the API process with the most requests in flight.
   */
  findInCrashWindow?: (inFlight: J[], round: number) => Promise<J | undefined>;
  windowWaitMs: number;
  /**
   * While a victim restarts, at most this many new requests (retries always go): a survivor keeps serving, and the
   * CPU is left to the restart.
   */
  newJobsWhileRestartingMax: number;
  answerWaitMs: number;
  /** Before sending again a request answered 409 idempotency_key_in_use or 5xx. */
  retryPauseMs: number;
  /** The load, kills and retries together must end within this, not counting the time restarts take. */
  deadlineMs: number;
}

export interface KillRecord<J extends LoadJob> {
  round: number;
  victim: string;
  answersBeforeKill: number;
  /** The kill came when a request was seen in its crash window (else after windowWaitMs). */
  inWindow: boolean;
  /** The requests the victim was serving when it died. */
  inFlightAtKill: J[];
  restartMs: number;
}

export interface CrashLoadResult<J extends LoadJob> {
  jobs: J[];
  kills: KillRecord<J>[];
  /** Requests still without an answer that settles them when the deadline came. */
  unsettled: J[];
  noAnswerCount: number;
  /** No answer from a process that was not killed: its request may still run, so its key was never aged. */
  unexplainedNoAnswerCount: number;
  inUseAnswerCount: number;
  serverErrorAnswerCount: number;
  agedClaimsCount: number;
  elapsedMs: number;
}

/**
 * Runs the load; killRoundsCount times, once answers flow, kills an API process (the one serving a request in its
 * crash window, else the busiest) and starts it again; sends every unsettled request again until all are settled.
 */
export async function runCrashLoad<J extends LoadJob>(plan: CrashLoadPlan<J>): Promise<CrashLoadResult<J>> {
  const startedAt = Date.now();
  // Moved on by each restart's duration: the deadline bounds the load, not how fast a loaded machine starts coffer.
  let deadline = startedAt + plan.deadlineMs;
  const jobs: J[] = [];
  const retryQueue: J[] = [];
  const kills: KillRecord<J>[] = [];
  const inFlight = new Map<Incarnation, Set<J>>();
  const suspects = new Set<J>(); // a no-answer from a living process: never age their keys
  let generating = true;
  let newJobsLeftWhileRestarting = Number.POSITIVE_INFINITY;
  let aborted = false; // the killer failed (a restart did not come up): stop the callers
  const driverErrors: string[] = [];
  let waitingRetries = 0; // requests between an answer and their re-send (pause, aging)
  let answersSinceRestart = 0;
  let rotation = 0;
  const result = {
    noAnswerCount: 0,
    unexplainedNoAnswerCount: 0,
    inUseAnswerCount: 0,
    serverErrorAnswerCount: 0,
    agedClaimsCount: 0,
  };

  const settledAll = () => !generating && retryQueue.length === 0 && waitingRetries === 0 && inFlightTotal() === 0;
  const inFlightTotal = () => [...inFlight.values()].reduce((n, jobs) => n + jobs.size, 0);

  async function retryLater(job: J, age: Promise<unknown> | undefined): Promise<void> {
    waitingRetries++;
    try {
      await age;
      await sleep(plan.retryPauseMs);
      // Not `count += await …`: that reads the count before the await and loses concurrent additions.
      const aged = suspects.has(job) ? 0 : await ageDeadClaims(plan.pool, [job.key]);
      result.agedClaimsCount += aged;
    } catch (error) {
      driverErrors.push(`aging ${job.key}: ${describeError(error)}`);
    } finally {
      retryQueue.push(job);
      waitingRetries--;
    }
  }

  async function caller(): Promise<void> {
    while (Date.now() < deadline && !aborted) {
      let job = retryQueue.shift();
      if (!job && generating && newJobsLeftWhileRestarting > 0) {
        job = plan.nextJob();
        if (job) {
          jobs.push(job);
          newJobsLeftWhileRestarting--;
        }
      }
      if (!job) {
        if (settledAll()) return;
        await sleep(idlePollMs);
        continue;
      }
      const targets = plan.fleet.apis();
      const target = targets[rotation++ % Math.max(1, targets.length)];
      if (!target) {
        retryQueue.unshift(job);
        await sleep(idlePollMs);
        continue;
      }
      if (job.attempts.length === 0 && job.prepare) {
        try {
          await job.prepare(target.url!);
        } catch {
          retryQueue.push(job); // its process died under it: nothing was sent with the key yet
          continue;
        }
      }
      const serving = inFlight.get(target) ?? new Set<J>();
      inFlight.set(target, serving.add(job));
      const attempt = await sendJob(job, target, plan.answerWaitMs);
      serving.delete(job);
      job.attempts.push(attempt);
      if (attempt.answered) answersSinceRestart++;
      if (!isRetryable(attempt)) continue;
      if (!attempt.answered) {
        result.noAnswerCount++;
        if (target.killed) {
          // The holder of the key died with its process: wait until it is gone, then the claim can be aged.
          void retryLater(job, target.cli.exited);
        } else {
          result.unexplainedNoAnswerCount++;
          suspects.add(job);
          void retryLater(job, undefined);
        }
      } else {
        if (attempt.status >= 500) result.serverErrorAnswerCount++;
        else result.inUseAnswerCount++;
        void retryLater(job, undefined);
      }
    }
  }

  async function killer(): Promise<void> {
    for (let round = 0; round < plan.killRoundsCount; round++) {
      const threshold =
        plan.answersBeforeKillMin +
        Math.floor(Math.random() * (plan.answersBeforeKillMax - plan.answersBeforeKillMin + 1));
      while (answersSinceRestart < threshold && Date.now() < deadline) await sleep(1);
      const servedBy = () => {
        const jobsAt = new Map<J, Incarnation>();
        for (const api of plan.fleet.apis()) for (const job of inFlight.get(api) ?? []) jobsAt.set(job, api);
        return jobsAt;
      };
      let caught: Incarnation | undefined;
      const windowDeadline = Date.now() + plan.windowWaitMs;
      while (plan.findInCrashWindow && !caught && Date.now() < windowDeadline) {
        const jobsAt = servedBy();
        // No pause between probes when there is something to look at: a window can be a few milliseconds.
        if (jobsAt.size === 0) await sleep(1);
        else {
          const found = await plan.findInCrashWindow([...jobsAt.keys()], round);
          caught = found && jobsAt.get(found);
        }
      }
      const apis = plan.fleet.apis();
      if (apis.length === 0) throw new Error("no API process is up to kill");
      const busiest = apis.reduce((a, b) => ((inFlight.get(b)?.size ?? 0) > (inFlight.get(a)?.size ?? 0) ? b : a));
      const victim = (caught ?? busiest).name;
      const answersBeforeKill = answersSinceRestart;
      const inFlightAtKill = [...(inFlight.get(plan.fleet.get(victim)) ?? [])];
      newJobsLeftWhileRestarting = plan.newJobsWhileRestartingMax;
      await plan.fleet.kill(victim);
      const restartStartedAt = Date.now();
      await plan.fleet.restart(victim);
      deadline += Date.now() - restartStartedAt;
      newJobsLeftWhileRestarting = Number.POSITIVE_INFINITY;
      kills.push({
        round,
        victim,
        answersBeforeKill,
        inWindow: caught !== undefined,
        inFlightAtKill,
        restartMs: Date.now() - restartStartedAt,
      });
      answersSinceRestart = 0;
    }
    while (answersSinceRestart < plan.answersAfterLastRestart && Date.now() < deadline) await sleep(idlePollMs);
    generating = false;
  }

  const killing = killer().catch((error: unknown) => {
    aborted = true;
    throw error;
  });
  await Promise.all([...Array.from({ length: plan.callersCount }, caller), killing]);
  if (driverErrors.length > 0) throw new Error(`the load driver failed:\n${driverErrors.join("\n")}`);
  return {
    jobs,
    kills,
    unsettled: jobs.filter((j) => !finalAnswer(j)),
    ...result,
    elapsedMs: Date.now() - startedAt,
  };
}
