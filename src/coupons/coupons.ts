import { randomBytes } from "node:crypto";
import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { type Metadata, mergeMetadata, metadataOf, sameMetadata } from "../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import { isApplied } from "../ledger/errors.js";
import { balanceOf, transferIdFor } from "../ledger/model.js";
import {
  couponNameLengthMax,
  couponRedemptionsMax,
  percentBpsMax,
  promotionCodeGeneratedLength,
  promotionCodeLengthMax,
  promotionCodeLengthMin,
  timestampSecondsMax,
} from "../limits.js";
import type { PromotionContext } from "./context.js";
import { couponErrors } from "./errors.js";
import {
  type Coupon,
  type CouponRow,
  couponFromRow,
  couponJson,
  type PromotionCode,
  type PromotionCodeRow,
  promotionCodeFromRow,
  promotionCodeJson,
  type Redemption,
  type RedemptionRow,
  redemptionFromRow,
} from "./model.js";
import { nameAndMetadataChange } from "./renaming.js";

/**
 * Coupons and promotion codes, a merchant's (for its own payments) or the platform's (for any merchant's, paid to
 * the merchant from the coupon's budget account). Every query is scoped to its owner: another merchant's or mode's
 * coupon, and the platform's to a merchant, answer 404 like an unknown id.
 */
export interface Owner {
  /** null: the platform (operators). */
  merchantId: string | null;
  livemode: boolean;
}

export interface CreateCouponInput {
  name: string;
  currency: string;
  amount_off?: unknown;
  percent_off_bps?: number;
  min_amount?: unknown;
  valid_from?: number;
  valid_until?: number;
  max_redemptions?: number;
  max_redemptions_per_payer?: number;
  budget?: unknown;
  first_time_payers_only?: boolean;
  metadata?: Metadata;
}

export interface CreatePromotionCodeInput {
  coupon: string;
  code?: string;
  max_redemptions?: number;
  expires_at?: number;
  metadata?: Metadata;
}

const ownerSql = "coalesce(merchant_id, '') = coalesce($1::text, '') AND livemode = $2";
const ownerParams = (owner: Owner) => [owner.merchantId, owner.livemode];

/** Codes coffer makes up: upper-case letters and digits without 0, O, 1 and I, which people misread. */
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

export function isPromotionCodeText(code: string): boolean {
  return new RegExp(`^[A-Z0-9][A-Z0-9_-]{${promotionCodeLengthMin - 1},${promotionCodeLengthMax - 1}}$`).test(code);
}

export function newPromotionCodeText(): string {
  let out = "";
  for (const byte of randomBytes(promotionCodeGeneratedLength * 2)) {
    if (out.length === promotionCodeGeneratedLength) break;
    out += codeAlphabet[byte % codeAlphabet.length];
  }
  return out;
}

