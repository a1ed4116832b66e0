import { type ApiError, defineErrors } from "../http/errors.js";
import { disputeEvidenceFilesMax, disputeOpenWindowMs } from "../limits.js";

/** Why opening, answering or deciding a dispute was refused (docs/disputes.md). Nothing is written. */
export type DisputeErrorCode =
  | "payment_not_disputable"
  | "dispute_window_closed"
  | "dispute_exists"
  | "dispute_amount_too_large"
  | "dispute_status_invalid"
  | "dispute_evidence_past_due"
  | "dispute_evidence_empty"
  | "dispute_files_limit_reached";

export const disputeErrors = defineErrors<DisputeErrorCode>({
  payment_not_disputable: {
    status: 409,
    type: "invalid_request_error",
    message:
      "Only a succeeded payment from a wallet, with something left that was not refunded, can be disputed; ask the merchant for a refund of an open payment.",
  },
  dispute_window_closed: {
    status: 409,
    type: "invalid_request_error",
    message: `A payment can be disputed within ${disputeOpenWindowMs / 86_400_000} days of being paid; this one was paid earlier.`,
  },
  dispute_exists: {
    status: 409,
    type: "invalid_request_error",
    message: "This payment already has a dispute; a payment is disputed once.",
  },
  dispute_amount_too_large: {
    status: 400,
    type: "invalid_request_error",
    message: "amount is more than what was paid and not refunded.",
  },
  dispute_status_invalid: {
    status: 409,
    type: "invalid_request_error",
    message:
      "The dispute is not in a status that allows this: evidence is answered while it needs a response, operators decide it under review, and a closed dispute stays closed.",
  },
  dispute_evidence_past_due: {
    status: 409,
    type: "invalid_request_error",
    message: "The evidence was due before now; the dispute is lost for lack of a response.",
  },
  dispute_evidence_empty: {
    status: 400,
    type: "invalid_request_error",
    message: "Submitting needs some evidence: at least one text field or a file.",
  },
  dispute_files_limit_reached: {
    status: 409,
    type: "invalid_request_error",
    message: `A dispute's evidence has at most ${disputeEvidenceFilesMax} files.`,
  },
});

export function disputeError(code: DisputeErrorCode, message?: string, param?: string | null): ApiError {
  return disputeErrors.toApiError(code, message, param);
}
