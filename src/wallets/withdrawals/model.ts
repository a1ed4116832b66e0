import type { SpendPeriods } from "../limits/spend.js";
import { unixSeconds, unixSecondsOrNull } from "../time.js";

export type WithdrawalStatus = "pending" | "succeeded" | "failed";

export interface Withdrawal {
  id: string;
  walletUserId: string;
  livemode: boolean;
  fundingSourceId: string;
  currency: string;
  amount: bigint;
  status: WithdrawalStatus;
  holdTransferId: string;
  periods: SpendPeriods;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface WithdrawalRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  funding_source_id: string;
  currency: string;
  amount: bigint;
  status: WithdrawalStatus;
  hold_transfer_id: string;
  spend_day: string;
  spend_month: string;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export function withdrawalFromRow(row: WithdrawalRow): Withdrawal {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    fundingSourceId: row.funding_source_id,
    currency: row.currency,
    amount: row.amount,
    status: row.status,
    holdTransferId: row.hold_transfer_id,
    periods: { day: row.spend_day, month: row.spend_month },
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export function withdrawalJson(withdrawal: Withdrawal) {
  return {
    id: withdrawal.id,
    object: "withdrawal" as const,
    livemode: withdrawal.livemode,
    status: withdrawal.status,
    amount: withdrawal.amount.toString(),
    currency: withdrawal.currency,
    funding_source: withdrawal.fundingSourceId,
    failure_code: withdrawal.failureCode,
    failure_message: withdrawal.failureMessage,
    created: unixSeconds(withdrawal.createdAt),
    completed: unixSecondsOrNull(withdrawal.completedAt),
  };
}
