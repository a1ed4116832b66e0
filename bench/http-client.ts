import { Pool } from "undici";
import { LatencyRecorder, round } from "./stats.js";

/**
 * The HTTP side of `npm run bench -- http`: one undici Pool per coffer origin (keep-alive connections, no per-request
 * connection setup), and a closed-loop driver that times every request. The client shares the machine with coffer
 * and PostgreSQL, so it does as little as it can per request: bodies are read as text only when a field is needed,
 * and fields are found by string search, not JSON.parse.
 */

/** coffer answers within its own 30 s request timeout; past this the request counts as a network error. */
const requestTimeoutMs = 60_000;
/** Longer than a run, so connections live across workloads. */
const keepAliveMs = 10 * 60_000;
/** Bodies that are not needed are discarded; this is more than any coffer answer the bench asks for. */
const discardedBodyBytesMax = 4 * 1024 * 1024;
/** After a refused or broken connection, a caller waits this long so a dead server is not hammered in a tight loop. */
const networkErrorPauseMs = 50;

export interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Read the answer's body as text (otherwise it is discarded). */
  read?: boolean;
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export class HttpClient {
  private readonly pools: Pool[];

  constructor(
    readonly origins: string[],
    connectionsPerOrigin: number,
  ) {
    this.pools = origins.map(
      (origin) =>
        new Pool(origin, {
          connections: connectionsPerOrigin,
          pipelining: 1,
          keepAliveTimeout: keepAliveMs,
          keepAliveMaxTimeout: keepAliveMs,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs,
        }),
    );
  }

  /** Caller n always talks to the same origin: callers are spread evenly across the API processes. */
  poolFor(caller: number): Pool {
    return this.pools[caller % this.pools.length]!;
  }

  async send(caller: number, request: HttpRequest): Promise<Answer> {
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers["content-type"] = "application/json";
    }
    const response = await this.poolFor(caller).request({ method: request.method, path: request.path, headers, body });
    let text = "";
    if (request.read) text = await response.body.text();
    else await response.body.dump({ limit: discardedBodyBytesMax });
    return { status: response.statusCode, body: text, headers: response.headers };
  }

  /** Setup calls: any non-2xx is a bench failure, reported with coffer's answer. */
  async must(caller: number, request: HttpRequest): Promise<Answer> {
    const answer = await this.send(caller, { ...request, read: true });
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`${request.method} ${request.path} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    }
    return answer;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
  }
}

/** The first `"name":"value"` string field in a JSON text: cheaper than parsing a whole payment with its SVGs. */
export function stringField(body: string, name: string): string | undefined {
  const key = `"${name}":"`;
  const start = body.indexOf(key);
  if (start < 0) return undefined;
  const end = body.indexOf('"', start + key.length);
  return end < 0 ? undefined : body.slice(start + key.length, end);
}

/** Per request kind (a step of an operation): latency of answered requests and errors by status. */
export interface StepFigures {
  requests: number;
  /** 2xx answers in the window: the latency figures are over these (0: there are none). */
  answered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: Record<string, number>;
}

export interface LoopResult {
  callers: number;
  durationS: number;
  /** Operations whose every request was 2xx and whose outcome was the expected one. */
  ops: number;
  opsPerS: number;
  /** Requests answered (any status) or failed on the network. */
  requests: number;
  requestsPerS: number;
  opP50Ms: number;
  opP99Ms: number;
  /** 2xx answers in the window, all requests of the workload together: the latency figures are over these. */
  answered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** By HTTP status ("500", "429" …) or "network"; only non-2xx. */
  errors: Record<string, number>;
  errors5xx: number;
  /**
   * Errors of requests answered outside the window (warm-up, or the tail after it): not in the figures above, but
   * not hidden either — a request stuck past the window would otherwise never show.
   */
  errorsOutsideWindow: Record<string, number>;
  errors5xxOutsideWindow: number;
  /** Operations that got only 2xx answers but not the expected outcome (e.g. a payment not succeeded), by reason. */
  failedOutcomes: Record<string, number>;
  steps: Record<string, StepFigures>;
}

class StepRecorder {
  readonly latency = new LatencyRecorder();
  readonly errors = new Map<string, number>();
  readonly errorsOutside = new Map<string, number>();
  requests = 0;
}

/** What an operation sees: its caller number and a timed `send` that records the request under a step name. */
export interface OperationContext {
  caller: number;
  /** The answer when 2xx; null when it was not (already counted as an error). */
  send(step: string, request: HttpRequest): Promise<Answer | null>;
}

