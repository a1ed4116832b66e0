import type { Queryable } from "../db/pool.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { type AccountBalance, AccountFlags, balanceOf, type LedgerName } from "../ledger/model.js";
import type { BankConnectorName } from "./config.js";
import type { WalletDeps } from "./deps.js";

/**
 * The ledger accounts behind wallets. Each wallet user has one account per currency (code `wallet`, never
 * overdrawn, with history for statements), created on first need; each ledger, currency and bank connector has one
 * bank settlement account (code `bank_settlement`, no flags) that top-ups come from and withdrawals go to.
 * Creation is race-safe: the mapping row has a unique key, and a creator that loses the race rolls its ledger
 * account back with it, so no orphan account is left.
 */
export const walletAccountFlags = AccountFlags.debitsMustNotExceedCredits | AccountFlags.history;

export function ledgerOf(livemode: boolean): LedgerName {
  return livemode ? "live" : "test";
}

export type WalletAccounts = ReturnType<typeof createWalletAccounts>;

export function createWalletAccounts(deps: WalletDeps) {
  const { findOrCreate, findExisting } = createLazyAccounts(deps.pool);

  /** The ledger account of a wallet user's balance in one currency. */
  const findWallet = (userId: string, currency: string) => async (db: Queryable) => {
    const found = await db.query<{ ledger_account_id: bigint }>(
      "SELECT ledger_account_id FROM wallet_accounts WHERE wallet_user_id = $1 AND currency = $2",
      [userId, currency],
    );
    return found.rows[0]?.ledger_account_id;
  };

  /** The wallet's account in a currency if it has one (reading never creates one). */
  function existingWalletAccountId(userId: string, currency: string): Promise<bigint | undefined> {
    return findExisting(`wallet:${userId}:${currency}`, findWallet(userId, currency));
  }

  function walletAccountId(user: { id: string; livemode: boolean }, currency: string): Promise<bigint> {
    return findOrCreate(`wallet:${user.id}:${currency}`, findWallet(user.id, currency), async (tx) => {
      const [account] = await deps.ledger.createAccounts(tx, [
        { ledger: ledgerOf(user.livemode), currency, code: "wallet", flags: walletAccountFlags, reference: user.id },
      ]);
      const inserted = await tx.query<{ ledger_account_id: bigint }>(
        `INSERT INTO wallet_accounts (wallet_user_id, currency, ledger_account_id, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
        [user.id, currency, String(account!.id), deps.clock.now()],
      );
      return inserted.rows[0]?.ledger_account_id;
    });
  }

  /** The bank settlement account of a ledger, currency and connector. */
  function settlementAccountId(livemode: boolean, currency: string, connector: BankConnectorName): Promise<bigint> {
    const ledger = ledgerOf(livemode);
    return findOrCreate(
      `settlement:${ledger}:${currency}:${connector}`,
      async (db) => {
        const found = await db.query<{ ledger_account_id: bigint }>(
          "SELECT ledger_account_id FROM wallet_settlement_accounts WHERE ledger = $1 AND currency = $2 AND connector = $3",
          [ledger, currency, connector],
        );
        return found.rows[0]?.ledger_account_id;
      },
      async (tx) => {
        const [account] = await deps.ledger.createAccounts(tx, [
          { ledger, currency, code: "bank_settlement", reference: `bank:${connector}` },
        ]);
        const inserted = await tx.query<{ ledger_account_id: bigint }>(
          `INSERT INTO wallet_settlement_accounts (ledger, currency, connector, ledger_account_id, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
          [ledger, currency, connector, String(account!.id), deps.clock.now()],
        );
        return inserted.rows[0]?.ledger_account_id;
      },
    );
  }

  /** Every currency a wallet user holds, with its ledger balance. */
  async function balances(userId: string): Promise<(AccountBalance & { ledgerAccountId: bigint })[]> {
    const found = await deps.pool.query<{ ledger_account_id: bigint }>(
      "SELECT ledger_account_id FROM wallet_accounts WHERE wallet_user_id = $1 ORDER BY currency",
      [userId],
    );
    const accounts = await deps.ledger.getAccounts(found.rows.map((r) => r.ledger_account_id));
    return accounts.map((a) => ({ ...balanceOf(a), ledgerAccountId: a.id }));
  }

  /** Locks the wallet's mapping row: serializes balance-cap checks of one wallet (see limits/cap.ts). */
  async function lockWalletAccount(tx: Queryable, userId: string, currency: string): Promise<void> {
    await tx.query("SELECT 1 FROM wallet_accounts WHERE wallet_user_id = $1 AND currency = $2 FOR UPDATE", [
      userId,
      currency,
    ]);
  }

  return { walletAccountId, existingWalletAccountId, settlementAccountId, balances, lockWalletAccount };
}
