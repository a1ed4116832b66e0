import type { Queryable } from "../db/pool.js";
import { ApiError } from "../http/errors.js";
import type { WalletAccounts } from "./accounts.js";
import type { TierLimits, WalletConfig } from "./config.js";
import {
  assertSpendFits,
  consumeSpend,
  fitsLimits,
  precheckSpend,
  releaseSpend,
  type Spend,
  type SpendUsage,
  spendPeriods,
  walletUserWithUsage,
} from "./limits/spend.js";
import { assertNotFrozen, assertPerPayment, limitsOf, walletCurrency } from "./limits/tiers.js";
import type { StepUpProof, WalletStepUp } from "./stepup/service.js";
import type { WalletUser } from "./users/model.js";

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
 * Wrap the submission in exclusive(auth, …) so a burst from one wallet that would cross a limit together is refused
 * before it reaches the ledger. A hold that is voided later gives its spend back with release().
 */
export interface SpendAuthorization {
  user: WalletUser;
  walletAccountId: bigint;
  limits: TierLimits;
  spend: Spend;
  /** The day's and month's usage authorize() read, before this spend. */
  usageSeen: SpendUsage;
}

export type WalletSpend = ReturnType<typeof createWalletSpend>;

export function createWalletSpend(deps: {
  pool: Queryable;
  clock: { now(): Date };
  config: WalletConfig;
  accounts: WalletAccounts;
  stepUp: WalletStepUp;
}) {
  /** user: the wallet user when the caller has read it already (saves reading it again). */
  async function authorize(
    userId: string,
    input: { amount: bigint; currency: string; stepUp?: StepUpProof; ip?: string | null; user?: WalletUser },
  ): Promise<SpendAuthorization> {
    const currency = walletCurrency(deps.config, input.currency);
    const periods = spendPeriods(deps.clock.now());
    // Without the user in hand, the user and the usage are read together: one round trip on the payment path.
    const read =
      input.user?.id === userId ? undefined : await walletUserWithUsage(deps.pool, userId, currency, periods);
    if (input.user?.id !== userId && !read) throw new ApiError("resource_not_found", "No such wallet user.");
    const user = read?.user ?? input.user!;
    assertNotFrozen(user);
    const limits = limitsOf(deps.config, user, currency);
    assertPerPayment(limits, input.amount);
    const spend = { userId: user.id, currency, amount: input.amount, periods };
    let usageSeen: SpendUsage;
    if (read) {
      assertSpendFits(read.used, input.amount, limits);
      usageSeen = read.used;
    } else {
      usageSeen = await precheckSpend(deps.pool, spend, limits);
    }
    // A stored-value card has no second factor: its per-payment cap is below the step-up threshold instead.
    if (user.kind !== "card") await deps.stepUp.require(user, input.amount, currency, input.stepUp, input.ip ?? null);
    const walletAccountId = await deps.accounts.walletAccountId(user, currency);
    return { user, walletAccountId, limits, spend, usageSeen };
  }

  /** Inside the BatchHook, when the debit applied: re-checks the freeze and counts the limits, or throws. */
  async function commit(tx: Queryable, auth: SpendAuthorization): Promise<void> {
    await consumeSpend(tx, auth.spend, auth.limits, { requireActive: true });
  }

  /** Gives a spend back (its hold was voided), in the transaction that voids it. */
  async function release(tx: Queryable, spend: Spend): Promise<void> {
    await releaseSpend(tx, spend);
  }

  /**
   * Runs a wallet's spend (its ledger submission) with admission control instead of a queue: spends of one wallet
   * may run at once, so a hot wallet (a till's scripted payer, a busy prepaid card) shares group commits instead of
   * waiting one commit each. When others of the wallet are in flight, the limits are checked again as if all of
   * them pass, so a burst that would cross a limit together is refused here rather than failing hooks in the batch
   * (which would make the batch writer re-plan). The hook's consumeSpend stays the binding check.
   * The burst is judged first against the usage authorize() read moments ago: only a burst that would not fit it
   * reads the counters again, so a hot wallet's spends cost no extra round trip each. A usage that grew since is
   * still caught by the hook, at the price of a re-planned batch.
   */
  const inFlight = new Map<string, bigint>();
  async function exclusive<T>(auth: SpendAuthorization, submit: () => Promise<T>): Promise<T> {
    const key = `${auth.user.id}:${auth.spend.currency}`;
    const pending = inFlight.get(key) ?? 0n;
    inFlight.set(key, pending + auth.spend.amount);
    try {
      const burst = auth.spend.amount + pending;
      if (pending > 0n && !fitsLimits(auth.usageSeen, burst, auth.limits)) {
        await precheckSpend(deps.pool, { ...auth.spend, amount: burst }, auth.limits);
      }
      return await submit();
    } finally {
      const left = (inFlight.get(key) ?? 0n) - auth.spend.amount;
      if (left > 0n) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  }

  return { authorize, exclusive, commit, release };
}
