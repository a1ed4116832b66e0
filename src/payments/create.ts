import { cryptoDepositError } from "../crypto/deposits/errors.js";
import { type DeferredWrites, gather, writeNow } from "../db/deferred-writes.js";
import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { parseAmount } from "../http/amount.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { metadataOf } from "../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import {
  paymentCodeConfirmWindowMs,
  paymentExpiryMsDefault,
  paymentExpiryMsMax,
  paymentExpiryMsMin,
} from "../limits.js";
import type { OfflinePayments } from "../offline/service.js";
import { findStoreRow, findTillRow, type TillOfPayment, tillForPayment } from "../stores/store.js";
import type { Charger } from "./charge.js";
import { createCodeMissGuard } from "./code-misses.js";
import { claimPaymentCode, peekPaymentCode } from "./code-store.js";
import type { DiscountRequest, PaymentContext, PaymentPromotions, PlannedDiscount } from "./deps.js";
import { paymentError } from "./errors.js";
import type { FailureCode } from "./failure-codes.js";
import { type FeeSchedule, feeFor } from "./fees.js";
import type { CaptureMethod, Payment, PaymentMethod, PaymentRow } from "./model.js";
import { paymentDiscountRow, paymentFromRow } from "./model.js";
import { isPaymentCodeShape } from "./payment-codes.js";
import { newQrToken } from "./qr.js";
import type { PaymentStatus } from "./state-machine.js";
import { getMerchantPayment, recordPaymentEvent } from "./store.js";
import { changePaymentStatus } from "./transitions.js";

/**
 * Creating payments, the merchant's side. qr and checkout payments wait (requires_payment) for a payer to scan or
 * open them; payment_code payments name their payer through the code the POS scanned and are charged at once when
 * small, or wait in processing for the payer to confirm in the wallet (and are canceled by coffer when nobody does
 * within paymentCodeConfirmWindowMs).
 */
export interface CreatePaymentInput {
  amount: unknown;
  currency: string;
  method: PaymentMethod;
  captureMethod?: CaptureMethod;
  description?: string;
  metadata?: Record<string, string>;
  returnUrl?: string;
  /** Seconds until an unpaid payment expires (qr and checkout). */
  expiresIn?: number;
  paymentCode?: string;
  /**
   * A payment link's use (src/payment-links): the payment names the link, and claim runs first in the payment's
   * own transaction, so the use is counted exactly when the payment exists (qr and checkout only).
   */
  link?: { id: string; claim(tx: Queryable): Promise<void> };
  /** The till it is taken at (src/stores): the merchant's own, of the same mode, active, in its store's currency. */
  till?: string;
  /** A coupon or promotion code to take off amount (src/coupons): amount is then the subtotal. */
  discounts?: readonly DiscountRequest[];
  /** The payer may pay it again once it failed or ended unpaid (docs/adr/0028); never for a link's or a till's. */
  allowRetries?: boolean;
  /** Method crypto: the asset paid in, and optionally the chain (src/crypto/payments). */
  asset?: string;
  chain?: string;
}

/** A 429 that says when to come back: the route copies retryAfterS to the Retry-After header. */
export class RetryAfterError extends ApiError {
  constructor(
    readonly retryAfterS: number,
    message: string,
  ) {
    super("rate_limited", message);
  }
}

/** The failure code of a wallet refusal met while charging a payment code, or undefined for other errors. */
function failureOfWalletError(error: unknown): FailureCode | "step_up" | undefined {
  if (!(error instanceof ApiError)) return undefined;
  switch (error.code) {
    case "wallet_frozen":
      return "wallet_frozen";
    case "payment_limit_exceeded":
    case "daily_limit_exceeded":
    case "monthly_limit_exceeded":
      return "limit_exceeded";
    case "currency_not_supported":
      return "currency_not_supported";
    case "insufficient_funds":
      return "insufficient_funds";
    case "step_up_required":
      return "step_up";
    case "card_not_accepted":
      return "card_not_accepted";
    case "card_inactive":
      return "wallet_frozen";
    default:
      return undefined;
  }
}

