import { unixSeconds, unixSecondsOrNull } from "../time.js";

export type TopUpStatus = "pending" | "succeeded" | "failed";

export interface TopUp {
  id: string;
  walletUserId: string;
  livemode: boolean;
  fundingSourceId: string;
  currency: string;
  amount: bigint;
  status: TopUpStatus;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface TopUpRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  funding_source_id: string;
  currency: string;
  amount: bigint;
  status: TopUpStatus;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export function topUpFromRow(row: TopUpRow): TopUp {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    fundingSourceId: row.funding_source_id,
    currency: row.currency,
    amount: row.amount,
    status: row.status,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export function topUpJson(topUp: TopUp) {
  return {
    id: topUp.id,
    object: "top_up" as const,
    livemode: topUp.livemode,
    status: topUp.status,
    amount: topUp.amount.toString(),
    currency: topUp.currency,
    funding_source: topUp.fundingSourceId,
    failure_code: topUp.failureCode,
    failure_message: topUp.failureMessage,
    created: unixSeconds(topUp.createdAt),
    completed: unixSecondsOrNull(topUp.completedAt),
  };
}
