import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { AccountFlags } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { ledgerOf } from "../wallets/accounts.js";

/**
 * The issuers' ledger accounts of stored value (docs/ledger.md, "Stored value"):
 * - per ledger and currency, the platform's float account (code `sv_float`, no flags): platform cards are issued
 *   from it, so its debit balance is the value the platform put on cards (less what came back as breakage);
 * - per issuer (a merchant, or the platform) and currency, a breakage account (code `sv_breakage`, never overdrawn):
 *   what was left on expired cards, from which an operator may return it within the grace period.
 * A merchant's cards are issued and loaded from its ordinary balance account (src/payments/accounts.ts).
 */
export type StoredValueAccounts = ReturnType<typeof createStoredValueAccounts>;

export function createStoredValueAccounts(deps: { pool: Pool; clock: Clock; ledger: LedgerService }) {
  const { findOrCreate } = createLazyAccounts(deps.pool);

  function accountId(purpose: "float" | "breakage", livemode: boolean, issuer: string | null, currency: string) {
    const ledger = ledgerOf(livemode);
    const find = async (db: Queryable) => {
      const found = await db.query<{ ledger_account_id: bigint }>(
        `SELECT ledger_account_id FROM stored_value_accounts
          WHERE purpose = $1 AND ledger = $2 AND coalesce(issuer_merchant_id, '') = coalesce($3, '') AND currency = $4`,
        [purpose, ledger, issuer, currency],
      );
      return found.rows[0]?.ledger_account_id;
    };
    return findOrCreate(`sv:${purpose}:${ledger}:${issuer ?? "platform"}:${currency}`, find, async (tx) => {
      const [account] = await deps.ledger.createAccounts(tx, [
        {
          ledger,
          currency,
          code: purpose === "float" ? "sv_float" : "sv_breakage",
          flags: purpose === "float" ? 0 : AccountFlags.debitsMustNotExceedCredits,
          reference: `stored_value:${purpose}:${issuer ?? "platform"}`,
        },
      ]);
      const inserted = await tx.query<{ ledger_account_id: bigint }>(
        `INSERT INTO stored_value_accounts (purpose, ledger, issuer_merchant_id, currency, ledger_account_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
        [purpose, ledger, issuer, currency, String(account!.id), deps.clock.now()],
      );
      return inserted.rows[0]?.ledger_account_id;
    });
  }

  return {
    floatAccountId: (livemode: boolean, currency: string) => accountId("float", livemode, null, currency),
    breakageAccountId: (livemode: boolean, issuer: string | null, currency: string) =>
      accountId("breakage", livemode, issuer, currency),
  };
}
