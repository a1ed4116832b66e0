import type { Pool, PoolClient, Queryable } from "../db/pool.js";
import { ledgerAccountsPerCreateMax, ledgerExpiryBatchMax, ledgerReferenceLengthMax, listLimitMax } from "../limits.js";
import { type ExpiryVoidInput, expiryVoidMarker, isValidCode } from "./apply.js";
import { type BatchHook, type BatchStats, createBatchWriter } from "./batch-writer.js";
import type { CurrencyRegistry } from "./currencies.js";
import { AccountInputError, type TransferResult } from "./errors.js";
import {
  type Account,
  type AccountBalance,
  AccountFlags,
  type AccountInput,
  accountFlagsAll,
  type Balances,
  balanceOf,
  ledgerNames,
  type Transfer,
  TransferFlags,
  type TransferInput,
  transferIdFor,
} from "./model.js";
import { accountColumns, accountFromRow, transferFromRow } from "./store.js";

export interface LedgerServiceDeps {
  pool: Pool;
  currencies: CurrencyRegistry;
  /** The clock for hold timeouts; tests and the sandbox's test clock inject their own. */
  now?: () => Date;
  onBatch?: (stats: BatchStats) => void;
  batchTransfersMax?: number;
  batchesInFlightMax?: number;
}

export interface TransferPage {
  data: (Transfer & { seq: bigint })[];
  hasMore: boolean;
}

export interface TransferPageQuery {
  limit?: number;
  /** seq of the last transfer of the previous page (newest first). */
  startingAfter?: bigint;
  endingBefore?: bigint;
}

export type LedgerService = ReturnType<typeof createLedgerService>;

