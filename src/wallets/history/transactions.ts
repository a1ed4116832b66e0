import type { Pool } from "../../db/pool.js";
import { keysetPage, type ListPage, type PageRequest } from "../../http/pagination.js";
import { unixSeconds } from "../time.js";
import { publicName, type WalletUserRow, walletUserFromRow } from "../users/model.js";

/**
 * The unified transaction list of a wallet user: top-ups, withdrawals, transfers both ways, payments to merchants and
 * their refunds (the branches of the wallet_transactions view), and cashback on payments and what refunds took back of
 * it (the wallet_cashback_transactions view, src/coupons). Newest first, keyset-paginated on (created_at, id),
 * filterable by type, status, direction, currency and creation time.
 */
export const transactionTypes = [
  "top_up",
  "withdrawal",
  "transfer",
  "payment",
  "refund",
  "cashback",
  "cashback_reversal",
] as const;
export type TransactionType = (typeof transactionTypes)[number];

export interface TransactionFilters {
  type?: TransactionType;
  status?: string;
  direction?: "in" | "out";
  currency?: string;
  createdGte?: Date;
  createdLt?: Date;
}

interface TransactionRow {
  id: string;
  type: TransactionType;
  status: string;
  direction: "in" | "out";
  amount: bigint;
  currency: string;
  counterparty_id: string;
  note: string | null;
  failure_code: string | null;
  created_at: Date;
  livemode: boolean;
  /** Payments only: how much of it the merchant gave back. */
  amount_refunded: bigint | null;
}

const merchantFacing = new Set<TransactionType>(["payment", "refund", "cashback", "cashback_reversal"]);

/** Both views, read as one list (the same columns). */
const transactionsFrom = `(SELECT * FROM wallet_transactions UNION ALL SELECT * FROM wallet_cashback_transactions)
  AS wallet_transactions`;

export function createWalletTransactions(deps: { pool: Pool }) {
  async function describe(rows: TransactionRow[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const userIds = rows.filter((r) => r.type === "transfer").map((r) => r.counterparty_id);
    const sourceIds = rows.filter((r) => r.type === "top_up" || r.type === "withdrawal").map((r) => r.counterparty_id);
    const merchantIds = rows.filter((r) => merchantFacing.has(r.type)).map((r) => r.counterparty_id);
    if (merchantIds.length > 0) {
      const merchants = await deps.pool.query<{ id: string; business_name: string }>(
        "SELECT id, business_name FROM merchants WHERE id = ANY($1)",
        [merchantIds],
      );
      for (const row of merchants.rows) names.set(row.id, row.business_name);
    }
    if (userIds.length > 0) {
      const users = await deps.pool.query<WalletUserRow>("SELECT * FROM wallet_users WHERE id = ANY($1)", [userIds]);
      for (const row of users.rows) names.set(row.id, publicName(walletUserFromRow(row)));
    }
    if (sourceIds.length > 0) {
      const sources = await deps.pool.query<{ id: string; last4: string }>(
        "SELECT id, last4 FROM wallet_funding_sources WHERE id = ANY($1)",
        [sourceIds],
      );
      for (const row of sources.rows) names.set(row.id, `bank account •••• ${row.last4}`);
    }
    return names;
  }

  function json(row: TransactionRow, names: Map<string, string>) {
    const other = names.get(row.counterparty_id) ?? "";
    const descriptions: Record<TransactionType, string> = {
      top_up: `Top-up from ${other}`,
      withdrawal: `Withdrawal to ${other}`,
      transfer: row.direction === "out" ? `Transfer to ${other}` : `Transfer from ${other}`,
      payment: `Payment to ${other}`,
      refund: `Refund from ${other}`,
      cashback: `Cashback on a payment to ${other}`,
      cashback_reversal: `Cashback taken back with a refund from ${other}`,
    };
    const description = descriptions[row.type];
    return {
      id: row.id,
      object: "wallet_transaction" as const,
      livemode: row.livemode,
      type: row.type,
      status: row.status,
      direction: row.direction,
      amount: row.amount.toString(),
      currency: row.currency,
      description,
      counterparty: row.counterparty_id,
      counterparty_name: other,
      note: row.note,
      failure_code: row.failure_code,
      amount_refunded: row.amount_refunded === null ? null : row.amount_refunded.toString(),
      created: unixSeconds(row.created_at),
    };
  }

  async function list(
    userId: string,
    page: PageRequest,
    filters: TransactionFilters,
  ): Promise<ListPage<ReturnType<typeof json>>> {
    const params: unknown[] = [userId];
    const where = ["TRUE"];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (filters.type) add("type = ?", filters.type);
    if (filters.status) add("status = ?", filters.status);
    if (filters.direction) add("direction = ?", filters.direction);
    if (filters.currency) add("currency = ?", filters.currency);
    if (filters.createdGte) add("created_at >= ?", filters.createdGte);
    if (filters.createdLt) add("created_at < ?", filters.createdLt);
    const listPage = await keysetPage<TransactionRow>(deps.pool, page, {
      from: transactionsFrom,
      scope: "wallet_user_id = $1",
      filter: where.join(" AND "),
      params,
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const names = await describe(listPage.data);
    return { ...listPage, data: listPage.data.map((row) => json(row, names)) };
  }

  return { list };
}
