import type { BankConnectorName } from "../config.js";
import { unixSeconds } from "../time.js";

export type FundingSourceStatus = "pending_verification" | "verified" | "verification_failed" | "removed";

export interface FundingSource {
  id: string;
  walletUserId: string;
  livemode: boolean;
  connector: BankConnectorName;
  currency: string;
  holderName: string;
  bankCode: string;
  /** Encrypted; see accountNumberAad. */
  accountNumber: string;
  last4: string;
  status: FundingSourceStatus;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
}

export interface FundingSourceRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  connector: BankConnectorName;
  currency: string;
  holder_name: string;
  bank_code: string;
  account_number: string;
  last4: string;
  status: FundingSourceStatus;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
}

export function fundingSourceFromRow(row: FundingSourceRow): FundingSource {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    connector: row.connector,
    currency: row.currency,
    holderName: row.holder_name,
    bankCode: row.bank_code,
    accountNumber: row.account_number,
    last4: row.last4,
    status: row.status,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
  };
}

/** Where an account number's ciphertext belongs: copied to another row it no longer decrypts. */
export function accountNumberAad(fundingSourceId: string): string {
  return `wallet_funding_sources.account_number:${fundingSourceId}`;
}

/** As the API and events show it: the account number never, only its last four characters. */
export function fundingSourceJson(source: FundingSource) {
  return {
    id: source.id,
    object: "funding_source" as const,
    type: "bank_account" as const,
    livemode: source.livemode,
    status: source.status,
    currency: source.currency,
    holder_name: source.holderName,
    bank_code: source.bankCode,
    last4: source.last4,
    failure_code: source.failureCode,
    failure_message: source.failureMessage,
    created: unixSeconds(source.createdAt),
  };
}