export function createLedgerService(deps: LedgerServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const writer = createBatchWriter({
    pool: deps.pool,
    now,
    onBatch: deps.onBatch,
    batchTransfersMax: deps.batchTransfersMax,
    batchesInFlightMax: deps.batchesInFlightMax,
  });

  function validateAccount(input: AccountInput, index: number): void {
    if (!ledgerNames.includes(input.ledger)) throw new AccountInputError("ledger_invalid", index);
    if (!deps.currencies.has(input.currency)) throw new AccountInputError("currency_unknown", index);
    if (!isValidCode(input.code)) throw new AccountInputError("code_invalid", index);
    const flags = input.flags ?? 0;
    if (!Number.isInteger(flags) || (flags & ~accountFlagsAll) !== 0)
      throw new AccountInputError("flags_invalid", index);
    const both = AccountFlags.debitsMustNotExceedCredits | AccountFlags.creditsMustNotExceedDebits;
    if ((flags & both) === both) throw new AccountInputError("flags_are_mutually_exclusive", index);
    if (input.reference !== undefined && input.reference.length > ledgerReferenceLengthMax) {
      throw new AccountInputError("reference_invalid", index);
    }
  }

  /**
   * Creates accounts. Pass the business transaction's client as `db` so a wallet or merchant and its account are
   * created together.
   */
  async function createAccounts(db: Queryable, inputs: readonly AccountInput[]): Promise<Account[]> {
    if (inputs.length === 0) return [];
    if (inputs.length > ledgerAccountsPerCreateMax) {
      throw new RangeError(`at most ${ledgerAccountsPerCreateMax} accounts at once, got ${inputs.length}`);
    }
    inputs.forEach(validateAccount);
    const result = await db.query(
      `INSERT INTO ledger_accounts (ledger, currency, code, flags, reference)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
       RETURNING ${accountColumns}`,
      [
        inputs.map((a) => a.ledger),
        inputs.map((a) => a.currency),
        inputs.map((a) => a.code),
        inputs.map((a) => a.flags ?? 0),
        inputs.map((a) => a.reference ?? null),
      ],
    );
    // INSERT … SELECT FROM unnest returns rows in input order; assert it rather than trust it.
    const accounts = result.rows.map(accountFromRow);
    accounts.forEach((account, i) => {
      if (account.code !== inputs[i]!.code || account.currency !== inputs[i]!.currency) {
        throw new Error("ledger: created accounts came back out of order");
      }
    });
    return accounts;
  }

  async function getAccounts(ids: readonly bigint[], db: Queryable = deps.pool): Promise<Account[]> {
    if (ids.length === 0) return [];
    const result = await db.query(`SELECT ${accountColumns} FROM ledger_accounts WHERE id = ANY($1::bigint[])`, [
      ids.map(String),
    ]);
    const byId = new Map(result.rows.map((row) => [row.id as bigint, accountFromRow(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async function getAccount(id: bigint, db: Queryable = deps.pool): Promise<Account | undefined> {
    return (await getAccounts([id], db))[0];
  }

  async function getBalance(id: bigint, db: Queryable = deps.pool): Promise<AccountBalance | undefined> {
    const account = await getAccount(id, db);
    return account && balanceOf(account);
  }

  /**
   * Submits transfers to the batch writer and waits for their results. A hook runs in the same database
   * transaction (see BatchHook).
   */
  function createTransfers(transfers: readonly TransferInput[], hook?: BatchHook): Promise<TransferResult[]> {
    return writer.submit(transfers, hook);
  }

  /**
   * Runs a business write that moves no money in the next ledger batch's transaction, so it shares that batch's
   * group commit and deferred writes instead of paying a transaction and a commit of its own. Resolves after the
   * commit; rejects with what the hook threw (nothing of it is written).
   */
  async function runInBatch(hook: (tx: PoolClient) => Promise<void>): Promise<void> {
    await writer.submit([], async (tx) => hook(tx));
  }

  async function getTransfer(id: string, db: Queryable = deps.pool): Promise<Transfer | undefined> {
    const result = await db.query(`SELECT t.* FROM ledger_transfers t WHERE t.id = $1::uuid`, [id]);
    return result.rows[0] ? transferFromRow(result.rows[0]) : undefined;
  }

  /** An account's transfers, newest first, keyset-paginated by seq. */
  async function listAccountTransfers(accountId: bigint, query: TransferPageQuery = {}): Promise<TransferPage> {
    const limit = Math.min(Math.max(query.limit ?? 10, 1), listLimitMax);
    const ascending = query.endingBefore !== undefined && query.startingAfter === undefined;
    const bound = ascending ? query.endingBefore : query.startingAfter;
    const comparison = ascending ? ">" : "<";
    const order = ascending ? "ASC" : "DESC";
    const boundClause = bound === undefined ? "" : `AND seq ${comparison} $2::bigint`;
    const params: unknown[] = [String(accountId)];
    if (bound !== undefined) params.push(String(bound));
    params.push(limit + 1);
    const limitParam = `$${params.length}`;
    // Two index range scans (debit side, credit side) merged; never a scan of the whole table.
    const result = await deps.pool.query(
      `SELECT * FROM (
         (SELECT * FROM ledger_transfers WHERE debit_account_id = $1::bigint ${boundClause} ORDER BY seq ${order} LIMIT ${limitParam})
         UNION ALL
         (SELECT * FROM ledger_transfers WHERE credit_account_id = $1::bigint ${boundClause} ORDER BY seq ${order} LIMIT ${limitParam})
       ) t ORDER BY seq ${order} LIMIT ${limitParam}`,
      params,
    );
    const rows = result.rows.map((row) => ({ ...transferFromRow(row), seq: row.seq as bigint }));
    const hasMore = rows.length > limit;
    const data = rows.slice(0, limit);
    if (ascending) data.reverse();
    return { data, hasMore };
  }

  /**
   * Balances as they were at `at`: from the history snapshots when the account keeps them, else summed from its
   * transfers (a hold counts as pending from its creation until its resolution).
   */
  async function getBalanceAsOf(accountId: bigint, at: Date): Promise<AccountBalance | undefined> {
    const account = await getAccount(accountId);
    if (!account) return undefined;
    let balances: Balances;
    if ((account.flags & AccountFlags.history) !== 0) {
      const snapshot = await deps.pool.query(
        `SELECT debits_posted, credits_posted, debits_pending, credits_pending FROM ledger_account_history
          WHERE account_id = $1 AND created_at <= $2 ORDER BY transfer_seq DESC LIMIT 1`,
        [String(accountId), at],
      );
      const row = snapshot.rows[0];
      balances = row
        ? {
            debitsPosted: row.debits_posted,
            creditsPosted: row.credits_posted,
            debitsPending: row.debits_pending,
            creditsPending: row.credits_pending,
          }
        : { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
    } else {
      const sums = await deps.pool.query(
        `WITH mine AS (
           SELECT * FROM ledger_transfers WHERE debit_account_id = $1 AND created_at <= $2
           UNION ALL
           SELECT * FROM ledger_transfers WHERE credit_account_id = $1 AND created_at <= $2
         )
         SELECT
           coalesce(sum(amount) FILTER (WHERE flags & 2 = 0 AND flags & 8 = 0 AND debit_account_id = $1), 0) AS debits_posted,
           coalesce(sum(amount) FILTER (WHERE flags & 2 = 0 AND flags & 8 = 0 AND credit_account_id = $1), 0) AS credits_posted,
           coalesce(sum(amount) FILTER (WHERE flags & 2 <> 0 AND debit_account_id = $1 AND NOT EXISTS (
             SELECT 1 FROM ledger_transfers r WHERE r.pending_id = mine.id AND r.created_at <= $2)), 0) AS debits_pending,
           coalesce(sum(amount) FILTER (WHERE flags & 2 <> 0 AND credit_account_id = $1 AND NOT EXISTS (
             SELECT 1 FROM ledger_transfers r WHERE r.pending_id = mine.id AND r.created_at <= $2)), 0) AS credits_pending
         FROM mine`,
        [String(accountId), at],
      );
      const row = sums.rows[0];
      balances = {
        debitsPosted: row.debits_posted,
        creditsPosted: row.credits_posted,
        debitsPending: row.debits_pending,
        creditsPending: row.credits_pending,
      };
    }
    return balanceOf({ id: account.id, currency: account.currency, flags: account.flags, ...balances });
  }

  /**
   * Voids holds whose timeout has passed. Several workers may run this at once: the void's id is derived from the
   * hold's, so a hold expires exactly once. Returns how many holds this call voided.
   */
  async function expireHolds(limit = ledgerExpiryBatchMax, at: Date = now()): Promise<number> {
    const due = await deps.pool.query<{ transfer_id: string }>(
      `SELECT transfer_id FROM ledger_open_holds WHERE timeout_at <= $1 ORDER BY timeout_at LIMIT $2`,
      [at, limit],
    );
    if (due.rows.length === 0) return 0;
    const voids: ExpiryVoidInput[] = due.rows.map((row) => ({
      id: transferIdFor("ledger.hold_expired", row.transfer_id),
      voidPendingId: row.transfer_id,
      [expiryVoidMarker]: true,
    }));
    let expired = 0;
    // One submission per hold: an expiry must not wait for, or fail with, another.
    const results = await Promise.all(voids.map((v) => writer.submit([v])));
    for (const [result] of results) if (result?.code === "ok") expired++;
    return expired;
  }

  return {
    createAccounts,
    getAccount,
    getAccounts,
    getBalance,
    createTransfers,
    runInBatch,
    getTransfer,
    listAccountTransfers,
    getBalanceAsOf,
    expireHolds,
    close: () => writer.close(),
  };
}

export { TransferFlags };
