import { analyticsError } from "../analytics/errors.js";
import { createTimeZones } from "../analytics/time-zones.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import { type CurrencyRegistry, formatMinorUnits } from "../ledger/currencies.js";
import {
  analyticsRangeMaxMs,
  feedbackCommentLengthMax,
  feedbackSummaryBucketsMax,
  feedbackTagsMax,
  feedbackWindowMs,
} from "../limits.js";
import { type Payment, unixSeconds } from "../payments/model.js";
import { getPaymentForPayer } from "../payments/store.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { feedbackErrors } from "./errors.js";
import {
  type Feedback,
  type FeedbackInterval,
  type FeedbackJson,
  type FeedbackRow,
  type FeedbackSource,
  type FeedbackTag,
  feedbackFromRow,
  feedbackJson,
  feedbackTags,
  type RatedPayment,
} from "./model.js";
import { feedbackToken, paymentOfFeedbackToken, verifyFeedbackToken } from "./token.js";

/**
 * Feedback after a payment (docs/feedback.md). The payer rates a succeeded payment once, within feedbackWindowMs of
 * paying: signed in to the wallet (an account or a prepaid card session), or with the feedback link of the receipt
 * and of the checkout page (no sign-in: the link names the payment and its payer). The unique payment_id decides
 * racing submissions: one is kept, the others answer feedback_exists. The merchant lists feedback with its payments
 * and reads averages over time; feedback.created tells its webhook.
 */
export interface FeedbackDeps {
  pool: Pool;
  testClocks: TestClocks;
  currencies: CurrencyRegistry;
  /** Signs the feedback links (feedbackKeyFrom(masterKey)). */
  key: Buffer;
}

/** Who rates: a wallet session of the payment's payer, or a feedback link. */
export type Rater = { walletUserId: string } | { token: string };

export interface FeedbackInput {
  rating: number;
  tags?: readonly string[];
  comment?: string | null;
}

export interface SummaryQuery {
  from?: number;
  to?: number;
  time_zone?: string;
  interval?: FeedbackInterval;
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;

const defaultRangeMs = 30 * 24 * 60 * 60 * 1000;
const intervalMs: Record<FeedbackInterval, number> = { day: 86_400_000, week: 7 * 86_400_000, month: 28 * 86_400_000 };
const round2 = (value: number | string | null) => (value === null ? null : Math.round(Number(value) * 100) / 100);

export function createFeedbackService(deps: FeedbackDeps) {
  const { pool } = deps;
  const timeZones = createTimeZones(pool);

  async function found(rater: Rater, paymentId?: string): Promise<{ payment: Payment; merchantName: string }> {
    if ("token" in rater) {
      const id = paymentOfFeedbackToken(rater.token);
      const hit = id ? await getPaymentForPayer(pool, id) : undefined;
      const payerId = hit?.payment.payerId;
      if (!hit || !payerId || !verifyFeedbackToken(deps.key, rater.token, payerId)) {
        throw new ApiError("resource_not_found", "No such feedback link.", "token");
      }
      return hit;
    }
    const hit = paymentId ? await getPaymentForPayer(pool, paymentId) : undefined;
    // Another payer's payment is as unknown as one that does not exist, as everywhere in the wallet.
    if (!hit || hit.payment.payerId !== rater.walletUserId) {
      throw new ApiError("resource_not_found", "No such payment.", "id");
    }
    return hit;
  }

  /** Until when a payment can be rated: null when it cannot be (not succeeded). */
  function rateableUntil(payment: Payment): Date | null {
    if (payment.status !== "succeeded" || !payment.paidAt) return null;
    return new Date(payment.paidAt.getTime() + feedbackWindowMs);
  }

  async function feedbackOf(paymentId: string): Promise<Feedback | undefined> {
    const result = await pool.query<FeedbackRow>("SELECT * FROM payment_feedback WHERE payment_id = $1", [paymentId]);
    return result.rows[0] ? feedbackFromRow(result.rows[0]) : undefined;
  }

  function requestJson(payment: Payment, merchantName: string, feedback: Feedback | undefined, now: Date) {
    const until = rateableUntil(payment);
    const currency = deps.currencies.get(payment.currency);
    return {
      object: "feedback_request" as const,
      livemode: payment.livemode,
      payment: payment.id,
      merchant: { name: merchantName },
      amount: String(payment.amount),
      currency: payment.currency,
      amount_display: currency ? formatMinorUnits(payment.amount, currency) : String(payment.amount),
      description: payment.description,
      paid_at: payment.paidAt ? unixSeconds(payment.paidAt) : null,
      rateable: !feedback && until !== null && now < until,
      rateable_until: until ? unixSeconds(until) : null,
      feedback: feedback
        ? {
            id: feedback.id,
            rating: feedback.rating,
            tags: feedback.tags,
            comment: feedback.comment,
            source: feedback.source,
            created: unixSeconds(feedback.createdAt),
          }
        : null,
    };
  }
  type FeedbackRequestJson = ReturnType<typeof requestJson>;

  /** What the payer's feedback page, the checkout page and the wallet show: the payment and its feedback, if any. */
  async function request(rater: Rater, paymentId?: string): Promise<FeedbackRequestJson> {
    const { payment, merchantName } = await found(rater, paymentId);
    const now = await deps.testClocks.now(payment.merchantId, payment.livemode);
    return requestJson(payment, merchantName, await feedbackOf(payment.id), now);
  }

  /** The input as stored: tags from the catalog, once each; a comment trimmed, empty meaning none. */
  function clean(input: FeedbackInput): { rating: number; tags: FeedbackTag[]; comment: string | null } {
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
      throw new ApiError("parameter_invalid", "rating is a whole number from 1 to 5.", "rating");
    }
    const tags = input.tags ?? [];
    if (tags.length > feedbackTagsMax || new Set(tags).size !== tags.length) {
      throw new ApiError("parameter_invalid", `tags: at most ${feedbackTagsMax}, each once.`, "tags");
    }
    for (const tag of tags) {
      if (!(feedbackTags as readonly string[]).includes(tag)) {
        throw new ApiError("parameter_invalid", `tags are ${feedbackTags.join(", ")}.`, "tags");
      }
    }
    const comment = input.comment?.trim() ?? "";
    if (comment.length > feedbackCommentLengthMax) {
      throw new ApiError("parameter_invalid", `comment is at most ${feedbackCommentLengthMax} characters.`, "comment");
    }
    return { rating: input.rating, tags: tags as FeedbackTag[], comment: comment === "" ? null : comment };
  }

