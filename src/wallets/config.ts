import { ConfigError, type Environment } from "../config.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import { amountDigitsMax, walletSandboxBankSettleMsDefault } from "../limits.js";
import { parseStoredValueLimits, type StoredValueLimits } from "../stored-value/config.js";

/**
 * Deployment configuration of account wallets, from the environment (documented in docs/configuration.md):
 *
 *   COFFER_WALLET_TIERS          JSON: per currency, the limits of tiers 0, 1 and 2 in minor units
 *   COFFER_WALLET_STEP_UP_ABOVE  JSON: per currency, the amount above which a send or withdrawal needs a second factor
 *   COFFER_BANK_CONNECTOR        sandbox | file: the bank rails of live funding sources
 *   COFFER_SANDBOX_BANK_SETTLE_MS  how long the sandbox bank takes to settle (default 10000)
 *   COFFER_KYC_PROVIDER          sandbox | review: who checks live identity submissions
 *
 * The bank and identity defaults follow COFFER_ENV: sandbox in development (a newcomer signs up, verifies and tops
 * up with no operator), file and review otherwise; production refuses to start with either set to sandbox.
 * A currency missing from the tiers cannot be held in a wallet at all.
 */

export type Tier = 0 | 1 | 2;
export const tiers: readonly Tier[] = [0, 1, 2];

export interface TierLimits {
  /** The most the wallet may hold (posted balance plus top-ups on their way). */
  balanceCap: bigint;
  /** The most one send, withdrawal or payment may move. */
  perPayment: bigint;
  /** Outgoing money per UTC calendar day. */
  daily: bigint;
  /** Outgoing money per UTC calendar month. */
  monthly: bigint;
}

export type BankConnectorName = "sandbox" | "file";
export type KycProviderName = "sandbox" | "review";

export interface WalletConfig {
  /** Per currency, the limits of tiers 0, 1 and 2. */
  tiers: ReadonlyMap<string, readonly [TierLimits, TierLimits, TierLimits]>;
  /** Per currency: a send or withdrawal above this needs a fresh TOTP code or passkey assertion. */
  stepUpAbove: ReadonlyMap<string, bigint>;
  /** The bank rails new live funding sources use. Test-mode wallet users always use the sandbox bank. */
  bankConnector: BankConnectorName;
  sandboxBankSettleMs: number;
  /** Who decides live identity submissions. Test-mode wallet users always get the sandbox provider. */
  kycProvider: KycProviderName;
  /** COFFER_ENV of this deployment, when known (the wallet app's sandbox banner and `coffer dev` ask for it). */
  environment: Environment | undefined;
  /** WebAuthn relying party: the site passkeys are bound to. */
  webauthn: { rpId: string; rpName: string; origins: string[] };
  /** Where links in the wallet's messages point (a sign-in alert's "this wasn't me"): see src/merchants/links.ts. */
  links: { publicUrl: string | undefined; port: number };
  /**
   * Per currency, the limits of stored-value cards (COFFER_STORED_VALUE_LIMITS, src/stored-value/config.ts): a card's
   * wallet user has these instead of a tier's. Absent: the defaults.
   */
  cardLimits?: ReadonlyMap<string, StoredValueLimits>;
}

/** The dollar's limits, also those of the dollar stablecoins (USDC, USDT), which a wallet holds beside it. */
const dollarTiers: { tiers: [number, number, number, number][]; stepUpAbove: number } = {
  tiers: [
    [250, 100, 100, 500],
    [5_000, 2_000, 2_500, 10_000],
    [100_000, 50_000, 50_000, 200_000],
  ],
  stepUpAbove: 500,
};

/** Defaults in major units, per currency: [balance cap, per payment, daily, monthly] for tiers 0, 1, 2. */
const defaultTierTable: Record<string, { tiers: [number, number, number, number][]; stepUpAbove: number }> = {
  USD: dollarTiers,
  EUR: {
    tiers: [
      [250, 100, 100, 500],
      [5_000, 2_000, 2_500, 10_000],
      [100_000, 50_000, 50_000, 200_000],
    ],
    stepUpAbove: 500,
  },
  GBP: {
    tiers: [
      [200, 100, 100, 400],
      [4_000, 2_000, 2_000, 8_000],
      [80_000, 40_000, 40_000, 160_000],
    ],
    stepUpAbove: 400,
  },
  CNY: {
    tiers: [
      [2_000, 700, 700, 3_500],
      [35_000, 15_000, 20_000, 70_000],
      [700_000, 350_000, 350_000, 1_400_000],
    ],
    stepUpAbove: 3_500,
  },
  JPY: {
    tiers: [
      [35_000, 15_000, 15_000, 75_000],
      [750_000, 300_000, 400_000, 1_500_000],
      [15_000_000, 7_500_000, 7_500_000, 30_000_000],
    ],
    stepUpAbove: 75_000,
  },
  // Blockchain wallets (src/crypto): ETH in whole coins.
  USDC: dollarTiers,
  USDT: dollarTiers,
  ETH: {
    tiers: [
      [1, 1, 1, 2],
      [10, 5, 5, 20],
      [200, 100, 100, 400],
    ],
    stepUpAbove: 1,
  },
};

