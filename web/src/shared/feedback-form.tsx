import { type FormEvent, useState } from "react";
import { ApiRequestError } from "./api";
import { defineMessages, usePageMessages } from "./i18n";
import { Alert, Button } from "./ui";
import "./feedback.css";
import { apiErrorText } from "./api-error-text";

/**
 * The payer's rating of a paid payment (docs/feedback.md): 1 to 5 stars, optional tags and a comment, sent once.
 * The checkout page (after paying), the receipt's feedback link and the wallet use it; each passes how to send.
 * Its texts travel with it, so the pages that never rate do not load them.
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
const tagsMax = 5;
const commentMax = 1000;

/** GET/POST /v1/feedback_requests/{token} and /v1/wallet/payments/{id}/feedback answer this. */
export interface FeedbackRequest {
  payment: string;
  merchant: { name: string };
  amount: string;
  currency: string;
  amount_display: string;
  description: string | null;
  rateable: boolean;
  rateable_until: number | null;
  feedback: { rating: number; tags: string[]; comment: string | null; created: number } | null;
}

export interface FeedbackBody {
  rating: number;
  tags: string[];
  comment?: string;
}

const en = {
  "feedback.title": "How was it?",
  "feedback.intro": "Rate your payment to {merchant}. Only {merchant} sees what you write.",
  "feedback.rating": "Your rating",
  "feedback.stars": "{count} of 5 stars",
  "feedback.tags": "What stood out? (optional, up to 5)",
  "feedback.comment": "Anything to add? (optional)",
  "feedback.commentHint": "Up to 1,000 characters.",
  "feedback.send": "Send feedback",
  "feedback.sending": "Sending…",
  "feedback.pickRating": "Choose 1 to 5 stars first.",
  "feedback.tooManyTags": "Pick at most 5.",
  "feedback.thanks": "Thank you! {merchant} will see your feedback.",
  "feedback.given": "You rated this payment {rating} of 5.",
  "feedback.closed": "This payment can no longer be rated.",
  "feedback.failed": "Your feedback was not sent: {message}",
  "tag.fast": "Fast",
  "tag.easy": "Easy to pay",
  "tag.good_value": "Good value",
  "tag.friendly_service": "Friendly service",
  "tag.quality": "Good quality",
  "tag.slow": "Slow",
  "tag.hard_to_pay": "Hard to pay",
  "tag.expensive": "Expensive",
  "tag.poor_service": "Poor service",
  "tag.problem_with_order": "Problem with my order",
  "error.feedback_exists": "This payment has been rated already.",
  "error.feedback_window_closed": "This payment can no longer be rated: it was paid more than 30 days ago.",
  "error.payment_not_rateable": "This payment cannot be rated (it is not paid).",
};

const zhCN: typeof en = {
  "feedback.title": "本次体验如何？",
  "feedback.intro": "为您向{merchant}的付款评分。您填写的内容只有{merchant}能看到。",
  "feedback.rating": "您的评分",
  "feedback.stars": "{count} 星（满分 5 星）",
  "feedback.tags": "印象深刻的地方（可选，最多 5 项）",
  "feedback.comment": "还有什么想说的？（可选）",
  "feedback.commentHint": "最多 1000 个字符。",
  "feedback.send": "提交评价",
  "feedback.sending": "正在提交…",
  "feedback.pickRating": "请先选择 1 到 5 星。",
  "feedback.tooManyTags": "最多选择 5 项。",
  "feedback.thanks": "谢谢！{merchant}会看到您的评价。",
  "feedback.given": "您已为这笔付款评分：{rating} 星（满分 5 星）。",
  "feedback.closed": "这笔付款已无法评价。",
  "feedback.failed": "评价未能提交：{message}",
  "tag.fast": "快捷",
  "tag.easy": "付款方便",
  "tag.good_value": "物有所值",
  "tag.friendly_service": "服务友好",
  "tag.quality": "品质好",
  "tag.slow": "太慢",
  "tag.hard_to_pay": "付款麻烦",
  "tag.expensive": "价格偏高",
  "tag.poor_service": "服务欠佳",
  "tag.problem_with_order": "订单有问题",
  "error.feedback_exists": "这笔付款已经评价过了。",
  "error.feedback_window_closed": "这笔付款已无法评价：付款已超过 30 天。",
  "error.payment_not_rateable": "这笔付款无法评价（尚未付款）。",
};

