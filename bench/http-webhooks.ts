import http from "node:http";
import type pg from "pg";
import { closedLoop, type HttpClient, type LoopResult, stringField } from "./http-client.js";
import { type BenchSetup, secretHeaders } from "./http-setup.js";
import { payTwoStep } from "./http-workloads.js";
import { LatencyRecorder, round } from "./stats.js";

/**
 * The webhooks workload: a loopback receiver in the bench process (answers 204 at once) registered as a test-mode
 * endpoint for "payment.*", then the pay2 load. Measured per delivery: arrival at the receiver minus the event row's
 * created_at (coffer sets it in the business transaction, just before the commit, with millisecond precision), read
 * from the database after the run; and, as a cross-check, arrival of payment.succeeded minus the moment the confirm
 * request that made it was answered (after its commit). Rates: deliveries received during the measured window, after
 * the load until coffer had nothing left to send, and overall.
 */

const subscribedEvents = ["payment.*"];
/** How often the bench asks PostgreSQL whether coffer still has events to fan out or deliveries to send. */
const drainPollIntervalMs = 250;
/** A backlog not delivered by then is reported as such, not waited for. */
const drainTimeoutMs = 180_000;

interface Arrival {
  eventId: string;
  /** Wall clock, ms with a fraction: comparable with the event row's created_at (same machine, same clock). */
  atMs: number;
  paymentId: string | undefined;
}

function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      const atMs = wallNowMs();
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        response.writeHead(204).end();
        const body = Buffer.concat(chunks).toString("utf8");
        const eventId = String(request.headers["webhook-id"] ?? stringField(body, "id") ?? "");
        // data.object.id: the payment; the event's own id comes first in the body.
        const objectAt = body.indexOf('"object":{');
        const paymentId = objectAt < 0 ? undefined : stringField(body.slice(objectAt), "id");
        this.arrivals.push({ eventId, atMs, paymentId });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface WebhookFigures {
  /** Deliveries of events made by this run's load (warm-up included). */
  deliveries: number;
  duplicates: number;
  byType: Record<string, number>;
  /** Received within the measured window, per second. */
  duringPerS: number;
  /** Received after the load until coffer had nothing left to deliver, per second (null: nothing was left). */
  afterPerS: number | null;
  /** All deliveries ÷ (last arrival − load start). */
  overallPerS: number;
  /** Deliveries still to come when the load stopped. */
  backlogAtLoadEnd: number;
  /** From the end of the load until the last delivery arrived. */
  drainS: number;
  drained: boolean;
  /** Event row created_at → arrival, for events made in the measured window. */
  commitToReceiptP50Ms: number;
  commitToReceiptP99Ms: number;
  commitToReceiptMaxMs: number;
  /** payment.succeeded: confirm answered → arrival (a lower bound of commit → receipt). */
  answerToReceiptP50Ms: number;
  answerToReceiptP99Ms: number;
}

export interface WebhookRun {
  load: LoopResult;
  webhooks: WebhookFigures;
}

export interface WebhookBenchOptions {
  client: HttpClient;
  setup: BenchSetup;
  db: pg.Pool;
  receiver: WebhookReceiver;
  log: (line: string) => void;
}

/** Waits until no event waits to be fanned out and no delivery waits to be sent. */
async function waitDrained(db: pg.Pool, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const { rows } = await db.query<{ events: string; deliveries: string }>(
      `SELECT (SELECT count(*) FROM events WHERE dispatched_at IS NULL) AS events,
              (SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'delivering')) AS deliveries`,
    );
    if (rows[0]!.events === "0" && rows[0]!.deliveries === "0") return true;
    await new Promise((resolve) => setTimeout(resolve, drainPollIntervalMs));
  }
  return false;
}

export async function registerEndpoint(options: WebhookBenchOptions): Promise<void> {
  // Events of the earlier workloads must not arrive at the new endpoint: wait until they are all fanned out.
  if (!(await waitDrained(options.db, drainTimeoutMs))) {
    options.log("webhooks: coffer still had undispatched events when the endpoint was registered");
  }
  await options.client.must(0, {
    method: "POST",
    path: "/v1/webhook_endpoints",
    headers: secretHeaders(options.setup.merchant, true),
    json: { url: `http://127.0.0.1:${options.receiver.port}/webhooks`, enabled_events: subscribedEvents },
  });
  options.log(`webhooks: endpoint for ${subscribedEvents.join(", ")} → receiver on 127.0.0.1:${options.receiver.port}`);
}

