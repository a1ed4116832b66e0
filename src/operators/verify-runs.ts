import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { newId } from "../ids.js";
import type { LedgerName } from "../ledger/model.js";
import { type VerifyReport, type Violation, type ViolationKind, verifyLedger } from "../ledger/verify.js";
import { appendAudit } from "../security/audit.js";
import type { StoredValueLimits } from "../stored-value/config.js";

/**
 * Every `coffer verify` run is kept with its report, whether the CLI ran it or an admin pressed the button in the
 * operator console, so the console can show when the books were last proven and which check failed.
 */

/** Every check verify makes, in the order the console lists them; the Record makes a new kind a compile error here. */
const checkOrder: Record<ViolationKind, number> = {
  ledger_unbalanced: 0,
  account_balance_mismatch: 1,
  account_limit_broken: 2,
  hold_past_timeout: 3,
  hold_resolution_mismatch: 4,
  open_holds_out_of_sync: 5,
  history_out_of_sync: 6,
  stored_value_float_mismatch: 7,
  stored_value_breakage_mismatch: 8,
  stored_value_card_account_invalid: 9,
  stored_value_card_over_cap: 10,
  stored_value_expired_card_holds_money: 11,
};
export const verifyChecks = (Object.keys(checkOrder) as ViolationKind[]).sort((a, b) => checkOrder[a] - checkOrder[b]);

export type VerifyRunActor = { source: "cli" } | { source: "operator"; operatorId: string; ip: string | null };

export interface VerifyRun {
  id: string;
  source: "cli" | "operator";
  operatorId: string | null;
  ledger: LedgerName | "all";
  ok: boolean;
  accounts: number;
  transfers: number;
  violations: Violation[];
  checkedAt: Date;
}

interface VerifyRunRow {
  id: string;
  source: "cli" | "operator";
  operator_id: string | null;
  ledger: LedgerName | "all";
  ok: boolean;
  accounts: string | bigint;
  transfers: string | bigint;
  violations: Violation[];
  checked_at: Date;
}

function runFromRow(row: VerifyRunRow): VerifyRun {
  return {
    id: row.id,
    source: row.source,
    operatorId: row.operator_id,
    ledger: row.ledger,
    ok: row.ok,
    accounts: Number(row.accounts),
    transfers: Number(row.transfers),
    violations: row.violations,
    checkedAt: row.checked_at,
  };
}

export function verifyRunObject(run: VerifyRun) {
  return {
    id: run.id,
    object: "verify_run" as const,
    source: run.source,
    operator: run.operatorId,
    ledger: run.ledger,
    ok: run.ok,
    accounts: run.accounts,
    transfers: run.transfers,
    checks: verifyChecks.map((check) => {
      const violations = run.violations.filter((v) => v.kind === check).length;
      return { check, passed: violations === 0, violations };
    }),
    violations: run.violations.map((v) => ({ check: v.kind, message: v.message })),
    checked_at: Math.floor(run.checkedAt.getTime() / 1000),
  };
}

export type VerifyRuns = ReturnType<typeof createVerifyRuns>;

export function createVerifyRuns(deps: {
  pool: Pool;
  clock: Clock;
  /** Stored-value cards' caps (COFFER_STORED_VALUE_LIMITS), checked by verify; default: the built-in ones. */
  storedValueLimits?: ReadonlyMap<string, StoredValueLimits>;
}) {
  /** Runs verify now and records the run (and, for an operator, an audit record) in one transaction. */
  async function run(
    actor: VerifyRunActor,
    options: {
      ledger?: LedgerName;
      holdGraceMs?: number;
      storedValueLimits?: ReadonlyMap<string, StoredValueLimits>;
    } = {},
  ): Promise<{ run: VerifyRun; report: VerifyReport }> {
    const report = await verifyLedger(deps.pool, {
      storedValueLimits: deps.storedValueLimits,
      ...options,
      now: deps.clock.now(),
    });
    const operatorId = actor.source === "operator" ? actor.operatorId : null;
    const stored = await withTransaction(deps.pool, async (tx) => {
      const inserted = await tx.query<VerifyRunRow>(
        `INSERT INTO verify_runs (id, source, operator_id, ledger, ok, accounts, transfers, violations, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          newId("vr"),
          actor.source,
          operatorId,
          report.ledger,
          report.ok,
          report.accounts,
          report.transfers,
          JSON.stringify(report.violations),
          report.checkedAt,
        ],
      );
      const row = inserted.rows[0]!;
      await appendAudit(
        tx,
        {
          actorType: actor.source === "operator" ? "operator" : "system",
          actorId: operatorId,
          merchantId: null,
          action: "ledger.verified",
          targetType: "verify_run",
          targetId: row.id,
          ip: actor.source === "operator" ? actor.ip : null,
          details: { ledger: report.ledger, ok: report.ok, violations: report.violations.length },
        },
        deps.clock.now(),
      );
      return runFromRow(row);
    });
    return { run: stored, report };
  }

  async function latest(): Promise<VerifyRun | undefined> {
    const result = await deps.pool.query<VerifyRunRow>("SELECT * FROM verify_runs ORDER BY seq DESC LIMIT 1");
    const row = result.rows[0];
    return row ? runFromRow(row) : undefined;
  }

  return { run, latest };
}
