import { ChartColumn, MessageSquare, Tag } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { usePageMessages } from "../../shared/i18n";
import { Link } from "../../shared/router";
import { Card, DataTable, Empty, NoMatch, SelectField, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConsoleError, type Cursor, Pager, useFormat } from "../common";
import { type FeedbackMessages, feedbackMessages } from "./feedback-messages";
import "./feedback.css";

/**
 * Feedback (docs/feedback.md): the merchant's averages over a period — the mean, the stars, the tags, and the mean
 * per day, week or month in the merchant's time zone (GET /v1/feedback/summary) — and every rating with its payment.
 */
export interface FeedbackItem {
  id: string;
  payment: string;
  amount: string;
  currency: string;
  description: string | null;
  rating: number;
  tags: string[];
  comment: string | null;
  source: "receipt" | "checkout" | "wallet";
  created: number;
}

interface Summary {
  count: number;
  average_rating: number | null;
  ratings: { rating: number; count: number }[];
  tags: { tag: string; count: number }[];
  series: { start: number; count: number; average_rating: number | null }[];
}

const ranges = [7, 30, 90] as const;
const intervals = ["day", "week", "month"] as const;
type Key = keyof FeedbackMessages;

export function Stars({ rating, label }: { rating: number; label: string }) {
  return (
    <span className="stars" role="img" aria-label={label}>
      <span aria-hidden="true">
        {"★".repeat(rating)}
        <span className="stars-off">{"☆".repeat(5 - rating)}</span>
      </span>
    </span>
  );
}

export default function FeedbackPage() {
  const { t } = usePageMessages(feedbackMessages);
  const format = useFormat();
  const [days, setDays] = useState<(typeof ranges)[number]>(30);
  const [interval, setInterval] = useState<(typeof intervals)[number]>("day");
  const [rating, setRating] = useState("");
  const [cursor, setCursor] = useState<Cursor>({});
  // The period ends now (the merchant's test clock in test mode, as the server answers when `to` is left out).
  const summary = useAsync(
    () =>
      api.get<Summary>("/v1/feedback/summary", {
        from: Math.floor(Date.now() / 1000) - days * 86_400,
        interval,
      }),
    [days, interval],
  );
  const list = useAsync(
    () => api.get<ListPage<FeedbackItem>>("/v1/feedback", { rating: rating || undefined, limit: 20, ...cursor }),
    [rating, cursor],
  );
  const s = summary.data;
  const most = s ? Math.max(1, ...s.ratings.map((r) => r.count)) : 1;
  const outOf = (value: number | null) => (value === null ? "—" : t("feedback.outOf", { average: value.toFixed(2) }));

  return (
    <>
      <h1>{t("feedback.title")}</h1>
      <p className="field-hint">{t("feedback.intro")}</p>
      <div className="form-row">
        <SelectField
          label={t("feedback.range")}
          value={String(days)}
          onChange={(e) => setDays(Number(e.target.value) as (typeof ranges)[number])}
        >
          {ranges.map((d) => (
            <option key={d} value={d}>
              {t(`feedback.range.${d}` as Key)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("feedback.interval")}
          value={interval}
          onChange={(e) => setInterval(e.target.value as (typeof intervals)[number])}
        >
          {intervals.map((i) => (
            <option key={i} value={i}>
              {t(`feedback.interval.${i}` as Key)}
            </option>
          ))}
        </SelectField>
      </div>
      <ConsoleError error={summary.error} />
      {!s ? <Spinner label="…" /> : null}
      {s ? (
        <div className="feedback-summary">
          <Card title={t("feedback.average")}>
            <p className="big-amount">{outOf(s.average_rating)}</p>
            <p className="field-hint">
              {t("feedback.count")}: {s.count}
            </p>
          </Card>
          <Card title={t("feedback.distribution")}>
            <ul className="feedback-bars" aria-label={t("feedback.distribution")}>
              {s.ratings.map((r) => (
                <li key={r.rating}>
                  <span className="feedback-bar-label">{t("feedback.stars", { count: r.rating })}</span>
                  <span className="feedback-bar" style={{ width: `${(r.count / most) * 100}%` }} aria-hidden="true" />
                  <span className="feedback-bar-count">{r.count}</span>
                </li>
              ))}
            </ul>
          </Card>
          <Card title={t("feedback.tags")}>
            {s.tags.length === 0 ? (
              <Empty compact icon={Tag} title={t("feedback.noTags")}>
                {t("feedback.noTagsText")}
              </Empty>
            ) : (
              <ul className="plain-list" aria-label={t("feedback.tags")}>
                {s.tags.map((tag) => (
                  <li key={tag.tag}>
                    {t(`tag.${tag.tag}` as Key)} · {tag.count}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title={t("feedback.series")}>
            {s.count === 0 ? (
              <Empty compact icon={ChartColumn} title={t("feedback.none")}>
                {t("feedback.noneText")}
              </Empty>
            ) : (
              <ol className="feedback-series" aria-label={t("feedback.series")}>
                {s.series.map((b) => {
                  const start = format.date(b.start);
                  const text =
                    b.average_rating === null
                      ? t("feedback.bucketNone", { start })
                      : t("feedback.bucket", { start, average: b.average_rating.toFixed(2), count: b.count });
                  return (
                    <li key={b.start} title={text}>
                      <span
                        className="feedback-column"
                        style={{ height: `${((b.average_rating ?? 0) / 5) * 100}%` }}
                        aria-hidden="true"
                      />
                      <span className="visually-hidden">{text}</span>
                    </li>
                  );
                })}
              </ol>
            )}
          </Card>
        </div>
      ) : null}
      <h2>{t("feedback.list")}</h2>
      <SelectField
        label={t("feedback.filterRating")}
        value={rating}
        onChange={(e) => {
          setRating(e.target.value);
          setCursor({});
        }}
      >
        <option value="">{t("feedback.allRatings")}</option>
        {[5, 4, 3, 2, 1].map((r) => (
          <option key={r} value={r}>
            {t("feedback.stars", { count: r })}
          </option>
        ))}
      </SelectField>
      <ConsoleError error={list.error} />
      {list.data ? (
        <DataTable
          rows={list.data.data}
          rowKey={(f) => f.id}
          caption={t("feedback.list")}
          empty={
            rating ? (
              <NoMatch
                title={t("feedback.noMatch")}
                clearLabel={t("feedback.allRatings")}
                onClear={() => {
                  setRating("");
                  setCursor({});
                }}
              >
                {t("feedback.noMatchText")}
              </NoMatch>
            ) : (
              <Empty icon={MessageSquare} title={t("feedback.empty")}>
                {t("feedback.emptyText")}
              </Empty>
            )
          }
          columns={[
            {
              header: t("feedback.col.rating"),
              render: (f) => <Stars rating={f.rating} label={t("feedback.ratingOf", { rating: f.rating })} />,
            },
            { header: t("feedback.col.comment"), render: (f) => f.comment ?? "—" },
            {
              header: t("feedback.col.tags"),
              render: (f) => (f.tags.length ? f.tags.map((tag) => t(`tag.${tag}` as Key)).join(", ") : "—"),
            },
            {
              header: t("feedback.col.payment"),
              className: "amount",
              render: (f) => <Link to={`/payments/${f.payment}`}>{format.money(f.amount, f.currency)}</Link>,
            },
            { header: t("feedback.col.source"), render: (f) => t(`source.${f.source}` as Key) },
            { header: t("feedback.col.created"), render: (f) => format.date(f.created) },
          ]}
        />
      ) : (
        <Spinner label="…" />
      )}
      <Pager page={list.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}
