import { createHash } from "node:crypto";

/** A ledger per mode: test-mode money and live money never meet in one transfer. */
export type LedgerName = "test" | "live";
export const ledgerNames: readonly LedgerName[] = ["test", "live"];

/** Account flags, a bitmask stored as integer (TigerBeetle's model). */
export const AccountFlags = {
  /** Credit-normal accounts (what we owe: wallets, merchant balances): may never be overdrawn. */
  debitsMustNotExceedCredits: 1,
  /** Debit-normal accounts (what we hold: settlement, suspense): may never go above what came in. */
  creditsMustNotExceedDebits: 2,
  /** Keep a balance snapshot after every transfer, for cheap as-of queries and statements. */
  history: 4,
} as const;
export const accountFlagsAll = 7;

/** Transfer flags, a bitmask stored as integer. At most one of pending, postPending, voidPending. */
export const TransferFlags = {
  linked: 1,
  pending: 2,
  postPending: 4,
  voidPending: 8,
  /** Set on the void that the expiry worker writes when a hold timed out. */
  expired: 16,
} as const;

export interface Balances {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

export interface Account extends Balances {
  id: bigint;
  ledger: LedgerName;
  currency: string;
  /** What kind of account: wallet, merchant, fee, settlement, suspense … */
  code: string;
  flags: number;
  reference: string | null;
  createdAt: Date;
}

export interface AccountInput {
  ledger: LedgerName;
  currency: string;
  code: string;
  flags?: number;
  /** The business object this account belongs to (wal_…, mer_…), for people reading the books. */
  reference?: string;
}

/**
 * One transfer as a caller submits it. Exactly one shape applies:
 * - posted at once: debitAccountId, creditAccountId, amount;
 * - a hold: the same with pending: true and optionally timeoutMs;
 * - posting a hold: postPendingId, optional amount (≤ the hold; default the whole hold);
 * - voiding a hold: voidPendingId.
 */
export interface TransferInput {
  /** Client-supplied UUID; the same id submitted twice moves money once. See transferIdFor(). */
  id: string;
  debitAccountId?: bigint;
  creditAccountId?: bigint;
  amount?: bigint;
  /** What kind of movement: payment, refund, top_up, fee … Post/void default to the hold's code. */
  code?: string;
  /** The business object that caused it (pay_…, re_…). */
  reference?: string;
  /** Succeed or fail together with the next transfer of the submission. */
  linked?: boolean;
  pending?: boolean;
  /** For holds: void automatically after this long. 0 or absent: no timeout. */
  timeoutMs?: number;
  postPendingId?: string;
  voidPendingId?: string;
}

export interface Transfer {
  id: string;
  debitAccountId: bigint;
  creditAccountId: bigint;
  amount: bigint;
  ledger: LedgerName;
  currency: string;
  code: string;
  flags: number;
  pendingId: string | null;
  timeoutMs: number;
  timeoutAt: Date | null;
  reference: string | null;
  createdAt: Date;
}

export interface AccountBalance extends Balances {
  accountId: bigint;
  currency: string;
  /** Net posted balance in the account's normal direction (credits − debits for credit-normal accounts). */
  posted: bigint;
  /** Net pending movement in the account's normal direction (incoming holds − outgoing holds). */
  pending: bigint;
  /** What can be spent now: posted minus outgoing holds. */
  available: bigint;
}

/** Credit-normal unless the account is flagged debit-normal. */
export function balanceOf(account: Pick<Account, "id" | "currency" | "flags"> & Balances): AccountBalance {
  const debitNormal = (account.flags & AccountFlags.creditsMustNotExceedDebits) !== 0;
  const posted = debitNormal
    ? account.debitsPosted - account.creditsPosted
    : account.creditsPosted - account.debitsPosted;
  const pending = debitNormal
    ? account.debitsPending - account.creditsPending
    : account.creditsPending - account.debitsPending;
  const available = debitNormal ? posted - account.creditsPending : posted - account.debitsPending;
  return {
    accountId: account.id,
    currency: account.currency,
    debitsPosted: account.debitsPosted,
    creditsPosted: account.creditsPosted,
    debitsPending: account.debitsPending,
    creditsPending: account.creditsPending,
    posted,
    pending,
    available,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isTransferId(value: string): boolean {
  return uuidPattern.test(value) && value !== "00000000-0000-0000-0000-000000000000";
}

/**
 * A deterministic transfer id from a business key, e.g. transferIdFor("pay_123", "capture"): retrying the
 * business operation resubmits the same id, so the ledger moves the money once. (UUID version 8 layout.)
 */
export function transferIdFor(...parts: string[]): string {
  const hash = createHash("sha256").update(parts.join("\u0000")).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
