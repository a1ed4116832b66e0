import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../config.js";
import { createCurrencyRegistry } from "../ledger/currencies.js";
import { loadCryptoConfig } from "./config.js";

const currencies = createCurrencyRegistry();
const problemsOf = (env: Record<string, string>, environment: "development" | "production" = "development") => {
  try {
    loadCryptoConfig(env, environment, currencies);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return [];
};

const usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";

describe("crypto configuration", () => {
  it("starts the sandbox chain in development, never in production, and knows no live chain by default", () => {
    assert.deepEqual(loadCryptoConfig({}, "development", currencies).sandboxChain, { kind: "auto" });
    assert.deepEqual(loadCryptoConfig({}, "production", currencies).sandboxChain, { kind: "off" });
    assert.deepEqual(loadCryptoConfig({}, "production", currencies).chains, []);
    assert.deepEqual(problemsOf({ COFFER_SANDBOX_CHAIN: "auto" }, "production"), [
      "COFFER_SANDBOX_CHAIN=auto starts a local test chain; production refuses it (use off or a URL)",
    ]);
    assert.deepEqual(
      loadCryptoConfig({ COFFER_SANDBOX_CHAIN: "http://127.0.0.1:8545" }, "production", currencies).sandboxChain,
      {
        kind: "url",
        rpcUrl: "http://127.0.0.1:8545/",
      },
    );
  });

  it("reads a live chain with its assets, contracts lowercased and amounts as minor units", () => {
    const config = loadCryptoConfig(
      {
        COFFER_CHAINS: JSON.stringify([
          {
            name: "ethereum",
            mode: "live",
            chainId: 1,
            rpcUrl: "https://rpc.example",
            confirmations: 12,
            assets: [
              { code: "ETH", decimals: 18, dust: "1000000000000", withdrawalFee: "500000000000000" },
              { code: "USDC", decimals: 6, contract: usdc, confirmations: 20, hotWalletLimit: "50000000000" },
            ],
          },
        ]),
      },
      "production",
      currencies,
    );
    const [chain] = config.chains;
    assert.equal(chain?.name, "ethereum");
    assert.equal(chain?.assets[0]?.contract, null);
    assert.equal(chain?.assets[0]?.confirmations, 12);
    assert.equal(chain?.assets[0]?.withdrawalFeeMinor, 500_000_000_000_000n);
    assert.equal(chain?.assets[1]?.contract, usdc.toLowerCase());
    assert.equal(chain?.assets[1]?.confirmations, 20);
    assert.equal(chain?.assets[1]?.hotWalletLimitMinor, 50_000_000_000n);
  });

  it("reports every mistake at once", () => {
    const problems = problemsOf({
      COFFER_CHAINS: JSON.stringify([
        {
          name: "Main Net",
          mode: "live",
          chainId: 1,
          rpcUrl: "https://x",
          assets: [{ code: "ETH", decimals: 18 }],
        },
        {
          name: "polygon",
          mode: "prod",
          chainId: -1,
          rpcUrl: "ws://x",
          assets: [
            { code: "USDC", decimals: 18, contract: usdc.replace("A0b", "a0B") },
            { code: "EUR", decimals: 2 },
            { code: "ETH", decimals: 18, confirmations: 0, dust: 5 },
          ],
        },
      ]),
      COFFER_CRYPTO_RATES: JSON.stringify({ USDC: { USD: "-1", ETH: "2" } }),
    });
    assert.deepEqual(problems, [
      'COFFER_CHAINS[0].name must be lowercase letters, digits, - or _ (and not "sandbox")',
      'COFFER_CHAINS[1].mode must be "test" or "live"',
      "COFFER_CHAINS[1].chainId must be a positive whole number",
      "COFFER_CHAINS[1].rpcUrl must be an http(s) URL",
      "COFFER_CHAINS[1].assets[0].decimals must equal USDC's exponent 6, got 18",
      "COFFER_CHAINS[1].assets[0].contract must be an EIP-55 address (or absent for the native coin)",
      'COFFER_CHAINS[1].assets[1].code must be a crypto asset of the currency registry (COFFER_CRYPTO_ASSETS), got "EUR"',
      "COFFER_CHAINS[1].assets[2].confirmations must be a whole number from 1 to 1000",
      "COFFER_CHAINS[1].assets[2].dust must be a string of digits (minor units of the asset)",
      "COFFER_CRYPTO_RATES.USDC.USD must be a positive decimal string",
      "COFFER_CRYPTO_RATES.USDC.ETH: ETH is not a fiat currency",
    ]);
  });
});