export function createCoupons(ctx: PromotionContext) {
  const { pool, ledger } = ctx;
  const notFound = (param = "id") => new ApiError("resource_not_found", "No such coupon.", param);
  const codeNotFound = (param = "id") => new ApiError("resource_not_found", "No such promotion code.", param);

  function nowFor(owner: Owner, db?: Queryable): Promise<Date> {
    return owner.merchantId === null
      ? Promise.resolve(ctx.clock.now())
      : ctx.testClocks.now(owner.merchantId, owner.livemode, db);
  }

  function checkName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > couponNameLengthMax) {
      throw new ApiError("parameter_invalid", `name is 1 to ${couponNameLengthMax} characters.`, "name");
    }
    return trimmed;
  }

  function checkCount(value: number | undefined, param: string): number | null {
    if (value === undefined) return null;
    if (!Number.isInteger(value) || value < 1 || value > couponRedemptionsMax) {
      throw new ApiError("parameter_invalid", `${param} is a whole number from 1 to ${couponRedemptionsMax}.`, param);
    }
    return value;
  }

  function checkTime(value: number | undefined, param: string): Date | null {
    if (value === undefined) return null;
    if (!Number.isInteger(value) || value < 0 || value > timestampSecondsMax) {
      throw new ApiError("parameter_invalid", `${param} is a time in Unix seconds.`, param);
    }
    return new Date(value * 1000);
  }

  async function record(tx: Queryable, type: string, owner: Owner, object: Record<string, unknown>, at: Date) {
    await recordEvent(tx, { type, merchantId: owner.merchantId, livemode: owner.livemode, object }, at);
  }

  // ---- coupons --------------------------------------------------------------------------------------------------

  /**
   * A merchant's coupon is one row and its event. A platform coupon's budget moves from the marketing account into
   * the coupon's own budget account in one ledger submission whose hook writes the coupon: no coupon without its
   * money (402 budget_funds_insufficient when the marketing account does not hold it).
   */
  async function createCoupon(owner: Owner, input: CreateCouponInput, answer?: AnswerRecorder<Coupon>) {
    const currency = ctx.payments.payments.supportedCurrency(input.currency);
    const name = checkName(input.name);
    if ((input.amount_off === undefined) === (input.percent_off_bps === undefined)) {
      throw new ApiError("parameter_invalid", "Give either amount_off or percent_off_bps.", "amount_off");
    }
    const amountOff = input.amount_off === undefined ? null : parseAmount(input.amount_off, { param: "amount_off" });
    const percent = input.percent_off_bps ?? null;
    if (percent !== null && (!Number.isInteger(percent) || percent < 1 || percent > percentBpsMax)) {
      throw new ApiError(
        "parameter_invalid",
        `percent_off_bps is 1 to ${percentBpsMax} (basis points: 1000 is 10 %).`,
        "percent_off_bps",
      );
    }
    const minAmount = input.min_amount === undefined ? null : parseAmount(input.min_amount, { param: "min_amount" });
    if (amountOff !== null && minAmount !== null && minAmount <= amountOff) {
      throw new ApiError("parameter_invalid", "min_amount must be above amount_off.", "min_amount");
    }
    const validFrom = checkTime(input.valid_from, "valid_from");
    const validUntil = checkTime(input.valid_until, "valid_until");
    const now = await nowFor(owner);
    if (validUntil && (validUntil <= now || (validFrom && validUntil <= validFrom))) {
      throw new ApiError("parameter_invalid", "valid_until must be in the future and after valid_from.", "valid_until");
    }
    const maxRedemptions = checkCount(input.max_redemptions, "max_redemptions");
    const perPayer = checkCount(input.max_redemptions_per_payer, "max_redemptions_per_payer");
    const budget = input.budget === undefined ? null : parseAmount(input.budget, { param: "budget" });
    if (owner.merchantId === null && budget === null) {
      throw new ApiError(
        "parameter_missing",
        "A platform coupon needs a budget (it pays merchants from it).",
        "budget",
      );
    }
    if (budget !== null && amountOff !== null && budget < amountOff) {
      throw new ApiError("parameter_invalid", "budget must cover at least one discount (amount_off).", "budget");
    }
    const metadata = metadataOf(input.metadata);
    const id = newId("cpn");
    const values = {
      id,
      name,
      currency,
      amountOff,
      percent,
      minAmount,
      validFrom,
      validUntil,
      maxRedemptions,
      perPayer,
      budget,
      firstTime: input.first_time_payers_only ?? false,
      metadata,
    };
    const insert = async (tx: Queryable, budgetAccountId: bigint | null) => {
      const inserted = await tx.query<CouponRow>(
        `INSERT INTO coupons (id, merchant_id, livemode, name, currency, amount_off, percent_off_bps, min_amount,
                              valid_from, valid_until, max_redemptions, max_redemptions_per_payer, budget,
                              first_time_payers_only, budget_account_id, active, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, true, $16, $17, $17) RETURNING *`,
        [
          values.id,
          owner.merchantId,
          owner.livemode,
          values.name,
          values.currency,
          values.amountOff === null ? null : String(values.amountOff),
          values.percent,
          values.minAmount === null ? null : String(values.minAmount),
          values.validFrom,
          values.validUntil,
          values.maxRedemptions,
          values.perPayer,
          values.budget === null ? null : String(values.budget),
          values.firstTime,
          budgetAccountId === null ? null : String(budgetAccountId),
          JSON.stringify(values.metadata),
          now,
        ],
      );
      const coupon = couponFromRow(inserted.rows[0]!);
      await record(tx, "coupon.created", owner, couponJson(coupon), now);
      await answer?.(tx, coupon);
      return coupon;
    };
    if (owner.merchantId !== null) return withTransaction(pool, (tx) => insert(tx, null));
    return fundAndWrite(owner, currency, budget!, `coupon:${id}`, insert);
  }

  /**
   * Moves a budget from its source (the platform's marketing account, or a merchant's balance) into a new budget
   * account; write() makes the promotion's row in the same ledger hook.
   */
  async function fundAndWrite<T>(
    owner: Owner,
    currency: string,
    budget: bigint,
    reference: string,
    write: (tx: Queryable, budgetAccountId: bigint) => Promise<T>,
  ): Promise<T> {
    const refused = () =>
      couponErrors.toApiError(
        "budget_funds_insufficient",
        owner.merchantId === null
          ? `The marketing account holds less than ${budget} ${currency}; fund it first.`
          : `Your available balance holds less than the budget of ${budget} ${currency}.`,
        "budget",
      );
    // Looked at before anything is made, so a refusal writes nothing (not even an empty budget account); the
    // ledger's own check refuses a balance that fell in between.
    const source =
      owner.merchantId === null
        ? await ctx.accounts.existingMarketingAccountId(owner.livemode, currency)
        : await ctx.payments.accounts.existingMerchantAccountId(owner.merchantId, owner.livemode, currency);
    const sourceAccount = source === undefined ? undefined : await ledger.getAccount(source);
    if (source === undefined || !sourceAccount || balanceOf(sourceAccount).available < budget) throw refused();
    const budgetAccountId = await withTransaction(pool, (tx) =>
      ctx.accounts.newBudgetAccount(tx, owner.livemode, currency, reference),
    );
    if (budget === 0n) return withTransaction(pool, (tx) => write(tx, budgetAccountId));
    let written: { value: T } | undefined;
    const results = await ledger.createTransfers(
      [
        {
          id: transferIdFor(reference, "fund"),
          debitAccountId: source,
          creditAccountId: budgetAccountId,
          amount: budget,
          code: "promotion_funding",
          reference,
        },
      ],
      async (tx, results) => {
        written = undefined;
        if (!results.every((r) => r.code === "ok")) return;
        written = { value: await write(tx, budgetAccountId) };
      },
    );
    if (written) return written.value;
    if (results.some((r) => r.code === "exceeds_credits")) throw refused();
    throw new Error(`the ledger refused to fund ${reference}: ${results.map((r) => r.code).join(", ")}`);
  }

  async function findCoupon(db: Queryable, owner: Owner, id: string, lock = false): Promise<Coupon | undefined> {
    if (!isId(id, "cpn")) return undefined;
    const found = await db.query<CouponRow>(
      `SELECT * FROM coupons WHERE id = $3 AND ${ownerSql}${lock ? " FOR UPDATE" : ""}`,
      [...ownerParams(owner), id],
    );
    return found.rows[0] ? couponFromRow(found.rows[0]) : undefined;
  }

  async function getCoupon(owner: Owner, id: string): Promise<Coupon> {
    const coupon = await findCoupon(pool, owner, id);
    if (!coupon) throw notFound();
    return coupon;
  }

  async function listCoupons(
    owner: Owner,
    filter: { active?: boolean; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<Coupon>> {
    const rows = await keysetPage<CouponRow>(pool, page, {
      from: "coupons",
      scope: ownerSql,
      filter: `($3::boolean IS NULL OR active = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)`,
      params: [...ownerParams(owner), filter.active ?? null, filter.created?.gte ?? null, filter.created?.lt ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, couponFromRow);
  }

  /** name and metadata; coupon.updated when something changed. The terms of a coupon never change. */
  async function updateCoupon(
    owner: Owner,
    id: string,
    input: { name?: string; metadata?: Metadata },
    answer?: AnswerRecorder<Coupon>,
  ): Promise<Coupon> {
    return withTransaction(pool, async (tx) => {
      const coupon = await findCoupon(tx, owner, id, true);
      if (!coupon) throw notFound();
      const change = nameAndMetadataChange(coupon, input, checkName);
      if (!change) {
        await answer?.(tx, coupon);
        return coupon;
      }
      const now = await nowFor(owner, tx);
      const updated = await tx.query<CouponRow>(
        "UPDATE coupons SET name = $2, metadata = $3, updated_at = $4 WHERE id = $1 RETURNING *",
        [id, change.name, JSON.stringify(change.metadata), now],
      );
      const after = couponFromRow(updated.rows[0]!);
      const previous = change.previous;
      await recordEvent(
        tx,
        {
          type: "coupon.updated",
          merchantId: owner.merchantId,
          livemode: owner.livemode,
          object: couponJson(after),
          previousAttributes: previous,
        },
        now,
      );
      await answer?.(tx, after);
      return after;
    });
  }

  /**
   * For good: no new payment takes the coupon (or its codes); payments holding it keep their discount. A platform
   * coupon's budget that no payment holds goes back to the marketing account (again on every later call: refunds
   * bring shares back).
   */
  async function deactivateCoupon(owner: Owner, id: string, answer?: AnswerRecorder<Coupon>): Promise<Coupon> {
    const coupon = await findCoupon(pool, owner, id);
    if (!coupon) throw notFound();
    const now = await nowFor(owner);
    const finish = async (tx: Queryable, sweep: bigint): Promise<Coupon> => {
      const updated = await tx.query<CouponRow>(
        `UPDATE coupons SET active = false, deactivated_at = coalesce(deactivated_at, $2), updated_at = $2,
                budget = CASE WHEN budget IS NULL THEN NULL ELSE budget - $3 END
          WHERE id = $1 AND (budget IS NULL OR budget - amount_redeemed >= $3) RETURNING *`,
        [id, now, String(sweep)],
      );
      if (!updated.rows[0]) throw new ApiError("service_unavailable", "The coupon changed; try again.");
      const after = couponFromRow(updated.rows[0]);
      if (coupon.active) await record(tx, "coupon.deactivated", owner, couponJson(after), now);
      await answer?.(tx, after);
      return after;
    };
    if (coupon.budgetAccountId === null) return withTransaction(pool, (tx) => finish(tx, 0n));
    // What no payment holds: the budget less what is redeemed or reserved (amount_redeemed counts both).
    const sweep = coupon.budget! - coupon.amountRedeemed;
    if (sweep <= 0n) return withTransaction(pool, (tx) => finish(tx, 0n));
    const marketing = await ctx.accounts.marketingAccountId(owner.livemode, coupon.currency);
    let done: Coupon | undefined;
    const results = await ledger.createTransfers(
      [
        {
          id: transferIdFor(id, "sweep", String(coupon.budget), String(coupon.amountRedeemed)),
          debitAccountId: coupon.budgetAccountId,
          creditAccountId: marketing,
          amount: sweep,
          code: "promotion_return",
          reference: id,
        },
      ],
      async (tx, results) => {
        done = undefined;
        if (!results.every((r) => r.code === "ok")) return;
        done = await finish(tx, sweep);
      },
    );
    if (done) return done;
    if (results.every((r) => isApplied(r.code))) return getCoupon(owner, id);
    throw new ApiError("service_unavailable", "The coupon's budget changed while it was being returned; try again.");
  }

  // ---- promotion codes ------------------------------------------------------------------------------------------

  async function createPromotionCode(
    owner: Owner,
    input: CreatePromotionCodeInput,
    answer?: AnswerRecorder<{ code: PromotionCode; coupon: Coupon }>,
  ) {
    const code = input.code === undefined ? newPromotionCodeText() : normalizeCode(input.code);
    if (!isPromotionCodeText(code)) {
      throw new ApiError(
        "parameter_invalid",
        `code is ${promotionCodeLengthMin} to ${promotionCodeLengthMax} letters, digits, - and _, starting with a letter or digit.`,
        "code",
      );
    }
    const maxRedemptions = checkCount(input.max_redemptions, "max_redemptions");
    const expiresAt = checkTime(input.expires_at, "expires_at");
    const metadata = metadataOf(input.metadata);
    const now = await nowFor(owner);
    if (expiresAt && expiresAt <= now) {
      throw new ApiError("parameter_invalid", "expires_at must be in the future.", "expires_at");
    }
    try {
      return await withTransaction(pool, async (tx) => {
        const coupon = await findCoupon(tx, owner, input.coupon);
        if (!coupon) throw notFound("coupon");
        if (!coupon.active) throw couponErrors.toApiError("coupon_inactive", undefined, "coupon");
        const inserted = await tx.query<PromotionCodeRow>(
          `INSERT INTO promotion_codes (id, coupon_id, merchant_id, livemode, code, max_redemptions, expires_at, active,
                                        metadata, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $9) RETURNING *`,
          [
            newId("prc"),
            coupon.id,
            owner.merchantId,
            owner.livemode,
            code,
            maxRedemptions,
            expiresAt,
            JSON.stringify(metadata),
            now,
          ],
        );
        const created = promotionCodeFromRow(inserted.rows[0]!);
        await record(tx, "promotion_code.created", owner, promotionCodeJson(created, coupon), now);
        await answer?.(tx, { code: created, coupon });
        return { code: created, coupon };
      });
    } catch (error) {
      if ((error as { code?: string }).code === "23505") {
        throw couponErrors.toApiError("promotion_code_taken", undefined, "code");
      }
      throw error;
    }
  }

  /** The coupons of some codes, by id, in one read. */
  async function couponsOf(db: Queryable, codes: readonly PromotionCode[]): Promise<Map<string, Coupon>> {
    if (codes.length === 0) return new Map();
    const found = await db.query<CouponRow>("SELECT * FROM coupons WHERE id = ANY($1::text[])", [
      [...new Set(codes.map((c) => c.couponId))],
    ]);
    return new Map(found.rows.map((row) => [row.id, couponFromRow(row)]));
  }

  async function findPromotionCode(db: Queryable, owner: Owner, id: string, lock = false) {
    if (!isId(id, "prc")) return undefined;
    const found = await db.query<PromotionCodeRow>(
      `SELECT * FROM promotion_codes WHERE id = $3 AND ${ownerSql}${lock ? " FOR UPDATE" : ""}`,
      [...ownerParams(owner), id],
    );
    if (!found.rows[0]) return undefined;
    const code = promotionCodeFromRow(found.rows[0]);
    return { code, coupon: (await couponsOf(db, [code])).get(code.couponId)! };
  }

  async function getPromotionCode(owner: Owner, id: string) {
    const found = await findPromotionCode(pool, owner, id);
    if (!found) throw codeNotFound();
    return found;
  }

  async function listPromotionCodes(
    owner: Owner,
    filter: { coupon?: string; code?: string; active?: boolean; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<{ code: PromotionCode; coupon: Coupon }>> {
    if (filter.coupon !== undefined && !(await findCoupon(pool, owner, filter.coupon))) throw notFound("coupon");
    const rows = await keysetPage<PromotionCodeRow>(pool, page, {
      from: "promotion_codes",
      scope: ownerSql,
      filter: `($3::text IS NULL OR coupon_id = $3) AND ($4::text IS NULL OR code = $4)
          AND ($5::boolean IS NULL OR active = $5)
          AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7)`,
      params: [
        ...ownerParams(owner),
        filter.coupon ?? null,
        filter.code === undefined ? null : normalizeCode(filter.code),
        filter.active ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const codes = mapPage(rows, promotionCodeFromRow);
    const coupons = await couponsOf(pool, codes.data);
    return mapPage(codes, (code) => ({ code, coupon: coupons.get(code.couponId)! }));
  }

  async function updatePromotionCode(
    owner: Owner,
    id: string,
    input: { metadata?: Metadata },
    answer?: AnswerRecorder<{ code: PromotionCode; coupon: Coupon }>,
  ) {
    return withTransaction(pool, async (tx) => {
      const found = await findPromotionCode(tx, owner, id, true);
      if (!found) throw codeNotFound();
      const metadata = mergeMetadata(found.code.metadata, input.metadata);
      if (sameMetadata(metadata, found.code.metadata)) {
        await answer?.(tx, found);
        return found;
      }
      const now = await nowFor(owner, tx);
      const updated = await tx.query<PromotionCodeRow>(
        "UPDATE promotion_codes SET metadata = $2, updated_at = $3 WHERE id = $1 RETURNING *",
        [id, JSON.stringify(metadata), now],
      );
      const after = { code: promotionCodeFromRow(updated.rows[0]!), coupon: found.coupon };
      await recordEvent(
        tx,
        {
          type: "promotion_code.updated",
          merchantId: owner.merchantId,
          livemode: owner.livemode,
          object: promotionCodeJson(after.code, after.coupon),
          previousAttributes: { metadata: found.code.metadata },
        },
        now,
      );
      await answer?.(tx, after);
      return after;
    });
  }

  async function deactivatePromotionCode(
    owner: Owner,
    id: string,
    answer?: AnswerRecorder<{ code: PromotionCode; coupon: Coupon }>,
  ) {
    return withTransaction(pool, async (tx) => {
      const found = await findPromotionCode(tx, owner, id, true);
      if (!found) throw codeNotFound();
      if (!found.code.active) {
        await answer?.(tx, found);
        return found;
      }
      const now = await nowFor(owner, tx);
      const updated = await tx.query<PromotionCodeRow>(
        "UPDATE promotion_codes SET active = false, deactivated_at = $2, updated_at = $2 WHERE id = $1 RETURNING *",
        [id, now],
      );
      const after = { code: promotionCodeFromRow(updated.rows[0]!), coupon: found.coupon };
      await record(tx, "promotion_code.deactivated", owner, promotionCodeJson(after.code, after.coupon), now);
      await answer?.(tx, after);
      return after;
    });
  }

  // ---- redemptions ----------------------------------------------------------------------------------------------

  async function listRedemptions(owner: Owner, couponId: string, page: PageRequest): Promise<ListPage<Redemption>> {
    const coupon = await findCoupon(pool, owner, couponId);
    if (!coupon) throw notFound();
    // A merchant sees its coupon's redemptions; the platform sees its coupon's on every merchant's payments.
    const rows = await keysetPage<RedemptionRow>(pool, page, {
      from: "coupon_redemptions",
      scope: "coupon_id = $1",
      params: [coupon.id],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, redemptionFromRow);
  }

  return {
    createCoupon,
    getCoupon,
    listCoupons,
    updateCoupon,
    deactivateCoupon,
    createPromotionCode,
    getPromotionCode,
    listPromotionCodes,
    updatePromotionCode,
    deactivatePromotionCode,
    listRedemptions,
    fundAndWrite,
    nowFor,
  };
}
