import type { PoolClient, Queryable } from "../db/pool.js";
import type { AccountState, BatchPlan, KnownTransfer, Resolution } from "./apply.js";
import { type Account, type LedgerName, type Transfer, TransferFlags } from "./model.js";

/**
 * The ledger's SQL. Every write is one set-based statement over arrays (unnest), so a batch costs the same
 * number of round trips whether it holds one transfer or thousands.
 */

const transferColumns = `t.id, t.debit_account_id, t.credit_account_id, t.amount, t.ledger, t.currency, t.code,
  t.flags, t.pending_id, t.timeout_ms, t.timeout_at, t.reference, t.created_at`;

interface TransferRow {
  id: string;
  debit_account_id: bigint;
  credit_account_id: bigint;
  amount: bigint;
  ledger: LedgerName;
  currency: string;
  code: string;
  flags: number;
  pending_id: string | null;
  timeout_ms: bigint;
  timeout_at: Date | null;
  reference: string | null;
  created_at: Date;
  seq?: bigint;
}

export function transferFromRow(row: TransferRow): Transfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: row.amount,
    ledger: row.ledger,
    currency: row.currency,
    code: row.code,
    flags: row.flags,
    pendingId: row.pending_id,
    timeoutMs: Number(row.timeout_ms),
    timeoutAt: row.timeout_at,
    reference: row.reference,
    createdAt: row.created_at,
  };
}

interface AccountRow {
  id: bigint;
  ledger: LedgerName;
  currency: string;
  code: string;
  flags: number;
  reference: string | null;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
  created_at: Date;
}

export const accountColumns =
  "id, ledger, currency, code, flags, reference, debits_posted, credits_posted, debits_pending, credits_pending, created_at";

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    ledger: row.ledger,
    currency: row.currency,
    code: row.code,
    flags: row.flags,
    reference: row.reference,
    debitsPosted: row.debits_posted,
    creditsPosted: row.credits_posted,
    debitsPending: row.debits_pending,
    creditsPending: row.credits_pending,
    createdAt: row.created_at,
  };
}

function resolutionOf(flags: number | null): Resolution | null {
  if (flags === null) return null;
  if ((flags & TransferFlags.postPending) !== 0) return "posted";
  return (flags & TransferFlags.expired) !== 0 ? "expired" : "voided";
}

/** Transfers by id, each with how it was resolved if it is a hold. Immutable rows: safe to read before locking. */
export async function readKnownTransfers(db: Queryable, ids: string[]): Promise<Map<string, KnownTransfer>> {
  const known = new Map<string, KnownTransfer>();
  if (ids.length === 0) return known;
  const result = await db.query<TransferRow & { resolution_flags: number | null }>(
    `SELECT ${transferColumns}, r.flags AS resolution_flags
       FROM ledger_transfers t
       LEFT JOIN ledger_transfers r ON r.pending_id = t.id
      WHERE t.id = ANY($1::uuid[])`,
    [ids],
  );
  for (const row of result.rows) {
    known.set(row.id, { ...transferFromRow(row), resolution: resolutionOf(row.resolution_flags) });
  }
  return known;
}

/** Locks the accounts in id order (no deadlock between writers) and returns their balances as of the lock. */
export async function lockAccounts(client: PoolClient, ids: bigint[]): Promise<Map<bigint, AccountState>> {
  const accounts = new Map<bigint, AccountState>();
  if (ids.length === 0) return accounts;
  const result = await client.query<AccountRow>(
    `SELECT id, ledger, currency, flags, debits_posted, credits_posted, debits_pending, credits_pending
       FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
    [ids.map(String)],
  );
  for (const row of result.rows) {
    accounts.set(row.id, {
      id: row.id,
      ledger: row.ledger,
      currency: row.currency,
      flags: row.flags,
      debitsPosted: row.debits_posted,
      creditsPosted: row.credits_posted,
      debitsPending: row.debits_pending,
      creditsPending: row.credits_pending,
    });
  }
  return accounts;
}

/**
 * Writes a plan. Returns false when another writer got there first (a transfer id or a hold resolution already
 * taken): the caller rolls back and plans again with fresh reads.
 */
export async function writePlan(client: PoolClient, plan: BatchPlan): Promise<boolean> {
  if (plan.inserts.length > 0) {
    const t = plan.inserts;
    const inserted = await client.query(
      `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, ledger, currency, code, flags,
                                     pending_id, timeout_ms, timeout_at, reference, created_at)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::numeric[], $5::text[], $6::text[],
                            $7::text[], $8::int[], $9::uuid[], $10::bigint[], $11::timestamptz[], $12::text[],
                            $13::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        t.map((x) => x.id),
        t.map((x) => String(x.debitAccountId)),
        t.map((x) => String(x.creditAccountId)),
        t.map((x) => String(x.amount)),
        t.map((x) => x.ledger),
        t.map((x) => x.currency),
        t.map((x) => x.code),
        t.map((x) => x.flags),
        t.map((x) => x.pendingId),
        t.map((x) => String(x.timeoutMs)),
        t.map((x) => x.timeoutAt),
        t.map((x) => x.reference),
        t.map((x) => x.createdAt),
      ],
    );
    if (inserted.rowCount !== t.length) return false;
  }
  if (plan.changedAccounts.length > 0) {
    const a = plan.changedAccounts;
    await client.query(
      `UPDATE ledger_accounts AS acc
          SET debits_posted = u.debits_posted, credits_posted = u.credits_posted,
              debits_pending = u.debits_pending, credits_pending = u.credits_pending
         FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[])
              AS u(id, debits_posted, credits_posted, debits_pending, credits_pending)
        WHERE acc.id = u.id`,
      [
        a.map((x) => String(x.id)),
        a.map((x) => String(x.debitsPosted)),
        a.map((x) => String(x.creditsPosted)),
        a.map((x) => String(x.debitsPending)),
        a.map((x) => String(x.creditsPending)),
      ],
    );
  }
  if (plan.holdsOpened.length > 0) {
    await client.query(
      `INSERT INTO ledger_open_holds (transfer_id, timeout_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`,
      [plan.holdsOpened.map((h) => h.transferId), plan.holdsOpened.map((h) => h.timeoutAt)],
    );
  }
  if (plan.holdsClosed.length > 0) {
    await client.query("DELETE FROM ledger_open_holds WHERE transfer_id = ANY($1::uuid[])", [plan.holdsClosed]);
  }
  if (plan.history.length > 0) {
    const h = plan.history;
    await client.query(
      `INSERT INTO ledger_account_history (account_id, transfer_seq, transfer_id, debits_posted, credits_posted,
                                          debits_pending, credits_pending, created_at)
       SELECT u.account_id, t.seq, u.transfer_id, u.debits_posted, u.credits_posted, u.debits_pending,
              u.credits_pending, t.created_at
         FROM unnest($1::bigint[], $2::uuid[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[])
              AS u(account_id, transfer_id, debits_posted, credits_posted, debits_pending, credits_pending)
         JOIN ledger_transfers t ON t.id = u.transfer_id`,
      [
        h.map((x) => String(x.accountId)),
        h.map((x) => x.transferId),
        h.map((x) => String(x.debitsPosted)),
        h.map((x) => String(x.creditsPosted)),
        h.map((x) => String(x.debitsPending)),
        h.map((x) => String(x.creditsPending)),
      ],
    );
  }
  return true;
}