  /**
   * The payer's feedback: one per payment, on a succeeded payment within the window. The row, its event and the
   * request's stored answer commit together; of racing submissions the unique payment_id keeps one.
   */
  async function submit(
    rater: Rater,
    paymentId: string | undefined,
    input: FeedbackInput,
    source: FeedbackSource,
    answer?: AnswerRecorder<FeedbackRequestJson>,
  ): Promise<FeedbackRequestJson> {
    const { payment, merchantName } = await found(rater, paymentId);
    const value = clean(input);
    const now = await deps.testClocks.now(payment.merchantId, payment.livemode);
    const until = rateableUntil(payment);
    if (!until) throw feedbackErrors.toApiError("payment_not_rateable", undefined, "id");
    if (now >= until) throw feedbackErrors.toApiError("feedback_window_closed", undefined, "id");
    const payerId = payment.payerId!;
    return withTransaction(pool, async (tx) => {
      const inserted = await tx.query<FeedbackRow>(
        `INSERT INTO payment_feedback (id, payment_id, merchant_id, livemode, payer_id, rating, tags, comment, source,
                                       created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (payment_id) DO NOTHING RETURNING *`,
        [
          newId("fbk"),
          payment.id,
          payment.merchantId,
          payment.livemode,
          payerId,
          value.rating,
          value.tags,
          value.comment,
          source,
          now,
        ],
      );
      const row = inserted.rows[0];
      if (!row) throw feedbackErrors.toApiError("feedback_exists", undefined, "id");
      const feedback = feedbackFromRow(row);
      await recordEvent(
        tx,
        {
          type: "feedback.created",
          merchantId: payment.merchantId,
          walletUserId: payerId,
          livemode: payment.livemode,
          object: feedbackJson(feedback, payment),
        },
        now,
      );
      const json = requestJson(payment, merchantName, feedback, now);
      await answer?.(tx, json);
      return json;
    });
  }

  /** The payments a page of feedback is about, in one read. */
  async function paymentsOf(ids: readonly string[]): Promise<Map<string, RatedPayment>> {
    const result = await pool.query<{ id: string; amount: string; currency: string; description: string | null }>(
      "SELECT id, amount, currency, description FROM payments WHERE id = ANY($1::text[])",
      [ids],
    );
    return new Map(
      result.rows.map((r) => [r.id, { amount: BigInt(r.amount), currency: r.currency, description: r.description }]),
    );
  }

