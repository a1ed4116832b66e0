import type { Metadata } from "../../http/metadata.js";
import type { FailureCode } from "../failure-codes.js";
import { unixSeconds } from "../model.js";

export const refundReasons = ["requested_by_customer", "duplicate", "fraudulent", "other"] as const;
export type RefundReason = (typeof refundReasons)[number];
export type RefundStatus = "pending" | "succeeded" | "failed";

export interface Refund {
  id: string;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  amount: bigint;
  currency: string;
  feeReturned: bigint;
  status: RefundStatus;
  reason: RefundReason;
  description: string | null;
  metadata: Metadata;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  amount: bigint;
  currency: string;
  fee_returned: bigint;
  status: RefundStatus;
  reason: RefundReason;
  description: string | null;
  metadata: Metadata;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
  updated_at: Date;
}

export function refundFromRow(row: RefundRow): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    amount: row.amount,
    currency: row.currency,
    feeReturned: row.fee_returned,
    status: row.status,
    reason: row.reason,
    description: row.description,
    metadata: row.metadata,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The refund as the merchant API and its events show it. */
export function refundJson(refund: Refund) {
  return {
    id: refund.id,
    object: "refund" as const,
    livemode: refund.livemode,
    payment: refund.paymentId,
    amount: String(refund.amount),
    currency: refund.currency,
    fee_returned: String(refund.feeReturned),
    status: refund.status,
    reason: refund.reason,
    description: refund.description,
    metadata: refund.metadata,
    failure_code: refund.failureCode,
    failure_message: refund.failureMessage,
    created: unixSeconds(refund.createdAt),
  };
}
export type RefundJson = ReturnType<typeof refundJson>;
