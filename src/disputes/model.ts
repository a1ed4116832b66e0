import type { Metadata } from "../http/metadata.js";
import { type Attachment, attachmentJson } from "../support/attachments.js";

/** Disputes as rows and as the objects the merchant API, the wallet API, the operators' API and events show. */

/** Why a payer disputes a payment (docs/disputes.md has what each asks of the merchant's evidence). */
export const disputeReasons = [
  "fraudulent",
  "product_not_received",
  "product_unacceptable",
  "duplicate",
  "credit_not_processed",
  "general",
] as const;
export type DisputeReason = (typeof disputeReasons)[number];

/** needs_response: the merchant answers by evidence_due_by; under_review: an operator decides; then won or lost. */
export const disputeStatuses = ["needs_response", "under_review", "won", "lost"] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];
export const openDisputeStatuses: readonly DisputeStatus[] = ["needs_response", "under_review"];

/** Who closed it: an operator's decision, the sandbox's magic evidence, the deadline, or the merchant accepting. */
export const disputeClosers = ["operator", "sandbox", "no_response", "accepted"] as const;
export type DisputeCloser = (typeof disputeClosers)[number];

/** The merchant's answer, field by field (each a text of up to disputeEvidenceTextLengthMax characters). */
export const evidenceFields = [
  "explanation",
  "product_description",
  "customer_communication",
  "refund_policy",
  "shipping_carrier",
  "shipping_tracking_number",
] as const;
export type EvidenceField = (typeof evidenceFields)[number];
export type Evidence = Partial<Record<EvidenceField, string>>;

export interface Dispute {
  id: string;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  payerId: string;
  amount: bigint;
  currency: string;
  reason: DisputeReason;
  payerMessage: string | null;
  status: DisputeStatus;
  closedBy: DisputeCloser | null;
  evidence: Evidence;
  evidenceDueBy: Date;
  evidenceSubmittedAt: Date | null;
  amountHeld: bigint;
  holds: number;
  amountReturned: bigint;
  recoveries: number;
  fundingDueAt: Date | null;
  decidedBy: string | null;
  decisionNote: string | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface DisputeRow {
  id: string;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  payer_id: string;
  amount: bigint;
  currency: string;
  reason: DisputeReason;
  payer_message: string | null;
  status: DisputeStatus;
  closed_by: DisputeCloser | null;
  evidence: Evidence;
  evidence_due_by: Date;
  evidence_submitted_at: Date | null;
  due_at: Date | null;
  amount_held: bigint;
  holds: number;
  amount_returned: bigint;
  recoveries: number;
  funding_due_at: Date | null;
  decided_by: string | null;
  decision_note: string | null;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export function disputeFromRow(row: DisputeRow): Dispute {
  return {
    id: row.id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    payerId: row.payer_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    reason: row.reason,
    payerMessage: row.payer_message,
    status: row.status,
    closedBy: row.closed_by,
    evidence: row.evidence,
    evidenceDueBy: row.evidence_due_by,
    evidenceSubmittedAt: row.evidence_submitted_at,
    amountHeld: BigInt(row.amount_held),
    holds: row.holds,
    amountReturned: BigInt(row.amount_returned),
    recoveries: row.recoveries,
    fundingDueAt: row.funding_due_at,
    decidedBy: row.decided_by,
    decisionNote: row.decision_note,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
  };
}

export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const unixOrNull = (date: Date | null) => (date ? unixSeconds(date) : null);

export function isOpen(dispute: Pick<Dispute, "status">): boolean {
  return openDisputeStatuses.includes(dispute.status);
}

function evidenceJson(evidence: Evidence, files: readonly Attachment[]) {
  const text = Object.fromEntries(evidenceFields.map((field) => [field, evidence[field] ?? null])) as Record<
    EvidenceField,
    string | null
  >;
  return { ...text, files: files.map(attachmentJson) };
}

/** The dispute as the merchant API and its events show it. `at` is the merchant's now (past_due). */
export function disputeJson(dispute: Dispute, files: readonly Attachment[], at: Date) {
  return {
    id: dispute.id,
    object: "dispute" as const,
    livemode: dispute.livemode,
    payment: dispute.paymentId,
    amount: String(dispute.amount),
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    payer_message: dispute.payerMessage,
    evidence: evidenceJson(dispute.evidence, files),
    evidence_details: {
      due_by: unixSeconds(dispute.evidenceDueBy),
      submitted_at: unixOrNull(dispute.evidenceSubmittedAt),
      past_due: dispute.status === "needs_response" && at.getTime() > dispute.evidenceDueBy.getTime(),
    },
    amount_held: String(dispute.amountHeld),
    amount_returned: String(dispute.amountReturned),
    closed_by: dispute.closedBy,
    decision_note: dispute.decisionNote,
    metadata: dispute.metadata,
    closed: unixOrNull(dispute.closedAt),
    created: unixSeconds(dispute.createdAt),
  };
}
export type DisputeJson = ReturnType<typeof disputeJson>;

/** The dispute as its payer sees it in the wallet app. */
export function walletDisputeJson(dispute: Dispute, merchantName: string) {
  return {
    id: dispute.id,
    object: "wallet_dispute" as const,
    livemode: dispute.livemode,
    payment: dispute.paymentId,
    merchant: { name: merchantName },
    amount: String(dispute.amount),
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    payer_message: dispute.payerMessage,
    evidence_due_by: unixSeconds(dispute.evidenceDueBy),
    amount_returned: String(dispute.amountReturned),
    closed: unixOrNull(dispute.closedAt),
    created: unixSeconds(dispute.createdAt),
  };
}
export type WalletDisputeJson = ReturnType<typeof walletDisputeJson>;

/** The dispute as operators see it: the merchant's view plus who is involved and what is not covered yet. */
export function opsDisputeJson(dispute: Dispute, files: readonly Attachment[], merchantName: string, at: Date) {
  return {
    ...disputeJson(dispute, files, at),
    object: "ops_dispute" as const,
    merchant: { id: dispute.merchantId, name: merchantName },
    payer: dispute.payerId,
    decided_by: dispute.decidedBy,
    amount_uncovered: String(
      dispute.status === "lost"
        ? dispute.amount - dispute.amountReturned
        : dispute.status === "won"
          ? 0n
          : dispute.amount - dispute.amountHeld,
    ),
  };
}
export type OpsDisputeJson = ReturnType<typeof opsDisputeJson>;
