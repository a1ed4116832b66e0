import type { Metadata } from "../../http/metadata.js";
import type { BankConnectorName } from "../../wallets/config.js";
import type { FailureCode } from "../failure-codes.js";
import { unixSeconds } from "../model.js";

export type PayoutStatus = "pending" | "paid" | "failed";
export type PayoutSchedule = "manual" | "daily";

export interface Payout {
  id: string;
  merchantId: string;
  livemode: boolean;
  amount: bigint;
  currency: string;
  status: PayoutStatus;
  automatic: boolean;
  scheduledFor: string | null;
  description: string | null;
  metadata: Metadata;
  connector: BankConnectorName;
  holdTransferId: string;
  destinationHolder: string;
  destinationBank: string;
  destinationAccountEnc: string;
  destinationLast4: string;
  failedCalls: number;
  nextAttemptAt: Date | null;
  submittedAt: Date | null;
  bankReference: string | null;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface PayoutRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  amount: bigint;
  currency: string;
  status: PayoutStatus;
  automatic: boolean;
  scheduled_for: string | null;
  description: string | null;
  metadata: Metadata;
  connector: BankConnectorName;
  hold_transfer_id: string;
  destination_holder: string;
  destination_bank: string;
  destination_account_enc: string;
  destination_last4: string;
  failed_calls: number;
  next_attempt_at: Date | null;
  submitted_at: Date | null;
  bank_reference: string | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** Selects a payout row with its scheduled day as text ("2026-03-10"), not a Date at local midnight. */
export const payoutColumns = "p.*, p.scheduled_for::text AS scheduled_for";

export function payoutFromRow(row: PayoutRow): Payout {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    automatic: row.automatic,
    scheduledFor: row.scheduled_for,
    description: row.description,
    metadata: row.metadata,
    connector: row.connector,
    holdTransferId: row.hold_transfer_id,
    destinationHolder: row.destination_holder,
    destinationBank: row.destination_bank,
    destinationAccountEnc: row.destination_account_enc,
    destinationLast4: row.destination_last4,
    failedCalls: row.failed_calls,
    nextAttemptAt: row.next_attempt_at,
    submittedAt: row.submitted_at,
    bankReference: row.bank_reference,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

/** The payout as the merchant API and its events show it; the account number never, only its last four. */
export function payoutJson(payout: Payout) {
  return {
    id: payout.id,
    object: "payout" as const,
    livemode: payout.livemode,
    amount: String(payout.amount),
    currency: payout.currency,
    status: payout.status,
    automatic: payout.automatic,
    description: payout.description,
    metadata: payout.metadata,
    destination: {
      holder_name: payout.destinationHolder,
      bank_name: payout.destinationBank,
      last4: payout.destinationLast4,
    },
    bank_reference: payout.bankReference,
    failure_code: payout.failureCode,
    failure_message: payout.failureMessage,
    created: unixSeconds(payout.createdAt),
    completed_at: payout.completedAt ? unixSeconds(payout.completedAt) : null,
  };
}
export type PayoutJson = ReturnType<typeof payoutJson>;

export const destinationAad = (payoutId: string) => `payouts.destination_account_enc:${payoutId}`;
