import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { Pool, Queryable } from "../../db/pool.js";
import { walletBankBatchMax, walletBankLeaseMs, walletBankRetryBaseMs, walletBankRetryMaxMs } from "../../limits.js";
import type { SecretBox } from "../../security/encryption.js";
import type { BankConnectorName } from "../config.js";
import { accountNumberAad } from "../funding/model.js";
import type { BankConnector, BankInstruction, BankOperationKind, BankUpdate } from "./connector.js";
import {
  type BankOperation,
  type BankOperationRow,
  type BankOutcome,
  bankOperationFromRow,
  getBankOperation,
} from "./operations.js";

/**
 * Moves bank instructions along: submits new ones to their connector, asks about submitted ones when they are
 * due, and hands final answers to the business code that owns the instruction (funding-source verification,
 * top-ups, withdrawals), which changes its records and moves the money in one transaction. Safe in several
 * processes: an instruction is claimed with a lease (FOR UPDATE SKIP LOCKED), and every completion is idempotent.
 */
export type CompletionHandler = (op: BankOperation, outcome: BankOutcome) => Promise<void>;

export type BankSettlement = ReturnType<typeof createBankSettlement>;

export function createBankSettlement(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  log: Logger;
  connectors: Record<BankConnectorName, BankConnector>;
}) {
  const handlers: Partial<Record<BankOperationKind, CompletionHandler>> = {};

  function onComplete(kind: BankOperationKind, handler: CompletionHandler): void {
    handlers[kind] = handler;
  }

  /** db: the caller's transaction when it holds one (a file export claims operations in one). */
  async function instructionFor(op: BankOperation, db: Queryable = deps.pool): Promise<BankInstruction> {
    const found = await db.query<{ holder_name: string; bank_code: string; account_number: string }>(
      "SELECT holder_name, bank_code, account_number FROM wallet_funding_sources WHERE id = $1",
      [op.fundingSourceId],
    );
    const source = found.rows[0];
    if (!source) throw new Error(`funding source ${op.fundingSourceId} of bank operation ${op.id} is missing`);
    return {
      id: op.id,
      kind: op.kind,
      livemode: op.livemode,
      amount: op.amount,
      currency: op.currency,
      account: {
        holderName: source.holder_name,
        bankCode: source.bank_code,
        accountNumber: await deps.secrets.decryptString(
          source.account_number,
          accountNumberAad(op.fundingSourceId),
          db,
        ),
      },
      submittedAt: op.submittedAt,
      failedCalls: op.failedCalls,
      bankReference: op.bankReference,
    };
  }

  /** Hands a final answer to the instruction's owner. Idempotent: a finished instruction is left as it is. */
  async function complete(op: BankOperation, outcome: BankOutcome): Promise<void> {
    const handler = handlers[op.kind];
    if (!handler) throw new Error(`no completion handler for bank operations of kind ${op.kind}`);
    await handler(op, outcome);
  }

  async function retryLater(op: BankOperation, error: unknown): Promise<void> {
    const failedCalls = op.failedCalls + 1;
    const delay = Math.min(walletBankRetryBaseMs * 2 ** (failedCalls - 1), walletBankRetryMaxMs);
    const message = (error as Error).message?.slice(0, 500) ?? String(error);
    await deps.pool.query(
      `UPDATE wallet_bank_operations SET failed_calls = $2, last_error = $3, next_attempt_at = $4, locked_until = NULL
        WHERE id = $1 AND status IN ('pending', 'submitted')`,
      [op.id, failedCalls, message, new Date(deps.clock.now().getTime() + delay)],
    );
    deps.log.warn(
      { bank_operation: op.id, connector: op.connector, err: message, retryInMs: delay },
      "bank call failed",
    );
  }

  async function apply(op: BankOperation, update: BankUpdate): Promise<void> {
    if (update.status === "pending") {
      await deps.pool.query(
        `UPDATE wallet_bank_operations
            SET status = 'submitted', submitted_at = coalesce(submitted_at, $2), next_attempt_at = $3,
                bank_reference = coalesce($4, bank_reference), locked_until = NULL
          WHERE id = $1 AND status IN ('pending', 'submitted')`,
        [op.id, deps.clock.now(), update.nextCheckAt, update.bankReference ?? null],
      );
      return;
    }
    await complete(op, update);
  }

  /** One step of one claimed instruction: submit it, or ask about it. */
  async function step(op: BankOperation): Promise<void> {
    const connector = deps.connectors[op.connector];
    let update: BankUpdate;
    try {
      const instruction = await instructionFor(op);
      if (op.status === "pending") {
        const call =
          op.kind === "verify" ? connector.verifyAccount : op.kind === "debit" ? connector.debit : connector.credit;
        update = await call(instruction);
      } else {
        update = await connector.status(instruction);
      }
      await apply(op, update);
    } catch (error) {
      await retryLater(op, error).catch((e: unknown) => deps.log.error({ err: e }, "bank retry not scheduled"));
    }
  }

  /**
   * Submits one instruction right after the transaction that created it committed, so the API answers with the
   * bank's first word when it is quick. Never throws: the worker retries what fails here.
   */
  async function dispatch(id: string): Promise<void> {
    const now = deps.clock.now();
    try {
      const claimed = await deps.pool.query<BankOperationRow>(
        `UPDATE wallet_bank_operations SET locked_until = $2
          WHERE id = $1 AND status = 'pending' AND (locked_until IS NULL OR locked_until < $3) RETURNING *`,
        [id, new Date(now.getTime() + walletBankLeaseMs), now],
      );
      if (claimed.rows[0]) await step(bankOperationFromRow(claimed.rows[0]));
    } catch (error) {
      deps.log.error({ err: error, bank_operation: id }, "bank dispatch failed; the settlement worker retries");
    }
  }

  /** One pass of the settlement worker: every instruction due now. Returns how many it looked at. */
  async function runDue(limit = walletBankBatchMax): Promise<number> {
    const now = deps.clock.now();
    const claimed = await deps.pool.query<BankOperationRow>(
      `UPDATE wallet_bank_operations o SET locked_until = $2
        WHERE o.id IN (SELECT id FROM wallet_bank_operations
                        WHERE status IN ('pending', 'submitted') AND next_attempt_at <= $1
                          AND (locked_until IS NULL OR locked_until < $1)
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING o.*`,
      [now, new Date(now.getTime() + walletBankLeaseMs), limit],
    );
    for (const row of claimed.rows) await step(bankOperationFromRow(row));
    return claimed.rows.length;
  }

  /**
   * A final answer from outside coffer (a settlement file). "applied" when it finished the instruction now,
   * "unchanged" when the instruction had finished the same way before, "conflict" when it had finished the other way.
   */
  async function applyExternal(
    id: string,
    outcome: BankOutcome,
  ): Promise<"applied" | "unchanged" | "conflict" | "unknown"> {
    const op = await getBankOperation(deps.pool, id);
    if (!op) return "unknown";
    if (op.status === "succeeded" || op.status === "failed")
      return op.status === outcome.status ? "unchanged" : "conflict";
    await complete(op, outcome);
    const after = await getBankOperation(deps.pool, id);
    if (after?.status === outcome.status) return "applied";
    return after?.status === "succeeded" || after?.status === "failed" ? "conflict" : "unknown";
  }

  return { onComplete, dispatch, runDue, applyExternal, instructionFor, connectors: deps.connectors };
}
