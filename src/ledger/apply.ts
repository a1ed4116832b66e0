import { amountMax, ledgerCodeLengthMax, ledgerHoldTimeoutMsMax, ledgerReferenceLengthMax } from "../limits.js";
import type { TransferResult, TransferResultCode } from "./errors.js";
import {
  AccountFlags,
  type Balances,
  isTransferId,
  type LedgerName,
  type Transfer,
  TransferFlags,
  type TransferInput,
} from "./model.js";

/**
 * Applies a batch of submissions to account balances in memory, with every rule of the ledger, and says what to
 * write. Pure: no I/O, no clock. The batch writer feeds it locked accounts and known transfers and writes its plan.
 */

export interface AccountState extends Balances {
  id: bigint;
  ledger: LedgerName;
  currency: string;
  flags: number;
}

export type Resolution = "posted" | "voided" | "expired";

/** A transfer already in the database, with how its hold was resolved if it is one. */
export interface KnownTransfer extends Transfer {
  resolution: Resolution | null;
}

export interface HistoryEntry extends Balances {
  accountId: bigint;
  transferId: string;
}

export interface BatchPlan {
  /** One array per submission, one result per transfer, in submission order. */
  results: TransferResult[][];
  inserts: Transfer[];
  /** Accounts whose balances changed, with their final balances. */
  changedAccounts: AccountState[];
  holdsOpened: { transferId: string; timeoutAt: Date }[];
  holdsClosed: string[];
  history: HistoryEntry[];
}

const codePattern = /^[a-z0-9_]+$/;
const exclusiveKindFlags = TransferFlags.pending | TransferFlags.postPending | TransferFlags.voidPending;

/** The account ids a submission may touch before we know its holds: the ones it names directly. */
export function namedAccountIds(input: TransferInput): bigint[] {
  const ids: bigint[] = [];
  if (typeof input.debitAccountId === "bigint") ids.push(input.debitAccountId);
  if (typeof input.creditAccountId === "bigint") ids.push(input.creditAccountId);
  return ids;
}

export function referencedPendingId(input: TransferInput): string | undefined {
  return input.postPendingId ?? input.voidPendingId;
}

function inputFlags(input: TransferInput): number {
  let flags = 0;
  if (input.linked) flags |= TransferFlags.linked;
  if (input.pending) flags |= TransferFlags.pending;
  if (input.postPendingId !== undefined) flags |= TransferFlags.postPending;
  if (input.voidPendingId !== undefined) flags |= TransferFlags.voidPending;
  return flags;
}

/** Checks that need nothing but the transfer itself. */
export function validateShape(input: TransferInput): TransferResultCode | null {
  if (typeof input.id !== "string" || !isTransferId(input.id)) return "id_invalid";
  const flags = inputFlags(input);
  const kinds = flags & exclusiveKindFlags;
  if (kinds !== 0 && (kinds & (kinds - 1)) !== 0) return "flags_are_mutually_exclusive";
  if (input.timeoutMs !== undefined) {
    if (!Number.isSafeInteger(input.timeoutMs) || input.timeoutMs < 0 || input.timeoutMs > ledgerHoldTimeoutMsMax) {
      return "timeout_invalid";
    }
    if (input.timeoutMs > 0 && !input.pending) return "timeout_reserved_for_pending_transfer";
  }
  if (input.debitAccountId !== undefined && typeof input.debitAccountId !== "bigint") return "debit_account_not_found";
  if (input.creditAccountId !== undefined && typeof input.creditAccountId !== "bigint")
    return "credit_account_not_found";
  if (input.code !== undefined && !isValidCode(input.code)) return "code_invalid";
  if (
    input.reference !== undefined &&
    (typeof input.reference !== "string" || input.reference.length > ledgerReferenceLengthMax)
  ) {
    return "reference_invalid";
  }
  if (input.amount !== undefined) {
    if (typeof input.amount !== "bigint" || input.amount < 0n || input.amount > amountMax) return "amount_invalid";
    if (input.amount === 0n) return "amount_must_not_be_zero";
  }
  const pendingId = referencedPendingId(input);
  if (pendingId !== undefined) {
    if (!isTransferId(pendingId)) return "pending_transfer_not_found";
    if (pendingId === input.id) return "pending_id_must_be_different";
    return null;
  }
  if (input.code === undefined) return "code_invalid";
  if (input.amount === undefined) return "amount_must_not_be_zero";
  if (input.debitAccountId === undefined) return "debit_account_id_required";
  if (input.creditAccountId === undefined) return "credit_account_id_required";
  if (input.debitAccountId === input.creditAccountId) return "accounts_must_be_different";
  return null;
}

