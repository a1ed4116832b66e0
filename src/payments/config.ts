import { ConfigError } from "../config.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import { amountDigitsMax } from "../limits.js";

/**
 * Deployment configuration of payments, from the environment (docs/payments.md, docs/configuration.md):
 *
 *   COFFER_PAYMENT_CODE_CONFIRM_ABOVE  JSON: per currency, in minor units, the password-free amount of payment codes:
 *                                      a payment_code payment above it waits for the payer to confirm in the wallet
 *
 * A currency not listed has no password-free amount: every payment_code payment in it waits for confirmation.
 */
export interface PaymentConfig {
  /** Per currency: payment_code payments up to this amount are charged at once; above it the payer confirms. */
  paymentCodeConfirmAbove: ReadonlyMap<string, bigint>;
}

/** The defaults, in major units. */
const defaultConfirmAbove: Record<string, number> = {
  CNY: 1_000,
  USD: 200,
  EUR: 200,
  GBP: 150,
  JPY: 30_000,
};

export function defaultPaymentConfig(currencies: CurrencyRegistry): PaymentConfig {
  const out = new Map<string, bigint>();
  for (const [code, major] of Object.entries(defaultConfirmAbove)) {
    const exponent = currencies.get(code)?.exponent ?? 2;
    out.set(code, BigInt(major) * 10n ** BigInt(exponent));
  }
  return { paymentCodeConfirmAbove: out };
}

/** Reads the payments configuration; every problem is reported at once as a ConfigError. */
export function loadPaymentConfig(
  env: Record<string, string | undefined>,
  currencies: CurrencyRegistry,
): PaymentConfig {
  const raw = env.COFFER_PAYMENT_CODE_CONFIRM_ABOVE?.trim();
  if (!raw) return defaultPaymentConfig(currencies);
  const name = "COFFER_PAYMENT_CODE_CONFIRM_ABOVE";
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError([`${name} is not valid JSON`]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`${name} must be a JSON object keyed by currency code, like {"CNY": "100000"}`]);
  }
  const out = new Map<string, bigint>();
  for (const [currency, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!currencies.has(currency)) {
      problems.push(`${name}: ${currency} is not a known currency`);
      continue;
    }
    const amount =
      typeof value === "number" && Number.isSafeInteger(value) && value >= 0
        ? BigInt(value)
        : typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value) && value.length <= amountDigitsMax
          ? BigInt(value)
          : undefined;
    if (amount === undefined) {
      problems.push(`${name}: ${currency} must be a whole number of minor units, like "100000"`);
      continue;
    }
    out.set(currency, amount);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { paymentCodeConfirmAbove: out };
}