const messages = defineMessages(en, zhCN);

export function useFeedbackTexts() {
  return usePageMessages(messages);
}

function Stars({ rating }: { rating: number }) {
  return (
    <span className="feedback-stars-shown" aria-hidden="true">
      {"★".repeat(rating)}
      {"☆".repeat(5 - rating)}
    </span>
  );
}

/** The form, or what was given, or that it is too late. send() posts the body and answers the request after. */
export function FeedbackForm({
  request,
  send,
}: {
  request: FeedbackRequest;
  send(body: FeedbackBody): Promise<FeedbackRequest>;
}) {
  const { t } = useFeedbackTexts();
  const [current, setCurrent] = useState(request);
  const [sentNow, setSentNow] = useState(false);
  const [rating, setRating] = useState(0);
  const [tags, setTags] = useState<string[]>([]);
  const [comment, setComment] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const merchant = current.merchant.name;

  if (current.feedback) {
    return (
      <section className="feedback" aria-label={t("feedback.title")}>
        <div role="status" className="alert alert-success">
          <Stars rating={current.feedback.rating} />{" "}
          {sentNow ? t("feedback.thanks", { merchant }) : t("feedback.given", { rating: current.feedback.rating })}
        </div>
      </section>
    );
  }
  if (!current.rateable) {
    return (
      <section className="feedback" aria-label={t("feedback.title")}>
        <p className="field-hint">{t("feedback.closed")}</p>
      </section>
    );
  }

  const toggle = (tag: string) => {
    setProblem(null);
    if (tags.includes(tag)) return setTags(tags.filter((x) => x !== tag));
    if (tags.length >= tagsMax) return setProblem(t("feedback.tooManyTags"));
    setTags([...tags, tag]);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (rating < 1) return setProblem(t("feedback.pickRating"));
    setPending(true);
    setProblem(null);
    try {
      const body: FeedbackBody = { rating, tags, ...(comment.trim() ? { comment: comment.trim() } : {}) };
      setCurrent(await send(body));
      setSentNow(true);
    } catch (error) {
      if (error instanceof ApiRequestError) {
        setProblem(t("feedback.failed", { message: apiErrorText<keyof typeof en>(t, error) }));
      } else {
        setProblem(t("feedback.failed", { message: String(error) }));
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="feedback" onSubmit={submit} noValidate aria-label={t("feedback.title")}>
      <h2>{t("feedback.title")}</h2>
      <p className="field-hint">{t("feedback.intro", { merchant })}</p>
      <fieldset className="feedback-rating">
        <legend>{t("feedback.rating")}</legend>
        {[1, 2, 3, 4, 5].map((value) => (
          <label key={value} className={value <= rating ? "feedback-star on" : "feedback-star"}>
            <input
              type="radio"
              name="rating"
              value={value}
              checked={rating === value}
              onChange={() => {
                setRating(value);
                setProblem(null);
              }}
              aria-label={t("feedback.stars", { count: value })}
            />
            <span aria-hidden="true">★</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="feedback-tags">
        <legend>{t("feedback.tags")}</legend>
        {feedbackTags.map((tag) => (
          <label key={tag} className={tags.includes(tag) ? "feedback-tag on" : "feedback-tag"}>
            <input type="checkbox" checked={tags.includes(tag)} onChange={() => toggle(tag)} />
            {t(`tag.${tag}` as keyof typeof en)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="feedback-comment">{t("feedback.comment")}</label>
        <textarea
          id="feedback-comment"
          rows={3}
          maxLength={commentMax}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          aria-describedby="feedback-comment-hint"
        />
        <p className="field-hint" id="feedback-comment-hint">
          {t("feedback.commentHint")}
        </p>
      </div>
      {problem ? <Alert kind="error">{problem}</Alert> : null}
      <Button type="submit" pending={pending}>
        {pending ? t("feedback.sending") : t("feedback.send")}
      </Button>
    </form>
  );
}
