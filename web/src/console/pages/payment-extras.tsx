import type { ListPage } from "../../shared/api";
import { usePageMessages } from "../../shared/i18n";
import { Card, DefinitionList, Spinner } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConfirmButton, ConsoleError, StatusBadge, useFormat } from "../common";
import { canWrite, useMe } from "../session";
import { type FeedbackItem, Stars } from "./feedback";
import { type FeedbackMessages, feedbackMessages } from "./feedback-messages";

/**
 * What the payment page adds for paying again and feedback (loaded with it on demand): the payment's attempts once
 * its payer paid it again (docs/adr/0028), a way to stop retries while they are possible, and the payer's rating.
 */
interface Attempt {
  id: string;
  number: number;
  status: string;
  payment_method: "account_wallet" | "stored_value_card" | null;
  failure_message: string | null;
  created: number;
}

export interface PaymentForExtras {
  id: string;
  attempts?: number;
  retryable_until?: number | null;
}

type Key = keyof FeedbackMessages;

export default function PaymentExtras({ payment, onChanged }: { payment: PaymentForExtras; onChanged(): void }) {
  const { t } = usePageMessages(feedbackMessages);
  const format = useFormat();
  const me = useMe();
  const many = (payment.attempts ?? 1) > 1;
  const attempts = useAsync(
    () =>
      many
        ? api.get<ListPage<Attempt>>(`/v1/payments/${encodeURIComponent(payment.id)}/attempts`)
        : Promise.resolve(null),
    [payment.id, many],
  );
  const feedback = useAsync(
    () => api.get<ListPage<FeedbackItem>>("/v1/feedback", { payment: payment.id, limit: 1 }),
    [payment.id],
  );
  const stop = useAction(async () => {
    await api.post(`/v1/payments/${encodeURIComponent(payment.id)}`, { allow_retries: false });
    onChanged();
  });
  const given = feedback.data?.data[0];
  return (
    <>
      {many || payment.retryable_until ? (
        <Card title={t("attempts.title")}>
          {payment.retryable_until ? (
            <>
              <p>{t("attempts.retryable", { time: format.date(payment.retryable_until) })}</p>
              {canWrite(me) ? (
                <ConfirmButton
                  label={t("attempts.stop")}
                  confirmLabel={t("attempts.stopConfirm")}
                  onConfirm={stop.run}
                  pending={stop.pending}
                />
              ) : null}
              <ConsoleError error={stop.error} />
            </>
          ) : null}
          {many ? <p className="field-hint">{t("attempts.intro")}</p> : null}
          {attempts.status === "loading" && many ? <Spinner label="…" /> : null}
          <ConsoleError error={attempts.error} />
          {attempts.data ? (
            <ol className="timeline" aria-label={t("attempts.title")}>
              {[...attempts.data.data].reverse().map((a) => (
                <li key={a.id}>
                  <strong>{t("attempts.number", { number: a.number })}</strong> <StatusBadge status={a.status} /> ·{" "}
                  {t(`attempts.method.${a.payment_method ?? "none"}` as Key)}
                  <div className="field-hint">
                    {format.date(a.created)}
                    {a.failure_message ? ` · ${a.failure_message}` : ""}
                  </div>
                </li>
              ))}
            </ol>
          ) : null}
        </Card>
      ) : null}
      {given ? (
        <Card title={t("paymentFeedback.title")}>
          <DefinitionList
            items={[
              [
                t("feedback.col.rating"),
                <Stars key="r" rating={given.rating} label={t("feedback.ratingOf", { rating: given.rating })} />,
              ],
              [t("feedback.col.comment"), given.comment ?? "—"],
              [
                t("feedback.col.tags"),
                given.tags.length ? given.tags.map((tag) => t(`tag.${tag}` as Key)).join(", ") : "—",
              ],
              [t("feedback.col.source"), t(`source.${given.source}` as Key)],
              [t("feedback.col.created"), format.date(given.created)],
            ]}
          />
        </Card>
      ) : null}
    </>
  );
}
