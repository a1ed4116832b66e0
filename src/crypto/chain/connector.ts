import { isValidAddress } from "./address.js";

/**
 * A blockchain as coffer's custodial wallets see it, kept small so another chain family can implement it later.
 * coffer ships one implementation, EVM chains over JSON-RPC (evm.ts); sandbox-node.ts runs a local one for
 * development and tests.
 *
 * Reads are by block number and hash so the chain watcher can follow the canonical chain and notice reorgs itself:
 * it compares each block's parentHash with the hash it stored for the height below. Addresses coming out of a
 * connector are lowercase (normalizeAddress), so they compare with `===` and match what coffer stores.
 *
 * Every call that fails because the node did not answer throws ChainError("rpc_unavailable"): nothing is known,
 * try again later. broadcast() classifies the node's refusals into the other codes.
 */
export type Address = `0x${string}`;
export type Hex = `0x${string}`;

export interface ChainAsset {
  /** The ledger's currency code, e.g. ETH, USDC. */
  code: string;
  decimals: number;
  /** The ERC-20 contract; null for the chain's native coin. */
  contract: Address | null;
}

export interface ChainBlock {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  /** Unix seconds. */
  timestamp: bigint;
}

/**
 * One incoming movement found in a block: a native transfer (logIndex -1) or an ERC-20 Transfer log of a
 * configured asset, of a successful transaction. (txHash, logIndex) identifies it within its block.
 */
export interface ObservedTransfer {
  txHash: Hex;
  logIndex: number;
  blockNumber: bigint;
  blockHash: Hex;
  from: Address;
  to: Address;
  /** The ChainAsset's code. */
  asset: string;
  /** In the asset's smallest unit (wei for ETH). */
  amount: bigint;
}

export interface TransactionReceiptSummary {
  status: "success" | "reverted";
  blockNumber: bigint;
  blockHash: Hex;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
}

/** EIP-1559 fees in wei per gas. */
export interface FeeQuote {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface SignedTransaction {
  raw: Hex;
  hash: Hex;
  nonce: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gasLimit: bigint;
}

export interface ChainConnector {
  readonly name: string;
  readonly chainId: number;
  readonly assets: readonly ChainAsset[];
  headNumber(): Promise<bigint>;
  /** null when the chain has no such block yet. */
  block(number: bigint): Promise<ChainBlock | null>;
  /**
   * Transfers in this block (read by its hash, so a reorg between calls cannot mix two blocks) to addresses `isOurs`
   * accepts (it is given lowercase addresses). Native: top-level transactions with value > 0 whose receipt succeeded
   * (value moved by contracts internally is not seen). ERC-20: Transfer logs of the configured contracts. Throws
   * ChainError("block_orphaned") when the node no longer has the block or its transactions moved to another block.
   */
  transfersIn(block: ChainBlock, isOurs: (address: Address) => boolean): Promise<ObservedTransfer[]>;
  /** At the latest block, in the asset's smallest unit. */
  balanceOf(address: Address, asset: string): Promise<bigint>;
  /** "latest": transactions mined; "pending": also those waiting in the node's pool. */
  nonceAt(address: Address, blockTag: "latest" | "pending"): Promise<number>;
  feeQuote(): Promise<FeeQuote>;
  /** Gas limit for sending this asset (21000 for native; a constant with headroom for ERC-20). */
  gasLimitFor(asset: string): Promise<bigint>;
  /** Signs (does not send) an EIP-1559 transfer of `amount` of `asset` from the key's address to `to`. */
  signTransfer(input: {
    privateKey: Hex;
    to: Address;
    asset: string;
    amount: bigint;
    nonce: number;
    fees: FeeQuote;
    gasLimit: bigint;
  }): Promise<SignedTransaction>;
  /**
   * Sends a signed transaction. Sending one the node already has (pending or mined) answers "known", so a retry
   * after a lost answer is safe. Otherwise throws ChainError: nonce_too_low, replacement_underpriced,
   * insufficient_funds, rpc_unavailable or rejected.
   */
  broadcast(raw: Hex): Promise<"sent" | "known">;
  /** null while the transaction is not mined (or unknown). */
  receipt(hash: Hex): Promise<TransactionReceiptSummary | null>;
  /** Whether the node knows the transaction at all (pending in its pool or mined). */
  transactionKnown(hash: Hex): Promise<boolean>;
}

export type ChainErrorCode =
  /** The nonce is already used by a mined transaction of the sender. */
  | "nonce_too_low"
  /** A pending transaction of the sender has this nonce and the new fees are not high enough to replace it. */
  | "replacement_underpriced"
  /** The sender cannot pay value + gas limit × max fee. */
  | "insufficient_funds"
  /** The node did not answer (timeout, connection refused, 5xx): nothing is known, try again later. */
  | "rpc_unavailable"
  /** The node refused the transaction for another reason; its message says which. */
  | "rejected"
  /** The node serves another chain than configured: a configuration error, retrying cannot help. */
  | "chain_mismatch"
  /** The block asked about is no longer on the node's chain (reorged away): re-read the chain. */
  | "block_orphaned";

export class ChainError extends Error {
  constructor(
    readonly code: ChainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ChainError";
  }
}

/** EIP-55: 0x and 40 hex digits, either all lowercase (no checksum) or mixed case with a correct checksum. */
export function isChecksumAddress(value: string): boolean {
  return isValidAddress(value);
}

/**
 * The lowercase form coffer stores and compares. Refuses a mixed-case address with a wrong checksum: that is a typo
 * the checksum exists to catch, and money sent to it would be lost.
 */
export function normalizeAddress(value: string): Address {
  if (!isChecksumAddress(value)) throw new Error(`not an EVM address (or a wrong EIP-55 checksum): ${value}`);
  return value.toLowerCase() as Address;
}
