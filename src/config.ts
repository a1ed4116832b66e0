import { isIP } from "node:net";
import path from "node:path";
import type { SchemaCompilation } from "./http/schema-compilers.js";
import { type Currency, createCurrencyRegistry, defaultCryptoAssets, parseCryptoAssets } from "./ledger/currencies.js";
import {
  rateLimitBurstRequestsMax,
  rateLimitLiveBurstRequestsDefault,
  rateLimitLiveRequestsPerSDefault,
  rateLimitRequestsPerSMax,
  rateLimitTestBurstRequestsDefault,
  rateLimitTestRequestsPerSDefault,
} from "./limits.js";

export type Role = "all" | "api" | "worker";
/** development: sandbox conveniences may be on; production: they refuse to start. */
export type Environment = "development" | "production";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  port: number;
  host: string;
  /** Undefined means: start an embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** 32 bytes, base64 or hex in the environment; undefined means generate one into dataDir (development). */
  masterKey: Buffer | undefined;
  logLevel: LogLevel;
  role: Role;
  dbPoolSize: number;
  /** The URL this coffer is reached at, used in links (QR payloads, checkout, mails). */
  publicUrl: string | undefined;
  /** Crypto assets beyond the built-in ETH, USDT and USDC, from COFFER_CRYPTO_ASSETS. */
  cryptoAssets: Currency[];
  /** smtp:// or smtps:// URL; undefined keeps mail in the dev mailbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** A generic HTTP SMS gateway; undefined keeps SMS in the dev outbox. */
  smsHttpUrl: string | undefined;
  smsHttpToken: string | undefined;
  /**
   * Which modes' webhook endpoints may target loopback and private hosts. Default: "test" on the embedded default
   * (a newcomer points test webhooks at localhost), "none" with DATABASE_URL (a real deployment).
   */
  webhookLocalTargets: "none" | "test" | "all";
  /** Per-key request rates of the API, per mode (COFFER_RATE_LIMIT_*); see src/http/rate-limit.ts. */
  rateLimits: RateLimits;
  /**
   * Reverse proxies whose X-Forwarded-For, -Proto and -Host are believed (IPs or CIDR ranges, from
   * COFFER_TRUSTED_PROXIES). Empty: none, request.ip is the peer's address.
   */
  trustedProxies: string[];
  /**
   * Whether the dev mailbox and dev SMS outbox keep and show what the dev transports "sent" (COFFER_DEV_MAILBOX).
   * Default: on with the embedded database (development), off with DATABASE_URL (a real deployment).
   */
  devMailbox: boolean;
  /**
   * COFFER_SCHEMA_COMPILATION: `eager` (default) compiles every route's validators and serializers before coffer
   * answers; `lazy` compiles each on its route's first call, for a start seconds faster (see src/http/schema-compilers.ts).
   */
  schemaCompilation: SchemaCompilation;
  /**
   * COFFER_ENV. Default: development with the embedded database, production with DATABASE_URL. Decides the
   * defaults of the dev mailbox, local webhook targets and the wallets' sandbox identity checks and bank.
   */
  environment: Environment;
}

/** A token bucket: refilled at requestsPerS, holding at most burstRequests. */
export interface RateLimitPolicy {
  requestsPerS: number;
  burstRequests: number;
}

