import type { Queryable } from "../db/pool.js";
import type { MerchantScope } from "../http/auth.js";
import { balanceOf } from "../ledger/model.js";
import type { PaymentAccounts } from "./accounts.js";

/**
 * A merchant's balance, per currency, read from its ledger accounts (nothing is summed from payments):
 *
 *   available   posted money not held for a payout: what refunds and payouts can take now;
 *   pending     authorized manual-capture payments not captured yet (holds on payers' wallets toward the
 *               merchant): money that arrives when captured and never if canceled or expired;
 *   in_transit  payouts on their way to the bank (held, not yet confirmed by the bank);
 *   disputed    what open disputes hold (src/disputes): back in available if won, the payer's if lost.
 *
 * There is no settlement delay: a captured payment is available at once (docs/payments.md).
 */
export async function merchantBalance(accounts: PaymentAccounts, scope: MerchantScope, db: Queryable) {
  const rows = await accounts.merchantAccounts(scope.merchantId, scope.livemode);
  // Disputes hold with the same kind of outgoing hold as payouts: tell them apart (closed disputes hold nothing).
  const disputes = await db.query<{ currency: string; held: string }>(
    `SELECT currency, sum(amount_held)::text AS held FROM disputes
      WHERE merchant_id = $1 AND livemode = $2 AND amount_held > 0 GROUP BY currency`,
    [scope.merchantId, scope.livemode],
  );
  const disputed = new Map(disputes.rows.map((r) => [r.currency, BigInt(r.held)]));
  return {
    object: "balance" as const,
    livemode: scope.livemode,
    currencies: rows.map((account) => {
      const balance = balanceOf(account);
      return {
        currency: account.currency,
        available: String(balance.available),
        pending: String(account.creditsPending),
        in_transit: String(account.debitsPending - (disputed.get(account.currency) ?? 0n)),
        disputed: String(disputed.get(account.currency) ?? 0n),
      };
    }),
  };
}
