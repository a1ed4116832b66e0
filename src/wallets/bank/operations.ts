import type { Queryable } from "../../db/pool.js";
import type { BankConnectorName } from "../config.js";
import type { BankOperationKind } from "./connector.js";

/** The wallet_bank_operations table: one bank instruction per business object. */
export type BankOperationStatus = "pending" | "submitted" | "succeeded" | "failed";

export interface BankOperation {
  id: string;
  kind: BankOperationKind;
  connector: BankConnectorName;
  livemode: boolean;
  walletUserId: string;
  fundingSourceId: string;
  amount: bigint | null;
  currency: string;
  status: BankOperationStatus;
  failedCalls: number;
  nextAttemptAt: Date | null;
  submittedAt: Date | null;
  exportedAt: Date | null;
  bankReference: string | null;
  failureCode: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface BankOperationRow {
  id: string;
  kind: BankOperationKind;
  connector: BankConnectorName;
  livemode: boolean;
  wallet_user_id: string;
  funding_source_id: string;
  amount: bigint | null;
  currency: string;
  status: BankOperationStatus;
  failed_calls: number;
  next_attempt_at: Date | null;
  submitted_at: Date | null;
  exported_at: Date | null;
  bank_reference: string | null;
  failure_code: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export function bankOperationFromRow(row: BankOperationRow): BankOperation {
  return {
    id: row.id,
    kind: row.kind,
    connector: row.connector,
    livemode: row.livemode,
    walletUserId: row.wallet_user_id,
    fundingSourceId: row.funding_source_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    failedCalls: row.failed_calls,
    nextAttemptAt: row.next_attempt_at,
    submittedAt: row.submitted_at,
    exportedAt: row.exported_at,
    bankReference: row.bank_reference,
    failureCode: row.failure_code,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export interface NewBankOperation {
  id: string;
  kind: BankOperationKind;
  connector: BankConnectorName;
  livemode: boolean;
  walletUserId: string;
  fundingSourceId: string;
  amount: bigint | null;
  currency: string;
}

/** Queues an instruction in the caller's transaction (the one that creates its top-up, withdrawal or source). */
export async function insertBankOperation(tx: Queryable, op: NewBankOperation, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO wallet_bank_operations (id, kind, connector, livemode, wallet_user_id, funding_source_id, amount,
                                         currency, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)`,
    [
      op.id,
      op.kind,
      op.connector,
      op.livemode,
      op.walletUserId,
      op.fundingSourceId,
      op.amount === null ? null : String(op.amount),
      op.currency,
      at,
    ],
  );
}

export async function getBankOperation(db: Queryable, id: string): Promise<BankOperation | undefined> {
  const result = await db.query<BankOperationRow>("SELECT * FROM wallet_bank_operations WHERE id = $1", [id]);
  return result.rows[0] ? bankOperationFromRow(result.rows[0]) : undefined;
}

export type BankOutcome =
  | { status: "succeeded"; bankReference?: string }
  | { status: "failed"; code: string; message: string; bankReference?: string };

/**
 * Records the bank's final answer, in the transaction of the business change it causes. False when the
 * operation was finished already (by another worker, or an earlier import).
 */
export async function markBankOperationFinal(
  tx: Queryable,
  id: string,
  outcome: BankOutcome,
  at: Date,
): Promise<boolean> {
  const updated = await tx.query(
    `UPDATE wallet_bank_operations
        SET status = $2, failure_code = $3, failure_message = $4, bank_reference = coalesce($5, bank_reference),
            completed_at = $6, next_attempt_at = NULL, locked_until = NULL
      WHERE id = $1 AND status IN ('pending', 'submitted')`,
    [
      id,
      outcome.status,
      outcome.status === "failed" ? outcome.code : null,
      outcome.status === "failed" ? outcome.message : null,
      outcome.bankReference ?? null,
      at,
    ],
  );
  return updated.rowCount === 1;
}