/** Offline-code refusals that count as misses of the merchant's code guessing budget, like unknown codes. */
const offlineMisses = new Set(["offline_code_invalid", "offline_signature_invalid"]);

export type PaymentCreation = ReturnType<typeof createPaymentCreation>;

/** The columns a new payment is written with (what a fresh or fresh-and-charged payment sets). */
const paymentInsertColumns = [
  { name: "id", type: "text" },
  { name: "merchant_id", type: "text" },
  { name: "livemode", type: "boolean" },
  { name: "status", type: "text" },
  { name: "method", type: "text" },
  { name: "capture_method", type: "text" },
  { name: "amount", type: "numeric" },
  { name: "currency", type: "text" },
  { name: "description", type: "text" },
  { name: "metadata", type: "jsonb" },
  { name: "return_url", type: "text" },
  { name: "qr_token", type: "text" },
  { name: "payer_id", type: "text" },
  { name: "fee_percent_bps", type: "int" },
  { name: "fee_fixed", type: "numeric" },
  { name: "expires_at", type: "timestamptz" },
  { name: "due_at", type: "timestamptz" },
  { name: "created_at", type: "timestamptz" },
  { name: "updated_at", type: "timestamptz" },
  { name: "amount_captured", type: "numeric" },
  { name: "fee_amount", type: "numeric" },
  { name: "hold_transfer_id", type: "uuid" },
  { name: "capture_before", type: "timestamptz" },
  { name: "spend_day", type: "text" },
  { name: "spend_month", type: "text" },
  { name: "paid_at", type: "timestamptz" },
  { name: "payment_link_id", type: "text" },
  { name: "store_id", type: "text" },
  { name: "till_id", type: "text" },
  { name: "discount", type: "jsonb" },
  { name: "allow_retries", type: "boolean" },
] as const;

function paymentInsertValues(p: Payment): unknown[] {
  // A new payment has nothing refunded and no failure yet: those columns start at their defaults.
  if (p.amountRefunded !== 0n || p.feeRefunded !== 0n || p.failureCode !== null || p.cancellationReason !== null) {
    throw new Error(`payment ${p.id} is not new`);
  }
  return [
    p.id,
    p.merchantId,
    p.livemode,
    p.status,
    p.method,
    p.captureMethod,
    String(p.amount),
    p.currency,
    p.description,
    JSON.stringify(p.metadata),
    p.returnUrl,
    p.qrToken,
    p.payerId,
    p.feePercentBps,
    String(p.feeFixed),
    p.expiresAt,
    p.dueAt,
    p.createdAt,
    p.updatedAt,
    String(p.amountCaptured),
    String(p.feeAmount),
    p.holdTransferId,
    p.captureBefore,
    p.spendDay,
    p.spendMonth,
    p.paidAt,
    p.paymentLinkId,
    p.storeId,
    p.tillId,
    p.discount ? JSON.stringify(paymentDiscountRow(p.discount)) : null,
    p.allowRetries,
  ];
}