export interface RateLimits {
  live: RateLimitPolicy;
  test: RateLimitPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const logLevels: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const roles: readonly Role[] = ["all", "api", "worker"];

type Env = Record<string, string | undefined>;

/** Reads the environment once; collects every problem so the operator fixes them all in one go. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const port = parseIntIn(env.PORT, "PORT", 0, 65_535, 4000, problems);
  const host = env.HOST?.trim() || "127.0.0.1";
  const databaseUrl = parseDatabaseUrl(env.DATABASE_URL, problems);
  const dataDir = path.resolve(env.COFFER_DATA_DIR?.trim() || ".coffer");
  const masterKey = parseMasterKey(env.COFFER_MASTER_KEY, problems);
  const logLevel = parseEnum(env.LOG_LEVEL, "LOG_LEVEL", logLevels, "info", problems);
  const role = parseEnum(env.COFFER_ROLE, "COFFER_ROLE", roles, "all", problems);
  const dbPoolSize = parseIntIn(env.DATABASE_POOL_SIZE, "DATABASE_POOL_SIZE", 1, 500, 10, problems);
  const publicUrl = parsePublicUrl(env.COFFER_PUBLIC_URL, problems);
  const cryptoAssets = parseCryptoAssetList(env.COFFER_CRYPTO_ASSETS, problems);
  const smtpUrl = parseUrlWithSchemes(env.SMTP_URL, "SMTP_URL", ["smtp:", "smtps:"], problems);
  const mailFrom = env.COFFER_MAIL_FROM?.trim() || "coffer <no-reply@coffer.localhost>";
  if (!/^[^\r\n<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom)) {
    problems.push(`COFFER_MAIL_FROM must be an address like "Shop <pay@example.com>", got "${mailFrom}"`);
  }
  const smsHttpUrl = parseUrlWithSchemes(env.SMS_HTTP_URL, "SMS_HTTP_URL", ["https:", "http:"], problems);
  const smsHttpToken = env.SMS_HTTP_TOKEN?.trim() || undefined;
  const environment = parseEnum(
    env.COFFER_ENV,
    "COFFER_ENV",
    ["development", "production"] as const,
    databaseUrl === undefined ? "development" : "production",
    problems,
  );
  const development = environment === "development";
  const webhookLocalTargets = parseEnum(
    env.COFFER_WEBHOOK_LOCAL_TARGETS,
    "COFFER_WEBHOOK_LOCAL_TARGETS",
    ["none", "test", "all"] as const,
    development ? "test" : "none",
    problems,
  );
  const trustedProxies = parseTrustedProxies(env.COFFER_TRUSTED_PROXIES, problems);
  const devMailbox = parseSwitch(env.COFFER_DEV_MAILBOX, "COFFER_DEV_MAILBOX", development, problems);
  const schemaCompilation = parseEnum(
    env.COFFER_SCHEMA_COMPILATION,
    "COFFER_SCHEMA_COMPILATION",
    ["eager", "lazy"] as const,
    "eager",
    problems,
  );

  const rateLimits: RateLimits = {
    live: parseRateLimit(env, "LIVE", rateLimitLiveRequestsPerSDefault, rateLimitLiveBurstRequestsDefault, problems),
    test: parseRateLimit(env, "TEST", rateLimitTestRequestsPerSDefault, rateLimitTestBurstRequestsDefault, problems),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    databaseUrl,
    dataDir,
    masterKey,
    logLevel,
    role,
    dbPoolSize,
    publicUrl,
    cryptoAssets,
    smtpUrl,
    mailFrom,
    smsHttpUrl,
    smsHttpToken,
    webhookLocalTargets,
    rateLimits,
    trustedProxies,
    devMailbox,
    schemaCompilation,
    environment,
    ...overrides,
  };
}

function parseIntIn(
  raw: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    problems.push(`${name} must be from ${min} to ${max}, got ${value}`);
    return fallback;
  }
  return value;
}

function parseRateLimit(
  env: Env,
  mode: "LIVE" | "TEST",
  requestsPerS: number,
  burstRequests: number,
  problems: string[],
): RateLimitPolicy {
  const rateName = `COFFER_RATE_LIMIT_${mode}_PER_S`;
  const burstName = `COFFER_RATE_LIMIT_${mode}_BURST`;
  return {
    requestsPerS: parseIntIn(env[rateName], rateName, 1, rateLimitRequestsPerSMax, requestsPerS, problems),
    burstRequests: parseIntIn(env[burstName], burstName, 1, rateLimitBurstRequestsMax, burstRequests, problems),
  };
}

function parseEnum<T extends string>(
  raw: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = raw.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return fallback;
}

const switchValues: Record<string, boolean> = { on: true, true: true, "1": true, off: false, false: false, "0": false };

function parseSwitch(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = switchValues[raw.trim().toLowerCase()];
  if (value !== undefined) return value;
  problems.push(`${name} must be on or off (or true/false, 1/0), got "${raw}"`);
  return fallback;
}

/** Comma-separated IP addresses and CIDR ranges (10.0.0.0/8, fd00::/8); anything else is refused at start. */
function parseTrustedProxies(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const bad = entries.filter((entry) => !isIpOrCidr(entry));
  if (bad.length > 0) {
    problems.push(
      `COFFER_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.1,10.1.0.0/16), not ${bad.map((b) => `"${b}"`).join(", ")}`,
    );
    return [];
  }
  return entries;
}

function isIpOrCidr(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseDatabaseUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      problems.push(`DATABASE_URL must start with postgres:// or postgresql://, got "${url.protocol}//…"`);
      return undefined;
    }
    return raw.trim();
  } catch {
    // Never echo the value: it may hold a password.
    problems.push("DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)");
    return undefined;
  }
}

export function parseMasterKey(
  raw: string | undefined,
  problems: string[],
  variable = "COFFER_MASTER_KEY",
): Buffer | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(text) && key.toString("base64") !== text)) {
    problems.push(`${variable} must be 32 bytes, as 64 hex digits or 44 characters of base64`);
    return undefined;
  }
  return key;
}

function parsePublicUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return url.toString().replace(/\/$/, "");
  } catch {
    problems.push(`COFFER_PUBLIC_URL must be an http(s) URL, got "${raw}"`);
    return undefined;
  }
}

function parseCryptoAssetList(raw: string | undefined, problems: string[]): Currency[] {
  if (raw === undefined || raw.trim() === "") return [...defaultCryptoAssets];
  try {
    const extra = parseCryptoAssets(raw);
    const merged = new Map(defaultCryptoAssets.map((c) => [c.code, c]));
    for (const asset of extra) merged.set(asset.code, asset);
    const assets = [...merged.values()];
    createCurrencyRegistry(assets); // refuses a code that is already an ISO 4217 currency
    return assets;
  } catch (error) {
    problems.push(`COFFER_CRYPTO_ASSETS: ${(error as Error).message}`);
    return [...defaultCryptoAssets];
  }
}

function parseUrlWithSchemes(
  raw: string | undefined,
  name: string,
  schemes: string[],
  problems: string[],
): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const url = new URL(raw.trim());
    if (!schemes.includes(url.protocol)) throw new Error("scheme");
    return raw.trim();
  } catch {
    // Never echo the value: it may hold a password.
    problems.push(`${name} must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}`);
    return undefined;
  }
}
