import type { MerchantScope } from "../http/auth.js";
import { balanceOf } from "../ledger/model.js";
import type { PaymentAccounts } from "./accounts.js";

/**
 * A merchant's balance, per currency, read from its ledger accounts (nothing is summed from payments):
 *
 *   available   posted money not held for a payout: what refunds and payouts can take now;
 *   pending     authorized manual-capture payments not captured yet (holds on payers' wallets toward the
 *               merchant): money that arrives when captured and never if canceled or expired;
 *   in_transit  payouts on their way to the bank (held, not yet confirmed by the bank).
 *
 * There is no settlement delay: a captured payment is available at once (docs/payments.md).
 */
export async function merchantBalance(accounts: PaymentAccounts, scope: MerchantScope) {
  const rows = await accounts.merchantAccounts(scope.merchantId, scope.livemode);
  return {
    object: "balance" as const,
    livemode: scope.livemode,
    currencies: rows.map((account) => {
      const balance = balanceOf(account);
      return {
        currency: account.currency,
        available: String(balance.available),
        pending: String(account.creditsPending),
        in_transit: String(account.debitsPending),
      };
    }),
  };
}
