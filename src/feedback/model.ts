import { unixSeconds } from "../payments/model.js";

/**
 * A payer's rating of a payment (docs/feedback.md): 1 to 5, optional tags from a fixed catalog (so they can be
 * counted) and an optional comment, one per payment, given by its payer from the receipt's link, the checkout page
 * after paying, or the wallet.
 */
export const feedbackTags = [
  "fast",
  "easy",
  "good_value",
  "friendly_service",
  "quality",
  "slow",
  "hard_to_pay",
  "expensive",
  "poor_service",
  "problem_with_order",
] as const;
export type FeedbackTag = (typeof feedbackTags)[number];

export const feedbackSources = ["receipt", "checkout", "wallet"] as const;
export type FeedbackSource = (typeof feedbackSources)[number];

export const feedbackIntervals = ["day", "week", "month"] as const;
export type FeedbackInterval = (typeof feedbackIntervals)[number];

export interface Feedback {
  id: string;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  payerId: string;
  rating: number;
  tags: FeedbackTag[];
  comment: string | null;
  source: FeedbackSource;
  createdAt: Date;
}

export interface FeedbackRow {
  id: string;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  payer_id: string;
  rating: number;
  tags: FeedbackTag[];
  comment: string | null;
  source: FeedbackSource;
  created_at: Date;
}

export function feedbackFromRow(row: FeedbackRow): Feedback {
  return {
    id: row.id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    payerId: row.payer_id,
    rating: row.rating,
    tags: row.tags,
    comment: row.comment,
    source: row.source,
    createdAt: row.created_at,
  };
}

/** What the merchant sees of the payment beside its feedback. */
export interface RatedPayment {
  amount: bigint;
  currency: string;
  description: string | null;
}

/** The feedback as the merchant API, the console and the feedback.created event show it (the payer is not named). */
export function feedbackJson(feedback: Feedback, payment: RatedPayment) {
  return {
    id: feedback.id,
    object: "feedback" as const,
    livemode: feedback.livemode,
    payment: feedback.paymentId,
    amount: String(payment.amount),
    currency: payment.currency,
    description: payment.description,
    rating: feedback.rating,
    tags: feedback.tags,
    comment: feedback.comment,
    source: feedback.source,
    created: unixSeconds(feedback.createdAt),
  };
}
export type FeedbackJson = ReturnType<typeof feedbackJson>;
