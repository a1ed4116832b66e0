import type { CurrencyRegistry } from "../ledger/currencies.js";
import { amountDigitsMax } from "../limits.js";

/**
 * The limits of stored-value cards, per currency, from COFFER_STORED_VALUE_LIMITS (docs/configuration.md):
 *
 *   {"USD": {"balance_cap": "20000", "per_payment": "5000", "daily": "10000", "monthly": "40000", "loads_per_day": 5}}
 *
 * A card is anonymous, so its limits are far below an account's tier 0 and its per-payment cap below the step-up
 * threshold (a card has no second factor: its secret is the factor). A currency missing here cannot be issued.
 */
export interface StoredValueLimits {
  balanceCap: bigint;
  perPayment: bigint;
  daily: bigint;
  monthly: bigint;
  loadsPerDay: number;
}

/** Defaults in major units: [balance cap, per payment, daily, monthly, loads per day]. */
const defaultTable: Record<string, { exponent: number; limits: [number, number, number, number, number] }> = {
  USD: { exponent: 2, limits: [200, 50, 100, 400, 5] },
  EUR: { exponent: 2, limits: [200, 50, 100, 400, 5] },
  GBP: { exponent: 2, limits: [150, 40, 80, 300, 5] },
  CNY: { exponent: 2, limits: [1_500, 350, 700, 2_800, 5] },
  JPY: { exponent: 0, limits: [30_000, 7_500, 15_000, 60_000, 5] },
};

export function defaultStoredValueLimits(currencies?: CurrencyRegistry): Map<string, StoredValueLimits> {
  const out = new Map<string, StoredValueLimits>();
  for (const [code, entry] of Object.entries(defaultTable)) {
    const scale = 10n ** BigInt(currencies?.get(code)?.exponent ?? entry.exponent);
    const [cap, per, day, month, loads] = entry.limits;
    out.set(code, {
      balanceCap: BigInt(cap) * scale,
      perPayment: BigInt(per) * scale,
      daily: BigInt(day) * scale,
      monthly: BigInt(month) * scale,
      loadsPerDay: loads,
    });
  }
  return out;
}

const fields = [
  ["balance_cap", "balanceCap"],
  ["per_payment", "perPayment"],
  ["daily", "daily"],
  ["monthly", "monthly"],
] as const;

function minorUnits(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value) && value.length <= amountDigitsMax) {
    return BigInt(value);
  }
  return undefined;
}

/**
 * Parses COFFER_STORED_VALUE_LIMITS; problems are pushed (reported together as a ConfigError by the caller).
 * Unset: the defaults. Each limit must hold per_payment ≤ daily ≤ monthly, per_payment ≤ balance_cap, and the
 * per-payment cap must not pass the currency's step-up threshold (stepUpAbove) when one is given.
 */
export function parseStoredValueLimits(
  raw: string | undefined,
  currencies: CurrencyRegistry,
  problems: string[],
  stepUpAbove?: ReadonlyMap<string, bigint>,
): Map<string, StoredValueLimits> {
  const name = "COFFER_STORED_VALUE_LIMITS";
  if (raw === undefined || raw.trim() === "") return defaultStoredValueLimits(currencies);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} is not valid JSON`);
    return new Map();
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON object keyed by currency code`);
    return new Map();
  }
  const out = new Map<string, StoredValueLimits>();
  for (const [currency, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!currencies.has(currency)) {
      problems.push(`${name}: ${currency} is not a known currency`);
      continue;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      problems.push(`${name}: ${currency} must be an object`);
      continue;
    }
    const record = entry as Record<string, unknown>;
    const known = new Set<string>([...fields.map(([json]) => json), "loads_per_day"]);
    const unknownKeys = Object.keys(record).filter((k) => !known.has(k));
    if (unknownKeys.length > 0) problems.push(`${name}: ${currency} has unknown ${unknownKeys.join(", ")}`);
    const limits = {} as StoredValueLimits;
    let ok = true;
    for (const [json, key] of fields) {
      const value = minorUnits(record[json]);
      if (value === undefined) {
        problems.push(`${name}: ${currency} ${json} must be a whole number of minor units, like "20000"`);
        ok = false;
        continue;
      }
      limits[key] = value;
    }
    const loads = record.loads_per_day;
    if (typeof loads !== "number" || !Number.isInteger(loads) || loads < 0 || loads > 1000) {
      problems.push(`${name}: ${currency} loads_per_day must be a whole number from 0 to 1000`);
      ok = false;
    } else limits.loadsPerDay = loads;
    if (!ok) continue;
    if (limits.perPayment > limits.daily || limits.daily > limits.monthly || limits.perPayment > limits.balanceCap) {
      problems.push(`${name}: ${currency} needs per_payment ≤ daily ≤ monthly and per_payment ≤ balance_cap`);
    }
    const stepUp = stepUpAbove?.get(currency);
    if (stepUp !== undefined && limits.perPayment > stepUp) {
      problems.push(
        `${name}: ${currency} per_payment must not pass the step-up threshold (${stepUp}): cards have no second factor`,
      );
    }
    out.set(currency, limits);
  }
  return out;
}
