import type { Address, Hex } from "../chain/connector.js";
import type { OutgoingPurpose, OutgoingRequest } from "../deps.js";

export type OutgoingStatus = "queued" | "signed" | "sent" | "confirmed" | "failed";
export type OutgoingFailureCode = "reverted" | "dropped" | "rejected";

/** A row of crypto_outgoing_transactions: one transaction of the signer queue, through all its versions. */
export interface OutgoingTransaction {
  id: string;
  chain: string;
  livemode: boolean;
  fromIndex: number;
  fromAddress: Address;
  to: Address;
  asset: string;
  amount: bigint;
  purpose: OutgoingPurpose;
  purposeId: string;
  nonce: number | null;
  status: OutgoingStatus;
  rawTx: Hex | null;
  txHash: Hex | null;
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
  gasLimit: bigint | null;
  attempts: number;
  /** Earlier versions of this nonce, oldest first: any of them may still be mined instead of the current one. */
  replacedHashes: Hex[];
  firstSentAt: Date | null;
  lastSentAt: Date | null;
  blockNumber: bigint | null;
  networkFee: bigint | null;
  failureCode: OutgoingFailureCode | null;
  createdAt: Date;
  updatedAt: Date;
  settledAt: Date | null;
}

export interface OutgoingRow {
  id: string;
  chain: string;
  livemode: boolean;
  from_index: number;
  from_address: string;
  to_address: string;
  asset: string;
  amount: string | bigint;
  purpose: OutgoingPurpose;
  purpose_id: string;
  nonce: string | number | null;
  status: OutgoingStatus;
  raw_tx: string | null;
  tx_hash: string | null;
  max_fee_per_gas: string | bigint | null;
  max_priority_fee_per_gas: string | bigint | null;
  gas_limit: string | bigint | null;
  attempts: number;
  replaced_hashes: string[];
  first_sent_at: Date | null;
  last_sent_at: Date | null;
  block_number: string | number | null;
  network_fee: string | bigint | null;
  failure_code: OutgoingFailureCode | null;
  created_at: Date;
  updated_at: Date;
  settled_at: Date | null;
}

const bigOrNull = (value: string | bigint | number | null): bigint | null => (value === null ? null : BigInt(value));

export function outgoingFromRow(row: OutgoingRow): OutgoingTransaction {
  return {
    id: row.id,
    chain: row.chain,
    livemode: row.livemode,
    fromIndex: row.from_index,
    fromAddress: row.from_address as Address,
    to: row.to_address as Address,
    asset: row.asset,
    amount: BigInt(row.amount),
    purpose: row.purpose,
    purposeId: row.purpose_id,
    nonce: row.nonce === null ? null : Number(row.nonce),
    status: row.status,
    rawTx: row.raw_tx as Hex | null,
    txHash: row.tx_hash as Hex | null,
    maxFeePerGas: bigOrNull(row.max_fee_per_gas),
    maxPriorityFeePerGas: bigOrNull(row.max_priority_fee_per_gas),
    gasLimit: bigOrNull(row.gas_limit),
    attempts: row.attempts,
    replacedHashes: row.replaced_hashes as Hex[],
    firstSentAt: row.first_sent_at,
    lastSentAt: row.last_sent_at,
    blockNumber: bigOrNull(row.block_number),
    networkFee: bigOrNull(row.network_fee),
    failureCode: row.failure_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settledAt: row.settled_at,
  };
}

/** The request a row was made from, as its purpose handler is given it back. */
export function requestOf(outgoing: OutgoingTransaction): OutgoingRequest {
  return {
    chain: outgoing.chain,
    livemode: outgoing.livemode,
    fromIndex: outgoing.fromIndex,
    to: outgoing.to,
    asset: outgoing.asset,
    amount: outgoing.amount,
    purpose: outgoing.purpose,
    purposeId: outgoing.purposeId,
  };
}
