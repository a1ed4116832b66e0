import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config.js";
import { createCurrencyRegistry } from "../ledger/currencies.js";
import { loadWalletConfig, tierLimits } from "./config.js";

const currencies = createCurrencyRegistry();
const base = { publicUrl: undefined, port: 4000 };
const load = (env: Record<string, string>) => loadWalletConfig(env, base, currencies);
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return [];
};

describe("wallet configuration", () => {
  it("has safe, documented defaults", () => {
    const config = load({});
    assert.equal(config.bankConnector, "file", "live wallets never get the sandbox bank unless asked");
    assert.equal(config.kycProvider, "review", "live identities are decided by people unless asked");
    assert.equal(config.sandboxBankSettleMs, 10_000);
    assert.deepEqual([...config.tiers.keys()], ["USD", "EUR", "GBP", "CNY", "JPY", "USDC", "USDT", "ETH"]);
    assert.deepEqual(tierLimits(config, 1, "USD"), {
      balanceCap: 500_000n,
      perPayment: 200_000n,
      daily: 250_000n,
      monthly: 1_000_000n,
    });
    assert.equal(tierLimits(config, 0, "JPY")?.balanceCap, 35_000n, "JPY limits are in yen: exponent 0");
    assert.equal(config.stepUpAbove.get("USD"), 50_000n);
    assert.deepEqual(config.webauthn, {
      rpId: "localhost",
      rpName: "coffer",
      origins: ["http://localhost:4000", "http://127.0.0.1:4000"],
    });
    assert.deepEqual(loadWalletConfig({}, { publicUrl: "https://pay.example.com", port: 4000 }, currencies).webauthn, {
      rpId: "pay.example.com",
      rpName: "coffer",
      origins: ["https://pay.example.com"],
    });
  });

  it("reads tiers and step-up thresholds per currency", () => {
    const tier = (cap: string) => ({ balance_cap: cap, per_payment: "100", daily: "200", monthly: 300 });
    const config = load({
      COFFER_WALLET_TIERS: JSON.stringify({ KWD: [tier("1000"), tier("2000"), tier("3000")] }),
      COFFER_WALLET_STEP_UP_ABOVE: JSON.stringify({ KWD: "150" }),
      COFFER_BANK_CONNECTOR: "sandbox",
      COFFER_KYC_PROVIDER: "sandbox",
      COFFER_SANDBOX_BANK_SETTLE_MS: "0",
    });
    assert.deepEqual([...config.tiers.keys()], ["KWD"]);
    assert.equal(tierLimits(config, 2, "KWD")?.balanceCap, 3000n);
    assert.equal(tierLimits(config, 0, "USD"), undefined, "a currency not listed is not held at all");
    assert.equal(config.stepUpAbove.get("KWD"), 150n);
    assert.equal(config.sandboxBankSettleMs, 0);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({
      COFFER_WALLET_TIERS: JSON.stringify({
        USD: [{ balance_cap: "1", per_payment: "5", daily: "2", monthly: "3" }],
        XXX: [],
        EUR: [
          { balance_cap: "10", per_payment: "1", daily: "1", monthly: "1", weekly: "1" },
          { balance_cap: "1.5", per_payment: "1", daily: "1", monthly: "1" },
          { balance_cap: "-1", per_payment: "1", daily: "1", monthly: "1" },
        ],
        GBP: [
          { balance_cap: "100", per_payment: "1", daily: "1", monthly: "1" },
          { balance_cap: "50", per_payment: "1", daily: "1", monthly: "1" },
          { balance_cap: "100", per_payment: "1", daily: "1", monthly: "1" },
        ],
      }),
      COFFER_WALLET_STEP_UP_ABOVE: "{not json",
      COFFER_BANK_CONNECTOR: "swift",
      COFFER_KYC_PROVIDER: "yes",
      COFFER_SANDBOX_BANK_SETTLE_MS: "soon",
    });
    for (const expected of [
      /USD must list exactly three tiers/,
      /XXX is not a known currency/,
      /EUR tier 0 has unknown weekly/,
      /EUR tier 1 balance_cap must be a whole number/,
      /GBP tier 1 must allow at least what tier 0 allows/,
      /COFFER_WALLET_STEP_UP_ABOVE is not valid JSON/,
      /COFFER_BANK_CONNECTOR must be one of file, sandbox/,
      /COFFER_KYC_PROVIDER must be one of review, sandbox/,
      /COFFER_SANDBOX_BANK_SETTLE_MS must be milliseconds/,
    ]) {
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} in:\n${problems.join("\n")}`,
      );
    }
    const missingStepUp = problemsOf({
      COFFER_WALLET_TIERS: JSON.stringify({
        KWD: Array.from({ length: 3 }, () => ({ balance_cap: "9", per_payment: "1", daily: "1", monthly: "1" })),
      }),
    });
    assert.deepEqual(missingStepUp, [
      "COFFER_WALLET_STEP_UP_ABOVE has no amount for KWD, which COFFER_WALLET_TIERS lists",
    ]);
  });

  it("defaults to the sandbox bank and identity checks in development only, and refuses them in production", () => {
    const inEnvironment = (env: Record<string, string>) => {
      const config = loadConfig(env);
      return loadWalletConfig(env, config, currencies);
    };
    const development = inEnvironment({});
    assert.equal(development.environment, "development", "the embedded database is development");
    assert.equal(development.bankConnector, "sandbox");
    assert.equal(development.kycProvider, "sandbox");

    const turnedOff = inEnvironment({ COFFER_BANK_CONNECTOR: "file", COFFER_KYC_PROVIDER: "review" });
    assert.equal(turnedOff.bankConnector, "file", "an operator turns them off in development too");
    assert.equal(turnedOff.kycProvider, "review");

    const production = inEnvironment({ DATABASE_URL: "postgres://db.example/coffer" });
    assert.equal(production.environment, "production", "DATABASE_URL is production unless told otherwise");
    assert.equal(production.bankConnector, "file");
    assert.equal(production.kycProvider, "review");
    const ownDatabase = inEnvironment({ DATABASE_URL: "postgres://127.0.0.1/dev", COFFER_ENV: "development" });
    assert.equal(ownDatabase.bankConnector, "sandbox", "COFFER_ENV=development on a developer's own PostgreSQL");

    assert.throws(
      () =>
        inEnvironment({ COFFER_ENV: "production", COFFER_BANK_CONNECTOR: "sandbox", COFFER_KYC_PROVIDER: "sandbox" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        /COFFER_BANK_CONNECTOR=sandbox is for development only/.test(error.problems[0] ?? "") &&
        /COFFER_KYC_PROVIDER=sandbox is for development only/.test(error.problems[1] ?? ""),
    );
    assert.throws(() => loadConfig({ COFFER_ENV: "staging" }), /COFFER_ENV must be one of development, production/);
  });
});