export function isValidCode(code: unknown): code is string {
  return typeof code === "string" && code.length >= 1 && code.length <= ledgerCodeLengthMax && codePattern.test(code);
}

/** An undo log for one linked chain: a failed chain leaves no trace in the batch. */
interface Journal {
  balances: Map<bigint, Balances>;
  createdIds: string[];
  resolvedIds: string[];
  inserts: number;
  holdsOpened: number;
  holdsClosed: number;
  history: number;
}

export function planBatch(
  submissions: readonly (readonly TransferInput[])[],
  accounts: ReadonlyMap<bigint, AccountState>,
  known: ReadonlyMap<string, KnownTransfer>,
  now: Date,
): BatchPlan {
  // Work on copies: the caller's maps stay as they were read.
  const state = new Map<bigint, AccountState>();
  for (const [id, account] of accounts) state.set(id, { ...account });
  const changed = new Set<bigint>();
  const created = new Map<string, Transfer>();
  const resolvedInBatch = new Map<string, Resolution>();
  const plan: BatchPlan = {
    results: [],
    inserts: [],
    changedAccounts: [],
    holdsOpened: [],
    holdsClosed: [],
    history: [],
  };

  const lookup = (id: string): KnownTransfer | undefined => {
    const fresh = created.get(id);
    if (fresh) return { ...fresh, resolution: resolvedInBatch.get(id) ?? null };
    const stored = known.get(id);
    if (!stored) return undefined;
    return { ...stored, resolution: resolvedInBatch.get(id) ?? stored.resolution };
  };

  const touch = (journal: Journal, account: AccountState) => {
    if (!journal.balances.has(account.id)) {
      journal.balances.set(account.id, {
        debitsPosted: account.debitsPosted,
        creditsPosted: account.creditsPosted,
        debitsPending: account.debitsPending,
        creditsPending: account.creditsPending,
      });
    }
    changed.add(account.id);
  };

  const rollback = (journal: Journal) => {
    for (const [id, balances] of journal.balances) Object.assign(state.get(id)!, balances);
    for (const id of journal.createdIds) created.delete(id);
    for (const id of journal.resolvedIds) resolvedInBatch.delete(id);
    plan.inserts.length = journal.inserts;
    plan.holdsOpened.length = journal.holdsOpened;
    plan.holdsClosed.length = journal.holdsClosed;
    plan.history.length = journal.history;
  };

  const newJournal = (): Journal => ({
    balances: new Map(),
    createdIds: [],
    resolvedIds: [],
    inserts: plan.inserts.length,
    holdsOpened: plan.holdsOpened.length,
    holdsClosed: plan.holdsClosed.length,
    history: plan.history.length,
  });

  const recordHistory = (transferId: string, ...touched: AccountState[]) => {
    for (const account of touched) {
      if ((account.flags & AccountFlags.history) === 0) continue;
      plan.history.push({
        accountId: account.id,
        transferId,
        debitsPosted: account.debitsPosted,
        creditsPosted: account.creditsPosted,
        debitsPending: account.debitsPending,
        creditsPending: account.creditsPending,
      });
    }
  };

  /** Evaluates and, when it passes, applies one transfer. Returns its result code. */
  const applyOne = (input: TransferInput, journal: Journal, expiryVoid: boolean): TransferResultCode => {
    const shape = validateShape(input);
    if (shape) return shape;
    const flags = inputFlags(input) | (expiryVoid ? TransferFlags.expired : 0);
    const pendingId = referencedPendingId(input);
    const pending = pendingId === undefined ? undefined : lookup(pendingId);

    const existing = lookup(input.id);
    if (existing) return compareExisting(input, flags, existing, pending);

    if (pendingId !== undefined) {
      if (!pending) return "pending_transfer_not_found";
      return resolvePending(input, flags, pending, journal, expiryVoid);
    }

    const debit = state.get(input.debitAccountId!);
    const credit = state.get(input.creditAccountId!);
    if (!debit) return "debit_account_not_found";
    if (!credit) return "credit_account_not_found";
    if (debit.ledger !== credit.ledger) return "accounts_must_have_same_ledger";
    if (debit.currency !== credit.currency) return "accounts_must_have_same_currency";
    const amount = input.amount!;
    if (debit.debitsPosted + debit.debitsPending + amount > amountMax) return "overflows_debits";
    if (credit.creditsPosted + credit.creditsPending + amount > amountMax) return "overflows_credits";
    if (
      (debit.flags & AccountFlags.debitsMustNotExceedCredits) !== 0 &&
      debit.debitsPosted + debit.debitsPending + amount > debit.creditsPosted
    ) {
      return "exceeds_credits";
    }
    if (
      (credit.flags & AccountFlags.creditsMustNotExceedDebits) !== 0 &&
      credit.creditsPosted + credit.creditsPending + amount > credit.debitsPosted
    ) {
      return "exceeds_debits";
    }

    touch(journal, debit);
    touch(journal, credit);
    const timeoutMs = input.pending ? (input.timeoutMs ?? 0) : 0;
    if (input.pending) {
      debit.debitsPending += amount;
      credit.creditsPending += amount;
    } else {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    }
    const transfer: Transfer = {
      id: input.id,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount,
      ledger: debit.ledger,
      currency: debit.currency,
      code: input.code!,
      flags,
      pendingId: null,
      timeoutMs,
      timeoutAt: timeoutMs > 0 ? new Date(now.getTime() + timeoutMs) : null,
      reference: input.reference ?? null,
      createdAt: now,
    };
    insert(transfer, journal);
    if (transfer.timeoutAt) plan.holdsOpened.push({ transferId: transfer.id, timeoutAt: transfer.timeoutAt });
    recordHistory(transfer.id, debit, credit);
    return "ok";
  };

  const insert = (transfer: Transfer, journal: Journal) => {
    created.set(transfer.id, transfer);
    journal.createdIds.push(transfer.id);
    plan.inserts.push(transfer);
  };

  const resolvePending = (
    input: TransferInput,
    flags: number,
    pending: KnownTransfer,
    journal: Journal,
    expiryVoid: boolean,
  ): TransferResultCode => {
    if ((pending.flags & TransferFlags.pending) === 0) return "pending_transfer_not_pending";
    if (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) {
      return "pending_transfer_has_different_debit_account_id";
    }
    if (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId) {
      return "pending_transfer_has_different_credit_account_id";
    }
    if (input.code !== undefined && input.code !== pending.code) return "pending_transfer_has_different_code";
    const posting = (flags & TransferFlags.postPending) !== 0;
    const amount = input.amount ?? pending.amount;
    if (posting && amount > pending.amount) return "exceeds_pending_transfer_amount";
    if (!posting && amount !== pending.amount) return "pending_transfer_has_different_amount";
    if (pending.resolution === "posted") return "pending_transfer_already_posted";
    if (pending.resolution === "voided") return "pending_transfer_already_voided";
    if (pending.resolution === "expired") return "pending_transfer_expired";
    if (!expiryVoid && pending.timeoutAt && now.getTime() >= pending.timeoutAt.getTime()) {
      return "pending_transfer_expired";
    }

    const debit = state.get(pending.debitAccountId);
    const credit = state.get(pending.creditAccountId);
    // The writer locks the hold's accounts before planning; missing ones would be a writer bug.
    if (!debit || !credit) throw new Error(`accounts of pending transfer ${pending.id} were not loaded`);
    touch(journal, debit);
    touch(journal, credit);
    debit.debitsPending -= pending.amount;
    credit.creditsPending -= pending.amount;
    if (posting) {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    }
    insert(
      {
        id: input.id,
        debitAccountId: debit.id,
        creditAccountId: credit.id,
        amount,
        ledger: pending.ledger,
        currency: pending.currency,
        code: pending.code,
        flags,
        pendingId: pending.id,
        timeoutMs: 0,
        timeoutAt: null,
        reference: input.reference ?? null,
        createdAt: now,
      },
      journal,
    );
    resolvedInBatch.set(pending.id, posting ? "posted" : expiryVoid ? "expired" : "voided");
    journal.resolvedIds.push(pending.id);
    if (pending.timeoutAt) plan.holdsClosed.push(pending.id);
    recordHistory(input.id, debit, credit);
    return "ok";
  };

  for (const submission of submissions) {
    const results: TransferResult[] = submission.map((t) => ({ id: t.id, code: "ok" }));
    let chainStart = 0;
    let journal = newJournal();
    let chainFailed: number | null = null;
    for (let i = 0; i < submission.length; i++) {
      const input = submission[i]!;
      const expiryVoid = (input as ExpiryVoidInput)[expiryVoidMarker] === true;
      if (chainFailed === null) {
        const code = applyOne(input, journal, expiryVoid);
        results[i]!.code = code;
        if (code !== "ok" && code !== "exists") chainFailed = i;
      }
      const chainEnds = !input.linked || i === submission.length - 1;
      if (!chainEnds) continue;
      const chainOpen = input.linked === true; // the submission ended inside a chain
      if (chainOpen && chainFailed === null) chainFailed = -1;
      if (chainFailed !== null) {
        rollback(journal);
        for (let j = chainStart; j <= i; j++) {
          if (j === chainFailed) continue;
          results[j]!.code = chainFailed === -1 ? "linked_event_chain_open" : "linked_event_failed";
        }
      }
      chainStart = i + 1;
      chainFailed = null;
      journal = newJournal();
    }
    plan.results.push(results);
  }

  for (const id of changed) plan.changedAccounts.push(state.get(id)!);
  return plan;
}

