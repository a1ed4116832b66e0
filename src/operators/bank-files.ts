import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { fail, ok, type Result } from "../merchants/model.js";
import { appendAudit } from "../security/audit.js";
import type { ExportResult, ImportReport } from "../wallets/bank/file-transfer.js";

/**
 * The file bank connector, as operators work it: `coffer bank export|import` and the operator console both come
 * here, so every file that goes to the bank or comes back from it is listed (bank_file_batches) and audited. The
 * files themselves are made and read by the wallets' bank files (src/wallets/bank/file-transfer.ts).
 */
export type BankFileActor = { source: "cli" } | { source: "operator"; operatorId: string; ip: string | null };

export interface BankFileExchange {
  exportPending(): Promise<ExportResult>;
  importSettlement(text: string, sourceFile: string): Promise<ImportReport>;
}

export interface BankFileBatch {
  id: string;
  direction: "export" | "import";
  source: "cli" | "operator";
  operatorId: string | null;
  name: string;
  instructionCount: number;
  applied: number;
  unchanged: number;
  errors: number;
  problems: { line: number; instruction_id: string; problem: string }[];
  createdAt: Date;
}

interface BatchRow {
  id: string;
  direction: "export" | "import";
  source: "cli" | "operator";
  operator_id: string | null;
  name: string;
  instruction_count: number;
  applied: number;
  unchanged: number;
  errors: number;
  problems: BankFileBatch["problems"];
  created_at: Date;
}

function batchFromRow(row: BatchRow): BankFileBatch {
  return {
    id: row.id,
    direction: row.direction,
    source: row.source,
    operatorId: row.operator_id,
    name: row.name,
    instructionCount: row.instruction_count,
    applied: row.applied,
    unchanged: row.unchanged,
    errors: row.errors,
    problems: row.problems,
    createdAt: row.created_at,
  };
}

export function bankFileBatchObject(batch: BankFileBatch) {
  return {
    id: batch.id,
    object: "bank_file_batch" as const,
    direction: batch.direction,
    source: batch.source,
    operator: batch.operatorId,
    name: batch.name,
    instruction_count: batch.instructionCount,
    applied: batch.applied,
    unchanged: batch.unchanged,
    errors: batch.errors,
    problems: batch.problems,
    created: Math.floor(batch.createdAt.getTime() / 1000),
  };
}

/** A file name as the bank's file is listed: its base name, printable, at most 255 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const printable = base.replace(/[^\x20-\x7e]/g, "_").trim();
  return (printable || "settlement.csv").slice(0, 255);
}

export type BankFileDesk = ReturnType<typeof createBankFileDesk>;

export function createBankFileDesk(deps: { pool: Pool; clock: Clock; files: BankFileExchange }) {
  async function record(
    actor: BankFileActor,
    batch: Omit<BankFileBatch, "id" | "source" | "operatorId" | "createdAt">,
  ): Promise<BankFileBatch> {
    const now = deps.clock.now();
    const operatorId = actor.source === "operator" ? actor.operatorId : null;
    return withTransaction(deps.pool, async (tx) => {
      const inserted = await tx.query<BatchRow>(
        `INSERT INTO bank_file_batches (id, direction, source, operator_id, name, instruction_count, applied,
                                        unchanged, errors, problems, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          newId("bfb"),
          batch.direction,
          actor.source,
          operatorId,
          batch.name,
          batch.instructionCount,
          batch.applied,
          batch.unchanged,
          batch.errors,
          JSON.stringify(batch.problems),
          now,
        ],
      );
      const row = inserted.rows[0]!;
      await appendAudit(
        tx,
        {
          actorType: actor.source === "operator" ? "operator" : "system",
          actorId: operatorId,
          merchantId: null,
          action: batch.direction === "export" ? "bank_file.exported" : "bank_file.imported",
          targetType: "bank_file_batch",
          targetId: row.id,
          ip: actor.source === "operator" ? actor.ip : null,
          details: {
            name: batch.name,
            instructions: batch.instructionCount,
            applied: batch.applied,
            unchanged: batch.unchanged,
            errors: batch.errors,
          },
        },
        now,
      );
      return batchFromRow(row);
    });
  }

  /**
   * Exports the instructions waiting for the bank. The CSV holds full account numbers: it is answered once and not
   * kept. (The export marks its instructions in its own transaction; the listing row follows it.)
   */
  async function exportPending(actor: BankFileActor): Promise<{ batch: BankFileBatch; csv: string }> {
    const exported = await deps.files.exportPending();
    const batch = await record(actor, {
      direction: "export",
      name: exported.batch,
      instructionCount: exported.count,
      applied: 0,
      unchanged: 0,
      errors: 0,
      problems: [],
    });
    return { batch, csv: exported.csv };
  }

  /** Imports the bank's settlement file; importing it again changes nothing (each line is applied once). */
  async function importSettlement(
    actor: BankFileActor,
    file: { name: string; content: string },
  ): Promise<Result<{ batch: BankFileBatch; report: ImportReport }, "bank_file_invalid">> {
    const name = cleanFileName(file.name);
    let report: ImportReport;
    try {
      report = await deps.files.importSettlement(file.content, name);
    } catch (error) {
      // The reader refuses a file without its header row with a plain Error; anything else is coffer's problem.
      if (!(error instanceof Error) || error.constructor !== Error) throw error;
      return fail("bank_file_invalid", `The settlement file cannot be read: ${(error as Error).message}.`, "content");
    }
    const batch = await record(actor, {
      direction: "import",
      name,
      instructionCount: report.lines.length,
      applied: report.applied,
      unchanged: report.unchanged,
      errors: report.errors,
      problems: report.lines
        .filter((line) => line.result === "error")
        .map((line) => ({ line: line.line, instruction_id: line.instructionId, problem: line.problem ?? "" })),
    });
    return ok({ batch, report });
  }

  /** Newest first. */
  async function list(page: PageRequest): Promise<ListPage<BankFileBatch>> {
    const rows = await keysetPage<BatchRow>(deps.pool, page, {
      from: "bank_file_batches",
      scope: "TRUE",
      params: [],
      idColumn: "id",
      sortColumns: ["seq"],
      order: "desc",
    });
    return mapPage(rows, batchFromRow);
  }

  return { exportPending, importSettlement, list };
}
