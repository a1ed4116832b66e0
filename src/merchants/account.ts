import type { Queryable } from "../db/pool.js";
import type { KybState } from "./model.js";

/**
 * The merchant as the merchant API shows it (GET /v1/account): its mode comes from the key, its KYB state from the
 * application, and its capabilities from both. Live payments are active once KYB is approved; pending while an
 * application is with the reviewers.
 */
export type CapabilityStatus = "active" | "pending" | "inactive";

export function liveCapability(kyb: KybState): CapabilityStatus {
  if (kyb === "approved") return "active";
  if (kyb === "submitted" || kyb === "in_review") return "pending";
  return "inactive";
}

export async function accountObject(db: Queryable, merchantId: string, livemode: boolean) {
  const result = await db.query<{
    id: string;
    business_name: string;
    created_at: Date;
    state: KybState;
    api_version: string;
  }>(
    `SELECT m.id, m.business_name, m.created_at, m.api_version, COALESCE(k.state, 'draft') AS state
       FROM merchants m LEFT JOIN kyb_applications k ON k.merchant_id = m.id WHERE m.id = $1`,
    [merchantId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    object: "account" as const,
    business_name: row.business_name,
    livemode,
    kyb_status: row.state,
    capabilities: { test_payments: "active" as CapabilityStatus, live_payments: liveCapability(row.state) },
    api_version: row.api_version,
    created: Math.floor(row.created_at.getTime() / 1000),
  };
}
