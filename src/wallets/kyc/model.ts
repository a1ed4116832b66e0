import { unixSeconds, unixSecondsOrNull } from "../time.js";

export type KycStatus = "pending_review" | "approved" | "rejected";
export type DocumentType = "passport" | "id_card" | "driving_licence";
export const documentTypes: readonly DocumentType[] = ["passport", "id_card", "driving_licence"];

export interface KycSubmission {
  id: string;
  walletUserId: string;
  livemode: boolean;
  level: 1 | 2;
  provider: "sandbox" | "review";
  status: KycStatus;
  fullName: string | null;
  idNumberLast4: string | null;
  documentType: DocumentType | null;
  documentCountry: string | null;
  decisionReason: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
  /** Encrypted fields, for an operator's review. */
  encrypted: { idNumber: string | null; dateOfBirth: string | null; documentNumber: string | null };
}

export interface KycRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  level: number;
  provider: "sandbox" | "review";
  status: KycStatus;
  full_name: string | null;
  id_number: string | null;
  id_number_last4: string | null;
  date_of_birth: string | null;
  document_type: DocumentType | null;
  document_number: string | null;
  document_country: string | null;
  decision_reason: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
}

export function kycFromRow(row: KycRow): KycSubmission {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    level: row.level as 1 | 2,
    provider: row.provider,
    status: row.status,
    fullName: row.full_name,
    idNumberLast4: row.id_number_last4,
    documentType: row.document_type,
    documentCountry: row.document_country,
    decisionReason: row.decision_reason,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
    createdAt: row.created_at,
    encrypted: { idNumber: row.id_number, dateOfBirth: row.date_of_birth, documentNumber: row.document_number },
  };
}

/** As the wallet user and events see it: never the ID or document number. */
export function kycSubmissionJson(submission: KycSubmission) {
  return {
    id: submission.id,
    object: "kyc_submission" as const,
    wallet_user: submission.walletUserId,
    livemode: submission.livemode,
    level: submission.level,
    status: submission.status,
    full_name: submission.fullName,
    id_number_last4: submission.idNumberLast4,
    document_type: submission.documentType,
    document_country: submission.documentCountry,
    decision_reason: submission.decisionReason,
    provider: submission.provider,
    reviewed_at: unixSecondsOrNull(submission.reviewedAt),
    created: unixSeconds(submission.createdAt),
  };
}
