import type { MerchantScope } from "../http/auth.js";
import { type Metadata, mergeMetadata, sameMetadata } from "../http/metadata.js";
import type { Queryable } from "./pool.js";

/**
 * The one way merchant-owned rows change their metadata: the row is locked, the update merged into what it holds
 * (src/http/metadata.ts), and written with updated_at, in the caller's transaction so the caller's event commits
 * with it. Tables are named here, never taken from input.
 */
export type MetadataTable =
  | "payments"
  | "refunds"
  | "payouts"
  | "payment_links"
  | "stores"
  | "tills"
  | "webhook_endpoints"
  | "disputes";

/** Rows that are gone for the merchant (a deleted endpoint) are as unknown as ids that never existed. */
const visibleOnly: Partial<Record<MetadataTable, string>> = { webhook_endpoints: "AND t.deleted_at IS NULL" };

export interface MetadataUpdate<Row> {
  row: Row;
  /** What the metadata was before; equal to the row's when nothing changed. */
  previous: Metadata;
  changed: boolean;
}

/** undefined: no such row of this merchant and mode. columns: what to read, the table named `t` (default t.*). */
export async function updateMetadata<Row extends { metadata: Metadata }>(
  tx: Queryable,
  table: MetadataTable,
  scope: MerchantScope,
  id: string,
  patch: Metadata | undefined,
  at: Date,
  columns = "t.*",
): Promise<MetadataUpdate<Row> | undefined> {
  const found = await tx.query<Row>(
    `SELECT ${columns} FROM ${table} t WHERE t.id = $1 AND t.merchant_id = $2 AND t.livemode = $3 ${visibleOnly[table] ?? ""}
        FOR UPDATE`,
    [id, scope.merchantId, scope.livemode],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  const merged = mergeMetadata(row.metadata, patch);
  if (sameMetadata(merged, row.metadata)) return { row, previous: row.metadata, changed: false };
  const updated = await tx.query<Row>(
    `UPDATE ${table} t SET metadata = $2, updated_at = $3 WHERE t.id = $1 RETURNING ${columns}`,
    [id, JSON.stringify(merged), at],
  );
  return { row: updated.rows[0]!, previous: row.metadata, changed: true };
}
