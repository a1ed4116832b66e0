import type { SpendPeriods } from "../../wallets/limits/spend.js";
import { unixSeconds, unixSecondsOrNull } from "../../wallets/time.js";
import { toChecksumAddress as getAddress } from "../chain/address.js";
import type { Address, Hex } from "../chain/connector.js";

export type CryptoWithdrawalStatus = "pending" | "broadcast" | "confirmed" | "failed";

export interface CryptoWithdrawal {
  id: string;
  walletUserId: string;
  livemode: boolean;
  chain: string;
  asset: string;
  amount: bigint;
  /** The withdrawal fee charged on top of the amount (the asset's withdrawalFeeMinor). */
  fee: bigint;
  to: Address;
  status: CryptoWithdrawalStatus;
  outgoingId: string;
  holdTransferId: string;
  feeHoldTransferId: string | null;
  periods: SpendPeriods;
  failureCode: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** Of its signer transaction: the current (or mined) hash, the nonce, the block it is mined in. */
  txHash: Hex | null;
  nonce: number | null;
  blockNumber: bigint | null;
}

export interface CryptoWithdrawalRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  chain: string;
  asset: string;
  amount: bigint;
  fee: bigint;
  to_address: string;
  status: CryptoWithdrawalStatus;
  outgoing_id: string;
  hold_transfer_id: string;
  fee_hold_transfer_id: string | null;
  spend_day: string;
  spend_month: string;
  failure_code: string | null;
  created_at: Date;
  completed_at: Date | null;
  tx_hash: string | null;
  nonce: bigint | null;
  block_number: bigint | null;
}

/** A withdrawal with its transaction: select this from crypto_withdrawals w (filters on w.*). */
export const withdrawalSelect = `SELECT w.*, o.tx_hash, o.nonce, o.block_number
  FROM crypto_withdrawals w JOIN crypto_outgoing_transactions o ON o.id = w.outgoing_id`;

export function cryptoWithdrawalFromRow(row: CryptoWithdrawalRow): CryptoWithdrawal {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    chain: row.chain,
    asset: row.asset,
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    to: row.to_address as Address,
    status: row.status,
    outgoingId: row.outgoing_id,
    holdTransferId: row.hold_transfer_id,
    feeHoldTransferId: row.fee_hold_transfer_id,
    periods: { day: row.spend_day, month: row.spend_month },
    failureCode: row.failure_code,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    txHash: row.tx_hash as Hex | null,
    nonce: row.nonce === null ? null : Number(row.nonce),
    blockNumber: row.block_number === null ? null : BigInt(row.block_number),
  };
}

/** The API shape. head: the chain's current block, to count confirmations (unknown in events: null). */
export function cryptoWithdrawalJson(withdrawal: CryptoWithdrawal, head?: bigint | null) {
  let confirmations: number | null = null;
  if (withdrawal.blockNumber === null) confirmations = withdrawal.status === "confirmed" ? null : 0;
  else if (head !== undefined && head !== null && head >= withdrawal.blockNumber) {
    confirmations = Number(head - withdrawal.blockNumber + 1n);
  }
  return {
    id: withdrawal.id,
    object: "crypto_withdrawal" as const,
    livemode: withdrawal.livemode,
    status: withdrawal.status,
    chain: withdrawal.chain,
    asset: withdrawal.asset,
    amount: withdrawal.amount.toString(),
    fee: withdrawal.fee.toString(),
    to_address: getAddress(withdrawal.to),
    tx_hash: withdrawal.txHash,
    nonce: withdrawal.nonce,
    block_number: withdrawal.blockNumber === null ? null : Number(withdrawal.blockNumber),
    confirmations,
    failure_code: withdrawal.failureCode,
    created: unixSeconds(withdrawal.createdAt),
    completed: unixSecondsOrNull(withdrawal.completedAt),
  };
}

export interface AllowlistEntry {
  id: string;
  walletUserId: string;
  address: Address;
  label: string | null;
  createdAt: Date;
}

export interface AllowlistEntryRow {
  id: string;
  wallet_user_id: string;
  address: string;
  label: string | null;
  created_at: Date;
}

export function allowlistEntryFromRow(row: AllowlistEntryRow): AllowlistEntry {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    address: row.address as Address,
    label: row.label,
    createdAt: row.created_at,
  };
}

export function allowlistEntryJson(entry: AllowlistEntry) {
  return {
    id: entry.id,
    object: "crypto_allowlist_entry" as const,
    address: getAddress(entry.address),
    label: entry.label,
    created: unixSeconds(entry.createdAt),
  };
}
