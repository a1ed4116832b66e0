import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { AccountFlags } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { ledgerOf } from "../wallets/accounts.js";

/**
 * The ledger accounts of custody, one per mode, chain, asset and purpose, made on first need:
 *
 * - `custody` (debit-normal, never negative): what coffer holds on the chain, over all its addresses. Deposits
 *   debit it, withdrawals and gas credit it, so its posted balance is what the chain should show.
 * - `network_fee` (debit-normal expense): gas coffer paid, in the chain's native coin.
 * - `withdrawal_fee` (credit-normal income): what users were charged for the network when withdrawing.
 * - `reorg_loss` (debit-normal expense): credits that vanished in a reorganisation after the user had spent them.
 * - `platform_funds` (credit-normal, coffer's own money): what the operator sent to the hot wallet, e.g. for gas.
 * - `payment_held` (credit-normal, never overdrawn): money of crypto payments that is not the merchant's (excess,
 *   underpaid or late), held until it is refunded to the payer.
 *
 * User balances are the ordinary wallet accounts (src/wallets/accounts.ts), merchants' the merchant balance
 * accounts (src/payments/accounts.ts), in the asset's currency.
 */
export const cryptoAccountPurposes = {
  custody: { code: "crypto_custody", flags: AccountFlags.creditsMustNotExceedDebits },
  network_fee: { code: "crypto_network_fee", flags: AccountFlags.creditsMustNotExceedDebits },
  withdrawal_fee: { code: "crypto_withdrawal_fee", flags: AccountFlags.debitsMustNotExceedCredits },
  reorg_loss: { code: "crypto_reorg_loss", flags: AccountFlags.creditsMustNotExceedDebits },
  platform_funds: { code: "crypto_platform_funds", flags: 0 },
  payment_held: { code: "crypto_payment_held", flags: AccountFlags.debitsMustNotExceedCredits },
} as const;

export type CryptoAccountPurpose = keyof typeof cryptoAccountPurposes;

export type CryptoAccounts = ReturnType<typeof createCryptoAccounts>;

export function createCryptoAccounts(deps: { pool: Pool; clock: Clock; ledger: LedgerService }) {
  const { findOrCreate, findExisting } = createLazyAccounts(deps.pool);

  const find =
    (livemode: boolean, chain: string, asset: string, purpose: CryptoAccountPurpose) => async (db: Queryable) => {
      const found = await db.query<{ ledger_account_id: bigint }>(
        `SELECT ledger_account_id FROM crypto_ledger_accounts
        WHERE livemode = $1 AND chain = $2 AND asset = $3 AND purpose = $4`,
        [livemode, chain, asset, purpose],
      );
      return found.rows[0]?.ledger_account_id;
    };

  function accountId(livemode: boolean, chain: string, asset: string, purpose: CryptoAccountPurpose): Promise<bigint> {
    const key = `crypto:${livemode}:${chain}:${asset}:${purpose}`;
    return findOrCreate(key, find(livemode, chain, asset, purpose), async (tx) => {
      const { code, flags } = cryptoAccountPurposes[purpose];
      const [account] = await deps.ledger.createAccounts(tx, [
        { ledger: ledgerOf(livemode), currency: asset, code, flags, reference: `chain:${chain}` },
      ]);
      const inserted = await tx.query<{ ledger_account_id: bigint }>(
        `INSERT INTO crypto_ledger_accounts (livemode, chain, asset, purpose, ledger_account_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
        [livemode, chain, asset, purpose, String(account!.id), deps.clock.now()],
      );
      return inserted.rows[0]?.ledger_account_id;
    });
  }

  /** The account if it exists; reading never makes one. */
  function existingAccountId(
    livemode: boolean,
    chain: string,
    asset: string,
    purpose: CryptoAccountPurpose,
  ): Promise<bigint | undefined> {
    return findExisting(`crypto:${livemode}:${chain}:${asset}:${purpose}`, find(livemode, chain, asset, purpose));
  }

  return { accountId, existingAccountId };
}
