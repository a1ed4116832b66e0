import type { Pool } from "../../db/pool.js";
import { transferIdFor } from "../../ledger/model.js";
import type { BankConnectorName } from "../config.js";
import type { BankConnector } from "./connector.js";

/**
 * Reconciliation: the bank's report of what it finished in a period, against coffer's instructions and the
 * ledger. Every finished top-up must have its credit transfer, every paid withdrawal its posted hold, every
 * returned one its voided hold; and both sides must agree on outcome and amount.
 */
export interface ReconciliationIssue {
  instructionId: string;
  problem:
    | "unknown_to_coffer"
    | "pending_in_coffer"
    | "outcome_mismatch"
    | "amount_mismatch"
    | "missing_at_bank"
    | "ledger_transfer_missing";
  detail: string;
}

export interface ReconciliationReport {
  connector: BankConnectorName;
  from: Date;
  to: Date;
  matched: number;
  issues: ReconciliationIssue[];
}

interface OurRow {
  id: string;
  kind: "debit" | "credit";
  status: string;
  amount: bigint;
  transfer_found: boolean;
}

export async function reconcileBank(
  deps: { pool: Pool; connectors: Record<BankConnectorName, BankConnector> },
  connector: BankConnectorName,
  range: { from: Date; to: Date },
): Promise<ReconciliationReport> {
  const bankEntries = await deps.connectors[connector].reconciliationReport(range);
  const ours = await deps.pool.query<OurRow>(
    `SELECT id, kind, status, amount, false AS transfer_found FROM wallet_bank_operations
      WHERE connector = $1 AND kind <> 'verify'
        AND ((completed_at >= $2 AND completed_at < $3) OR id = ANY($4))`,
    [connector, range.from, range.to, bankEntries.map((e) => e.operationId)],
  );
  // The transfer each finished instruction must have left in the ledger.
  const expected = new Map<string, string>();
  for (const row of ours.rows) {
    if (row.status === "succeeded")
      expected.set(row.id, transferIdFor(row.id, row.kind === "debit" ? "credit" : "post"));
    if (row.status === "failed" && row.kind === "credit") expected.set(row.id, transferIdFor(row.id, "void"));
  }
  const found = await deps.pool.query<{ id: string }>(
    "SELECT id::text FROM ledger_transfers WHERE id = ANY($1::uuid[])",
    [[...expected.values()]],
  );
  const present = new Set(found.rows.map((r) => r.id));
  const byId = new Map(ours.rows.map((row) => [row.id, row]));
  const issues: ReconciliationIssue[] = [];
  let matched = 0;
  const seen = new Set<string>();
  for (const entry of bankEntries) {
    seen.add(entry.operationId);
    const our = byId.get(entry.operationId);
    if (!our) {
      issues.push({
        instructionId: entry.operationId,
        problem: "unknown_to_coffer",
        detail: "the bank reports an instruction coffer does not know",
      });
      continue;
    }
    if (our.status === "pending" || our.status === "submitted") {
      issues.push({
        instructionId: our.id,
        problem: "pending_in_coffer",
        detail: `the bank says ${entry.outcome}; coffer still waits`,
      });
      continue;
    }
    const ourOutcome = our.status === "succeeded" ? "settled" : "failed";
    if (ourOutcome !== entry.outcome) {
      issues.push({
        instructionId: our.id,
        problem: "outcome_mismatch",
        detail: `bank ${entry.outcome}, coffer ${ourOutcome}`,
      });
      continue;
    }
    if (entry.amount !== null && entry.amount !== our.amount) {
      issues.push({
        instructionId: our.id,
        problem: "amount_mismatch",
        detail: `bank ${entry.amount}, coffer ${our.amount}`,
      });
      continue;
    }
    const transfer = expected.get(our.id);
    if (transfer && !present.has(transfer)) {
      issues.push({
        instructionId: our.id,
        problem: "ledger_transfer_missing",
        detail: `transfer ${transfer} is not in the ledger`,
      });
      continue;
    }
    matched++;
  }
  for (const our of ours.rows) {
    if (seen.has(our.id) || (our.status !== "succeeded" && our.status !== "failed")) continue;
    issues.push({
      instructionId: our.id,
      problem: "missing_at_bank",
      detail: `coffer finished it as ${our.status}; the bank does not report it`,
    });
  }
  return { connector, from: range.from, to: range.to, matched, issues };
}