export function createPaymentCreation(ctx: PaymentContext, charger: Charger) {
  const { pool, clock } = ctx;
  const codeMisses = createCodeMissGuard();

  /** The discount of a new payment, from the coupons service (src/coupons) when it is wired. */
  function planDiscount(
    scope: MerchantScope,
    discounts: readonly DiscountRequest[],
    target: Parameters<PaymentPromotions["planDiscount"]>[2],
  ): Promise<PlannedDiscount> {
    if (!ctx.promotions) throw new ApiError("parameter_invalid", "Discounts are not available here.", "discounts");
    return ctx.promotions.planDiscount(scope, discounts, target);
  }

  /** A currency coffer knows and wallets hold; anything else is refused before a row is written. */
  function supportedCurrency(currency: string): string {
    if (!ctx.currencies.has(currency) || !ctx.wallets.config.tiers.has(currency)) {
      throw paymentError(
        "currency_not_supported",
        `Payments here are in ${[...ctx.wallets.config.tiers.keys()].join(", ")}; not ${currency.slice(0, 12)}.`,
        "currency",
      );
    }
    return currency;
  }

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
    return url.toString();
  }

  interface PaymentValues {
    id: string;
    scope: MerchantScope;
    input: CreatePaymentInput;
    amount: bigint;
    currency: string;
    metadata: Record<string, string>;
    returnUrl: string | null;
    payerId: string | null;
    fee: FeeSchedule;
    expiresAt: Date;
    now: Date;
    till: TillOfPayment | null;
    discount: PlannedDiscount | undefined;
  }

  /** The payment as it will be inserted: the charge plans its transfers from it before the row exists. */
  function draftPayment(v: PaymentValues): Payment {
    return {
      id: v.id,
      merchantId: v.scope.merchantId,
      livemode: v.scope.livemode,
      status: "requires_payment",
      method: v.input.method,
      captureMethod: v.input.captureMethod ?? "automatic",
      amount: v.amount - (v.discount?.amount ?? 0n),
      currency: v.currency,
      description: v.input.description ?? null,
      metadata: v.metadata,
      returnUrl: v.returnUrl,
      qrToken: v.input.method === "payment_code" ? null : newQrToken(),
      payerId: v.payerId,
      amountCaptured: 0n,
      amountRefunded: 0n,
      feePercentBps: v.fee.percentBps,
      feeFixed: v.fee.fixed,
      feeAmount: 0n,
      feeRefunded: 0n,
      holdTransferId: null,
      spendDay: null,
      spendMonth: null,
      expiresAt: v.expiresAt,
      captureBefore: null,
      dueAt: v.expiresAt,
      failureCode: null,
      failureMessage: null,
      cancellationReason: null,
      createdAt: v.now,
      updatedAt: v.now,
      paidAt: null,
      openedAt: null,
      paymentLinkId: v.input.link?.id ?? null,
      storeId: v.till?.storeId ?? null,
      tillId: v.till?.id ?? null,
      discount: v.discount?.discount ?? null,
      cashbackAmount: 0n,
      crypto: null,
      // A link counts its uses at creation (ADR 0020) and a till's payer has left the counter: neither is paid again.
      allowRetries: (v.input.allowRetries ?? false) && v.input.link === undefined && v.till === null,
      attemptCount: 1,
    };
  }

  /** Writes a new payment's row as it is (its events are the caller's), with the transaction's gathered rows. */
  async function writeNewPayment(tx: Queryable, payment: Payment): Promise<void> {
    const values = paymentInsertValues(payment);
    await gather(tx, (writes) => writes.insert({ table: "payments", columns: paymentInsertColumns, values }));
  }

  /**
   * Inserts a drafted payment and its payment.created event in the caller's transaction. thenChanged: the same
   * transaction changes the row next (a refused or waiting payment code), so it is written at once, not gathered.
   */
  async function insertPayment(tx: Queryable, draft: Payment, thenChanged = false): Promise<Payment> {
    const values = paymentInsertValues(draft);
    const add = (writes: DeferredWrites) => writes.insert({ table: "payments", columns: paymentInsertColumns, values });
    await (thenChanged ? writeNow(tx, add) : gather(tx, add));
    await recordPaymentEvent(tx, ctx, draft, draft.createdAt);
    return draft;
  }

  /**
   * Method crypto (src/crypto/payments): priced in its asset, paid by sending to an address of its own, so none of
   * a wallet payment's extras apply. Checked before anything is written.
   */
  async function quoteCrypto(scope: MerchantScope, input: CreatePaymentInput, amount: bigint) {
    const refuse = (param: string, what: string) =>
      new ApiError("parameter_invalid", `A crypto payment is paid on chain: ${what}.`, param);
    if (input.paymentCode !== undefined)
      throw refuse("payment_code", "payment_code goes with method payment_code only");
    if (input.till !== undefined) throw refuse("till", "it is not taken at a till");
    if (input.discounts?.length) throw refuse("discounts", "discounts do not apply");
    if ((input.captureMethod ?? "automatic") !== "automatic") {
      throw refuse("capture_method", "money sent cannot be held and released, so capture_method is automatic");
    }
    if (input.allowRetries) throw refuse("allow_retries", "money sent after expiry is held for refund, not a retry");
    if (input.link) throw new Error("a payment link makes qr or checkout payments only");
    if (input.asset === undefined) throw new ApiError("parameter_missing", "method crypto needs the asset.", "asset");
    if (!ctx.crypto) throw cryptoDepositError("crypto_unavailable");
    return ctx.crypto.quote(scope, { amount, currency: input.currency, asset: input.asset, chain: input.chain });
  }

  /**
   * Creates a payment. Every path is one database transaction that holds the payment row, its events, any money
   * it moves, the payment code it uses and the request's stored answer (answer), so a crash leaves all or nothing.
   */
  async function create(
    scope: MerchantScope,
    input: CreatePaymentInput,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    if (input.method !== "crypto" && (input.asset !== undefined || input.chain !== undefined)) {
      const param = input.asset !== undefined ? "asset" : "chain";
      throw new ApiError("parameter_invalid", `${param} goes with method crypto only.`, param);
    }
    const requested = parseAmount(input.amount);
    // A crypto payment is in its asset: a fiat price is converted at the rate locked now.
    const crypto = input.method === "crypto" ? await quoteCrypto(scope, input, requested) : undefined;
    const amount = crypto?.amount ?? requested;
    const currency = crypto?.currency ?? supportedCurrency(input.currency);
    const metadata = metadataOf(input.metadata);
    const returnUrl = input.returnUrl === undefined ? null : checkReturnUrl(input.returnUrl, scope.livemode);
    if (input.allowRetries && input.till !== undefined) {
      throw new ApiError(
        "parameter_invalid",
        "A till's payment cannot be paid again: allow_retries goes without till.",
        "allow_retries",
      );
    }
    const till = input.till === undefined ? null : await tillForPayment(pool, scope, input.till, currency);
    // A discount (src/coupons) is checked before anything is written; its counts are taken with the payment's row.
    const discount = input.discounts?.length
      ? await planDiscount(scope, input.discounts, {
          subtotal: amount,
          currency,
          method: input.method,
          captureMethod: input.captureMethod ?? "automatic",
          offline: input.paymentCode !== undefined && (ctx.offline?.looksLikeOfflineCode(input.paymentCode) ?? false),
        })
      : undefined;
    // The payment lives in its merchant's time (the test clock in test mode); the payer's code, the rate limit and
    // their windows belong to real time.
    const now = await ctx.testClocks.now(scope.merchantId, scope.livemode);
    const systemNow = clock.now();
    const draftOf = async (payerId: string | null, expiresAt: Date) =>
      draftPayment({
        id: newId("pay"),
        scope,
        input,
        amount,
        currency,
        metadata,
        returnUrl,
        payerId,
        fee: await ctx.feeSchedules.get(scope.merchantId, currency),
        now,
        expiresAt,
        till,
        discount,
      });
    if (input.method !== "payment_code") {
      if (input.paymentCode !== undefined) {
        throw new ApiError("parameter_invalid", "payment_code goes with method payment_code only.", "payment_code");
      }
      const expiresInDefaultMs = crypto && ctx.crypto ? ctx.crypto.expiryMsDefault : paymentExpiryMsDefault;
      const expiresInMs = input.expiresIn === undefined ? expiresInDefaultMs : input.expiresIn * 1000;
      if (!Number.isInteger(expiresInMs) || expiresInMs < paymentExpiryMsMin || expiresInMs > paymentExpiryMsMax) {
        throw new ApiError(
          "parameter_invalid",
          `expires_in is ${paymentExpiryMsMin / 1000} to ${paymentExpiryMsMax / 1000} seconds.`,
          "expires_in",
        );
      }
      const draft = await draftOf(null, new Date(now.getTime() + expiresInMs));
      if (crypto) {
        // The row first (the address references it), then its address and details, then the event that shows them.
        return withTransaction(pool, async (tx) => {
          const values = paymentInsertValues(draft);
          await writeNow(tx, (writes) => writes.insert({ table: "payments", columns: paymentInsertColumns, values }));
          const created: Payment = { ...draft, crypto: await crypto.place(tx, draft) };
          await recordPaymentEvent(tx, ctx, created, created.createdAt);
          await answer?.(tx, created);
          return created;
        });
      }
      const link = input.link;
      if (link || discount) {
        // The link's claim counts this payment among its uses: the row is written at once, so the next use in the
        // same transaction or after its commit sees it. A discount's counts are taken the same way, off the ledger's
        // shared batch, so a wait on a popular coupon's row never holds up other payments.
        return withTransaction(pool, async (tx) => {
          await link?.claim(tx);
          const created = await insertPayment(tx, draft, true);
          await discount?.reserve(tx, created);
          await answer?.(tx, created);
          return created;
        });
      }
      // No money moves yet: the row rides the next ledger batch to share its commit.
      let created: Payment | undefined;
      await ctx.ledger.runInBatch(async (tx) => {
        created = await insertPayment(tx, draft);
        await answer?.(tx, created);
      });
      if (!created) throw new Error(`payment ${draft.id} was not created`);
      return created;
    }

    if (input.link) throw new Error("a payment link makes qr or checkout payments only");
    if (input.paymentCode === undefined) {
      throw new ApiError("parameter_missing", "method payment_code needs the payment_code scanned.", "payment_code");
    }
    if (input.expiresIn !== undefined) {
      throw new ApiError(
        "parameter_invalid",
        `A payment_code payment ends ${paymentCodeConfirmWindowMs / 1000} seconds after creation; expires_in does not apply.`,
        "expires_in",
      );
    }
    const bucket = `payment_code:${scope.merchantId}:${scope.livemode ? "live" : "test"}`;
    const retryAfter = await codeMisses.retryAfter(pool, bucket, systemNow);
    if (retryAfter !== undefined) {
      throw new RetryAfterError(retryAfter, "Too many unknown or expired payment codes; wait before trying more.");
    }
    // An offline code (src/offline) names its payer in its signed certificate and settles against the
    // certificate's ledger hold, in one ledger submission with the payment.
    if (ctx.offline?.looksLikeOfflineCode(input.paymentCode)) {
      if ((input.captureMethod ?? "automatic") !== "automatic") {
        throw new ApiError(
          "parameter_invalid",
          "An offline code settles at once: capture_method automatic only.",
          "capture_method",
        );
      }
      const draft = await draftOf(null, new Date(now.getTime() + paymentCodeConfirmWindowMs));
      try {
        return await settleOfflineCode(ctx.offline, input.paymentCode, draft, answer);
      } catch (error) {
        if (error instanceof ApiError && offlineMisses.has(error.code)) await codeMisses.hit(pool, bucket, systemNow);
        throw error;
      }
    }
    // Who the code names, without using it yet: the code is claimed in the payment's own transaction (usePaymentCode).
    // Sandbox hook: in test mode a magic code (docs/sandbox.md) stands for the merchant's scripted payer.
    const sandboxPayer = scope.livemode
      ? undefined
      : await ctx.sandbox?.payerForCode(scope.merchantId, input.paymentCode, currency);
    const named = sandboxPayer
      ? { walletUserId: sandboxPayer }
      : isPaymentCodeShape(input.paymentCode)
        ? await peekPaymentCode(pool, input.paymentCode, scope.livemode, systemNow)
        : ({ miss: "payment_code_invalid" } as const);
    if ("miss" in named) {
      await codeMisses.hit(pool, bucket, systemNow);
      throw paymentError(named.miss, undefined, "payment_code");
    }
    const draft = await draftOf(named.walletUserId, new Date(now.getTime() + paymentCodeConfirmWindowMs));
    const code = sandboxPayer ? undefined : input.paymentCode;
    const claim = async (tx: Queryable): Promise<void> => {
      if (code === undefined) return;
      const claimed = await claimPaymentCode(tx, code, scope.livemode, draft.id, systemNow);
      // Used by a parallel request between our look and our claim: nothing of this payment is written.
      if ("miss" in claimed) throw paymentError("payment_code_invalid", undefined, "payment_code");
      if (claimed.walletUserId !== draft.payerId) throw new Error("a payment code changed hands");
    };
    const prepare: Prepare = Object.assign(
      async (tx: Queryable): Promise<Payment> => {
        await claim(tx);
        const created = await insertPayment(tx, draft, true);
        await discount?.reserve(tx, created);
        return created;
      },
      { claim },
    );
    return proceed(draft, prepare, answer);
  }

  /** An offline code's payment: written succeeded, with both its events, in the hook of the settlement's chain. */
  async function settleOfflineCode(
    offline: OfflinePayments,
    code: string,
    draft: Payment,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const fee = feeFor(draft.amount, { percentBps: draft.feePercentBps, fixed: draft.feeFixed });
    const merchantAccountId = await ctx.accounts.merchantAccountId(draft.merchantId, draft.livemode, draft.currency);
    const feeAccountId = fee > 0n ? await ctx.accounts.feeAccountId(draft.livemode, draft.currency) : undefined;
    let paid: Payment | undefined;
    await offline.settle(code, {
      merchantId: draft.merchantId,
      livemode: draft.livemode,
      paymentId: draft.id,
      amount: draft.amount,
      currency: draft.currency,
      fee,
      merchantAccountId,
      feeAccountId,
      async write(tx, payerId) {
        const created: Payment = { ...draft, payerId };
        paid = {
          ...created,
          status: "succeeded",
          amountCaptured: draft.amount,
          feeAmount: fee,
          dueAt: null,
          paidAt: draft.createdAt,
          updatedAt: draft.createdAt,
        };
        await writeNewPayment(tx, paid);
        await recordPaymentEvent(tx, ctx, created, draft.createdAt);
        await recordPaymentEvent(tx, ctx, paid, draft.createdAt, created.status);
        await answer?.(tx, paid);
      },
    });
    if (!paid) throw new Error(`payment ${draft.id} was not settled`);
    return paid;
  }

  /** Claims the code and inserts the payment as drafted; claim alone is the first half (the charge writes the row). */
  type Prepare = ((tx: Queryable) => Promise<Payment>) & { claim: (tx: Queryable) => Promise<void> };

  /** A payment code's payment: charged at once up to the password-free amount, else waiting for the payer. */
  async function proceed(draft: Payment, prepare: Prepare, answer?: AnswerRecorder<Payment>): Promise<Payment> {
    // Sandbox hook: a test payer's scenario may script the path (docs/sandbox.md).
    const plan = draft.livemode ? undefined : await ctx.sandbox?.planFor(draft.payerId!, draft);
    if (plan?.kind === "refuse") return refuse(prepare, plan.code, plan.message, answer);
    if (plan?.kind === "await_payer") return awaitConfirmation(prepare, answer);
    if (plan?.kind === "charge") return chargeNow(draft, prepare, answer);
    return draft.amount > passwordFreeAmount(draft.currency)
      ? awaitConfirmation(prepare, answer)
      : chargeNow(draft, prepare, answer);
  }

  /** Up to this amount a payment code is charged without asking the payer: the lower of the two thresholds. */
  function passwordFreeAmount(currency: string): bigint {
    const confirmAbove = ctx.paymentConfig.paymentCodeConfirmAbove.get(currency) ?? 0n;
    const stepUpAbove = ctx.wallets.config.stepUpAbove.get(currency) ?? 0n;
    return confirmAbove < stepUpAbove ? confirmAbove : stepUpAbove;
  }

  /** The payment is made and ends failed at once (a wallet refusal): one transaction. */
  async function refuse(
    prepare: Prepare,
    code: FailureCode,
    message: string,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const failed = await withTransaction(pool, async (tx) => {
      const payment = await prepare(tx);
      const after = await charger.failIn(tx, payment, code, message);
      await answer?.(tx, after);
      return after;
    });
    ctx.notices.kick(); // the reminder, queued with the change, leaves now
    return failed;
  }

  /** The payment is made and waits in processing for its payer's confirmation: one transaction. */
  async function awaitConfirmation(prepare: Prepare, answer?: AnswerRecorder<Payment>): Promise<Payment> {
    return withTransaction(pool, async (tx) => {
      const payment = await prepare(tx);
      const now = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
      const result = await changePaymentStatus(tx, {
        id: payment.id,
        from: ["requires_payment"],
        to: "processing",
        at: now,
      });
      if (!result) throw new Error(`payment ${payment.id} changed while it was being made`);
      await recordPaymentEvent(tx, ctx, result.payment, now, result.previous);
      // Sandbox hook: a scripted payer's later answer is scheduled with the change.
      if (!payment.livemode) await ctx.sandbox?.awaitingPayer(tx, result.payment);
      await answer?.(tx, result.payment);
      return result.payment;
    });
  }

  /** Charged at once: the payment, its code, the money and its events in one ledger submission. */
  async function chargeNow(draft: Payment, prepare: Prepare, answer?: AnswerRecorder<Payment>): Promise<Payment> {
    const payerId = draft.payerId!;
    try {
      if (!(await holdsCurrency(payerId, draft.currency))) {
        return refuse(prepare, "insufficient_funds", `The payer's wallet holds no ${draft.currency}.`, answer);
      }
      const auth = await ctx.wallets.spend.authorize(payerId, { amount: draft.amount, currency: draft.currency });
      const outcome = await charger.charge(draft, auth, {
        prepare: async (tx) => {
          await prepare(tx);
        },
        // A discounted payment is inserted, with its discount's counts, before it is charged (prepare).
        create: draft.discount ? undefined : { claim: prepare.claim, write: writeNewPayment },
        failWhenRefused: true,
        answer,
      });
      if (outcome.kind === "insufficient_funds") throw new Error(`charge of ${draft.id} refused without failing it`);
      return outcome.payment;
    } catch (error) {
      const failure = failureOfWalletError(error);
      if (failure === "step_up") return awaitConfirmation(prepare, answer);
      if (failure) return refuse(prepare, failure, (error as ApiError).message, answer);
      throw error;
    }
  }

  /** Whether a wallet user has a balance account in the currency (reading never creates one). */
  async function holdsCurrency(walletUserId: string, currency: string): Promise<boolean> {
    return (await ctx.wallets.accounts.existingWalletAccountId(walletUserId, currency)) !== undefined;
  }

  async function get(scope: MerchantScope, id: string): Promise<Payment> {
    const payment = await getMerchantPayment(pool, scope, id);
    if (!payment) throw new ApiError("resource_not_found", "No such payment.", "id");
    return payment;
  }

  async function list(
    scope: MerchantScope,
    filter: {
      status?: PaymentStatus;
      method?: PaymentMethod;
      created?: CreatedRange;
      paymentLink?: string;
      store?: string;
      till?: string;
    },
    page: PageRequest,
  ): Promise<ListPage<Payment>> {
    // Another merchant's or mode's store or till is as unknown as a made-up one: 404, not an empty list.
    if (filter.store !== undefined && !(await findStoreRow(pool, scope, filter.store))) {
      throw new ApiError("resource_not_found", "No such store.", "store");
    }
    if (filter.till !== undefined && !(await findTillRow(pool, scope, filter.till))) {
      throw new ApiError("resource_not_found", "No such till.", "till");
    }
    const rows = await keysetPage<PaymentRow>(pool, page, {
      from: "payments",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR method = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
          AND ($7::text IS NULL OR payment_link_id = $7)
          AND ($8::text IS NULL OR store_id = $8) AND ($9::text IS NULL OR till_id = $9)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.status ?? null,
        filter.method ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
        filter.paymentLink ?? null,
        filter.store ?? null,
        filter.till ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, paymentFromRow);
  }

  return { create, get, list, holdsCurrency, supportedCurrency };
}
