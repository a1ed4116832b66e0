import type { Pool } from "../db/pool.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { type CapabilityStatus, liveCapability } from "../merchants/account.js";
import type { KybState } from "../merchants/model.js";
import { type WalletUser, type WalletUserRow, walletUserFromRow } from "../wallets/users/model.js";

/**
 * Finding merchants and wallet users for support: one search box that takes a name, an email address, a phone
 * number or an id. An id matches exactly; text matches anywhere in the name or address, case-insensitively. An
 * empty query lists everyone, newest first.
 */

/** "50%_off" → "50\%\_off": the operator's text is matched literally inside a LIKE pattern. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface MerchantSummary {
  id: string;
  businessName: string;
  ownerEmail: string | null;
  kybState: KybState;
  kybApplicationId: string | null;
  livePayments: CapabilityStatus;
  liveApiKeys: number;
  createdAt: Date;
}

interface MerchantSummaryRow {
  id: string;
  business_name: string;
  owner_email: string | null;
  kyb_state: KybState | null;
  kyb_application_id: string | null;
  live_api_keys: number;
  created_at: Date;
}

export function merchantSummaryObject(merchant: MerchantSummary) {
  return {
    id: merchant.id,
    object: "merchant_summary" as const,
    business_name: merchant.businessName,
    owner_email: merchant.ownerEmail,
    kyb_state: merchant.kybState,
    kyb_application: merchant.kybApplicationId,
    live_payments: merchant.livePayments,
    live_api_keys: merchant.liveApiKeys,
    created: Math.floor(merchant.createdAt.getTime() / 1000),
  };
}

export type Directory = ReturnType<typeof createDirectory>;

export function createDirectory(deps: { pool: Pool }) {
  async function searchMerchants(query: string, page: PageRequest): Promise<ListPage<MerchantSummary>> {
    const text = query.trim();
    const rows = await keysetPage<MerchantSummaryRow>(deps.pool, page, {
      from: `(SELECT m.id, m.business_name, m.created_at, k.state AS kyb_state, k.id AS kyb_application_id,
                (SELECT u.email FROM merchant_members mm JOIN merchant_users u ON u.id = mm.user_id
                  WHERE mm.merchant_id = m.id AND mm.role = 'owner') AS owner_email,
                (SELECT count(*)::int FROM api_keys a
                  WHERE a.merchant_id = m.id AND a.livemode AND a.revoked_at IS NULL) AS live_api_keys
                FROM merchants m LEFT JOIN kyb_applications k ON k.merchant_id = m.id) AS q`,
      scope: "TRUE",
      filter: `$1::text = ''
             OR q.id = $1
             OR q.business_name ILIKE $2
             OR EXISTS (SELECT 1 FROM merchant_members mm JOIN merchant_users u ON u.id = mm.user_id
                         WHERE mm.merchant_id = q.id AND u.email ILIKE $2)`,
      params: [text, likePattern(text)],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, (row): MerchantSummary => {
      const kybState = row.kyb_state ?? "draft";
      return {
        id: row.id,
        businessName: row.business_name,
        ownerEmail: row.owner_email,
        kybState,
        kybApplicationId: row.kyb_application_id,
        livePayments: liveCapability(kybState),
        liveApiKeys: row.live_api_keys,
        createdAt: row.created_at,
      };
    });
  }

  /** Phone numbers match on their digits, so "+86 138 0013 8000" and "13800138000" both find +8613800138000. */
  async function searchWalletUsers(query: string, page: PageRequest): Promise<ListPage<WalletUser>> {
    const text = query.trim();
    const digits = text.replace(/[\s()+-]/g, "");
    const phonePattern = /^\d{3,15}$/.test(digits) ? likePattern(digits) : null;
    const rows = await keysetPage<WalletUserRow>(deps.pool, page, {
      from: "wallet_users",
      scope: "TRUE",
      filter: `$1::text = '' OR id = $1 OR email ILIKE $2 OR display_name ILIKE $2 OR legal_name ILIKE $2
               OR ($3::text IS NOT NULL AND phone LIKE $3)`,
      params: [text, likePattern(text), phonePattern],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, walletUserFromRow);
  }

  return { searchMerchants, searchWalletUsers };
}
