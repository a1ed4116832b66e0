import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { type Account, AccountFlags } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { ledgerOf } from "../wallets/accounts.js";

/**
 * The ledger accounts of payments: per merchant, mode and currency one merchant balance account (code `merchant`,
 * never overdrawn: refunds and payouts cannot take more than it holds), and per ledger and currency one platform fee
 * account (code `fee`, never overdrawn: a refund gives back at most the fee its payment paid). The payer's side is
 * the wallet account of src/wallets/accounts.ts; payouts go to the wallets' bank settlement account.
 *
 * Both are created on first need, race-safely: the mapping row has a unique key, and a creator that loses the race
 * rolls its ledger account back with it, so no orphan account is left.
 */
export const merchantAccountFlags = AccountFlags.debitsMustNotExceedCredits;
export const feeAccountFlags = AccountFlags.debitsMustNotExceedCredits;

export type PaymentAccounts = ReturnType<typeof createPaymentAccounts>;

export function createPaymentAccounts(deps: { pool: Pool; clock: Clock; ledger: LedgerService }) {
  const { findOrCreate } = createLazyAccounts(deps.pool);

  const findMerchant = async (db: Queryable, merchantId: string, livemode: boolean, currency: string) => {
    const found = await db.query<{ ledger_account_id: bigint }>(
      "SELECT ledger_account_id FROM merchant_balance_accounts WHERE merchant_id = $1 AND livemode = $2 AND currency = $3",
      [merchantId, livemode, currency],
    );
    return found.rows[0]?.ledger_account_id;
  };

  /** The balance account of a merchant in one mode and currency, created on first need. */
  function merchantAccountId(merchantId: string, livemode: boolean, currency: string): Promise<bigint> {
    return findOrCreate(
      `merchant:${merchantId}:${livemode}:${currency}`,
      (db) => findMerchant(db, merchantId, livemode, currency),
      async (tx) => {
        const [account] = await deps.ledger.createAccounts(tx, [
          {
            ledger: ledgerOf(livemode),
            currency,
            code: "merchant",
            flags: merchantAccountFlags,
            reference: merchantId,
          },
        ]);
        const inserted = await tx.query<{ ledger_account_id: bigint }>(
          `INSERT INTO merchant_balance_accounts (merchant_id, livemode, currency, ledger_account_id, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
          [merchantId, livemode, currency, String(account!.id), deps.clock.now()],
        );
        return inserted.rows[0]?.ledger_account_id;
      },
    );
  }

  /** The platform's fee account of a ledger and currency, created on first need. */
  function feeAccountId(livemode: boolean, currency: string): Promise<bigint> {
    const ledger = ledgerOf(livemode);
    return findOrCreate(
      `fee:${ledger}:${currency}`,
      async (db) => {
        const found = await db.query<{ ledger_account_id: bigint }>(
          "SELECT ledger_account_id FROM platform_fee_accounts WHERE ledger = $1 AND currency = $2",
          [ledger, currency],
        );
        return found.rows[0]?.ledger_account_id;
      },
      async (tx) => {
        const [account] = await deps.ledger.createAccounts(tx, [
          { ledger, currency, code: "fee", flags: feeAccountFlags, reference: `platform:fees:${ledger}` },
        ]);
        const inserted = await tx.query<{ ledger_account_id: bigint }>(
          `INSERT INTO platform_fee_accounts (ledger, currency, ledger_account_id, created_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
          [ledger, currency, String(account!.id), deps.clock.now()],
        );
        return inserted.rows[0]?.ledger_account_id;
      },
    );
  }

  /** Every balance account of a merchant in one mode, with its ledger row, by currency. */
  async function merchantAccounts(merchantId: string, livemode: boolean): Promise<Account[]> {
    const found = await deps.pool.query<{ ledger_account_id: bigint }>(
      "SELECT ledger_account_id FROM merchant_balance_accounts WHERE merchant_id = $1 AND livemode = $2 ORDER BY currency",
      [merchantId, livemode],
    );
    return deps.ledger.getAccounts(found.rows.map((r) => r.ledger_account_id));
  }

  /** The merchant's balance account if it exists (reading never creates one). */
  function existingMerchantAccountId(
    merchantId: string,
    livemode: boolean,
    currency: string,
  ): Promise<bigint | undefined> {
    return findMerchant(deps.pool, merchantId, livemode, currency);
  }

  return { merchantAccountId, feeAccountId, merchantAccounts, existingMerchantAccountId };
}
