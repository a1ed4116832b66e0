/**
 * Every transfer gets exactly one result code. `ok` and `exists` mean the money moved (now or before);
 * every other code means nothing moved for that transfer.
 */
export const transferResultCodes = {
  ok: "the transfer was applied",
  exists: "a transfer with this id and the same fields was applied before; nothing moved again",
  linked_event_failed: "another transfer of the linked chain failed, so this one was not applied",
  linked_event_chain_open: "the submission ended with an open linked chain (the last transfer has linked set)",
  id_invalid: "the id must be a non-nil lowercase UUID",
  flags_are_mutually_exclusive: "at most one of pending, postPendingId and voidPendingId may be set",
  timeout_reserved_for_pending_transfer: "timeoutMs may only be set on a pending transfer",
  timeout_invalid: "timeoutMs must be a whole number of milliseconds from 0 to timeoutMsMax",
  code_invalid: "code must be 1 to 64 characters of a-z, 0-9 and _",
  reference_invalid: "reference must be at most 255 characters",
  amount_must_not_be_zero: "amount must be greater than zero",
  amount_invalid: "amount must be a positive integer of minor units no larger than 2^128 - 1",
  debit_account_id_required: "debitAccountId is required",
  credit_account_id_required: "creditAccountId is required",
  accounts_must_be_different: "the debit and credit account must differ",
  debit_account_not_found: "the debit account does not exist",
  credit_account_not_found: "the credit account does not exist",
  accounts_must_have_same_ledger: "both accounts must be in the same ledger (test or live)",
  accounts_must_have_same_currency: "both accounts must hold the same currency",
  pending_id_must_be_different: "a transfer cannot post or void itself",
  pending_transfer_not_found: "the pending transfer to post or void does not exist",
  pending_transfer_not_pending: "the referenced transfer is not a pending transfer",
  pending_transfer_has_different_debit_account_id: "debitAccountId differs from the pending transfer's",
  pending_transfer_has_different_credit_account_id: "creditAccountId differs from the pending transfer's",
  pending_transfer_has_different_code: "code differs from the pending transfer's",
  pending_transfer_has_different_amount: "a void must release the whole pending amount",
  exceeds_pending_transfer_amount: "cannot post more than the pending transfer holds",
  pending_transfer_already_posted: "the pending transfer was already posted",
  pending_transfer_already_voided: "the pending transfer was already voided",
  pending_transfer_expired: "the pending transfer timed out and was (or will be) voided",
  exists_with_different_debit_account_id: "this id was used before with another debit account",
  exists_with_different_credit_account_id: "this id was used before with another credit account",
  exists_with_different_amount: "this id was used before with another amount",
  exists_with_different_code: "this id was used before with another code",
  exists_with_different_flags: "this id was used before with other flags",
  exists_with_different_pending_id: "this id was used before for another pending transfer",
  exists_with_different_timeout: "this id was used before with another timeout",
  exists_with_different_reference: "this id was used before with another reference",
  exceeds_credits: "the debit account would be overdrawn (debits would exceed credits)",
  exceeds_debits: "the credit account would exceed its debits",
  overflows_debits: "the debit account's debits would exceed 2^128 - 1",
  overflows_credits: "the credit account's credits would exceed 2^128 - 1",
} as const;

export type TransferResultCode = keyof typeof transferResultCodes;

export interface TransferResult {
  id: string;
  code: TransferResultCode;
}

/** ok and exists both mean: the transfer is in the books. */
export function isApplied(code: TransferResultCode): boolean {
  return code === "ok" || code === "exists";
}

export const accountResultCodes = {
  ok: "the account was created",
  ledger_invalid: "ledger must be test or live",
  currency_unknown: "the currency is not in the registry",
  code_invalid: "code must be 1 to 64 characters of a-z, 0-9 and _",
  flags_invalid: "flags has unknown bits",
  flags_are_mutually_exclusive: "an account cannot be both debit-limited and credit-limited",
  reference_invalid: "reference must be at most 255 characters",
} as const;

export type AccountResultCode = keyof typeof accountResultCodes;

export class AccountInputError extends Error {
  constructor(
    readonly code: Exclude<AccountResultCode, "ok">,
    readonly index: number,
  ) {
    super(`account ${index}: ${accountResultCodes[code]} (${code})`);
    this.name = "AccountInputError";
  }
}
