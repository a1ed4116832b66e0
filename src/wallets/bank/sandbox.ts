import type { Clock } from "../../clock.js";
import type { Pool } from "../../db/pool.js";
import type { BankConnector, BankInstruction, BankReportEntry, BankUpdate } from "./connector.js";
import { BankUnavailableError } from "./connector.js";

/**
 * The sandbox bank: no money moves anywhere. Debits and credits settle settleMs after submission (driven by the
 * coffer clock, so tests move time instead of sleeping); the last four digits of the account number script the
 * outcome (table in docs/wallets.md):
 *
 *   …0002  debits fail with insufficient_funds (top-ups are refused); credits succeed
 *   …0003  the account is closed: verification fails with account_closed
 *   …0004  the first status check times out (BankUnavailableError); the retry succeeds
 *   …0005  credits fail with account_frozen (withdrawals come back); debits succeed
 *   …0006  debits and credits fail with do_not_honor
 *   anything else succeeds
 */
export const sandboxMagicSuffixes = {
  insufficientFunds: "0002",
  accountClosed: "0003",
  timeoutThenSuccess: "0004",
  creditRejected: "0005",
  doNotHonor: "0006",
} as const;

export function createSandboxBank(deps: { clock: Clock; settleMs: number; pool: Pool }): BankConnector {
  const suffix = (instruction: BankInstruction) => instruction.account.accountNumber.slice(-4);
  const reference = (instruction: BankInstruction) => `sbx_${instruction.id}`;

  const now = (instruction: BankInstruction) => instruction.at ?? deps.clock.now();
  const accept = async (instruction: BankInstruction): Promise<BankUpdate> => ({
    status: "pending",
    nextCheckAt: new Date(now(instruction).getTime() + deps.settleMs),
    bankReference: reference(instruction),
  });

  return {
    name: "sandbox",
    async verifyAccount(instruction) {
      if (suffix(instruction) === sandboxMagicSuffixes.accountClosed) {
        return { status: "failed", code: "account_closed", message: "The bank account is closed." };
      }
      return { status: "succeeded", bankReference: reference(instruction) };
    },
    debit: accept,
    credit: accept,
    async status(instruction) {
      const submitted = instruction.submittedAt ?? now(instruction);
      const settlesAt = new Date(submitted.getTime() + deps.settleMs);
      if (now(instruction) < settlesAt) return { status: "pending", nextCheckAt: settlesAt };
      const last4 = suffix(instruction);
      if (last4 === sandboxMagicSuffixes.timeoutThenSuccess && instruction.failedCalls === 0) {
        throw new BankUnavailableError("the sandbox bank did not answer in time (scripted by account …0004)");
      }
      if (last4 === sandboxMagicSuffixes.doNotHonor) {
        return { status: "failed", code: "do_not_honor", message: "The bank declined the instruction." };
      }
      if (instruction.kind === "debit" && last4 === sandboxMagicSuffixes.insufficientFunds) {
        return { status: "failed", code: "insufficient_funds", message: "The bank account has too little money." };
      }
      if (instruction.kind === "credit" && last4 === sandboxMagicSuffixes.creditRejected) {
        return { status: "failed", code: "account_frozen", message: "The bank account cannot receive money." };
      }
      return { status: "succeeded", bankReference: reference(instruction) };
    },
    async reconciliationReport(range) {
      // The sandbox bank's books are what it answered: the finished sandbox operations.
      const result = await deps.pool.query<{
        id: string;
        status: "succeeded" | "failed";
        amount: bigint | null;
        currency: string;
        bank_reference: string | null;
      }>(
        `SELECT id, status, amount, currency, bank_reference FROM wallet_bank_operations
          WHERE connector = 'sandbox' AND completed_at >= $1 AND completed_at < $2 AND kind <> 'verify'`,
        [range.from, range.to],
      );
      return result.rows.map(
        (row): BankReportEntry => ({
          operationId: row.id,
          outcome: row.status === "succeeded" ? "settled" : "failed",
          amount: row.amount,
          currency: row.currency,
          bankReference: row.bank_reference,
        }),
      );
    },
  };
}
