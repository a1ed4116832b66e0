import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { isId, newId } from "../ids.js";
import { type TransferInput, transferIdFor } from "../ledger/model.js";
import { couponReleaseBatchMax } from "../limits.js";
import type { DiscountRequest, PlannedDiscount, PromotionStep } from "../payments/deps.js";
import {
  type Payment,
  type PaymentDiscount,
  type PaymentRow,
  paymentDiscountRow,
  paymentFromRow,
  paymentJson,
} from "../payments/model.js";
import type { PromotionContext } from "./context.js";
import { isPromotionCodeText, normalizeCode } from "./coupons.js";
import { couponErrors } from "./errors.js";
import {
  type Coupon,
  type CouponRow,
  couponFromRow,
  discountFor,
  funderOf,
  minAmount,
  type PromotionCode,
  type PromotionCodeRow,
  promotionCodeFromRow,
  type Redemption,
  type RedemptionRow,
  redemptionFromRow,
  redemptionJson,
  shareOf,
} from "./model.js";

/**
 * Discounts on payments (docs/coupons.md, docs/adr/0026). A discount is applied when the payment is created
 * (`discounts`) or when its payer enters a promotion code on the checkout page or in the wallet; applying it takes
 * the coupon's (and the code's) counts with one conditional update each, in the transaction that writes the payment
 * or changes its amount: that is the binding check of max_redemptions and budget, so parallel applications never
 * pass them. The payer's own limits (max_redemptions_per_payer, first_time_payers_only) are taken when the payment is
 * paid, in the charge's ledger hook, where the payer is certain. A payment that ends unpaid gives its counts back
 * (the release worker); one refunded gives the discount's share of each refund back to the budget, and the
 * redemption itself when refunded in full. A platform coupon's discount is paid to the merchant from the coupon's
 * budget account in the payment's own linked chain, and returned from the merchant in proportion to refunds.
 */
const openStatuses = new Set(["requires_payment", "processing"]);

interface Resolved {
  coupon: Coupon;
  code: PromotionCode | null;
}

/** Who asks to change a payment's discount: the checkout page (anyone holding its link) or a wallet user. */
export type DiscountViewer = { kind: "checkout" } | { kind: "wallet"; userId: string; livemode: boolean };

