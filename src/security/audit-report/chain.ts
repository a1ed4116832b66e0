import type { Queryable } from "../../db/pool.js";
import { verifyAuditChain } from "../audit.js";
import type { AuditLogSummary, Finding } from "./model.js";

/**
 * The audit log's hash chain, end to end: every record's link to the one before and its own hash. The first record
 * that does not verify is named; the records after it cannot be trusted either, since each hash covers the last.
 */
export async function checkAuditLogChain(db: Queryable): Promise<{ summary: AuditLogSummary; findings: Finding[] }> {
  const chain = await verifyAuditChain(db);
  if (chain.ok || !chain.brokenAt) return { summary: { records: chain.records, intact: true }, findings: [] };
  const broken = chain.brokenAt;
  const what =
    broken.reason === "hash_mismatch"
      ? "its content does not match its hash: it was edited after it was written"
      : "it does not link to the record before it: a record before it was removed or replaced";
  return {
    summary: { records: chain.records, intact: false },
    findings: [
      {
        id: "audit_log_chain_broken",
        severity: "high",
        title: "The audit log's hash chain is broken",
        detail: `Audit record ${broken.id} (seq ${broken.seq}) does not verify (${broken.reason}): ${what}. ${chain.records} records before it verify.`,
        remedy:
          "Treat it as an incident: someone with write access to the database bypassed the append-only trigger. " +
          "Compare the record with your database backups and logs to find what changed and who had access, and " +
          "rotate the database credentials.",
      },
    ],
  };
}
