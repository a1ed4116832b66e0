import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { type Metadata, mergeMetadata, metadataOf, sameMetadata } from "../http/metadata.js";
import { keysetPage, type ListPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import { type CurrencyRegistry, formatMinorUnits } from "../ledger/currencies.js";
import {
  amountMax,
  paymentDescriptionLengthMax,
  paymentLinkMaxUsesMax,
  paymentLinkQuantityMax,
  paymentLinkSendsPerMerchantMax,
  paymentLinkSendWindowMs,
  paymentLinkSlugLength,
  paymentLinkUsesPerAddressMax,
  paymentLinkUseWindowMs,
  paymentReturnUrlLengthMax,
  timestampSecondsMax,
} from "../limits.js";
import { hitRateLimit, retryAfterSeconds } from "../merchants/rate-limits.js";
import { randomBase62 } from "../merchants/tokens.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import { RetryAfterError } from "../payments/create.js";
import type { Payment } from "../payments/model.js";
import type { PaymentServices } from "../payments/service.js";
import { merchantName } from "../payments/store.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { parseEmail, parsePhone } from "../wallets/users/contacts.js";
import { paymentLinkErrors } from "./errors.js";
import { paymentRequestTemplate } from "./messages.js";
import {
  type AmountType,
  emptyStats,
  linkState,
  type PaymentLink,
  type PaymentLinkRow,
  type PaymentLinkStats,
  paymentLinkFromRow,
  paymentLinkJson,
  payUrl,
  publicPaymentLinkJson,
} from "./model.js";

/**
 * Payment links (docs/payment-links.md): a reusable request for money, shared as /pay/{slug} or its QR code. Each
 * use makes an ordinary checkout payment through the payments service — same fees, events, webhooks and expiry —
 * that names its link. A use is counted when its payment is created, in the payment's own transaction, under a lock
 * on the link's row: at most max_uses payments of a link are paid or waiting at any time, so at most max_uses are
 * ever paid. An unpaid one that fails, is canceled or expires gives its place back.
 */
export interface PaymentLinkDeps {
  pool: Pool;
  clock: Clock;
  currencies: CurrencyRegistry;
  testClocks: TestClocks;
  payments: PaymentServices;
  notifications: NotificationService;
}

export interface CreatePaymentLinkInput {
  currency: string;
  amount_type: AmountType;
  unit_amount?: unknown;
  quantity_max?: number;
  amount_min?: unknown;
  amount_max?: unknown;
  description?: string;
  return_url?: string;
  max_uses?: number;
  expires_at?: number;
  metadata?: Metadata;
}

export interface UpdatePaymentLinkInput {
  description?: string | null;
  return_url?: string | null;
  max_uses?: number | null;
  expires_at?: number | null;
  metadata?: Metadata;
}

export interface PaymentLinkUse {
  amount?: unknown;
  quantity?: number;
}

export interface PaymentRequestInput {
  email?: string;
  phone?: string;
  locale?: Locale;
}

/** A payment request queued by send: its answer, stored with the message so a retry never sends twice. */
export interface PaymentRequest {
  object: "payment_request";
  livemode: boolean;
  payment_link: string;
  channel: "email" | "sms";
  to: string;
  message: string | null;
  created: number;
}

export type PaymentLinkService = ReturnType<typeof createPaymentLinkService>;

const openStatuses = "('requires_payment', 'processing', 'requires_capture')";

export function createPaymentLinkService(deps: PaymentLinkDeps) {
  const { pool } = deps;
  const links = deps.payments.links;

  const notFound = () => new ApiError("resource_not_found", "No such payment link.", "id");

  function checkReturnUrl(value: string, livemode: boolean): string {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ApiError("parameter_invalid", "return_url must be an absolute URL.", "return_url");
    }
    const allowed = livemode ? ["https:"] : ["https:", "http:"];
    if (!allowed.includes(url.protocol) || url.username !== "" || url.password !== "") {
      throw new ApiError(
        "parameter_invalid",
        livemode ? "return_url must be an https:// URL in live mode." : "return_url must be an http(s):// URL.",
        "return_url",
      );
    }
    const text = url.toString();
    if (text.length > paymentReturnUrlLengthMax) {
      throw new ApiError("parameter_invalid", `return_url is at most ${paymentReturnUrlLengthMax} characters.`);
    }
    return text;
  }

  function checkMaxUses(value: number): number {
    if (!Number.isInteger(value) || value < 1 || value > paymentLinkMaxUsesMax) {
      throw new ApiError("parameter_invalid", `max_uses is a whole number from 1 to ${paymentLinkMaxUsesMax}.`);
    }
    return value;
  }

  function checkDescription(value: string): string {
    if (value.length > paymentDescriptionLengthMax) {
      throw new ApiError(
        "parameter_invalid",
        `description is at most ${paymentDescriptionLengthMax} characters.`,
        "description",
      );
    }
    return value;
  }

  /** A future time in Unix seconds, as the link's own clock (the test clock in test mode) reads now. */
  function checkExpiresAt(value: number, now: Date): Date {
    if (!Number.isInteger(value) || value <= Math.floor(now.getTime() / 1000) || value > timestampSecondsMax) {
      throw new ApiError("parameter_invalid", "expires_at is a time in the future, in Unix seconds.", "expires_at");
    }
    return new Date(value * 1000);
  }

  async function stats(db: Queryable, ids: string[]): Promise<Map<string, PaymentLinkStats>> {
    const found = new Map<string, PaymentLinkStats>();
    if (ids.length === 0) return found;
    const result = await db.query<{
      payment_link_id: string;
      succeeded: string;
      open: string;
      received: string;
      refunded: string;
    }>(
      `SELECT payment_link_id,
              count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE status IN ${openStatuses}) AS open,
              coalesce(sum(amount_captured) FILTER (WHERE status = 'succeeded'), 0) AS received,
              coalesce(sum(amount_refunded), 0) AS refunded
         FROM payments WHERE payment_link_id = ANY($1::text[]) GROUP BY payment_link_id`,
      [ids],
    );
    for (const row of result.rows) {
      found.set(row.payment_link_id, {
        succeeded: Number(row.succeeded),
        open: Number(row.open),
        amountReceived: BigInt(row.received),
        amountRefunded: BigInt(row.refunded),
      });
    }
    return found;
  }

  async function statsOf(db: Queryable, id: string): Promise<PaymentLinkStats> {
    return (await stats(db, [id])).get(id) ?? emptyStats;
  }

  /**
   * What a use is judged on: the places held, paid or open, in one figure (linkState adds the two). Only a link with
   * max_uses needs them counted.
   */
  async function usesOf(db: Queryable, link: PaymentLink): Promise<PaymentLinkStats> {
    if (link.maxUses === null) return emptyStats;
    const result = await db.query<{ held: string }>(
      `SELECT count(*) AS held FROM payments
        WHERE payment_link_id = $1 AND status IN ('succeeded', 'requires_payment', 'processing', 'requires_capture')`,
      [link.id],
    );
    return { ...emptyStats, succeeded: Number(result.rows[0]?.held ?? 0) };
  }

  async function findLink(db: Queryable, scope: MerchantScope, id: string, lock = false) {
    if (!isId(id, "plk")) return undefined;
    const result = await db.query<PaymentLinkRow>(
      `SELECT * FROM payment_links WHERE id = $1 AND merchant_id = $2 AND livemode = $3${lock ? " FOR UPDATE" : ""}`,
      [id, scope.merchantId, scope.livemode],
    );
    return result.rows[0] ? paymentLinkFromRow(result.rows[0]) : undefined;
  }

  async function recordLinkEvent(
    tx: Queryable,
    type: "payment_link.created" | "payment_link.updated" | "payment_link.deactivated",
    link: PaymentLink,
    at: Date,
    previous?: Record<string, unknown>,
  ): Promise<void> {
    await recordEvent(
      tx,
      {
        type,
        merchantId: link.merchantId,
        livemode: link.livemode,
        object: paymentLinkJson(link, await statsOf(tx, link.id), links, { svg: false }),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  const linkColumns =
    "id, merchant_id, livemode, slug, active, currency, amount_type, unit_amount, quantity_max, amount_min, " +
    "amount_max, description, return_url, max_uses, expires_at, deactivated_at, created_at, updated_at, metadata";

  async function create(
    scope: MerchantScope,
    input: CreatePaymentLinkInput,
    answer?: AnswerRecorder<{ link: PaymentLink; stats: PaymentLinkStats }>,
  ): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
    const currency = deps.payments.payments.supportedCurrency(input.currency);
    const now = await deps.testClocks.now(scope.merchantId, scope.livemode);
    let unitAmount: bigint | null = null;
    let quantityMax: number | null = null;
    let amountMin: bigint | null = null;
    let amountMaxValue: bigint | null = null;
    if (input.amount_type === "fixed") {
      for (const field of ["amount_min", "amount_max"] as const) {
        if (input[field] !== undefined) {
          throw new ApiError("parameter_invalid", `${field} goes with amount_type customer_chooses only.`, field);
        }
      }
      if (input.unit_amount === undefined) {
        throw new ApiError("parameter_missing", "amount_type fixed needs unit_amount.", "unit_amount");
      }
      if (input.quantity_max !== undefined) {
        const q = input.quantity_max;
        if (!Number.isInteger(q) || q < 2 || q > paymentLinkQuantityMax) {
          throw new ApiError(
            "parameter_invalid",
            `quantity_max is a whole number from 2 to ${paymentLinkQuantityMax} (leave it out for a quantity of one).`,
            "quantity_max",
          );
        }
        quantityMax = q;
      }
      // The largest payment the link can make must itself be a valid amount.
      unitAmount = parseAmount(input.unit_amount, {
        param: "unit_amount",
        max: amountMax / BigInt(quantityMax ?? 1),
      });
    } else {
      if (input.unit_amount !== undefined || input.quantity_max !== undefined) {
        const field = input.unit_amount !== undefined ? "unit_amount" : "quantity_max";
        throw new ApiError("parameter_invalid", `${field} goes with amount_type fixed only.`, field);
      }
      if (input.amount_min === undefined) {
        throw new ApiError("parameter_missing", "amount_type customer_chooses needs amount_min.", "amount_min");
      }
      if (input.amount_max === undefined) {
        throw new ApiError("parameter_missing", "amount_type customer_chooses needs amount_max.", "amount_max");
      }
      amountMin = parseAmount(input.amount_min, { param: "amount_min" });
      amountMaxValue = parseAmount(input.amount_max, { param: "amount_max" });
      if (amountMaxValue < amountMin) {
        throw new ApiError("amount_invalid", "amount_max must be at least amount_min.", "amount_max");
      }
    }
    const link: PaymentLink = {
      id: newId("plk"),
      merchantId: scope.merchantId,
      livemode: scope.livemode,
      slug: randomBase62(paymentLinkSlugLength),
      active: true,
      currency,
      amountType: input.amount_type,
      unitAmount,
      quantityMax,
      amountMin,
      amountMax: amountMaxValue,
      description: input.description === undefined ? null : checkDescription(input.description),
      metadata: metadataOf(input.metadata),
      returnUrl: input.return_url === undefined ? null : checkReturnUrl(input.return_url, scope.livemode),
      maxUses: input.max_uses === undefined ? null : checkMaxUses(input.max_uses),
      expiresAt: input.expires_at === undefined ? null : checkExpiresAt(input.expires_at, now),
      deactivatedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    return withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO payment_links (${linkColumns})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          link.id,
          link.merchantId,
          link.livemode,
          link.slug,
          link.active,
          link.currency,
          link.amountType,
          link.unitAmount?.toString() ?? null,
          link.quantityMax,
          link.amountMin?.toString() ?? null,
          link.amountMax?.toString() ?? null,
          link.description,
          link.returnUrl,
          link.maxUses,
          link.expiresAt,
          link.deactivatedAt,
          link.createdAt,
          link.updatedAt,
          JSON.stringify(link.metadata),
        ],
      );
      await recordLinkEvent(tx, "payment_link.created", link, now);
      const created = { link, stats: emptyStats };
      await answer?.(tx, created);
      return created;
    });
  }

  async function get(scope: MerchantScope, id: string): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
    const link = await findLink(pool, scope, id);
    if (!link) throw notFound();
    return { link, stats: await statsOf(pool, link.id) };
  }

  async function list(
    scope: MerchantScope,
    filter: { active?: boolean; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<{ link: PaymentLink; stats: PaymentLinkStats }>> {
    const rows = await keysetPage<PaymentLinkRow>(pool, page, {
      from: "payment_links",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::boolean IS NULL OR active = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.active ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const found = rows.data.map(paymentLinkFromRow);
    const all = await stats(
      pool,
      found.map((l) => l.id),
    );
    return { ...rows, data: found.map((link) => ({ link, stats: all.get(link.id) ?? emptyStats })) };
  }

  /** Changes what a link says or allows; the amount and currency stay (make a new link for another price). */
  async function update(
    scope: MerchantScope,
    id: string,
    input: UpdatePaymentLinkInput,
    answer?: AnswerRecorder<{ link: PaymentLink; stats: PaymentLinkStats }>,
  ): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
    return withTransaction(pool, async (tx) => {
      const link = await findLink(tx, scope, id, true);
      if (!link) throw notFound();
      const now = await deps.testClocks.now(scope.merchantId, scope.livemode, tx);
      const next: PaymentLink = { ...link, updatedAt: now };
      const previous: Record<string, unknown> = {};
      const before = paymentLinkJson(link, emptyStats, links, { svg: false });
      if (input.description !== undefined) {
        next.description = input.description === null ? null : checkDescription(input.description);
        if (next.description !== link.description) previous.description = before.description;
      }
      if (input.return_url !== undefined) {
        next.returnUrl = input.return_url === null ? null : checkReturnUrl(input.return_url, scope.livemode);
        if (next.returnUrl !== link.returnUrl) previous.return_url = before.return_url;
      }
      if (input.max_uses !== undefined) {
        next.maxUses = input.max_uses === null ? null : checkMaxUses(input.max_uses);
        if (next.maxUses !== link.maxUses) previous.max_uses = before.max_uses;
      }
      if (input.expires_at !== undefined) {
        next.expiresAt = input.expires_at === null ? null : checkExpiresAt(input.expires_at, now);
        if (next.expiresAt?.getTime() !== link.expiresAt?.getTime()) previous.expires_at = before.expires_at;
      }
      if (input.metadata !== undefined) {
        next.metadata = mergeMetadata(link.metadata, input.metadata);
        if (!sameMetadata(next.metadata, link.metadata)) previous.metadata = link.metadata;
      }
      if (Object.keys(previous).length === 0) {
        const unchanged = { link, stats: await statsOf(tx, link.id) };
        await answer?.(tx, unchanged);
        return unchanged;
      }
      await tx.query(
        `UPDATE payment_links SET description = $2, return_url = $3, max_uses = $4, expires_at = $5, updated_at = $6,
                metadata = $7
          WHERE id = $1`,
        [
          link.id,
          next.description,
          next.returnUrl,
          next.maxUses,
          next.expiresAt,
          next.updatedAt,
          JSON.stringify(next.metadata),
        ],
      );
      await recordLinkEvent(tx, "payment_link.updated", next, now, previous);
      const updated = { link: next, stats: await statsOf(tx, link.id) };
      await answer?.(tx, updated);
      return updated;
    });
  }

  /** Stops a link for good: its page says so and no new payment starts; payments already made are not touched. */
  async function deactivate(
    scope: MerchantScope,
    id: string,
    answer?: AnswerRecorder<{ link: PaymentLink; stats: PaymentLinkStats }>,
  ): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
    return withTransaction(pool, async (tx) => {
      const link = await findLink(tx, scope, id, true);
      if (!link) throw notFound();
      if (!link.active) {
        const same = { link, stats: await statsOf(tx, link.id) };
        await answer?.(tx, same);
        return same;
      }
      const now = await deps.testClocks.now(scope.merchantId, scope.livemode, tx);
      const next: PaymentLink = { ...link, active: false, deactivatedAt: now, updatedAt: now };
      await tx.query("UPDATE payment_links SET active = false, deactivated_at = $2, updated_at = $2 WHERE id = $1", [
        link.id,
        now,
      ]);
      await recordLinkEvent(tx, "payment_link.deactivated", next, now, { active: true });
      const done = { link: next, stats: await statsOf(tx, link.id) };
      await answer?.(tx, done);
      return done;
    });
  }

  function amountText(amount: bigint, code: string): string {
    const currency = deps.currencies.get(code);
    return currency ? formatMinorUnits(amount, currency) : amount.toString();
  }

  /** What the payer is asked for, as a mail or the page words it: "19.99 USD", "1.00–50.00 USD". */
  function askedAmount(link: PaymentLink): string {
    if (link.unitAmount !== null) {
      const each = `${amountText(link.unitAmount, link.currency)} ${link.currency}`;
      return link.quantityMax === null ? each : `${each} × 1–${link.quantityMax}`;
    }
    return `${amountText(link.amountMin!, link.currency)}–${amountText(link.amountMax!, link.currency)} ${link.currency}`;
  }

  /**
   * Sends the link to a customer by email or SMS through the notifications outbox, in English or Chinese. Limited
   * per merchant and mode (paymentLinkSendsPerMerchantMax a window): the mails leave from coffer's address.
   */
  async function send(
    scope: MerchantScope,
    id: string,
    input: PaymentRequestInput,
    answer?: AnswerRecorder<PaymentRequest>,
  ): Promise<PaymentRequest> {
    const link = await findLink(pool, scope, id);
    if (!link) throw notFound();
    if (!link.active) throw paymentLinkErrors.toApiError("payment_link_inactive");
    const now = await deps.testClocks.now(scope.merchantId, scope.livemode);
    if (link.expiresAt && link.expiresAt.getTime() <= now.getTime()) {
      throw paymentLinkErrors.toApiError("payment_link_expired");
    }
    if ((input.email === undefined) === (input.phone === undefined)) {
      throw new ApiError("parameter_missing", "Send email or phone (one of them).", "email");
    }
    const channel: "email" | "sms" = input.email !== undefined ? "email" : "sms";
    const to = input.email !== undefined ? parseEmail(input.email) : parsePhone(input.phone!);
    if (!to) {
      throw new ApiError(
        "parameter_invalid",
        channel === "email"
          ? "email is not a valid email address."
          : "phone is a number in international form, like +8613800138000.",
        channel === "email" ? "email" : "phone",
      );
    }
    const systemNow = deps.clock.now();
    const bucket = `payment_link_send:${scope.merchantId}:${scope.livemode ? "live" : "test"}`;
    const sent = await withTransaction(pool, async (tx) => {
      const hits = await hitRateLimit(tx, bucket, paymentLinkSendWindowMs, systemNow);
      if (hits > paymentLinkSendsPerMerchantMax) {
        throw new RetryAfterError(
          retryAfterSeconds(systemNow, paymentLinkSendWindowMs),
          `At most ${paymentLinkSendsPerMerchantMax} payment requests an hour; wait before sending more.`,
        );
      }
      const locale = input.locale ?? "en";
      const message = await deps.notifications.enqueue(tx, {
        channel,
        to,
        template: paymentRequestTemplate,
        locale,
        vars: {
          merchant: await merchantName(tx, link.merchantId),
          amount: askedAmount(link),
          description: link.description ?? (locale === "zh-CN" ? "付款" : "a payment"),
          link: payUrl(links, link),
        },
        merchantId: link.merchantId,
      });
      const request: PaymentRequest = {
        object: "payment_request",
        livemode: link.livemode,
        payment_link: link.id,
        channel,
        to,
        message,
        created: Math.floor(systemNow.getTime() / 1000),
      };
      await answer?.(tx, request);
      return request;
    });
    deps.notifications.kick();
    return sent;
  }

  async function bySlug(db: Queryable, slug: string, lock = false): Promise<PaymentLink | undefined> {
    if (!/^[0-9A-Za-z]{16}$/.test(slug)) return undefined;
    const result = await db.query<PaymentLinkRow>(
      `SELECT * FROM payment_links WHERE slug = $1${lock ? " FOR UPDATE" : ""}`,
      [slug],
    );
    return result.rows[0] ? paymentLinkFromRow(result.rows[0]) : undefined;
  }

  /** The public page's data: the link as the payer sees it, and whether it takes a payment now. */
  async function publicSummary(slug: string) {
    const link = await bySlug(pool, slug);
    if (!link) throw new ApiError("resource_not_found", "No such payment link.", "slug");
    const now = await deps.testClocks.now(link.merchantId, link.livemode);
    const state = linkState(link, await usesOf(pool, link), now);
    return publicPaymentLinkJson(link, await merchantName(pool, link.merchantId), state, (amount) =>
      amountText(amount, link.currency),
    );
  }

  /** The payment's amount for a payer's choice, checked against the link: nothing is written on a refusal. */
  function amountOfUse(link: PaymentLink, use: PaymentLinkUse): bigint {
    if (link.amountType === "fixed") {
      if (use.amount !== undefined) {
        throw new ApiError("parameter_invalid", "This link has a fixed amount; send quantity only.", "amount");
      }
      const quantity = use.quantity ?? 1;
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > (link.quantityMax ?? 1)) {
        throw paymentLinkErrors.toApiError("payment_link_quantity_invalid", undefined, "quantity");
      }
      return link.unitAmount! * BigInt(quantity);
    }
    if (use.quantity !== undefined) {
      throw paymentLinkErrors.toApiError("payment_link_quantity_invalid", undefined, "quantity");
    }
    if (use.amount === undefined) throw new ApiError("parameter_missing", "This link needs an amount.", "amount");
    const amount = parseAmount(use.amount);
    if (amount < link.amountMin! || amount > link.amountMax!) {
      throw paymentLinkErrors.toApiError(
        "payment_link_amount_out_of_range",
        `The amount must be from ${link.amountMin} to ${link.amountMax} (minor units of ${link.currency}).`,
        "amount",
      );
    }
    return amount;
  }

  /** Why the link takes no payment now, or nothing when it does. */
  function refusal(link: PaymentLink, stats: PaymentLinkStats, now: Date): ApiError | undefined {
    switch (linkState(link, stats, now)) {
      case "inactive":
        return paymentLinkErrors.toApiError("payment_link_inactive");
      case "expired":
        return paymentLinkErrors.toApiError("payment_link_expired");
      case "used_up":
        return paymentLinkErrors.toApiError("payment_link_used_up");
      case "open":
        return undefined;
    }
  }

  /**
   * A payer uses the link: an ordinary checkout payment is made for the amount chosen, and the payer goes on to its
   * checkout page. The use is claimed in the payment's transaction with the link's row locked, so concurrent uses
   * of a link with max_uses queue there and each sees the others' payments.
   */
  async function use(
    slug: string,
    input: PaymentLinkUse,
    address: string,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const link = await bySlug(pool, slug);
    if (!link) throw new ApiError("resource_not_found", "No such payment link.", "slug");
    const amount = amountOfUse(link, input);
    const early = refusal(link, await usesOf(pool, link), await deps.testClocks.now(link.merchantId, link.livemode));
    if (early) throw early;
    // Each use holds a place until its payment ends: one address may not take them all at once.
    const systemNow = deps.clock.now();
    const bucket = `payment_link_use:${link.id}:${address}`;
    if ((await hitRateLimit(pool, bucket, paymentLinkUseWindowMs, systemNow)) > paymentLinkUsesPerAddressMax) {
      throw new RetryAfterError(
        retryAfterSeconds(systemNow, paymentLinkUseWindowMs),
        "Too many payments started from this link; wait before trying again.",
      );
    }
    const scope = { merchantId: link.merchantId, livemode: link.livemode };
    return deps.payments.payments.create(
      scope,
      {
        amount,
        currency: link.currency,
        method: "checkout",
        description: link.description ?? undefined,
        metadata: {},
        returnUrl: link.returnUrl ?? undefined,
        link: {
          id: link.id,
          claim: async (tx) => {
            const locked = await bySlug(tx, slug, true);
            if (!locked) throw new Error(`payment link ${link.id} vanished`);
            const now = await deps.testClocks.now(link.merchantId, link.livemode, tx);
            const refused = refusal(locked, await usesOf(tx, locked), now);
            if (refused) throw refused;
          },
        },
      },
      answer,
    );
  }

  return { create, get, list, update, deactivate, send, publicSummary, use };
}