export function createDiscounts(ctx: PromotionContext) {
  const { pool } = ctx;

  // ---- finding and judging --------------------------------------------------------------------------------------

  async function couponById(db: Queryable, id: string, lock = false): Promise<Coupon | undefined> {
    const found = await db.query<CouponRow>(`SELECT * FROM coupons WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    return found.rows[0] ? couponFromRow(found.rows[0]) : undefined;
  }

  /**
   * A promotion code a payment of this merchant and mode may take: its id, or its text (the merchant's own first,
   * then the platform's). Another merchant's code is as unknown as a made-up one.
   */
  async function resolveCode(
    db: Queryable,
    scope: { merchantId: string; livemode: boolean },
    text: string,
  ): Promise<Resolved | undefined> {
    const byId = isId(text, "prc");
    const normalized = byId ? text : normalizeCode(text);
    if (!byId && !isPromotionCodeText(normalized)) return undefined;
    const found = await db.query<PromotionCodeRow>(
      `SELECT * FROM promotion_codes
        WHERE ${byId ? "id = $1" : "code = $1 AND active"} AND livemode = $2
          AND (merchant_id = $3 OR merchant_id IS NULL)
        ORDER BY merchant_id NULLS LAST LIMIT 1`,
      [normalized, scope.livemode, scope.merchantId],
    );
    if (!found.rows[0]) return undefined;
    const code = promotionCodeFromRow(found.rows[0]);
    const coupon = await couponById(db, code.couponId);
    return coupon ? { coupon, code } : undefined;
  }

  async function resolve(
    db: Queryable,
    scope: { merchantId: string; livemode: boolean },
    request: DiscountRequest,
  ): Promise<Resolved> {
    if ((request.coupon === undefined) === (request.promotion_code === undefined)) {
      throw new ApiError("parameter_invalid", "A discount names either a coupon or a promotion_code.", "discounts");
    }
    if (request.coupon !== undefined) {
      const coupon = isId(request.coupon, "cpn") ? await couponById(db, request.coupon) : undefined;
      // Only the merchant's own coupons by id; the platform's are offered through their promotion codes.
      if (!coupon || coupon.merchantId !== scope.merchantId || coupon.livemode !== scope.livemode) {
        throw new ApiError("resource_not_found", "No such coupon.", "discounts.coupon");
      }
      return { coupon, code: null };
    }
    const resolved = await resolveCode(db, scope, request.promotion_code!);
    if (!resolved) throw couponErrors.toApiError("promotion_code_invalid", undefined, "discounts.promotion_code");
    return resolved;
  }

  /** Every rule of the coupon and code a new discount must meet now; the discount it gives on this subtotal. */
  function judge(found: Resolved, subtotal: bigint, currency: string, at: Date, param: string): bigint {
    const { coupon, code } = found;
    if (code && !code.active)
      throw couponErrors.toApiError("promotion_code_invalid", "This code was deactivated.", param);
    if (!coupon.active) throw couponErrors.toApiError("coupon_inactive", undefined, param);
    if (code?.expiresAt && code.expiresAt <= at)
      throw couponErrors.toApiError("promotion_code_expired", undefined, param);
    if (code && code.maxRedemptions !== null && code.timesRedeemed >= code.maxRedemptions) {
      throw couponErrors.toApiError("promotion_code_used_up", undefined, param);
    }
    if (coupon.validFrom && coupon.validFrom > at)
      throw couponErrors.toApiError("coupon_not_yet_valid", undefined, param);
    if (coupon.validUntil && coupon.validUntil <= at) throw couponErrors.toApiError("coupon_expired", undefined, param);
    if (coupon.currency !== currency) {
      throw couponErrors.toApiError(
        "coupon_currency_mismatch",
        `This coupon discounts ${coupon.currency} payments.`,
        param,
      );
    }
    if (coupon.minAmount !== null && subtotal < coupon.minAmount) {
      throw couponErrors.toApiError(
        "coupon_minimum_not_met",
        `This coupon needs a payment of at least ${coupon.minAmount} (minor units).`,
        param,
      );
    }
    const amount = discountFor(coupon, subtotal);
    if (amount <= 0n || amount >= subtotal) throw couponErrors.toApiError("discount_exceeds_amount", undefined, param);
    if (coupon.maxRedemptions !== null && coupon.timesRedeemed >= coupon.maxRedemptions) {
      throw couponErrors.toApiError("coupon_used_up", undefined, param);
    }
    if (coupon.budget !== null && coupon.amountRedeemed + amount > coupon.budget) {
      throw couponErrors.toApiError("coupon_budget_exhausted", undefined, param);
    }
    return amount;
  }

  /** A payer's own limits, read (not taken): a code entered in the wallet is refused early when they would fail. */
  async function judgePayer(db: Queryable, coupon: Coupon, payerId: string, paymentId: string, param: string) {
    if (coupon.maxRedemptionsPerPayer !== null) {
      const used = await db.query<{ redemptions: number }>(
        "SELECT redemptions FROM coupon_payer_redemptions WHERE coupon_id = $1 AND payer_id = $2",
        [coupon.id, payerId],
      );
      if ((used.rows[0]?.redemptions ?? 0) >= coupon.maxRedemptionsPerPayer) {
        throw couponErrors.toApiError("coupon_payer_limit_reached", undefined, param);
      }
    }
    if (coupon.firstTimePayersOnly && (await paidBefore(db, coupon, payerId, paymentId))) {
      throw couponErrors.toApiError("coupon_first_time_only", undefined, param);
    }
  }

  /** Whether the payer paid before: at the coupon's merchant, or anywhere in the mode for a platform coupon. */
  async function paidBefore(db: Queryable, coupon: Coupon, payerId: string, paymentId: string): Promise<boolean> {
    const found = await db.query(
      `SELECT 1 FROM payments WHERE payer_id = $1 AND livemode = $2 AND status = 'succeeded' AND id <> $3
          AND ($4::text IS NULL OR merchant_id = $4) LIMIT 1`,
      [payerId, coupon.livemode, paymentId, coupon.merchantId],
    );
    return found.rows.length > 0;
  }

  // ---- taking and giving back counts ----------------------------------------------------------------------------

  /** Why the conditional update of a coupon's counts found nothing, from the row as it is now. */
  async function whyNotReserved(tx: Queryable, couponId: string, amount: bigint, at: Date, param: string) {
    const coupon = await couponById(tx, couponId);
    if (!coupon?.active) return couponErrors.toApiError("coupon_inactive", undefined, param);
    if (coupon.validFrom && coupon.validFrom > at)
      return couponErrors.toApiError("coupon_not_yet_valid", undefined, param);
    if (coupon.validUntil && coupon.validUntil <= at)
      return couponErrors.toApiError("coupon_expired", undefined, param);
    if (coupon.budget !== null && coupon.amountRedeemed + amount > coupon.budget) {
      return couponErrors.toApiError("coupon_budget_exhausted", undefined, param);
    }
    return couponErrors.toApiError("coupon_used_up", undefined, param);
  }

  /** Takes one redemption and the discount's amount from the coupon (and the code): the binding checks. */
  async function takeCounts(
    tx: Queryable,
    couponId: string,
    codeId: string | null,
    amount: bigint,
    at: Date,
    param: string,
  ): Promise<void> {
    const taken = await tx.query(
      `UPDATE coupons SET times_redeemed = times_redeemed + 1, amount_redeemed = amount_redeemed + $2, updated_at = $3
        WHERE id = $1 AND active
          AND (max_redemptions IS NULL OR times_redeemed < max_redemptions)
          AND (budget IS NULL OR amount_redeemed + $2 <= budget)
          AND (valid_from IS NULL OR valid_from <= $3) AND (valid_until IS NULL OR valid_until > $3)`,
      [couponId, String(amount), at],
    );
    if (taken.rowCount !== 1) throw await whyNotReserved(tx, couponId, amount, at, param);
    if (codeId === null) return;
    const code = await tx.query(
      `UPDATE promotion_codes SET times_redeemed = times_redeemed + 1, updated_at = $2
        WHERE id = $1 AND active AND (max_redemptions IS NULL OR times_redeemed < max_redemptions)
          AND (expires_at IS NULL OR expires_at > $2)`,
      [codeId, at],
    );
    if (code.rowCount !== 1) {
      const now = await tx.query<PromotionCodeRow>("SELECT * FROM promotion_codes WHERE id = $1", [codeId]);
      const row = now.rows[0] && promotionCodeFromRow(now.rows[0]);
      if (!row?.active) throw couponErrors.toApiError("promotion_code_invalid", "This code was deactivated.", param);
      if (row.expiresAt && row.expiresAt <= at)
        throw couponErrors.toApiError("promotion_code_expired", undefined, param);
      throw couponErrors.toApiError("promotion_code_used_up", undefined, param);
    }
  }

  /** Gives one redemption's counts back to its coupon and code (and the payer, when theirs was taken). */
  async function giveCounts(tx: Queryable, redemption: Redemption, amount: bigint, at: Date, whole: boolean) {
    await tx.query(
      `UPDATE coupons SET times_redeemed = times_redeemed - $3, amount_redeemed = amount_redeemed - $2, updated_at = $4
        WHERE id = $1`,
      [redemption.couponId, String(amount), whole ? 1 : 0, at],
    );
    if (!whole) return;
    if (redemption.promotionCodeId) {
      await tx.query("UPDATE promotion_codes SET times_redeemed = times_redeemed - 1, updated_at = $2 WHERE id = $1", [
        redemption.promotionCodeId,
        at,
      ]);
    }
    if (redemption.payerCounted) {
      await tx.query(
        "UPDATE coupon_payer_redemptions SET redemptions = redemptions - 1 WHERE coupon_id = $1 AND payer_id = $2",
        [redemption.couponId, redemption.payerId],
      );
    }
  }

  async function recordRedemption(tx: Queryable, type: string, redemption: Redemption, at: Date) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: redemption.merchantId,
        walletUserId: redemption.payerId,
        livemode: redemption.livemode,
        object: redemptionJson(redemption),
      },
      at,
    );
  }

  interface Reservation {
    id: string;
    found: Resolved;
    payment: Pick<Payment, "id" | "merchantId" | "livemode" | "currency">;
    amount: bigint;
    appliedBy: "merchant" | "payer";
    at: Date;
    param: string;
  }

  async function reserveIn(tx: Queryable, r: Reservation): Promise<void> {
    await takeCounts(tx, r.found.coupon.id, r.found.code?.id ?? null, r.amount, r.at, r.param);
    await tx.query(
      `INSERT INTO coupon_redemptions (id, coupon_id, promotion_code_id, payment_id, merchant_id, livemode, applied_by,
                                       funded_by, currency, amount, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'reserved', $11, $11)`,
      [
        r.id,
        r.found.coupon.id,
        r.found.code?.id ?? null,
        r.payment.id,
        r.payment.merchantId,
        r.payment.livemode,
        r.appliedBy,
        funderOf(r.found.coupon),
        r.payment.currency,
        String(r.amount),
        r.at,
      ],
    );
  }

  /** A reserved discount given back (its payment ended unpaid, or its payer changed the code). */
  async function releaseIn(tx: Queryable, redemption: Redemption, at: Date): Promise<Redemption> {
    const ended = await tx.query<RedemptionRow>(
      `UPDATE coupon_redemptions SET status = 'released', ended_at = $2, updated_at = $2
        WHERE id = $1 AND status = 'reserved' RETURNING *`,
      [redemption.id, at],
    );
    if (!ended.rows[0]) throw new Error(`redemption ${redemption.id} is not reserved`);
    await giveCounts(tx, redemption, redemption.amount, at, true);
    const released = redemptionFromRow(ended.rows[0]);
    await recordRedemption(tx, "coupon.redemption_released", released, at);
    return released;
  }

  function discountOf(id: string, found: Resolved, amount: bigint, appliedBy: "merchant" | "payer"): PaymentDiscount {
    return {
      redemption: id,
      coupon: found.coupon.id,
      promotionCode: found.code?.id ?? null,
      name: found.coupon.name,
      code: found.code?.code ?? null,
      amount,
      fundedBy: funderOf(found.coupon),
      appliedBy,
    };
  }

  // ---- at creation (POST /v1/payments discounts) ----------------------------------------------------------------

  async function planDiscount(
    scope: { merchantId: string; livemode: boolean },
    requests: readonly DiscountRequest[],
    target: { subtotal: bigint; currency: string; method: string; captureMethod: string; offline: boolean },
  ): Promise<PlannedDiscount> {
    if (requests.length !== 1) {
      throw couponErrors.toApiError("discount_not_applicable", "A payment takes one discount.", "discounts");
    }
    if (target.captureMethod !== "automatic" || target.offline) {
      throw couponErrors.toApiError(
        "discount_not_applicable",
        target.offline
          ? "An offline code settles a fixed amount: no discount."
          : "A discount needs capture_method automatic.",
        "discounts",
      );
    }
    const found = await resolve(pool, scope, requests[0]!);
    const at = await ctx.testClocks.now(scope.merchantId, scope.livemode);
    const param = found.code ? "discounts.promotion_code" : "discounts.coupon";
    const amount = judge(found, target.subtotal, target.currency, at, param);
    const id = newId("cpr");
    return {
      amount,
      discount: discountOf(id, found, amount, "merchant"),
      async reserve(tx, payment) {
        await reserveIn(tx, { id, found, payment, amount, appliedBy: "merchant", at: payment.createdAt, param });
      },
    };
  }

  // ---- a payer's promotion code (checkout page, wallet) ---------------------------------------------------------

  function visible(payment: Payment | undefined, viewer: DiscountViewer): Payment {
    const notFound = new ApiError("resource_not_found", "No such payment.", "id");
    if (!payment) throw notFound;
    if (viewer.kind === "checkout") {
      if (payment.method === "payment_code") throw notFound;
      return payment;
    }
    if (payment.livemode !== viewer.livemode) throw notFound;
    if (payment.payerId === viewer.userId) return payment;
    if (payment.payerId === null && payment.method !== "payment_code" && openStatuses.has(payment.status)) {
      return payment;
    }
    throw notFound;
  }

  async function lockedPayment(tx: Queryable, id: string): Promise<Payment | undefined> {
    if (!isId(id, "pay")) return undefined;
    const found = await tx.query<PaymentRow>("SELECT * FROM payments WHERE id = $1 FOR UPDATE", [id]);
    return found.rows[0] ? paymentFromRow(found.rows[0]) : undefined;
  }

  async function redemptionById(tx: Queryable, id: string, lock = false): Promise<Redemption> {
    const found = await tx.query<RedemptionRow>(
      `SELECT * FROM coupon_redemptions WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    );
    if (!found.rows[0]) throw new Error(`redemption ${id} vanished`);
    return redemptionFromRow(found.rows[0]);
  }

  /**
   * Applies (or, with code null, removes) the payer's promotion code on an open payment: the payment's amount
   * becomes its subtotal less the discount, in one transaction with the counts and payment.updated. A discount the
   * merchant gave at creation stays as it is.
   */
  async function changeByPayer(
    paymentId: string,
    text: string | null,
    viewer: DiscountViewer,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    return withTransaction(pool, async (tx) => {
      const payment = visible(await lockedPayment(tx, paymentId), viewer);
      const at = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
      if (!openStatuses.has(payment.status) || payment.expiresAt <= at || payment.discount?.appliedBy === "merchant") {
        throw couponErrors.toApiError("discount_not_changeable", undefined, "id");
      }
      if (payment.captureMethod !== "automatic") {
        throw couponErrors.toApiError("discount_not_applicable", "A discount needs capture_method automatic.", "id");
      }
      const subtotal = payment.amount + (payment.discount?.amount ?? 0n);
      let discount: PaymentDiscount | null = null;
      let reservation: Reservation | undefined;
      if (text !== null) {
        const scope = { merchantId: payment.merchantId, livemode: payment.livemode };
        const found = await resolveCode(tx, scope, text);
        if (!found) throw couponErrors.toApiError("promotion_code_invalid", undefined, "promotion_code");
        if (payment.discount?.promotionCode === found.code?.id) {
          await answer?.(tx, payment);
          return payment; // the same code again: nothing changes
        }
        const amount = judge(found, subtotal, payment.currency, at, "promotion_code");
        const payerId = viewer.kind === "wallet" ? viewer.userId : payment.payerId;
        if (payerId) await judgePayer(tx, found.coupon, payerId, payment.id, "promotion_code");
        const id = newId("cpr");
        reservation = { id, found, payment, amount, appliedBy: "payer", at, param: "promotion_code" };
        discount = discountOf(id, found, amount, "payer");
      } else if (!payment.discount) {
        await answer?.(tx, payment);
        return payment;
      }
      if (payment.discount) await releaseIn(tx, await redemptionById(tx, payment.discount.redemption, true), at);
      if (reservation) await reserveIn(tx, reservation);
      const updated = await tx.query<PaymentRow>(
        "UPDATE payments SET amount = $2, discount = $3, updated_at = $4 WHERE id = $1 RETURNING *",
        [
          payment.id,
          String(subtotal - (discount?.amount ?? 0n)),
          discount ? JSON.stringify(paymentDiscountRow(discount)) : null,
          at,
        ],
      );
      const after = paymentFromRow(updated.rows[0]!);
      const before = paymentJson(payment, ctx.payments.links, { svg: false });
      await recordEvent(
        tx,
        {
          type: "payment.updated",
          merchantId: after.merchantId,
          walletUserId: after.payerId,
          livemode: after.livemode,
          object: paymentJson(after, ctx.payments.links, { svg: false }),
          previousAttributes: { amount: before.amount, discounts: before.discounts },
        },
        at,
      );
      await answer?.(tx, after);
      return after;
    });
  }

  // ---- paid and refunded (the payment's ledger hooks) -----------------------------------------------------------

  async function forCharge(payment: Payment, payerId: string): Promise<PromotionStep> {
    const discount = payment.discount!;
    const coupon = await couponById(pool, discount.coupon);
    if (!coupon) throw new Error(`coupon ${discount.coupon} vanished`);
    const transfers: TransferInput[] = [];
    if (discount.fundedBy === "platform") {
      const merchant = await ctx.payments.accounts.merchantAccountId(
        payment.merchantId,
        payment.livemode,
        payment.currency,
      );
      transfers.push({
        id: transferIdFor(payment.id, "discount"),
        debitAccountId: coupon.budgetAccountId!,
        creditAccountId: merchant,
        amount: discount.amount,
        code: "discount",
        reference: payment.id,
      });
    }
    return {
      transfers,
      // Paid in full by the platform, the merchant pays its fee on the whole price, as for any sale of that price.
      feeBase: discount.fundedBy === "platform" ? payment.amount + discount.amount : payment.amount,
      async commit(tx, at) {
        const param = "id";
        // The payer may have swapped codes (same amount, so the charge's amount check passed): charge only the
        // discount the payment holds now.
        const now = await tx.query<{ redemption: string | null }>(
          "SELECT discount->>'redemption' AS redemption FROM payments WHERE id = $1",
          [payment.id],
        );
        if (now.rows[0]?.redemption !== discount.redemption) {
          throw couponErrors.toApiError("payment_amount_changed", "The payment's discount changed; look again.", param);
        }
        const redemption = await redemptionById(tx, discount.redemption, true);
        if (redemption.status === "released") {
          // Paid again after it ended unpaid (docs/adr/0028): the discount needs its counts again.
          await takeCounts(tx, redemption.couponId, redemption.promotionCodeId, redemption.amount, at, param);
        } else if (redemption.status !== "reserved") {
          throw new Error(`redemption ${redemption.id} of payment ${payment.id} is ${redemption.status}`);
        }
        let counted = false;
        if (coupon.maxRedemptionsPerPayer !== null || coupon.firstTimePayersOnly) {
          if (coupon.firstTimePayersOnly && (await paidBefore(tx, coupon, payerId, payment.id))) {
            throw couponErrors.toApiError("coupon_first_time_only", undefined, param);
          }
          // First-time coupons allow one per payer, so two first payments racing cannot both take it.
          const max = coupon.firstTimePayersOnly ? 1 : coupon.maxRedemptionsPerPayer!;
          const taken = await tx.query(
            `INSERT INTO coupon_payer_redemptions (coupon_id, payer_id, redemptions) VALUES ($1, $2, 1)
             ON CONFLICT (coupon_id, payer_id) DO UPDATE SET redemptions = coupon_payer_redemptions.redemptions + 1
              WHERE coupon_payer_redemptions.redemptions < $3
             RETURNING redemptions`,
            [coupon.id, payerId, max],
          );
          if (taken.rows.length !== 1) throw couponErrors.toApiError("coupon_payer_limit_reached", undefined, param);
          counted = true;
        }
        const redeemed = await tx.query<RedemptionRow>(
          `UPDATE coupon_redemptions SET status = 'redeemed', payer_id = $2, payer_counted = $3, redeemed_at = $4,
                  ended_at = NULL, updated_at = $4
            WHERE id = $1 RETURNING *`,
          [redemption.id, payerId, counted, at],
        );
        await recordRedemption(tx, "coupon.redeemed", redemptionFromRow(redeemed.rows[0]!), at);
      },
    };
  }

  /** A refund's part: the discount's share back to its budget (in money from the merchant, for a platform coupon). */
  async function forRefund(
    payment: Payment,
    refund: { id: string; amount: bigint; completes: boolean },
  ): Promise<PromotionStep> {
    const discount = payment.discount!;
    const redemption = await redemptionById(pool, discount.redemption);
    if (redemption.status !== "redeemed") return { transfers: [], commit: async () => {} };
    const left = redemption.amount - redemption.amountReturned;
    const proportional = shareOf(redemption.amount, refund.amount, payment.amountCaptured);
    const share = refund.completes ? left : minAmount(proportional, left);
    const transfers: TransferInput[] = [];
    if (share > 0n && redemption.fundedBy === "platform") {
      const coupon = await couponById(pool, redemption.couponId);
      const merchant = await ctx.payments.accounts.merchantAccountId(
        payment.merchantId,
        payment.livemode,
        payment.currency,
      );
      transfers.push({
        id: transferIdFor(refund.id, "discount_return"),
        debitAccountId: merchant,
        creditAccountId: coupon!.budgetAccountId!,
        amount: share,
        code: "discount_return",
        reference: refund.id,
      });
    }
    return {
      transfers,
      async commit(tx, at) {
        if (share === 0n && !refund.completes) return;
        const changed = await tx.query<RedemptionRow>(
          `UPDATE coupon_redemptions
              SET amount_returned = amount_returned + $2, updated_at = $4,
                  status = CASE WHEN $3 THEN 'returned' ELSE status END,
                  ended_at = CASE WHEN $3 THEN $4 ELSE ended_at END
            WHERE id = $1 AND status = 'redeemed' AND amount_returned = $5 RETURNING *`,
          [redemption.id, String(share), refund.completes, at, String(redemption.amountReturned)],
        );
        if (!changed.rows[0]) throw new Error(`redemption ${redemption.id} changed during a refund`);
        await giveCounts(tx, redemption, share, at, refund.completes);
        if (refund.completes) {
          await recordRedemption(tx, "coupon.redemption_returned", redemptionFromRow(changed.rows[0]), at);
        }
      },
    };
  }

  /**
   * The release worker's pass: discounts still reserved on payments that ended unpaid give their counts back.
   * Claimed with SKIP LOCKED, so several workers share the work; returns how many were released.
   */
  async function releaseDue(limit = couponReleaseBatchMax): Promise<number> {
    return withTransaction(pool, async (tx) => {
      const due = await tx.query<RedemptionRow>(
        `SELECT r.* FROM coupon_redemptions r JOIN payments p ON p.id = r.payment_id
          WHERE r.status = 'reserved' AND p.status IN ('failed', 'canceled', 'expired')
          ORDER BY r.coupon_id, r.id LIMIT $1 FOR UPDATE OF r SKIP LOCKED`,
        [limit],
      );
      const at = ctx.clock.now();
      for (const row of due.rows) await releaseIn(tx, redemptionFromRow(row), at);
      return due.rows.length;
    });
  }

  return { planDiscount, changeByPayer, forCharge, forRefund, releaseDue };
}
