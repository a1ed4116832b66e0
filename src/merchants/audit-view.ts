import type { Queryable } from "../db/pool.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { type AuditRecord, auditFromRow } from "../security/audit.js";

/**
 * Reading the audit log for people: a merchant's own records (GET /v1/console/audit_log) and, for operators, all of
 * them (GET /v1/ops/audit_log). Newest first; cursors are record ids. Each record shows its hash and the previous
 * record's, so anyone holding an export can check the chain.
 */
export async function listAuditRecords(
  db: Queryable,
  filter: { merchantId?: string; action?: string },
  page: PageRequest,
): Promise<ListPage<AuditRecord>> {
  // A merchant reads its own records; an operator (no merchantId) all of them.
  const rows = await keysetPage<Parameters<typeof auditFromRow>[0]>(db, page, {
    from: "audit_log",
    scope: "$1::text IS NULL OR merchant_id = $1",
    filter: "$2::text IS NULL OR action = $2",
    params: [filter.merchantId ?? null, filter.action ?? null],
    idColumn: "id",
    sortColumns: ["seq"],
    order: "desc",
  });
  return mapPage(rows, auditFromRow);
}

export function auditRecordObject(record: AuditRecord) {
  return {
    id: record.id,
    object: "audit_record" as const,
    seq: String(record.seq),
    occurred_at: Math.floor(record.occurredAt.getTime() / 1000),
    action: record.action,
    actor: { type: record.actorType, id: record.actorId },
    merchant: record.merchantId,
    target: record.targetType ? { type: record.targetType, id: record.targetId } : null,
    ip: record.ip,
    details: record.details,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}
