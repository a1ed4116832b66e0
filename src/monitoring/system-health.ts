import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { LedgerBatchTotals } from "../ledger/batch-totals.js";
import { systemHealthInstancesMax, workerHeartbeatStaleMs } from "../limits.js";
import type { VerifyRuns } from "../operators/verify-runs.js";
import type { SecurityAudit } from "../security/audit-report/service.js";
import { readBacklog } from "./backlog.js";

/**
 * The operator console's system health (GET /v1/ops/system/health): every background loop of every process from
 * their heartbeats, the outbox and webhook backlog, this process's pool and ledger batches, and the last
 * `coffer verify` and `coffer audit`. A few bounded reads, on demand only.
 */
interface HeartbeatRow {
  worker: string;
  instance: string;
  started_at: Date;
  last_pass_at: Date | null;
  last_success_at: Date | null;
  passes: bigint;
  failures: bigint;
  last_failure_at: Date | null;
  last_error: string | null;
  updated_at: Date;
}

/** What the system health reads; shaped like the platform's services, so the operator routes pass theirs. */
export interface SystemHealthSources {
  pool: Pool;
  clock: Clock;
  config: Pick<Config, "dbPoolSize">;
  ledgerBatches: LedgerBatchTotals;
  operators: { verifyRuns: Pick<VerifyRuns, "latest"> };
  securityAudit: Pick<SecurityAudit, "latest">;
}

const unix = (at: Date | null) => (at ? Math.floor(at.getTime() / 1000) : null);

export async function readSystemHealth(services: SystemHealthSources) {
  const now = new Date(); // heartbeats are real time (src/monitoring/worker-health.ts)
  const [heartbeats, backlog, verify, audit] = await Promise.all([
    services.pool.query<HeartbeatRow>("SELECT * FROM worker_heartbeats ORDER BY worker, instance LIMIT $1", [
      systemHealthInstancesMax,
    ]),
    readBacklog(services.pool, services.clock.now()),
    services.operators.verifyRuns.latest(),
    services.securityAudit.latest(),
  ]);
  const stale = (at: Date | null) => at === null || now.getTime() - at.getTime() > workerHeartbeatStaleMs;
  const workers = heartbeats.rows.map((row) => ({
    worker: row.worker,
    instance: row.instance,
    started_at: unix(row.started_at)!,
    last_pass_at: unix(row.last_pass_at),
    last_success_at: unix(row.last_success_at),
    passes: Number(row.passes),
    failures: Number(row.failures),
    last_failure_at: unix(row.last_failure_at),
    last_error: row.last_error,
    reported_at: unix(row.updated_at)!,
  }));
  // A loop is stalled when no process has passed it well for workerHeartbeatStaleMs.
  const byWorker = new Map<string, Date | null>();
  for (const row of heartbeats.rows) {
    const best = byWorker.get(row.worker) ?? null;
    if (row.last_success_at && (!best || row.last_success_at > best)) byWorker.set(row.worker, row.last_success_at);
    else if (!byWorker.has(row.worker)) byWorker.set(row.worker, best);
  }
  const stalled = [...byWorker].filter(([, at]) => stale(at)).map(([worker]) => worker);
  const batches = services.ledgerBatches;
  return {
    object: "system_health" as const,
    checked_at: unix(now)!,
    workers,
    stalled_workers: stalled,
    outbox: { lag_seconds: backlog.outboxLagSeconds, events: backlog.outboxEvents },
    webhooks: { backlog: backlog.webhookBacklog, oldest_due_seconds: backlog.webhookOldestDueSeconds },
    pool: {
      size: services.config.dbPoolSize,
      total: services.pool.totalCount,
      idle: services.pool.idleCount,
      waiting: services.pool.waitingCount,
    },
    ledger_batches: {
      batches: batches.batches,
      transfers: batches.transfers,
      retries: batches.retries,
      mean_transfers: batches.batches > 0 ? batches.transfers / batches.batches : null,
      mean_seconds: batches.batches > 0 ? batches.seconds.total / batches.batches : null,
    },
    verify: verify ? { ok: verify.ok, ledger: verify.ledger, checked_at: unix(verify.checkedAt)! } : null,
    audit_report: audit
      ? { ok: audit.report.ok, high: audit.report.counts.high, checked_at: audit.report.checked_at }
      : null,
  };
}

export type SystemHealth = Awaited<ReturnType<typeof readSystemHealth>>;
