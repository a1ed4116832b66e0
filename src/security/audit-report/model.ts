import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { Pool } from "../../db/pool.js";

/**
 * `coffer audit`: a list of findings about one install, each with a stable id, a severity and what to do about it.
 * A report with a high finding is not ok (the command exits 1). docs/SECURITY.md lists every finding.
 */
export const severities = ["high", "medium", "low", "info"] as const;
export type Severity = (typeof severities)[number];

export interface Finding {
  /** Stable, snake_case: scripts and the console key on it. */
  id: string;
  severity: Severity;
  title: string;
  /** What was found, with the ids or values it is about. */
  detail: string;
  /** What to do. */
  remedy: string;
}

export interface AuditLogSummary {
  records: number;
  intact: boolean;
}

export interface AuditReport {
  ok: boolean;
  checkedAt: Date;
  /** Whether the install looked like a real deployment (DATABASE_URL set or a merchant approved for live mode). */
  production: boolean;
  counts: Record<Severity, number>;
  auditLog: AuditLogSummary;
  findings: Finding[];
}

/** What every check reads: the database, this process's configuration, and facts gathered once per run. */
export interface AuditContext {
  pool: Pool;
  config: Config;
  now: Date;
  /** Merchants whose KYB is approved: they can make live keys, so live mode is usable. */
  liveMerchants: number;
  /** DATABASE_URL is set or live mode is usable: the checks judge the install as a deployment, not a laptop. */
  production: boolean;
}

export interface AuditDeps {
  pool: Pool;
  clock: Clock;
  config: Config;
}

/** One area of checks; it returns only what it found (an empty list when all is well). */
export type AuditCheck = (context: AuditContext) => Promise<Finding[]>;

/** "key_a, key_b and 3 more": the first securityAuditSubjectsMax ids, then how many were left out. */
export function subjectList(ids: readonly string[], max: number): string {
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}
