import type { Queryable } from "../db/pool.js";
import type { WalletAccounts } from "./accounts.js";
import type { TierLimits, WalletConfig } from "./config.js";
import { walletError } from "./errors.js";
import type { KeyedQueue } from "./limits/serialize.js";
import { consumeSpend, precheckSpend, releaseSpend, type Spend, spendPeriods } from "./limits/spend.js";
import { assertNotFrozen, assertPerPayment, limitsOf, walletCurrency } from "./limits/tiers.js";
import type { StepUpProof, WalletStepUp } from "./stepup/service.js";
import type { WalletUser } from "./users/model.js";
import type { WalletUserService } from "./users/service.js";

/**
 * Taking money out of a wallet, for other domains (payments). Two calls around the ledger submission:
 *
 *   const auth = await wallets.spend.authorize(userId, { amount, currency, stepUp, ip });
 *   const [r] = await wallets.spend.exclusive(auth, () =>
 *     ledger.createTransfers([{ debitAccountId: auth.walletAccountId, … }], async (tx, [r]) => {
 *       if (!isApplied(r.code)) return;
 *       await wallets.spend.commit(tx, auth);   // limits counted with the money, or the submission is aborted
 *       …the payment row and its event…
 *     }),
 *   );
 *   // r.code === "exceeds_credits" → insufficient_funds
 *
 * authorize() checks what can be checked up front (frozen, currency, per-payment limit, a quick daily/monthly
 * check, step-up above the threshold) and finds the wallet's ledger account; commit() is the binding limit check.
 * Wrap the submission in exclusive(userId, …) so a burst from one wallet is checked one spend at a time in this
 * process (see limits/serialize.ts). A hold that is voided later gives its spend back with release().
 */
export interface SpendAuthorization {
  user: WalletUser;
  walletAccountId: bigint;
  limits: TierLimits;
  spend: Spend;
}

export type WalletSpend = ReturnType<typeof createWalletSpend>;

export function createWalletSpend(deps: {
  pool: Queryable;
  clock: { now(): Date };
  config: WalletConfig;
  users: WalletUserService;
  accounts: WalletAccounts;
  stepUp: WalletStepUp;
  spendQueue: KeyedQueue;
}) {
  async function authorize(
    userId: string,
    input: { amount: bigint; currency: string; stepUp?: StepUpProof; ip?: string | null },
  ): Promise<SpendAuthorization> {
    const user = await deps.users.get(userId);
    assertNotFrozen(user);
    const currency = walletCurrency(deps.config, input.currency);
    const limits = limitsOf(deps.config, user, currency);
    assertPerPayment(limits, input.amount);
    const spend = { userId: user.id, currency, amount: input.amount, periods: spendPeriods(deps.clock.now()) };
    await precheckSpend(deps.pool, spend, limits);
    await deps.stepUp.require(user, input.amount, currency, input.stepUp, input.ip ?? null);
    const walletAccountId = await deps.accounts.walletAccountId(user, currency);
    return { user, walletAccountId, limits, spend };
  }

  /** Inside the BatchHook, when the debit applied: re-checks the freeze and counts the limits, or throws. */
  async function commit(tx: Queryable, auth: SpendAuthorization): Promise<void> {
    const frozen = await tx.query<{ frozen: boolean }>(
      "SELECT frozen_at IS NOT NULL AS frozen FROM wallet_users WHERE id = $1",
      [auth.user.id],
    );
    if (frozen.rows[0]?.frozen !== false) throw walletError("wallet_frozen");
    await consumeSpend(tx, auth.spend, auth.limits);
  }

  /** Gives a spend back (its hold was voided), in the transaction that voids it. */
  async function release(tx: Queryable, spend: Spend): Promise<void> {
    await releaseSpend(tx, spend);
  }

  /** Runs a wallet's spend (a fresh precheck and the ledger submission) one at a time per wallet in this process. */
  function exclusive<T>(auth: SpendAuthorization, submit: () => Promise<T>): Promise<T> {
    return deps.spendQueue.run(auth.user.id, async () => {
      await precheckSpend(deps.pool, auth.spend, auth.limits);
      return submit();
    });
  }

  return { authorize, exclusive, commit, release };
}
