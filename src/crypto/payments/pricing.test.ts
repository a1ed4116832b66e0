import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eip681Uri } from "./model.js";
import { cryptoAmountFor, parseRate } from "./pricing.js";

describe("crypto payments: pricing and payment requests", () => {
  it("converts a fiat price with integers, rounding up to the asset's minor unit", () => {
    // 30.00 USD at 3000 USD/ETH is 0.01 ETH exactly.
    assert.equal(cryptoAmountFor(3000n, 2, 18, "3000"), 10n ** 16n);
    // 10.00 CNY at 7.2 CNY/USDC is 1.3888… USDC: the payer sends 1.388889.
    assert.equal(cryptoAmountFor(1000n, 2, 6, "7.2"), 1_388_889n);
    // 1 JPY (exponent 0) at 150 JPY/USDC: 0.006666… → 0.006667 USDC.
    assert.equal(cryptoAmountFor(1n, 0, 6, "150"), 6_667n);
    // A price that converts exactly is not rounded.
    assert.equal(cryptoAmountFor(92n, 2, 6, "0.92"), 1_000_000n);
    // What is asked is never worth less than the price: amount × rate ≥ price.
    for (const [fiat, exponent, decimals, rate] of [
      [1n, 2, 6, "7.2"],
      [99_999n, 2, 18, "2760"],
      [12_345n, 0, 6, "150"],
    ] as const) {
      const amount = cryptoAmountFor(fiat, exponent, decimals, rate);
      const { units, scale } = parseRate(rate);
      const worth = amount * units * 10n ** BigInt(exponent);
      assert.ok(worth >= fiat * 10n ** BigInt(decimals) * scale);
      assert.ok((amount - 1n) * units * 10n ** BigInt(exponent) < fiat * 10n ** BigInt(decimals) * scale);
    }
  });

  it("refuses rates that are not positive decimals", () => {
    for (const bad of ["0", "0.00", "-1", "1e3", "", "1.", ".5", "1,5"]) {
      assert.throws(() => parseRate(bad), RangeError, bad);
    }
    assert.throws(() => cryptoAmountFor(0n, 2, 6, "1"), RangeError);
  });

  it("writes EIP-681 requests for the native coin and for a token", () => {
    const address = "0x52908400098527886e0f7030069857d2e4169ee7";
    assert.equal(
      eip681Uri({ address, chainId: 31_337, contract: null, amount: 10n ** 16n }),
      "ethereum:0x52908400098527886E0F7030069857D2E4169EE7@31337?value=10000000000000000",
    );
    assert.equal(
      eip681Uri({ address, chainId: 1, contract: "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae", amount: 2_500_000n }),
      "ethereum:0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe@1/transfer?address=0x52908400098527886E0F7030069857D2E4169EE7&uint256=2500000",
    );
  });
});
