import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { AccountFlags } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { ledgerOf } from "../wallets/accounts.js";

/**
 * The ledger accounts of promotions (docs/ledger.md, "Promotions"):
 * - per ledger and currency, the platform's marketing account (code `marketing`, never overdrawn), which platform
 *   coupons and cashback rules are funded from, and its funding account (code `marketing_funding`, no flags): an
 *   operator's top-up moves money from it, so its debit balance is what the platform put into marketing;
 * - per budgeted promotion (a platform coupon, a cashback rule), its own budget account (code `promotion_budget`,
 *   never overdrawn): the budget moves in when it is made, discounts and cashback are paid from it, refunds bring
 *   their share back, and deactivation returns what no payment holds.
 */
export type PromotionAccounts = ReturnType<typeof createPromotionAccounts>;

export function createPromotionAccounts(deps: { pool: Pool; clock: Clock; ledger: LedgerService }) {
  const { findOrCreate, findExisting } = createLazyAccounts(deps.pool);

  function accountId(purpose: "marketing" | "marketing_funding", livemode: boolean, currency: string) {
    const ledger = ledgerOf(livemode);
    const find = async (db: Queryable) => {
      const found = await db.query<{ ledger_account_id: bigint }>(
        "SELECT ledger_account_id FROM marketing_accounts WHERE purpose = $1 AND ledger = $2 AND currency = $3",
        [purpose, ledger, currency],
      );
      return found.rows[0]?.ledger_account_id;
    };
    const key = `marketing:${purpose}:${ledger}:${currency}`;
    return {
      key,
      find,
      create: async (tx: Queryable) => {
        const [account] = await deps.ledger.createAccounts(tx, [
          {
            ledger,
            currency,
            code: purpose,
            flags: purpose === "marketing" ? AccountFlags.debitsMustNotExceedCredits : 0,
            reference: `platform:${purpose}`,
          },
        ]);
        const inserted = await tx.query<{ ledger_account_id: bigint }>(
          `INSERT INTO marketing_accounts (purpose, ledger, currency, ledger_account_id, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
          [purpose, ledger, currency, String(account!.id), deps.clock.now()],
        );
        return inserted.rows[0]?.ledger_account_id;
      },
    };
  }

  function marketingAccountId(livemode: boolean, currency: string): Promise<bigint> {
    const account = accountId("marketing", livemode, currency);
    return findOrCreate(account.key, account.find, account.create).then(BigInt);
  }

  function marketingFundingAccountId(livemode: boolean, currency: string): Promise<bigint> {
    const account = accountId("marketing_funding", livemode, currency);
    return findOrCreate(account.key, account.find, account.create).then(BigInt);
  }

  /** The marketing account if it exists (reading never creates one). */
  async function existingMarketingAccountId(livemode: boolean, currency: string): Promise<bigint | undefined> {
    const account = accountId("marketing", livemode, currency);
    const found = await findExisting(account.key, account.find);
    return found === undefined ? undefined : BigInt(found);
  }

  /**
   * A new budget account for one promotion, made in the caller's transaction (committed before the ledger
   * submission that funds it, as every lazily made account is). Left empty if the funding is refused.
   */
  async function newBudgetAccount(tx: Queryable, livemode: boolean, currency: string, reference: string) {
    const [account] = await deps.ledger.createAccounts(tx, [
      {
        ledger: ledgerOf(livemode),
        currency,
        code: "promotion_budget",
        flags: AccountFlags.debitsMustNotExceedCredits,
        reference,
      },
    ]);
    return account!.id;
  }

  return { marketingAccountId, marketingFundingAccountId, existingMarketingAccountId, newBudgetAccount };
}
