import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { LedgerBatchTotals } from "../ledger/batch-totals.js";
import type { BusinessMetrics } from "../monitoring/business-metrics.js";
import { registerDatabaseGauges } from "../monitoring/database-gauges.js";
import { ApiError } from "./errors.js";

/**
 * Prometheus metrics at GET /metrics. Each app has a registry of its own (never prom-client's global one), so a
 * test process can build many apps without "metric already registered" errors.
 *
 * The route label is the route pattern (`/v1/payments/:id`), never the raw URL, and unmatched requests share one
 * label: a scanner hitting random paths must not create a time series per path.
 */
const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const unmatchedRoute = "unmatched";

/** With the domain services: their business metrics (src/monitoring) and the figures read from the database. */
export interface BusinessMetricsSource {
  metrics: BusinessMetrics;
  clock: Clock;
}

export function registerMetrics(
  app: FastifyInstance,
  pool: Pool,
  ledgerBatches?: LedgerBatchTotals,
  business?: BusinessMetricsSource,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ["method", "route", "status_code"] as const;
  const requests = new Counter({
    name: "coffer_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code.",
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "coffer_http_request_duration_seconds",
    help: "Time from receiving a request to sending the response, in seconds.",
    labelNames,
    buckets: latencyBucketsSeconds,
    registers: [registry],
  });
  new Gauge({
    name: "coffer_db_pool_clients",
    help: "Database pool clients: total open, idle, and callers waiting for one.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.set({ state: "total" }, pool.totalCount);
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "waiting" }, pool.waitingCount);
    },
  });

  if (ledgerBatches) registerLedgerMetrics(registry, ledgerBatches);
  if (business) registerDatabaseGauges(registry, pool, business.clock);

  const idempotencyConflicts = new Counter({
    name: "coffer_idempotency_conflicts_total",
    help: "Requests answered 409 for their Idempotency-Key, by code: idempotency_key_reused or idempotency_key_in_use.",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  for (const code of ["idempotency_key_reused", "idempotency_key_in_use"]) idempotencyConflicts.inc({ code }, 0);
  app.addHook("onError", async (_request, _reply, error) => {
    if (error instanceof ApiError && error.type === "idempotency_error") idempotencyConflicts.inc({ code: error.code });
  });

  app.addHook("onResponse", async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.is404 ? unmatchedRoute : (request.routeOptions.url ?? unmatchedRoute),
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const body = (await registry.metrics()) + (business ? await business.metrics.registry.metrics() : "");
    return reply.type(registry.contentType).send(body);
  });

  return registry;
}

/** The ledger batch writer's totals (see src/ledger/batch-totals.ts), as counters. */
function registerLedgerMetrics(registry: Registry, totals: LedgerBatchTotals): void {
  new Gauge({
    name: "coffer_ledger_batches_total",
    help: "Ledger batches committed by this process, and what they carried: submissions, transfers, retries.",
    labelNames: ["of"] as const,
    registers: [registry],
    collect() {
      this.set({ of: "batches" }, totals.batches);
      this.set({ of: "submissions" }, totals.submissions);
      this.set({ of: "transfers" }, totals.transfers);
      this.set({ of: "retries" }, totals.retries);
    },
  });
  new Gauge({
    name: "coffer_ledger_batch_seconds_total",
    help: "Seconds spent in ledger batches by phase: lock (reading and locking accounts), hooks, write (plan, deferred rows, commit), total.",
    labelNames: ["phase"] as const,
    registers: [registry],
    collect() {
      for (const [phase, value] of Object.entries(totals.seconds)) this.set({ phase }, value);
    },
  });
}
