import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { getAddress, isAddress } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { addressOfPrivateKey, isValidAddress, toChecksumAddress } from "./address.js";

/** coffer's own address code (no viem at start) answers exactly as viem does. */
describe("EVM addresses without viem", () => {
  it("checksums, validates and derives addresses as viem does", () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(32);
      const hex = `0x${key.toString("hex")}` as const;
      const address = addressOfPrivateKey(key);
      assert.equal(address, privateKeyToAddress(hex).toLowerCase());
      assert.equal(toChecksumAddress(address), getAddress(address));
      const checksummed = toChecksumAddress(address);
      assert.equal(isValidAddress(checksummed), true);
      assert.equal(isValidAddress(address), true);
      const flipped = checksummed.replace(/[a-f]/, (c) => c.toUpperCase());
      assert.equal(isValidAddress(flipped), isAddress(flipped, { strict: true }));
    }
    assert.equal(isValidAddress("0x123"), false);
    assert.equal(isValidAddress(`0x${"g".repeat(40)}`), false);
  });
});
