import { defaultStoredValueLimits } from "../../stored-value/config.js";
import { type TierLimits, tierLimits, type WalletConfig } from "../config.js";
import { walletError } from "../errors.js";
import type { WalletUser } from "../users/model.js";

/** The currency of a request, if wallets hold it; else 400 currency_not_supported. */
export function walletCurrency(config: WalletConfig, currency: string, param = "currency"): string {
  if (!config.tiers.has(currency)) {
    throw walletError(
      "currency_not_supported",
      `Wallets hold ${[...config.tiers.keys()].join(", ")}; not ${currency.slice(0, 12)}.`,
      param,
    );
  }
  return currency;
}

const defaultCardLimits = defaultStoredValueLimits();

/** The limits of a wallet user's tier in a currency; a stored-value card's are its currency's card limits. */
export function limitsOf(
  config: WalletConfig,
  user: Pick<WalletUser, "tier"> & { kind?: WalletUser["kind"] },
  currency: string,
): TierLimits {
  if (user.kind === "card") {
    const card = (config.cardLimits ?? defaultCardLimits).get(currency);
    if (!card) throw walletError("currency_not_supported", undefined, "currency");
    return card;
  }
  const limits = tierLimits(config, user.tier, walletCurrency(config, currency));
  if (!limits) throw walletError("currency_not_supported", undefined, "currency");
  return limits;
}

/** Refuses one payment above the per-payment limit of the payer's tier. */
export function assertPerPayment(limits: TierLimits, amount: bigint): void {
  if (amount > limits.perPayment) {
    throw walletError(
      "payment_limit_exceeded",
      `One payment may move at most ${limits.perPayment} (minor units) from this wallet.`,
      "amount",
    );
  }
}

export function assertNotFrozen(user: Pick<WalletUser, "frozenAt">): void {
  if (user.frozenAt !== null) throw walletError("wallet_frozen");
}
