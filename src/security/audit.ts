import { createHash } from "node:crypto";
import type { Queryable } from "../db/pool.js";
import { canonicalJson } from "../http/canonical-json.js";
import { newId } from "../ids.js";
import { auditChainLockKey } from "../limits.js";

/**
 * The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained, each record's hash
 * covering the previous record's hash, so removing or editing a record in the middle breaks every hash after it.
 * Appends are serialized by a transaction-scoped advisory lock: security events are rare, and the chain needs order.
 */

export type AuditActorType = "merchant_user" | "operator" | "api_key" | "wallet_user" | "system";

export interface AuditEntry {
  actorType: AuditActorType;
  actorId: string | null;
  /** The merchant the action concerns, so a merchant sees its own records (null: platform-wide). */
  merchantId: string | null;
  /** What happened, dotted: "console.login_succeeded", "api_key.created", "kyb.approved". */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  seq: bigint;
  occurredAt: Date;
  actorType: AuditActorType;
  actorId: string | null;
  merchantId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

const genesisHash = "0".repeat(64);

function recordHash(prevHash: string, record: Omit<AuditRecord, "seq" | "prevHash" | "hash">): string {
  const body = canonicalJson({ ...record, occurredAt: record.occurredAt.toISOString() });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Appends one record. Call it with the business transaction's client so the record commits with what it records
 * (a key created and its audit record, or neither). The advisory lock is released at that transaction's end.
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry, at: Date = new Date()): Promise<AuditRecord> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [auditChainLockKey]);
  const last = await tx.query<{ hash: string }>("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  const prevHash = last.rows[0]?.hash ?? genesisHash;
  // Millisecond precision: what timestamptz round-trips through JavaScript Dates, so the hash re-verifies.
  const occurredAt = new Date(Math.floor(at.getTime()));
  const record = {
    id: newId("aud"),
    occurredAt,
    actorType: entry.actorType,
    actorId: entry.actorId,
    merchantId: entry.merchantId,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? {},
  };
  const hash = recordHash(prevHash, record);
  const inserted = await tx.query<{ seq: bigint }>(
    `INSERT INTO audit_log (id, occurred_at, actor_type, actor_id, merchant_id, action, target_type, target_id, ip,
                            details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq`,
    [
      record.id,
      record.occurredAt,
      record.actorType,
      record.actorId,
      record.merchantId,
      record.action,
      record.targetType,
      record.targetId,
      record.ip,
      JSON.stringify(record.details),
      prevHash,
      hash,
    ],
  );
  return { ...record, seq: inserted.rows[0]!.seq, prevHash, hash };
}

interface AuditRow {
  id: string;
  seq: bigint;
  occurred_at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  merchant_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function auditFromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    seq: row.seq,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    merchantId: row.merchant_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditPageQuery {
  merchantId?: string;
  limit: number;
  /** seq of the last record of the previous page (newest first). */
  beforeSeq?: bigint;
}

export async function listAudit(
  db: Queryable,
  query: AuditPageQuery,
): Promise<{ data: AuditRecord[]; hasMore: boolean }> {
  const result = await db.query<AuditRow>(
    `SELECT * FROM audit_log
      WHERE ($1::text IS NULL OR merchant_id = $1) AND ($2::bigint IS NULL OR seq < $2)
      ORDER BY seq DESC LIMIT $3`,
    [query.merchantId ?? null, query.beforeSeq === undefined ? null : String(query.beforeSeq), query.limit + 1],
  );
  const rows = result.rows.map(auditFromRow);
  return { data: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}

export interface AuditChainReport {
  ok: boolean;
  records: number;
  /** The first record whose hash or link does not verify. */
  brokenAt: { seq: bigint; id: string; reason: "prev_hash_mismatch" | "hash_mismatch" } | null;
}

/** Walks the whole chain in order and recomputes every hash. */
export async function verifyAuditChain(db: Queryable, batchRows = 5_000): Promise<AuditChainReport> {
  let prevHash = genesisHash;
  let lastSeq = 0n;
  let records = 0;
  for (;;) {
    const page = await db.query<AuditRow>("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", [
      String(lastSeq),
      batchRows,
    ]);
    if (page.rows.length === 0) return { ok: true, records, brokenAt: null };
    for (const row of page.rows) {
      const record = auditFromRow(row);
      if (record.prevHash !== prevHash) {
        return { ok: false, records, brokenAt: { seq: record.seq, id: record.id, reason: "prev_hash_mismatch" } };
      }
      const { seq: _seq, prevHash: _prev, hash: _hash, ...content } = record;
      if (recordHash(prevHash, content) !== record.hash) {
        return { ok: false, records, brokenAt: { seq: record.seq, id: record.id, reason: "hash_mismatch" } };
      }
      prevHash = record.hash;
      lastSeq = record.seq;
      records++;
    }
  }
}
