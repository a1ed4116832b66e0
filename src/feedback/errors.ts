import { defineErrors } from "../http/errors.js";
import { feedbackWindowMs } from "../limits.js";

/** Why a payer's feedback was refused (docs/feedback.md). Bad input writes nothing. */
export type FeedbackErrorCode = "feedback_exists" | "payment_not_rateable" | "feedback_window_closed";

export const feedbackErrors = defineErrors<FeedbackErrorCode>({
  feedback_exists: {
    status: 409,
    type: "invalid_request_error",
    message: "This payment has its feedback already: there is one per payment, and it does not change.",
  },
  payment_not_rateable: {
    status: 409,
    type: "invalid_request_error",
    message: "Only a succeeded payment can be rated (not one still open, failed, canceled or only authorized).",
  },
  feedback_window_closed: {
    status: 409,
    type: "invalid_request_error",
    message: `A payment can be rated within ${feedbackWindowMs / 86_400_000} days after it was paid; this one is older.`,
  },
});
