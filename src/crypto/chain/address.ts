import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

/**
 * EVM addresses without viem: every coffer process checks and prints addresses, while only the processes that talk
 * to a chain need viem's client (seconds of start-up, src/crypto/service.ts loads it on first use). The same
 * audited primitives viem uses (@noble's keccak-256 and secp256k1).
 */
const addressPattern = /^0x[0-9a-fA-F]{40}$/;

function keccakHex(text: string): string {
  return Buffer.from(keccak_256(new TextEncoder().encode(text))).toString("hex");
}

/** EIP-55: the mixed-case form of an address, whose letters' case is its checksum. */
export function toChecksumAddress(address: string): `0x${string}` {
  if (!addressPattern.test(address)) throw new Error(`not an EVM address: ${address.slice(0, 64)}`);
  const lower = address.slice(2).toLowerCase();
  const hash = keccakHex(lower);
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    out += Number.parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  }
  return out as `0x${string}`;
}

/** 0x and 40 hex digits, either all lowercase (no checksum) or mixed case with a correct EIP-55 checksum. */
export function isValidAddress(value: string): boolean {
  if (!addressPattern.test(value)) return false;
  if (value.slice(2) === value.slice(2).toLowerCase()) return true;
  return toChecksumAddress(value) === value;
}

/** The address of a private key: the last 20 bytes of keccak-256 of its uncompressed public key. Lowercase. */
export function addressOfPrivateKey(privateKey: Uint8Array): `0x${string}` {
  const publicKey = secp256k1.getPublicKey(privateKey, false).subarray(1);
  return `0x${Buffer.from(keccak_256(publicKey)).subarray(12).toString("hex")}`;
}
