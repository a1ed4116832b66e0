import { createHash } from "node:crypto";
import { unixSeconds, unixSecondsOrNull } from "../../wallets/time.js";
import { toChecksumAddress as getAddress } from "../chain/address.js";
import type { Address, Hex } from "../chain/connector.js";
import type { DepositRecord } from "../deps.js";

/** A deposit's state (docs/crypto.md, "Deposits"); payment and hot-wallet deposits use the same words. */
export type DepositStatus = "pending" | "available" | "orphaned" | "reversed" | "dust";

export interface CryptoDeposit extends DepositRecord {
  status: DepositStatus;
  /** False while the handler's `seen` plan has not run (no payments handler was registered when it was found). */
  seenApplied: boolean;
  confirmationsRequired: number;
  updatedAt: Date;
  availableAt: Date | null;
  orphanedAt: Date | null;
  reversedAt: Date | null;
}

export interface DepositRow {
  id: string;
  chain: string;
  livemode: boolean;
  tx_hash: string;
  log_index: number;
  block_number: string | bigint;
  block_hash: string;
  from_address: string;
  address: string;
  asset: string;
  amount: string | bigint;
  address_kind: "hot" | "wallet" | "payment";
  wallet_user_id: string | null;
  payment_id: string | null;
  status: DepositStatus;
  inclusion: number;
  seen_applied: boolean;
  confirmations_required: number;
  created_at: Date;
  updated_at: Date;
  available_at: Date | null;
  orphaned_at: Date | null;
  reversed_at: Date | null;
}

export function depositFromRow(row: DepositRow): CryptoDeposit {
  return {
    id: row.id,
    chain: row.chain,
    livemode: row.livemode,
    txHash: row.tx_hash as Hex,
    logIndex: row.log_index,
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as Hex,
    fromAddress: row.from_address as Address,
    address: row.address as Address,
    asset: row.asset,
    amount: BigInt(row.amount),
    addressKind: row.address_kind,
    walletUserId: row.wallet_user_id,
    paymentId: row.payment_id,
    status: row.status,
    inclusion: row.inclusion,
    seenApplied: row.seen_applied,
    confirmationsRequired: row.confirmations_required,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    availableAt: row.available_at,
    orphanedAt: row.orphaned_at,
    reversedAt: row.reversed_at,
  };
}

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const idRandomLength = 22;

/**
 * A deposit's id follows from what identifies it on chain, so two followers (or a retry after a crash) that find
 * the same transfer name it alike, and the ledger transfer ids derived from it collide instead of crediting twice.
 * The characters are drawn from a hash like newId's random ones (bytes ≥ 248 skipped so each is uniform).
 */
export function depositIdFor(livemode: boolean, chain: string, txHash: string, logIndex: number): string {
  let out = "";
  for (let round = 0; out.length < idRandomLength; round++) {
    const digest = createHash("sha256")
      .update(`crypto_deposit\u0000${livemode}\u0000${chain}\u0000${txHash}\u0000${logIndex}\u0000${round}`)
      .digest();
    for (const byte of digest) {
      if (byte < 248) out += alphabet[byte % 62];
      if (out.length === idRandomLength) break;
    }
  }
  return `cdep_${out}`;
}

/**
 * Confirmations of a deposit as the follower has verified them: its own block counts as 1, each block the follower
 * has taken in on top of it adds one. An orphaned or reversed deposit has none.
 */
export function confirmationsOf(deposit: Pick<CryptoDeposit, "status" | "blockNumber">, cursor: bigint | null): number {
  if (deposit.status === "orphaned" || deposit.status === "reversed" || cursor === null) return 0;
  const count = cursor - deposit.blockNumber + 1n;
  return count < 0n ? 0 : Number(count);
}

/** The deposit as the wallet API and the operator console show it. Addresses are EIP-55 checksummed. */
export function depositJson(deposit: CryptoDeposit, cursor: bigint | null) {
  return {
    id: deposit.id,
    object: "crypto_deposit" as const,
    livemode: deposit.livemode,
    status: deposit.status,
    chain: deposit.chain,
    asset: deposit.asset,
    amount: deposit.amount.toString(),
    address: getAddress(deposit.address),
    from_address: getAddress(deposit.fromAddress),
    tx_hash: deposit.txHash,
    log_index: deposit.logIndex,
    block_number: Number(deposit.blockNumber),
    confirmations: confirmationsOf(deposit, cursor),
    confirmations_required: deposit.confirmationsRequired,
    inclusion: deposit.inclusion,
    created: unixSeconds(deposit.createdAt),
    available_at: unixSecondsOrNull(deposit.availableAt),
  };
}

/** The operator's view adds whose deposit it is. */
export function depositOpsJson(deposit: CryptoDeposit, cursor: bigint | null) {
  return {
    ...depositJson(deposit, cursor),
    address_kind: deposit.addressKind,
    wallet_user: deposit.walletUserId,
    payment: deposit.paymentId,
  };
}