type Env = Record<string, string | undefined>;

export interface WalletConfigBase {
  publicUrl: string | undefined;
  port: number;
  /** Unknown: the production defaults (file, review) without the production check. */
  environment?: Environment;
}

export function defaultWalletTiers(currencies: CurrencyRegistry): Map<string, [TierLimits, TierLimits, TierLimits]> {
  const out = new Map<string, [TierLimits, TierLimits, TierLimits]>();
  for (const [code, entry] of Object.entries(defaultTierTable)) {
    const exponent = currencies.get(code)?.exponent ?? 2;
    const scale = 10n ** BigInt(exponent);
    const [t0, t1, t2] = entry.tiers.map(([cap, per, day, month]) => ({
      balanceCap: BigInt(cap) * scale,
      perPayment: BigInt(per) * scale,
      daily: BigInt(day) * scale,
      monthly: BigInt(month) * scale,
    })) as [TierLimits, TierLimits, TierLimits];
    out.set(code, [t0, t1, t2]);
  }
  return out;
}

function defaultStepUp(currencies: CurrencyRegistry): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [code, entry] of Object.entries(defaultTierTable)) {
    const exponent = currencies.get(code)?.exponent ?? 2;
    out.set(code, BigInt(entry.stepUpAbove) * 10n ** BigInt(exponent));
  }
  return out;
}

/** Reads and checks the wallet configuration; every problem is reported at once as a ConfigError. */
export function loadWalletConfig(env: Env, base: WalletConfigBase, currencies: CurrencyRegistry): WalletConfig {
  const problems: string[] = [];
  const tiersByCurrency = parseTiers(env.COFFER_WALLET_TIERS, currencies, problems) ?? defaultWalletTiers(currencies);
  const stepUpAbove = parseStepUp(env.COFFER_WALLET_STEP_UP_ABOVE, currencies, problems) ?? defaultStepUp(currencies);
  for (const currency of tiersByCurrency.keys()) {
    if (!stepUpAbove.has(currency)) {
      problems.push(`COFFER_WALLET_STEP_UP_ABOVE has no amount for ${currency}, which COFFER_WALLET_TIERS lists`);
    }
  }
  const development = base.environment === "development";
  const bankConnector = parseChoice(
    env.COFFER_BANK_CONNECTOR,
    "COFFER_BANK_CONNECTOR",
    development ? ["sandbox", "file"] : ["file", "sandbox"],
    problems,
  );
  const kycProvider = parseChoice(
    env.COFFER_KYC_PROVIDER,
    "COFFER_KYC_PROVIDER",
    development ? ["sandbox", "review"] : ["review", "sandbox"],
    problems,
  );
  if (base.environment === "production") {
    // Sandbox rails in production would credit wallets no bank paid and approve identities nobody checked.
    if (bankConnector === "sandbox") {
      problems.push(
        "COFFER_BANK_CONNECTOR=sandbox is for development only: top-ups would settle without any bank. Use file, or set COFFER_ENV=development on a development machine",
      );
    }
    if (kycProvider === "sandbox") {
      problems.push(
        "COFFER_KYC_PROVIDER=sandbox is for development only: identities would be approved unchecked. Use review, or set COFFER_ENV=development on a development machine",
      );
    }
  }
  const settleRaw = env.COFFER_SANDBOX_BANK_SETTLE_MS?.trim();
  let sandboxBankSettleMs = walletSandboxBankSettleMsDefault;
  if (settleRaw) {
    if (/^\d{1,10}$/.test(settleRaw) && Number(settleRaw) <= 86_400_000) sandboxBankSettleMs = Number(settleRaw);
    else problems.push(`COFFER_SANDBOX_BANK_SETTLE_MS must be milliseconds from 0 to 86400000, got "${settleRaw}"`);
  }
  const cardLimits = parseStoredValueLimits(env.COFFER_STORED_VALUE_LIMITS, currencies, problems, stepUpAbove);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    cardLimits,
    tiers: tiersByCurrency,
    stepUpAbove,
    bankConnector,
    sandboxBankSettleMs,
    kycProvider,
    environment: base.environment,
    webauthn: webauthnFor(base),
    links: { publicUrl: base.publicUrl, port: base.port },
  };
}