/** pay2 with the endpoint registered, then the wait until coffer has delivered everything. */
export async function runWebhookLoad(
  options: WebhookBenchOptions,
  loop: { callers: number; warmupMs: number; durationMs: number },
): Promise<WebhookRun> {
  const { client, setup, receiver } = options;
  const firstArrival = receiver.arrivals.length;
  const answeredAt = new Map<string, number>();
  const loadStartMs = wallNowMs();
  const pay = payTwoStep(
    setup,
    (caller) => setup.payers[caller]!,
    (id) => answeredAt.set(id, wallNowMs()),
  );
  const load = await closedLoop({ client, ...loop }, pay);
  const loadEndMs = wallNowMs();
  const drained = await waitDrained(options.db, drainTimeoutMs);
  const arrivals = receiver.arrivals.slice(firstArrival);
  const window = { loadStartMs, measureFromMs: loadStartMs + loop.warmupMs, loadEndMs, durationMs: loop.durationMs };
  const webhooks = await figures(options.db, arrivals, answeredAt, window, drained);
  return { load, webhooks };
}

async function figures(
  db: pg.Pool,
  arrivals: Arrival[],
  answeredAt: Map<string, number>,
  window: { loadStartMs: number; measureFromMs: number; loadEndMs: number; durationMs: number },
  drained: boolean,
): Promise<WebhookFigures> {
  const ids = [...new Set(arrivals.map((a) => a.eventId))];
  const { rows } = await db.query<{ id: string; type: string; created_ms: string }>(
    "SELECT id, type, (extract(epoch FROM created_at) * 1000)::text AS created_ms FROM events WHERE id = ANY($1)",
    [ids],
  );
  const events = new Map(rows.map((r) => [r.id, { type: r.type, createdMs: Number(r.created_ms) }]));
  const deadlineMs = window.measureFromMs + window.durationMs;
  const seen = new Set<string>();
  const byType = new Map<string, number>();
  const commitToReceipt = new LatencyRecorder();
  const answerToReceipt = new LatencyRecorder();
  let deliveries = 0;
  let duplicates = 0;
  let during = 0;
  let after = 0;
  let lastMs = window.loadStartMs;
  for (const arrival of arrivals) {
    const event = events.get(arrival.eventId);
    if (!event || event.createdMs < window.loadStartMs) continue; // an earlier run's event
    if (seen.has(arrival.eventId)) {
      duplicates++;
      continue;
    }
    seen.add(arrival.eventId);
    deliveries++;
    byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    lastMs = Math.max(lastMs, arrival.atMs);
    if (arrival.atMs >= window.measureFromMs && arrival.atMs <= deadlineMs) during++;
    if (arrival.atMs > deadlineMs) after++;
    if (event.createdMs >= window.measureFromMs && event.createdMs <= deadlineMs) {
      commitToReceipt.record(arrival.atMs - event.createdMs);
      const answered = event.type === "payment.succeeded" && arrival.paymentId && answeredAt.get(arrival.paymentId);
      if (answered) answerToReceipt.record(arrival.atMs - answered);
    }
  }
  const drainMs = Math.max(0, lastMs - deadlineMs);
  return {
    deliveries,
    duplicates,
    byType: Object.fromEntries(byType),
    duringPerS: round(during / (window.durationMs / 1000), 1),
    afterPerS: after === 0 || drainMs === 0 ? null : round(after / (drainMs / 1000), 1),
    overallPerS: round(deliveries / (Math.max(1, lastMs - window.loadStartMs) / 1000), 1),
    backlogAtLoadEnd: after,
    drainS: round(drainMs / 1000, 1),
    drained,
    commitToReceiptP50Ms: commitToReceipt.percentile(50),
    commitToReceiptP99Ms: commitToReceipt.percentile(99),
    commitToReceiptMaxMs: commitToReceipt.percentile(100),
    answerToReceiptP50Ms: answerToReceipt.percentile(50),
    answerToReceiptP99Ms: answerToReceipt.percentile(99),
  };
}
