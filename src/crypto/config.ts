import { ConfigError, type Environment } from "../config.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { Address } from "./chain/connector.js";
import { isChecksumAddress, normalizeAddress } from "./chain/connector.js";

/**
 * Deployment configuration of blockchain wallets (docs/crypto.md), from the environment:
 *
 *   COFFER_CHAINS         JSON array of chains: name, mode (test|live), chainId, rpcUrl, confirmations, assets
 *   COFFER_SANDBOX_CHAIN  auto | off | http://127.0.0.1:PORT — the test-mode chain when COFFER_CHAINS has none:
 *                         auto starts a local hardhat node with coffer (development only), a URL uses a running one
 *   COFFER_CRYPTO_RATES   JSON: fiat price of one whole asset per currency, e.g. {"USDC":{"USD":"1.00"}}
 *
 * Live crypto needs a live chain in COFFER_CHAINS; without one it is off and says so. Test mode uses the sandbox
 * chain, a real EVM node on loopback with a test ERC-20 deployed at start.
 */
export type ChainMode = "test" | "live";

export interface AssetConfig {
  /** The ledger currency code (ETH, USDC …); its exponent must equal the token's decimals. */
  code: string;
  /** The ERC-20 contract, lowercase; null for the chain's native coin. */
  contract: Address | null;
  decimals: number;
  /** Blocks on top of a deposit's block before it is available (the deposit's own block counts as 1). */
  confirmations: number;
  /** Deposits below this are recorded but not credited: sweeping them would cost more than they hold. */
  dustMinor: bigint;
  /** Above this much in the hot wallet, operators are alerted to move the excess to cold storage. */
  hotWalletLimitMinor: bigint;
  /** What a withdrawal of this asset is charged for the network, held with the amount (minor units of the asset). */
  withdrawalFeeMinor: bigint;
}

export interface ChainConfig {
  /** Lowercase name, used in ledger references and the API (e.g. "ethereum", "sandbox"). */
  name: string;
  mode: ChainMode;
  chainId: number;
  /** Absent for the sandbox chain started by coffer: known only once it runs. */
  rpcUrl: string | undefined;
  assets: AssetConfig[];
  /** How often the block follower asks for new blocks. */
  pollIntervalMs: number;
}

export type SandboxChainSetting = { kind: "auto" } | { kind: "off" } | { kind: "url"; rpcUrl: string };

export interface CryptoConfig {
  chains: ChainConfig[];
  sandboxChain: SandboxChainSetting;
  /** Per asset, per fiat currency: the price of one whole asset as a decimal string (the fixed rate source). */
  rates: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export const sandboxChainName = "sandbox";
export const sandboxChainId = 31_337;
export const chainPollIntervalMsDefault = 2_000;
export const sandboxChainPollIntervalMs = 500;
export const sandboxConfirmations = 3;
const confirmationsMax = 1_000;

/** The sandbox chain's assets: its native ETH and the test USDC deployed at start (contract known once it runs). */
export function sandboxChainConfig(tokenContract: Address | null): ChainConfig {
  return {
    name: sandboxChainName,
    mode: "test",
    chainId: sandboxChainId,
    rpcUrl: undefined,
    pollIntervalMs: sandboxChainPollIntervalMs,
    assets: [
      {
        code: "ETH",
        contract: null,
        decimals: 18,
        confirmations: sandboxConfirmations,
        dustMinor: 10n ** 12n,
        hotWalletLimitMinor: 100n * 10n ** 18n,
        withdrawalFeeMinor: 10n ** 15n,
      },
      {
        code: "USDC",
        contract: tokenContract,
        decimals: 6,
        confirmations: sandboxConfirmations,
        dustMinor: 10_000n,
        hotWalletLimitMinor: 1_000_000n * 10n ** 6n,
        withdrawalFeeMinor: 1_000_000n,
      },
    ],
  };
}

/** Sandbox rates: fixed, so test payments priced in fiat always ask for the same crypto amount. */
const sandboxRates: Record<string, Record<string, string>> = {
  USDC: { USD: "1", EUR: "0.92", CNY: "7.2", GBP: "0.79", JPY: "150" },
  USDT: { USD: "1", EUR: "0.92", CNY: "7.2", GBP: "0.79", JPY: "150" },
  ETH: { USD: "3000", EUR: "2760", CNY: "21600", GBP: "2370", JPY: "450000" },
};

type Env = Record<string, string | undefined>;

export function loadCryptoConfig(env: Env, environment: Environment, currencies: CurrencyRegistry): CryptoConfig {
  const problems: string[] = [];
  const chains = parseChains(env.COFFER_CHAINS, currencies, problems);
  const sandboxChain = parseSandboxChain(env.COFFER_SANDBOX_CHAIN, environment, problems);
  const rates = parseRates(env.COFFER_CRYPTO_RATES, currencies, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { chains, sandboxChain, rates };
}

function parseSandboxChain(raw: string | undefined, environment: Environment, problems: string[]) {
  const value = raw?.trim() || (environment === "production" ? "off" : "auto");
  if (value === "auto" || value === "off") {
    if (value === "auto" && environment === "production") {
      problems.push("COFFER_SANDBOX_CHAIN=auto starts a local test chain; production refuses it (use off or a URL)");
    }
    return { kind: value } as SandboxChainSetting;
  }
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return { kind: "url", rpcUrl: url.toString() } as SandboxChainSetting;
  } catch {
    problems.push(`COFFER_SANDBOX_CHAIN must be auto, off or an http(s) URL, got "${value.slice(0, 80)}"`);
    return { kind: "off" } as SandboxChainSetting;
  }
}

interface RawAsset {
  code?: unknown;
  contract?: unknown;
  decimals?: unknown;
  confirmations?: unknown;
  dust?: unknown;
  hotWalletLimit?: unknown;
  withdrawalFee?: unknown;
}

function parseChains(raw: string | undefined, currencies: CurrencyRegistry, problems: string[]): ChainConfig[] {
  if (!raw?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push("COFFER_CHAINS must be a JSON array of chains");
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push("COFFER_CHAINS must be a JSON array of chains");
    return [];
  }
  const chains: ChainConfig[] = [];
  const names = new Set<string>();
  for (const [i, entry] of parsed.entries()) {
    const at = `COFFER_CHAINS[${i}]`;
    const chain = entry as Record<string, unknown>;
    const name = typeof chain.name === "string" ? chain.name : "";
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name) || name === sandboxChainName) {
      problems.push(`${at}.name must be lowercase letters, digits, - or _ (and not "${sandboxChainName}")`);
      continue;
    }
    if (names.has(name)) problems.push(`${at}.name ${name} is configured twice`);
    names.add(name);
    const mode = chain.mode === "test" || chain.mode === "live" ? chain.mode : undefined;
    if (!mode) problems.push(`${at}.mode must be "test" or "live"`);
    const chainId = chain.chainId;
    if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
      problems.push(`${at}.chainId must be a positive whole number`);
    }
    const rpcUrl = typeof chain.rpcUrl === "string" ? chain.rpcUrl : "";
    if (!/^https?:\/\//.test(rpcUrl)) problems.push(`${at}.rpcUrl must be an http(s) URL`);
    const confirmationsDefault = chain.confirmations ?? 12;
    const assets = Array.isArray(chain.assets) ? chain.assets : [];
    if (assets.length === 0) problems.push(`${at}.assets must list at least one asset`);
    chains.push({
      name,
      mode: mode ?? "live",
      chainId: Number(chainId),
      rpcUrl,
      pollIntervalMs: chainPollIntervalMsDefault,
      assets: assets.map((asset, j) =>
        parseAsset(asset as RawAsset, `${at}.assets[${j}]`, confirmationsDefault, currencies, problems),
      ),
    });
  }
  return chains;
}