function compareExisting(
  input: TransferInput,
  flags: number,
  existing: KnownTransfer,
  pending: KnownTransfer | undefined,
): TransferResultCode {
  if ((existing.flags & ~TransferFlags.expired) !== (flags & ~TransferFlags.expired))
    return "exists_with_different_flags";
  const pendingId = referencedPendingId(input) ?? null;
  if (existing.pendingId !== pendingId) return "exists_with_different_pending_id";
  if ((input.timeoutMs ?? 0) !== existing.timeoutMs) return "exists_with_different_timeout";
  if (input.debitAccountId !== undefined && input.debitAccountId !== existing.debitAccountId) {
    return "exists_with_different_debit_account_id";
  }
  if (input.creditAccountId !== undefined && input.creditAccountId !== existing.creditAccountId) {
    return "exists_with_different_credit_account_id";
  }
  // A post without an amount means "the whole hold"; compare with what that was.
  const amount = input.amount ?? (pendingId !== null ? pending?.amount : undefined);
  if (amount !== undefined && amount !== existing.amount) return "exists_with_different_amount";
  if (input.code !== undefined && input.code !== existing.code) return "exists_with_different_code";
  if ((input.reference ?? null) !== existing.reference) return "exists_with_different_reference";
  return "exists";
}

/**
 * Voids written by the expiry worker carry a marker that clients cannot set over any API: it lets a void through
 * after the hold's timeout and flags the row as an expiry.
 */
export const expiryVoidMarker: unique symbol = Symbol("coffer.ledger.expiryVoid");
export type ExpiryVoidInput = TransferInput & { [expiryVoidMarker]?: true };
