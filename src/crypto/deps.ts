import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, PoolClient } from "../db/pool.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { TransferResult } from "../ledger/errors.js";
import type { TransferInput } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import type { PaymentServices } from "../payments/service.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletServices } from "../wallets/service.js";
import type { CryptoAccounts } from "./accounts.js";
import type { CryptoAlerts } from "./alerts.js";
import type { Address, Hex } from "./chain/connector.js";
import type { ChainRegistry, RunningChain } from "./chains.js";
import type { CryptoConfig } from "./config.js";
import type { CustodyAddresses } from "./custody/addresses.js";
import type { CustodyKeys } from "./custody/keys.js";

/** What every part of src/crypto is built from (src/crypto/service.ts passes its own). */
export interface CryptoDeps {
  pool: Pool;
  clock: Clock;
  log: Logger;
  ledger: LedgerService;
  currencies: CurrencyRegistry;
  secrets: SecretBox;
  config: CryptoConfig;
  chains: ChainRegistry;
  keys: CustodyKeys;
  addresses: CustodyAddresses;
  accounts: CryptoAccounts;
  alerts: CryptoAlerts;
  /** Wallet users, their ledger accounts, limits and step-up (src/wallets). */
  wallets: WalletServices;
  /** Payments, for crypto payments and the merchant balance accounts (src/payments). */
  payments: PaymentServices;
}

/**
 * One change of money and records, as a plan for the ledger's batch writer: the transfers, and what to write in
 * the same transaction once their results are known. Plans of several deposits of one block are merged into one
 * ledger submission, so a block is taken in (with the follower's cursor) all at once or not at all.
 */
export interface LedgerPlan {
  transfers: TransferInput[];
  write(tx: PoolClient, results: TransferResult[]): Promise<void>;
}

/** A transfer to a custody address, as the block follower has recorded it (src/crypto/deposits). */
export interface DepositRecord {
  id: string;
  chain: string;
  livemode: boolean;
  txHash: Hex;
  logIndex: number;
  blockNumber: bigint;
  blockHash: Hex;
  fromAddress: Address;
  address: Address;
  asset: string;
  amount: bigint;
  addressKind: "hot" | "wallet" | "payment";
  walletUserId: string | null;
  paymentId: string | null;
  /** How many times this deposit was seen in a block (a reorg may orphan it and a new block include it again). */
  inclusion: number;
  createdAt: Date;
}

/**
 * What happens to money that arrives at an address of one kind. The follower calls these in order for each
 * deposit: seen (first inclusion in a followed block), then confirmed (it has the asset's confirmations), or
 * orphaned (its block left the chain before that), or reversed (its block left the chain after that).
 * A plan's transfer ids must derive from (deposit id, step, inclusion) so a retried block moves money once.
 */
export interface DepositHandler {
  seen(deposit: DepositRecord, chain: RunningChain): Promise<LedgerPlan>;
  confirmed(deposit: DepositRecord, chain: RunningChain): Promise<LedgerPlan>;
  orphaned(deposit: DepositRecord, chain: RunningChain): Promise<LedgerPlan>;
  reversed(deposit: DepositRecord, chain: RunningChain): Promise<LedgerPlan>;
}

/**
 * An outgoing transaction asked of the signer queue (src/crypto/signer): a withdrawal, a gas top-up before a sweep,
 * a sweep, or a refund of a crypto payment's held money. The queue owns nonces per sending address: it assigns them
 * in order, signs, sends, replaces a stuck transaction with a higher fee, and reports the outcome to the purpose's
 * handler, in the transaction that records it.
 */
export type OutgoingPurpose = "withdrawal" | "gas_topup" | "sweep" | "payment_refund";

export interface OutgoingRequest {
  chain: string;
  livemode: boolean;
  /** The derivation index of the sending address: 0 is the hot wallet. */
  fromIndex: number;
  to: Address;
  asset: string;
  amount: bigint;
  purpose: OutgoingPurpose;
  /** The business object it serves (cwd_…, csw_…, pay_…): at most one open outgoing transaction per purpose id. */
  purposeId: string;
}

export interface OutgoingOutcome {
  outgoingId: string;
  status: "confirmed" | "failed";
  txHash: Hex | null;
  /** Gas paid in the chain's native coin (minor units), 0 when nothing was mined. */
  networkFee: bigint;
  failureCode: "reverted" | "dropped" | "rejected" | null;
}

export interface OutgoingHandler {
  /** Money and records of the outcome, as one ledger plan (the queue books the gas itself). */
  settled(outcome: OutgoingOutcome, request: OutgoingRequest): Promise<LedgerPlan>;
}