function parseAsset(
  asset: RawAsset,
  at: string,
  confirmationsDefault: unknown,
  currencies: CurrencyRegistry,
  problems: string[],
): AssetConfig {
  const code = typeof asset.code === "string" ? asset.code : "";
  const currency = currencies.get(code);
  if (currency?.kind !== "crypto") {
    problems.push(`${at}.code must be a crypto asset of the currency registry (COFFER_CRYPTO_ASSETS), got "${code}"`);
  }
  const decimals = asset.decimals;
  if (currency && decimals !== currency.exponent) {
    problems.push(`${at}.decimals must equal ${code}'s exponent ${currency.exponent}, got ${String(decimals)}`);
  }
  let contract: Address | null = null;
  if (asset.contract !== undefined && asset.contract !== null) {
    if (typeof asset.contract === "string" && isChecksumAddress(asset.contract)) {
      contract = normalizeAddress(asset.contract);
    } else problems.push(`${at}.contract must be an EIP-55 address (or absent for the native coin)`);
  }
  const confirmations = asset.confirmations ?? confirmationsDefault;
  if (typeof confirmations !== "number" || !Number.isInteger(confirmations) || confirmations < 1) {
    problems.push(`${at}.confirmations must be a whole number from 1 to ${confirmationsMax}`);
  } else if (confirmations > confirmationsMax) {
    problems.push(`${at}.confirmations must be a whole number from 1 to ${confirmationsMax}`);
  }
  return {
    code,
    contract,
    decimals: Number(decimals),
    confirmations: Number(confirmations),
    dustMinor: minorUnits(asset.dust, `${at}.dust`, 0n, problems),
    hotWalletLimitMinor: minorUnits(asset.hotWalletLimit, `${at}.hotWalletLimit`, 2n ** 127n, problems),
    withdrawalFeeMinor: minorUnits(asset.withdrawalFee, `${at}.withdrawalFee`, 0n, problems),
  };
}

function minorUnits(raw: unknown, at: string, fallback: bigint, problems: string[]): bigint {
  if (raw === undefined) return fallback;
  if (typeof raw === "string" && /^\d{1,38}$/.test(raw)) return BigInt(raw);
  problems.push(`${at} must be a string of digits (minor units of the asset)`);
  return fallback;
}

function parseRates(
  raw: string | undefined,
  currencies: CurrencyRegistry,
  problems: string[],
): Map<string, Map<string, string>> {
  let table: Record<string, Record<string, string>> = sandboxRates;
  if (raw?.trim()) {
    try {
      table = JSON.parse(raw);
    } catch {
      problems.push('COFFER_CRYPTO_RATES must be JSON like {"USDC":{"USD":"1.00"}}');
    }
  }
  const out = new Map<string, Map<string, string>>();
  for (const [asset, prices] of Object.entries(table)) {
    const inner = new Map<string, string>();
    for (const [fiat, price] of Object.entries(prices ?? {})) {
      if (typeof price !== "string" || !/^\d{1,18}(\.\d{1,18})?$/.test(price) || /^0+(\.0+)?$/.test(price)) {
        problems.push(`COFFER_CRYPTO_RATES.${asset}.${fiat} must be a positive decimal string`);
        continue;
      }
      if (currencies.get(fiat)?.kind !== "fiat") {
        problems.push(`COFFER_CRYPTO_RATES.${asset}.${fiat}: ${fiat} is not a fiat currency`);
        continue;
      }
      inner.set(fiat, price);
    }
    out.set(asset, inner);
  }
  return out;
}
