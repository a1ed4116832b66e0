import type { Pool } from "../../db/pool.js";
import type { BankConnector, BankReportEntry, BankUpdate } from "./connector.js";

/**
 * The file-based connector, for banks reached by files (host-to-host, a banking portal's bulk upload): coffer
 * never calls the bank. `coffer bank export` writes the instructions waiting for the bank as CSV; the operator
 * hands the file over; `coffer bank import <file>` reads the bank's settlement file and confirms or fails each
 * instruction (file-transfer.ts). The connector itself only says "waiting for a file", and its reconciliation
 * report is the settlement lines imported so far.
 */
export function createFileBank(deps: { pool: Pool }): BankConnector {
  const waitForFile = async (): Promise<BankUpdate> => ({ status: "pending", nextCheckAt: null });
  return {
    name: "file",
    verifyAccount: waitForFile,
    debit: waitForFile,
    credit: waitForFile,
    status: waitForFile,
    async reconciliationReport(range) {
      const result = await deps.pool.query<{
        operation_id: string;
        outcome: "settled" | "failed";
        amount: bigint | null;
        currency: string | null;
        bank_reference: string | null;
        op_currency: string;
      }>(
        `SELECT l.operation_id, l.outcome, l.amount, l.currency, l.bank_reference, o.currency AS op_currency
           FROM wallet_bank_settlement_lines l JOIN wallet_bank_operations o ON o.id = l.operation_id
          WHERE l.imported_at >= $1 AND l.imported_at < $2 AND o.kind <> 'verify'`,
        [range.from, range.to],
      );
      return result.rows.map(
        (row): BankReportEntry => ({
          operationId: row.operation_id,
          outcome: row.outcome,
          amount: row.amount,
          currency: row.currency ?? row.op_currency,
          bankReference: row.bank_reference,
        }),
      );
    },
  };
}