/** An operation answers true when it reached its expected outcome, or a short reason why not. */
export type Operation = (context: OperationContext) => Promise<true | string | null>;

export interface LoopOptions {
  client: HttpClient;
  callers: number;
  warmupMs: number;
  durationMs: number;
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * `callers` loops, each sending one operation and waiting for its answer before the next. The first warmupMs are
 * not counted; then everything that completes within durationMs is: throughput by completion time, latency of the
 * requests answered in the window. Callers start no operation after the window and the loop waits for the ones
 * in flight.
 */
export async function closedLoop(options: LoopOptions, operation: Operation): Promise<LoopResult> {
  const steps = new Map<string, StepRecorder>();
  const all = new LatencyRecorder();
  const opLatency = new LatencyRecorder();
  const failedOutcomes = new Map<string, number>();
  const measureFrom = performance.now() + options.warmupMs;
  const deadline = measureFrom + options.durationMs;
  const inWindow = (t: number) => t >= measureFrom && t <= deadline;
  let ops = 0;

  const stepOf = (name: string) => {
    let step = steps.get(name);
    if (!step) {
      step = new StepRecorder();
      steps.set(name, step);
    }
    return step;
  };

  const contextFor = (caller: number): OperationContext => ({
    caller,
    async send(name, request) {
      const t0 = performance.now();
      let answer: Answer | null = null;
      let error: string | undefined;
      try {
        answer = await options.client.send(caller, request);
        if (answer.status < 200 || answer.status >= 300) error = String(answer.status);
      } catch {
        error = "network";
      }
      const t1 = performance.now();
      const step = stepOf(name); // made on first use, warm-up included, so steps keep the operation's order
      if (inWindow(t1)) {
        step.requests++;
        if (error === undefined) {
          step.latency.record(t1 - t0);
          all.record(t1 - t0);
        } else increment(step.errors, error);
      } else if (error !== undefined) increment(step.errorsOutside, error);
      if (error === "network") await new Promise((resolve) => setTimeout(resolve, networkErrorPauseMs));
      return error === undefined ? answer : null;
    },
  });

  const loop = async (caller: number) => {
    const context = contextFor(caller);
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const outcome = await operation(context);
      const t1 = performance.now();
      if (!inWindow(t1)) continue;
      if (outcome === true) {
        ops++;
        opLatency.record(t1 - t0);
      } else if (outcome !== null) increment(failedOutcomes, outcome);
    }
  };
  await Promise.all(Array.from({ length: options.callers }, (_, caller) => loop(caller)));
  return summarize(options, ops, all, opLatency, steps, failedOutcomes);
}

function summarize(
  options: LoopOptions,
  ops: number,
  all: LatencyRecorder,
  opLatency: LatencyRecorder,
  steps: Map<string, StepRecorder>,
  failedOutcomes: Map<string, number>,
): LoopResult {
  const durationS = options.durationMs / 1000;
  const errors = new Map<string, number>();
  const outside = new Map<string, number>();
  const stepFigures: Record<string, StepFigures> = {};
  let requests = 0;
  for (const [name, step] of steps) {
    requests += step.requests;
    for (const [status, count] of step.errors) errors.set(status, (errors.get(status) ?? 0) + count);
    for (const [status, count] of step.errorsOutside) outside.set(status, (outside.get(status) ?? 0) + count);
    stepFigures[name] = {
      requests: step.requests,
      answered: step.latency.count,
      p50Ms: step.latency.percentile(50),
      p99Ms: step.latency.percentile(99),
      maxMs: step.latency.percentile(100),
      errors: Object.fromEntries(step.errors),
    };
  }
  const count5xx = (map: Map<string, number>) =>
    [...map].filter(([status]) => status.startsWith("5")).reduce((sum, [, n]) => sum + n, 0);
  return {
    callers: options.callers,
    durationS,
    ops,
    opsPerS: round(ops / durationS, 1),
    requests,
    requestsPerS: round(requests / durationS, 1),
    opP50Ms: opLatency.percentile(50),
    opP99Ms: opLatency.percentile(99),
    answered: all.count,
    p50Ms: all.percentile(50),
    p99Ms: all.percentile(99),
    maxMs: all.percentile(100),
    errors: Object.fromEntries(errors),
    errors5xx: count5xx(errors),
    errorsOutsideWindow: Object.fromEntries(outside),
    errors5xxOutsideWindow: count5xx(outside),
    failedOutcomes: Object.fromEntries(failedOutcomes),
    steps: stepFigures,
  };
}