/** The relying party is the host of COFFER_PUBLIC_URL; without one, localhost on coffer's port. */
function webauthnFor(base: WalletConfigBase): WalletConfig["webauthn"] {
  if (base.publicUrl) {
    const url = new URL(base.publicUrl);
    return { rpId: url.hostname, rpName: "coffer", origins: [url.origin] };
  }
  return {
    rpId: "localhost",
    rpName: "coffer",
    origins: [`http://localhost:${base.port}`, `http://127.0.0.1:${base.port}`],
  };
}

function parseChoice<T extends string>(
  raw: string | undefined,
  name: string,
  allowed: readonly [T, ...T[]],
  problems: string[],
): T {
  const value = raw?.trim();
  if (!value) return allowed[0];
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return allowed[0];
}

function parseMinorUnits(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value) && value.length <= amountDigitsMax) {
    return BigInt(value);
  }
  return undefined;
}

function parseJsonObject(raw: string, name: string, problems: string[]): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} is not valid JSON`);
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON object keyed by currency code`);
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

const limitFields = [
  ["balance_cap", "balanceCap"],
  ["per_payment", "perPayment"],
  ["daily", "daily"],
  ["monthly", "monthly"],
] as const;

/** {"USD": [{"balance_cap": "25000", "per_payment": "10000", "daily": "10000", "monthly": "50000"}, {…}, {…}]} */
export function parseTiers(
  raw: string | undefined,
  currencies: CurrencyRegistry,
  problems: string[],
): Map<string, [TierLimits, TierLimits, TierLimits]> | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const name = "COFFER_WALLET_TIERS";
  const object = parseJsonObject(raw, name, problems);
  if (!object) return undefined;
  const out = new Map<string, [TierLimits, TierLimits, TierLimits]>();
  for (const [currency, list] of Object.entries(object)) {
    if (!currencies.has(currency)) {
      problems.push(`${name}: ${currency} is not a known currency`);
      continue;
    }
    if (!Array.isArray(list) || list.length !== 3) {
      problems.push(`${name}: ${currency} must list exactly three tiers (0, 1, 2)`);
      continue;
    }
    const parsed: TierLimits[] = [];
    list.forEach((entry: unknown, tier) => {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        problems.push(`${name}: ${currency} tier ${tier} must be an object`);
        return;
      }
      const record = entry as Record<string, unknown>;
      const unknownKeys = Object.keys(record).filter((k) => !limitFields.some(([json]) => json === k));
      if (unknownKeys.length > 0)
        problems.push(`${name}: ${currency} tier ${tier} has unknown ${unknownKeys.join(", ")}`);
      const limits = {} as TierLimits;
      for (const [json, key] of limitFields) {
        const value = parseMinorUnits(record[json]);
        if (value === undefined) {
          problems.push(
            `${name}: ${currency} tier ${tier} ${json} must be a whole number of minor units, like "25000"`,
          );
          return;
        }
        limits[key] = value;
      }
      if (limits.perPayment > limits.daily || limits.daily > limits.monthly) {
        problems.push(`${name}: ${currency} tier ${tier} needs per_payment ≤ daily ≤ monthly`);
      }
      parsed.push(limits);
    });
    if (parsed.length !== 3) continue;
    for (let tier = 1; tier < 3; tier++) {
      const lower = parsed[tier - 1]!;
      const higher = parsed[tier]!;
      if (limitFields.some(([, key]) => higher[key] < lower[key])) {
        problems.push(`${name}: ${currency} tier ${tier} must allow at least what tier ${tier - 1} allows`);
      }
    }
    out.set(currency, parsed as [TierLimits, TierLimits, TierLimits]);
  }
  if (out.size === 0 && problems.length === 0) problems.push(`${name} must list at least one currency`);
  return out;
}

/** {"USD": "50000", "JPY": "75000"} */
export function parseStepUp(
  raw: string | undefined,
  currencies: CurrencyRegistry,
  problems: string[],
): Map<string, bigint> | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const name = "COFFER_WALLET_STEP_UP_ABOVE";
  const object = parseJsonObject(raw, name, problems);
  if (!object) return undefined;
  const out = new Map<string, bigint>();
  for (const [currency, value] of Object.entries(object)) {
    if (!currencies.has(currency)) {
      problems.push(`${name}: ${currency} is not a known currency`);
      continue;
    }
    const amount = parseMinorUnits(value);
    if (amount === undefined) {
      problems.push(`${name}: ${currency} must be a whole number of minor units, like "50000"`);
      continue;
    }
    out.set(currency, amount);
  }
  return out;
}

/** The limits of one tier in one currency; undefined when wallets do not hold that currency. */
export function tierLimits(config: WalletConfig, tier: Tier, currency: string): TierLimits | undefined {
  return config.tiers.get(currency)?.[tier];
}
