import type { Clock } from "../../clock.js";
import type { Pool } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { type CurrencyRegistry, formatMinorUnits } from "../../ledger/currencies.js";
import { csvField, csvLine, csvText, parseCsv } from "../csv.js";
import type { BankOperationRow, BankOutcome } from "./operations.js";
import { bankOperationFromRow } from "./operations.js";
import type { BankSettlement } from "./settlement.js";

/**
 * The file connector's two files (formats in docs/wallets.md).
 *
 * Export: every file-connector instruction not exported yet, as CSV — instruction_id, type (verify | debit |
 * credit), amount (decimal, in the currency's unit), currency, holder_name, bank_code, account_number (in full: the
 * bank needs it; keep the file safe), created_at. Exported rows are marked, so the next export has only new ones.
 *
 * Import: the bank's settlement file — instruction_id, status (settled | failed), and optionally amount, currency,
 * bank_reference, failure_code, failure_message. Each line finishes its instruction (the wallet is credited, the
 * withdrawal posted or returned, the account verified or not). Importing a file again changes nothing; a line that
 * contradicts an earlier outcome is reported and changes nothing.
 */
export const exportColumns = [
  "instruction_id",
  "type",
  "amount",
  "currency",
  "holder_name",
  "bank_code",
  "account_number",
  "created_at",
];
export const importColumns = [
  "instruction_id",
  "status",
  "amount",
  "currency",
  "bank_reference",
  "failure_code",
  "failure_message",
];

export interface ExportResult {
  batch: string;
  count: number;
  csv: string;
}

export interface ImportLineResult {
  line: number;
  instructionId: string;
  result: "applied" | "unchanged" | "error";
  problem?: string;
}

export interface ImportReport {
  applied: number;
  unchanged: number;
  errors: number;
  lines: ImportLineResult[];
}

/** "12.34" in a currency of exponent 2 → 1234n; undefined for anything that is not a plain non-negative decimal. */
export function parseDecimalAmount(text: string, exponent: number): bigint | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) return undefined;
  return BigInt(match[1]! + fraction.padEnd(exponent, "0"));
}

export function createBankFiles(deps: {
  pool: Pool;
  clock: Clock;
  currencies: CurrencyRegistry;
  bank: BankSettlement;
}) {
  async function exportPending(): Promise<ExportResult> {
    const now = deps.clock.now();
    const batch = `export_${now.toISOString()}`;
    return withTransaction(deps.pool, async (tx) => {
      const claimed = await tx.query<BankOperationRow>(
        `SELECT * FROM wallet_bank_operations
          WHERE connector = 'file' AND status IN ('pending', 'submitted') AND exported_at IS NULL
          ORDER BY created_at, id FOR UPDATE SKIP LOCKED`,
      );
      let csv = csvLine(exportColumns);
      for (const row of claimed.rows) {
        const op = bankOperationFromRow(row);
        const instruction = await deps.bank.instructionFor(op, tx);
        const currency = deps.currencies.get(op.currency);
        csv += csvLine([
          csvField(op.id),
          op.kind,
          op.amount === null || !currency ? "0" : formatMinorUnits(op.amount, currency),
          op.currency,
          csvText(instruction.account.holderName),
          csvField(instruction.account.bankCode),
          csvField(instruction.account.accountNumber),
          op.createdAt.toISOString(),
        ]);
      }
      if (claimed.rows.length > 0) {
        await tx.query(
          `UPDATE wallet_bank_operations
              SET status = 'submitted', submitted_at = coalesce(submitted_at, $2), exported_at = $2, export_batch = $3,
                  next_attempt_at = NULL, locked_until = NULL
            WHERE id = ANY($1)`,
          [claimed.rows.map((r) => r.id), now, batch],
        );
      }
      return { batch, count: claimed.rows.length, csv };
    });
  }

  async function importSettlement(text: string, sourceFile: string): Promise<ImportReport> {
    const rows = parseCsv(text);
    const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
    const column = (name: string) => header.indexOf(name);
    if (column("instruction_id") < 0 || column("status") < 0) {
      throw new Error("the settlement file needs a header row with at least instruction_id and status");
    }
    const report: ImportReport = { applied: 0, unchanged: 0, errors: 0, lines: [] };
    for (let i = 1; i < rows.length; i++) {
      const fields = rows[i]!;
      const get = (name: string) => {
        const index = column(name);
        return index < 0 ? "" : (fields[index] ?? "").trim();
      };
      const line = i + 1;
      const instructionId = get("instruction_id");
      const fail = (problem: string) => {
        report.errors++;
        report.lines.push({ line, instructionId, result: "error", problem });
      };
      const result = await importLine(instructionId, get, sourceFile, line).catch((error: unknown) => ({
        problem: (error as Error).message,
      }));
      if ("problem" in result) {
        fail(result.problem);
        continue;
      }
      report[result.result]++;
      report.lines.push({ line, instructionId, result: result.result });
    }
    return report;
  }

  async function importLine(
    instructionId: string,
    get: (name: string) => string,
    sourceFile: string,
    line: number,
  ): Promise<{ result: "applied" | "unchanged" } | { problem: string }> {
    const found = await deps.pool.query<BankOperationRow>("SELECT * FROM wallet_bank_operations WHERE id = $1", [
      instructionId,
    ]);
    const row = found.rows[0];
    if (row?.connector !== "file") return { problem: "no file-connector instruction has this id" };
    const op = bankOperationFromRow(row);
    const status = get("status").toLowerCase();
    if (status !== "settled" && status !== "failed")
      return { problem: `status must be settled or failed, not "${status}"` };
    const currencyText = get("currency");
    if (currencyText !== "" && currencyText !== op.currency)
      return { problem: `currency ${currencyText} ≠ ${op.currency}` };
    const amountText = get("amount");
    let amount: bigint | null = null;
    if (amountText !== "") {
      const currency = deps.currencies.get(op.currency);
      amount = currency ? (parseDecimalAmount(amountText, currency.exponent) ?? null) : null;
      if (amount === null) return { problem: `amount "${amountText}" is not a decimal amount of ${op.currency}` };
      if (amount !== (op.amount ?? 0n)) return { problem: `amount ${amountText} ≠ the instruction's amount` };
    }
    const bankReference = get("bank_reference") || undefined;
    const outcome: BankOutcome =
      status === "settled"
        ? { status: "succeeded", bankReference }
        : {
            status: "failed",
            code: get("failure_code") || "bank_rejected",
            message: get("failure_message") || "The bank returned the instruction.",
            bankReference,
          };
    const recorded = await deps.pool.query<{ outcome: string }>(
      `INSERT INTO wallet_bank_settlement_lines (operation_id, outcome, amount, currency, bank_reference, failure_code,
                                                 source_file, line_number, imported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (operation_id) DO UPDATE SET operation_id = EXCLUDED.operation_id
       RETURNING outcome`,
      [
        op.id,
        status,
        amount === null ? null : String(amount),
        currencyText || null,
        bankReference ?? null,
        outcome.status === "failed" ? outcome.code : null,
        sourceFile.slice(0, 255),
        line,
        deps.clock.now(),
      ],
    );
    if (recorded.rows[0]?.outcome !== status) {
      return { problem: `an earlier settlement file said ${recorded.rows[0]?.outcome}; this line is ignored` };
    }
    const applied = await deps.bank.applyExternal(op.id, outcome);
    if (applied === "conflict") return { problem: "the instruction finished the other way already; nothing changed" };
    if (applied === "unknown") return { problem: "the instruction could not be finished; see the log" };
    return { result: applied };
  }

  return { exportPending, importSettlement };
}
