import { gather } from "../../db/deferred-writes.js";
import type { Queryable } from "../../db/pool.js";
import type { TierLimits } from "../config.js";
import { walletError } from "../errors.js";
import type { WalletUser } from "../users/model.js";
import { type WalletUserRow, walletUserFromRow } from "../users/model.js";

/**
 * Daily and monthly outgoing limits, enforced under concurrency. Each spend adds its amount to a counter per
 * wallet user, currency and period (UTC day, UTC month) with one conditional statement:
 *
 *   INSERT … ON CONFLICT DO UPDATE SET spent = spent + amount WHERE spent + amount <= limit
 *
 * run inside the ledger batch's transaction (the BatchHook), so the counter moves exactly when the money does.
 * No row means the limit would be passed: the hook throws and the ledger drops the whole submission. Row locks
 * serialize concurrent spends of one user, so parallel requests can never pass the limit together.
 * See docs/adr/0007-wallet-limits-in-the-ledger-hook.md.
 */
export interface SpendPeriods {
  day: string;
  month: string;
}

/** The UTC day and month a spend at `at` counts against: "d:2026-01-31", "m:2026-01". */
export function spendPeriods(at: Date): SpendPeriods {
  const iso = at.toISOString();
  return { day: `d:${iso.slice(0, 10)}`, month: `m:${iso.slice(0, 7)}` };
}

export interface Spend {
  userId: string;
  currency: string;
  amount: bigint;
  periods: SpendPeriods;
}

export async function spendUsage(
  db: Queryable,
  userId: string,
  currency: string,
  periods: SpendPeriods,
): Promise<SpendUsage> {
  const result = await db.query<{ period: string; spent: bigint }>(
    "SELECT period, spent FROM wallet_spend_counters WHERE wallet_user_id = $1 AND currency = $2 AND period = ANY($3)",
    [userId, currency, [periods.day, periods.month]],
  );
  const of = (period: string) => result.rows.find((r) => r.period === period)?.spent ?? 0n;
  return { day: of(periods.day), month: of(periods.month) };
}

/** used undefined: refused by the batch's count, which does not say how much was left. */
function limitError(which: "day" | "month", limit: bigint, used: bigint | undefined) {
  const left = used === undefined ? undefined : limit > used ? limit - used : 0n;
  const rest =
    left === undefined ? "this spend would pass it" : `${left} is left ${which === "day" ? "today" : "this month"}`;
  return which === "day"
    ? walletError("daily_limit_exceeded", `The daily outgoing limit is ${limit}; ${rest}.`, "amount")
    : walletError("monthly_limit_exceeded", `The monthly outgoing limit is ${limit}; ${rest}.`, "amount");
}

export interface SpendUsage {
  day: bigint;
  month: bigint;
}

/** Whether a spend of amount fits the limits on top of usage, without reading anything. */
export function fitsLimits(used: SpendUsage, amount: bigint, limits: TierLimits): boolean {
  return used.day + amount <= limits.daily && used.month + amount <= limits.monthly;
}

/**
 * A fast refusal before the ledger is asked; the binding check is consumeSpend inside the hook. Answers the usage
 * it read, so a caller can judge a later burst in memory (WalletSpend.exclusive).
 */
export async function precheckSpend(db: Queryable, spend: Spend, limits: TierLimits): Promise<SpendUsage> {
  const used = await spendUsage(db, spend.userId, spend.currency, spend.periods);
  assertSpendFits(used, spend.amount, limits);
  return used;
}

/** precheckSpend on a usage read already. */
export function assertSpendFits(used: SpendUsage, amount: bigint, limits: TierLimits): void {
  if (used.day + amount > limits.daily) throw limitError("day", limits.daily, used.day);
  if (used.month + amount > limits.monthly) throw limitError("month", limits.monthly, used.month);
}

/**
 * The wallet user and their usage in one currency's day and month, in one round trip: what a spend authorization
 * reads first on the payment path. undefined when there is no such user.
 */
export async function walletUserWithUsage(
  db: Queryable,
  userId: string,
  currency: string,
  periods: SpendPeriods,
): Promise<{ user: WalletUser; used: SpendUsage } | undefined> {
  const result = await db.query<WalletUserRow & { spent_day: bigint; spent_month: bigint }>(
    `SELECT u.*,
       COALESCE((SELECT spent FROM wallet_spend_counters
                 WHERE wallet_user_id = u.id AND currency = $2 AND period = $3), 0)::bigint AS spent_day,
       COALESCE((SELECT spent FROM wallet_spend_counters
                 WHERE wallet_user_id = u.id AND currency = $2 AND period = $4), 0)::bigint AS spent_month
     FROM wallet_users u WHERE u.id = $1`,
    [userId, currency, periods.day, periods.month],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const { spent_day, spent_month, ...userRow } = row;
  return { user: walletUserFromRow(userRow), used: { day: BigInt(spent_day), month: BigInt(spent_month) } };
}

/**
 * Counts a spend against the day and month, or fails its transaction (its ledger submission) when either limit
 * would be passed; with requireActive the wallet must also not be frozen. Call in the hook.
 */
export async function consumeSpend(
  tx: Queryable,
  spend: Spend,
  limits: TierLimits,
  options: { requireActive?: boolean } = {},
): Promise<void> {
  if (spend.amount > limits.daily) throw limitError("day", limits.daily, 0n);
  if (spend.amount > limits.monthly) throw limitError("month", limits.monthly, 0n);
  // Counted with the transaction's other spends in one round trip before COMMIT (coffer_consume_spends); a refusal
  // fails this spend's submission only.
  await gather(tx, (writes) =>
    writes.spend({
      userId: spend.userId,
      currency: spend.currency,
      day: spend.periods.day,
      month: spend.periods.month,
      amount: spend.amount,
      dayLimit: limits.daily,
      monthLimit: limits.monthly,
      requireActive: options.requireActive === true,
      refused: (reason) =>
        reason === "frozen"
          ? walletError("wallet_frozen")
          : limitError(reason, reason === "day" ? limits.daily : limits.monthly, undefined),
    }),
  );
}

/** Gives a spend back (a withdrawal the bank returned), in the transaction that returns the money. */
export async function releaseSpend(tx: Queryable, spend: Spend): Promise<void> {
  await tx.query(
    `UPDATE wallet_spend_counters SET spent = greatest(spent - $4::numeric, 0)
      WHERE wallet_user_id = $1 AND currency = $2 AND period = ANY($3)`,
    [spend.userId, spend.currency, [spend.periods.day, spend.periods.month], String(spend.amount)],
  );
}