  async function list(
    scope: MerchantScope,
    filter: { rating?: number; payment?: string; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<FeedbackJson>> {
    const rows = await keysetPage<FeedbackRow>(pool, page, {
      from: "payment_feedback",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::int IS NULL OR rating = $3) AND ($4::text IS NULL OR payment_id = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.rating ?? null,
        filter.payment ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const items = mapPage(rows, feedbackFromRow);
    const payments = await paymentsOf(items.data.map((f) => f.paymentId));
    return { ...items, data: items.data.map((f) => feedbackJson(f, payments.get(f.paymentId)!)) };
  }

  async function get(scope: MerchantScope, id: string): Promise<FeedbackJson> {
    const notFound = new ApiError("resource_not_found", "No such feedback.", "id");
    if (!isId(id, "fbk")) throw notFound;
    const result = await pool.query<FeedbackRow>(
      "SELECT * FROM payment_feedback WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
      [id, scope.merchantId, scope.livemode],
    );
    if (!result.rows[0]) throw notFound;
    const feedback = feedbackFromRow(result.rows[0]);
    return feedbackJson(feedback, (await paymentsOf([feedback.paymentId])).get(feedback.paymentId)!);
  }

  async function merchantTimeZone(merchantId: string): Promise<string> {
    const found = await pool.query<{ time_zone: string }>("SELECT time_zone FROM merchants WHERE id = $1", [
      merchantId,
    ]);
    return found.rows[0]?.time_zone ?? "UTC";
  }

  /**
   * Averages over time (GET /v1/feedback/summary): the range's count, average, ratings and tags, and one bucket per
   * day, week (from Monday) or month of the time zone, zero-filled, the first and last clipped to the range. The
   * parameters and their defaults are the analytics endpoints' (docs/analytics.md), so the console's insight pages
   * can put feedback beside the payment figures.
   */
  async function summary(scope: MerchantScope, q: SummaryQuery) {
    const timeZone = q.time_zone ?? (await merchantTimeZone(scope.merchantId));
    if (q.time_zone !== undefined && !(await timeZones.has(q.time_zone))) {
      throw analyticsError("time_zone_invalid", undefined, "time_zone");
    }
    const interval = q.interval ?? "day";
    const now = (await deps.testClocks.now(scope.merchantId, scope.livemode)).getTime();
    // As the analytics endpoints: `to` defaults to now (and then takes in what was rated this very millisecond),
    // `from` to 30 days before `to`.
    const toMs = q.to !== undefined ? q.to * 1000 : now + 1;
    const fromMs = q.from !== undefined ? q.from * 1000 : toMs - defaultRangeMs;
    if (fromMs >= toMs) throw analyticsError("analytics_range_invalid", undefined, "from");
    if (toMs - fromMs > analyticsRangeMaxMs || (toMs - fromMs) / intervalMs[interval] > feedbackSummaryBucketsMax) {
      throw analyticsError("analytics_range_too_long", undefined, "from");
    }
    const from = new Date(fromMs);
    const to = new Date(toMs);
    const params = [scope.merchantId, scope.livemode, from, to];
    const inRange = "merchant_id = $1 AND livemode = $2 AND created_at >= $3 AND created_at < $4";
    const [totals, ratings, tags, series] = await Promise.all([
      pool.query<{ n: number; average: string | null }>(
        `SELECT count(*)::int AS n, avg(rating)::float8 AS average FROM payment_feedback WHERE ${inRange}`,
        params,
      ),
      pool.query<{ rating: number; n: number }>(
        `SELECT rating, count(*)::int AS n FROM payment_feedback WHERE ${inRange} GROUP BY rating`,
        params,
      ),
      pool.query<{ tag: FeedbackTag; n: number }>(
        `SELECT tag, count(*)::int AS n FROM payment_feedback, unnest(tags) AS tag WHERE ${inRange}
          GROUP BY tag ORDER BY n DESC, tag`,
        params,
      ),
      pool.query<{ start: Date; n: number; average: string | null }>(
        `WITH buckets AS (
           SELECT greatest(b AT TIME ZONE $5::text, $3::timestamptz) AS start,
                  least((b + $7::interval) AT TIME ZONE $5::text, $4::timestamptz) AS until
             FROM generate_series(date_trunc($6::text, $3::timestamptz AT TIME ZONE $5::text),
                                  ($4::timestamptz - interval '1 microsecond') AT TIME ZONE $5::text,
                                  $7::interval) AS b
         )
         SELECT buckets.start, count(f.id)::int AS n, avg(f.rating)::float8 AS average
           FROM buckets
           LEFT JOIN payment_feedback f ON f.merchant_id = $1 AND f.livemode = $2
                                        AND f.created_at >= buckets.start AND f.created_at < buckets.until
          GROUP BY buckets.start ORDER BY buckets.start`,
        [...params, timeZone, interval, `1 ${interval}`],
      ),
    ]);
    const byRating = new Map(ratings.rows.map((r) => [r.rating, r.n]));
    return {
      object: "feedback_summary" as const,
      livemode: scope.livemode,
      from: Math.floor(fromMs / 1000),
      to: Math.floor(toMs / 1000),
      time_zone: timeZone,
      interval,
      count: totals.rows[0]?.n ?? 0,
      average_rating: round2(totals.rows[0]?.average ?? null),
      ratings: [5, 4, 3, 2, 1].map((rating) => ({ rating, count: byRating.get(rating) ?? 0 })),
      tags: tags.rows.map((r) => ({ tag: r.tag, count: r.n })),
      series: series.rows.map((r) => ({ start: unixSeconds(r.start), count: r.n, average_rating: round2(r.average) })),
    };
  }

  return {
    request,
    submit,
    list,
    get,
    summary,
    /** The payer's feedback link of a payment: the receipt's and the checkout page's (null without a payer). */
    tokenFor: (payment: Pick<Payment, "id" | "payerId">) =>
      payment.payerId ? feedbackToken(deps.key, payment.id, payment.payerId) : null,
  };
}
export type FeedbackRequestJson = Awaited<ReturnType<FeedbackService["request"]>>;
