import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { AmountString, amountSchema } from "../http/amount.js";
import { authErrors, authOf, merchantScope, requireAuth, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { answerWithEffect } from "../http/idempotency.js";
import { MetadataInput, MetadataSchema } from "../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import { couponNameLengthMax, couponRedemptionsMax, percentBpsMax, promotionCodeLengthMax } from "../limits.js";
import { CheckoutSchema, CurrencyCode, IdParams, WalletPaymentSchema } from "../payments/routes/schemas.js";
import type { PaymentServices } from "../payments/service.js";
import { operationsTag, walletTag } from "../wallets/schemas.js";
import type { Owner } from "./coupons.js";
import {
  type Cashback,
  type Coupon,
  cashbackJson,
  cashbackMethods,
  cashbackRuleJson,
  couponJson,
  type PromotionCode,
  promotionCodeJson,
  redemptionJson,
  redemptionStatuses,
  walletTypes,
} from "./model.js";
import type { CouponService, MarketingAccount } from "./service.js";

/**
 * The promotions API (docs/coupons.md): a merchant's coupons, promotion codes, cashback rules and cashbacks (secret
 * keys, restricted keys with the coupons or cashback_rules scope, console sessions); the payer's promotion code on
 * the checkout page (no credentials, like the page) and in the wallet; and the operators' platform promotions and
 * marketing account. Another merchant's or mode's object, and the platform's to a merchant, answer 404.
 */
const Closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Amount = (description: string) => Object.assign({}, AmountString, { description });
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const Timestamp = (description = "Unix seconds.") => Type.Integer({ description });
const funder = literals(
  ["merchant", "platform"] as const,
  "merchant: yours; platform: the platform's, paid for from its marketing budget.",
);
const couponTags = ["coupons"];
const cashbackTags = ["cashback"];

const CouponSchema = Type.Object(
  {
    id: Type.String({ description: "cpn_…" }),
    object: Type.Literal("coupon"),
    livemode: Type.Boolean(),
    funded_by: funder,
    name: Type.String({ description: "Shown to payers with their discount." }),
    currency: Type.String({ description: "It discounts payments in this currency only." }),
    amount_off: Nullable(Amount("An amount off, in minor units (or percent_off_bps).")),
    percent_off_bps: Nullable(Type.Integer({ description: "A percentage off in basis points (1000 is 10 %)." })),
    min_amount: Nullable(Amount("The least subtotal it applies to.")),
    valid_from: Nullable(Timestamp("Unix seconds: not before.")),
    valid_until: Nullable(Timestamp("Unix seconds: not from then on.")),
    max_redemptions: Nullable(Type.Integer({ description: "Payments it may discount in all." })),
    max_redemptions_per_payer: Nullable(Type.Integer({ description: "Payments one payer may have it on." })),
    budget: Nullable(Amount("The most it may take off in all.")),
    first_time_payers_only: Type.Boolean({
      description: "Only payers with no earlier paid payment (at your business; for a platform coupon, anywhere).",
    }),
    times_redeemed: Type.Integer({
      description: "Payments it discounts: paid ones and open ones holding it (given back when they end unpaid).",
    }),
    amount_redeemed: Amount("What it took off those payments, less what refunds gave back."),
    active: Type.Boolean(),
    deactivated_at: Nullable(Timestamp()),
    metadata: MetadataSchema,
    created: Timestamp(),
  },
  { $id: "Coupon", ...Closed },
);

const PromotionCodeSchema = Type.Object(
  {
    id: Type.String({ description: "prc_…" }),
    object: Type.Literal("promotion_code"),
    livemode: Type.Boolean(),
    code: Type.String({ description: "What payers type, upper-case (matched without regard to case)." }),
    coupon: Type.Ref(CouponSchema),
    max_redemptions: Nullable(Type.Integer()),
    times_redeemed: Type.Integer(),
    expires_at: Nullable(Timestamp()),
    active: Type.Boolean(),
    deactivated_at: Nullable(Timestamp()),
    metadata: MetadataSchema,
    created: Timestamp(),
  },
  { $id: "PromotionCode", ...Closed },
);

const RedemptionSchema = Type.Object(
  {
    id: Type.String({ description: "cpr_…" }),
    object: Type.Literal("coupon_redemption"),
    livemode: Type.Boolean(),
    coupon: Type.String(),
    promotion_code: Nullable(Type.String()),
    payment: Type.String(),
    status: literals(
      redemptionStatuses,
      "reserved: its payment is open; redeemed: paid; released: the payment ended unpaid; returned: refunded in full.",
    ),
    applied_by: literals(["merchant", "payer"] as const),
    funded_by: funder,
    currency: Type.String(),
    amount: AmountString,
    amount_returned: Amount("The discount's share of refunds so far, given back to the coupon's budget."),
    created: Timestamp(),
    redeemed_at: Nullable(Timestamp()),
    ended_at: Nullable(Timestamp()),
  },
  { $id: "CouponRedemption", ...Closed },
);

const CashbackRuleSchema = Type.Object(
  {
    id: Type.String({ description: "cbr_…" }),
    object: Type.Literal("cashback_rule"),
    livemode: Type.Boolean(),
    funded_by: funder,
    name: Type.String(),
    currency: Type.String(),
    percent_bps: Type.Integer({ description: "Of what the payer paid, in basis points (150 is 1.5 %)." }),
    max_per_payment: Nullable(AmountString),
    max_per_payer_per_month: Nullable(AmountString),
    budget: Amount("What the rule may give in all; it was moved into the rule's budget account when it was made."),
    amount_credited: Amount("What it gave, less what refunds took back."),
    valid_from: Nullable(Timestamp()),
    valid_until: Nullable(Timestamp()),
    methods: Type.Array(literals(cashbackMethods)),
    wallet_types: Type.Array(literals(walletTypes, "account wallets, stored-value cards")),
    active: Type.Boolean(),
    deactivated_at: Nullable(Timestamp()),
    metadata: MetadataSchema,
    created: Timestamp(),
  },
  { $id: "CashbackRule", ...Closed },
);

const CashbackSchema = Type.Object(
  {
    id: Type.String({ description: "cb_…" }),
    object: Type.Literal("cashback"),
    livemode: Type.Boolean(),
    cashback_rule: Type.String(),
    funded_by: funder,
    payment: Type.String(),
    currency: Type.String(),
    amount: AmountString,
    amount_reversed: Amount("Taken back by refunds of the payment."),
    created: Timestamp(),
  },
  { $id: "Cashback", ...Closed },
);

const MarketingAccountSchema = Type.Object(
  {
    object: Type.Literal("marketing_account"),
    livemode: Type.Boolean(),
    currency: Type.String(),
    available: Amount("What platform coupons and cashback rules can still be funded with."),
    funded: Amount("Everything operators moved in."),
  },
  { $id: "MarketingAccount", ...Closed },
);

// The checkout's and the wallet's payment, without their $id (they are the payment routes' own).
const CheckoutAnswer = Type.Object(CheckoutSchema.properties, Closed);
const WalletPaymentAnswer = Type.Object(WalletPaymentSchema.properties, Closed);

const name = Type.String({ minLength: 1, maxLength: couponNameLengthMax });
const count = Type.Integer({ description: `1 to ${couponRedemptionsMax}.` });
const unix = Type.Integer({ description: "Unix seconds." });
const CouponBody = Type.Object(
  {
    name,
    currency: CurrencyCode,
    amount_off: Type.Optional(amountSchema({ description: "An amount off, in minor units; or percent_off_bps." })),
    percent_off_bps: Type.Optional(Type.Integer({ description: `1 to ${percentBpsMax} basis points (1000 is 10 %).` })),
    min_amount: Type.Optional(amountSchema({ description: "The least subtotal it applies to." })),
    valid_from: Type.Optional(unix),
    valid_until: Type.Optional(unix),
    max_redemptions: Type.Optional(count),
    max_redemptions_per_payer: Type.Optional(count),
    budget: Type.Optional(
      amountSchema({ description: "The most it may take off in all (required for a platform coupon)." }),
    ),
    first_time_payers_only: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
const NameMetadataBody = Type.Object({ name: Type.Optional(name), metadata: Type.Optional(MetadataInput) }, Closed);
const MetadataBody = Type.Object({ metadata: Type.Optional(MetadataInput) }, Closed);
const EmptyBody = Type.Object({}, Closed);
const PromotionCodeBody = Type.Object(
  {
    coupon: Type.String({ minLength: 1, maxLength: 64, description: "The coupon (cpn_…)." }),
    code: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: promotionCodeLengthMax,
        description: "What payers type: letters, digits, - and _ (kept upper-case). Default: 8 characters made up.",
      }),
    ),
    max_redemptions: Type.Optional(count),
    expires_at: Type.Optional(unix),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
const CashbackRuleBody = Type.Object(
  {
    name,
    currency: CurrencyCode,
    percent_bps: Type.Integer({ description: `1 to ${percentBpsMax} basis points of what the payer paid.` }),
    max_per_payment: Type.Optional(amountSchema({ description: "The most one payment earns." })),
    max_per_payer_per_month: Type.Optional(amountSchema({ description: "The most one payer earns in a UTC month." })),
    budget: amountSchema({
      description: "What the rule may give in all: moved now from your balance (the platform: its marketing account).",
    }),
    valid_from: Type.Optional(unix),
    valid_until: Type.Optional(unix),
    methods: Type.Optional(
      Type.Array(literals(cashbackMethods), { minItems: 1, maxItems: 3, description: "Default: every method." }),
    ),
    wallet_types: Type.Optional(
      Type.Array(literals(walletTypes), { minItems: 1, maxItems: 2, description: "Default: both." }),
    ),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
const CodeBody = Type.Object(
  {
    promotion_code: Type.String({ minLength: 1, maxLength: 64, description: "The code the payer typed." }),
  },
  Closed,
);
const idFilter = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 64, description }));
const CouponListQuery = Type.Object(
  { ...listQueryProperties, ...createdFilterProperties, active: Type.Optional(Type.Boolean()) },
  Closed,
);
const CodeListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    active: Type.Optional(Type.Boolean()),
    coupon: idFilter("Only this coupon's codes."),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: promotionCodeLengthMax, description: "This code." })),
  },
  Closed,
);
const RedemptionListQuery = Type.Object({ ...listQueryProperties }, Closed);
const CashbackListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    cashback_rule: idFilter("Only this rule's cashback."),
    payment: idFilter("Only this payment's cashback."),
  },
  Closed,
);
const opsMode = { livemode: Type.Boolean({ description: "Which mode (and ledger) it belongs to." }) };
const opsModeQuery = {
  livemode: Type.Optional(Type.Boolean({ default: false, description: "Which mode (default test)." })),
};
const OpsCouponBody = Type.Object({ ...CouponBody.properties, ...opsMode }, Closed);
const OpsCodeBody = Type.Object({ ...PromotionCodeBody.properties, ...opsMode }, Closed);
const OpsCashbackRuleBody = Type.Object({ ...CashbackRuleBody.properties, ...opsMode }, Closed);
const OpsCouponListQuery = Type.Object({ ...CouponListQuery.properties, ...opsModeQuery }, Closed);
const OpsCodeListQuery = Type.Object({ ...CodeListQuery.properties, ...opsModeQuery }, Closed);
const OpsRedemptionListQuery = Type.Object({ ...RedemptionListQuery.properties, ...opsModeQuery }, Closed);
const OpsCashbackListQuery = Type.Object({ ...CashbackListQuery.properties, ...opsModeQuery }, Closed);
const OpsModeQuery = Type.Object(opsModeQuery, Closed);
const FundBody = Type.Object({ ...opsMode, currency: CurrencyCode, amount: amountSchema() }, Closed);

type CodeWithCoupon = { code: PromotionCode; coupon: Coupon };
const codeOut = (found: CodeWithCoupon) => promotionCodeJson(found.code, found.coupon);

function operator(request: FastifyRequest, roles: ("admin" | "reviewer" | "support")[]) {
  const auth = authOf(request, "operator");
  if (!roles.includes(auth.role)) {
    throw authErrors.toApiError("permission_denied", `The ${auth.role} role cannot do this.`);
  }
  return auth;
}
const readers: ("admin" | "reviewer" | "support")[] = ["admin", "reviewer", "support"];

export const couponRoutes: FastifyPluginAsyncTypebox<{ coupons: CouponService; payments: PaymentServices }> = async (
  app,
  { coupons, payments },
) => {
  for (const schema of [
    CouponSchema,
    PromotionCodeSchema,
    RedemptionSchema,
    CashbackRuleSchema,
    CashbackSchema,
    MarketingAccountSchema,
  ]) {
    app.addSchema(schema);
  }
  const couponRef = Type.Ref(CouponSchema);
  const codeRef = Type.Ref(PromotionCodeSchema);
  const ruleRef = Type.Ref(CashbackRuleSchema);
  const cashbackOut = (c: { cashback: Cashback; fundedBy: "merchant" | "platform" }) =>
    cashbackJson(c.cashback, c.fundedBy);
  const couponOwner = (request: FastifyRequest, access: "read" | "write"): Owner =>
    merchantScope(request, "coupons", access);
  const ruleOwner = (request: FastifyRequest, access: "read" | "write"): Owner =>
    merchantScope(request, "cashback_rules", access);

  // ---- the merchant's coupons and promotion codes ----------------------------------------------------------------

  app.post(
    "/v1/coupons",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Create a coupon",
        description:
          "An amount or percent off your payments in one currency, with optional limits: a minimum amount, a validity window, redemptions in all and per payer, a budget, first-time payers only. Give it to a payment with discounts, or to payers as a promotion code.",
        body: CouponBody,
        response: { 201: couponRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, couponJson);
      return answer.respond(await coupons.createCoupon(couponOwner(request, "write"), request.body, answer.record));
    },
  );

  app.get(
    "/v1/coupons",
    {
      preHandler: requireMerchant("coupons", "read"),
      schema: {
        tags: couponTags,
        summary: "List coupons",
        description: "Newest first.",
        querystring: CouponListQuery,
        response: { 200: listOf(couponRef) },
      },
    },
    async (request) => {
      const page = await coupons.listCoupons(
        couponOwner(request, "read"),
        { active: request.query.active, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(couponJson) };
    },
  );

  app.get(
    "/v1/coupons/:id",
    {
      preHandler: requireMerchant("coupons", "read"),
      schema: { tags: couponTags, summary: "Retrieve a coupon", params: IdParams, response: { 200: couponRef } },
    },
    async (request) => couponJson(await coupons.getCoupon(couponOwner(request, "read"), request.params.id)),
  );

  app.post(
    "/v1/coupons/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Update a coupon",
        description: "Its name and metadata. The terms never change: deactivate it and make another.",
        params: IdParams,
        body: NameMetadataBody,
        response: { 200: couponRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, couponJson);
      return answer.respond(
        await coupons.updateCoupon(couponOwner(request, "write"), request.params.id, request.body, answer.record),
      );
    },
  );

  app.post(
    "/v1/coupons/:id/deactivate",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Deactivate a coupon",
        description: "For good: no new payment takes it or its codes; payments that hold it keep their discount.",
        params: IdParams,
        body: EmptyBody,
        response: { 200: couponRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, couponJson);
      return answer.respond(
        await coupons.deactivateCoupon(couponOwner(request, "write"), request.params.id, answer.record),
      );
    },
  );

  app.get(
    "/v1/coupons/:id/redemptions",
    {
      preHandler: requireMerchant("coupons", "read"),
      schema: {
        tags: couponTags,
        summary: "A coupon's redemptions",
        description: "Every payment the coupon was applied to, newest first, with where the discount stands.",
        params: IdParams,
        querystring: RedemptionListQuery,
        response: { 200: listOf(Type.Ref(RedemptionSchema)) },
      },
    },
    async (request) => {
      const page = await coupons.listRedemptions(
        couponOwner(request, "read"),
        request.params.id,
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(redemptionJson) };
    },
  );

  app.post(
    "/v1/promotion_codes",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Create a promotion code",
        description:
          "A code payers type at checkout or in the wallet (or you pass in discounts) for one of your coupons, with its own optional limit and expiry. Codes are unique among your active codes in a mode.",
        body: PromotionCodeBody,
        response: { 201: codeRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, codeOut);
      return answer.respond(
        await coupons.createPromotionCode(couponOwner(request, "write"), request.body, answer.record),
      );
    },
  );

  app.get(
    "/v1/promotion_codes",
    {
      preHandler: requireMerchant("coupons", "read"),
      schema: {
        tags: couponTags,
        summary: "List promotion codes",
        description: "Newest first; filter by coupon, code or active.",
        querystring: CodeListQuery,
        response: { 200: listOf(codeRef) },
      },
    },
    async (request) => {
      const page = await coupons.listPromotionCodes(
        couponOwner(request, "read"),
        {
          coupon: request.query.coupon,
          code: request.query.code,
          active: request.query.active,
          created: createdRange(request.query),
        },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(codeOut) };
    },
  );

  app.get(
    "/v1/promotion_codes/:id",
    {
      preHandler: requireMerchant("coupons", "read"),
      schema: { tags: couponTags, summary: "Retrieve a promotion code", params: IdParams, response: { 200: codeRef } },
    },
    async (request) => codeOut(await coupons.getPromotionCode(couponOwner(request, "read"), request.params.id)),
  );

  app.post(
    "/v1/promotion_codes/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Update a promotion code",
        description: "Its metadata.",
        params: IdParams,
        body: MetadataBody,
        response: { 200: codeRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, codeOut);
      return answer.respond(
        await coupons.updatePromotionCode(
          couponOwner(request, "write"),
          request.params.id,
          request.body,
          answer.record,
        ),
      );
    },
  );

  app.post(
    "/v1/promotion_codes/:id/deactivate",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("coupons", "write"),
      schema: {
        tags: couponTags,
        summary: "Deactivate a promotion code",
        description: "For good; its text may then be given to a new code.",
        params: IdParams,
        body: EmptyBody,
        response: { 200: codeRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, codeOut);
      return answer.respond(
        await coupons.deactivatePromotionCode(couponOwner(request, "write"), request.params.id, answer.record),
      );
    },
  );

  // ---- the merchant's cashback rules ----------------------------------------------------------------------------

  app.post(
    "/v1/cashback_rules",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("cashback_rules", "write"),
      schema: {
        tags: cashbackTags,
        summary: "Create a cashback rule",
        description:
          "Gives your payers back a percent of what they pay, credited to their wallet soon after each payment succeeds, capped per payment and per payer per month, within a validity window and for the methods and wallet types you name. Its budget moves from your available balance into the rule now (402 budget_funds_insufficient when it does not hold it); refunds take their share back.",
        body: CashbackRuleBody,
        response: { 201: ruleRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, cashbackRuleJson);
      return answer.respond(await coupons.createCashbackRule(ruleOwner(request, "write"), request.body, answer.record));
    },
  );

  app.get(
    "/v1/cashback_rules",
    {
      preHandler: requireMerchant("cashback_rules", "read"),
      schema: {
        tags: cashbackTags,
        summary: "List cashback rules",
        querystring: CouponListQuery,
        response: { 200: listOf(ruleRef) },
      },
    },
    async (request) => {
      const page = await coupons.listCashbackRules(
        ruleOwner(request, "read"),
        { active: request.query.active, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(cashbackRuleJson) };
    },
  );

  app.get(
    "/v1/cashback_rules/:id",
    {
      preHandler: requireMerchant("cashback_rules", "read"),
      schema: { tags: cashbackTags, summary: "Retrieve a cashback rule", params: IdParams, response: { 200: ruleRef } },
    },
    async (request) => cashbackRuleJson(await coupons.getCashbackRule(ruleOwner(request, "read"), request.params.id)),
  );

  app.post(
    "/v1/cashback_rules/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("cashback_rules", "write"),
      schema: {
        tags: cashbackTags,
        summary: "Update a cashback rule",
        description: "Its name and metadata.",
        params: IdParams,
        body: NameMetadataBody,
        response: { 200: ruleRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, cashbackRuleJson);
      return answer.respond(
        await coupons.updateCashbackRule(ruleOwner(request, "write"), request.params.id, request.body, answer.record),
      );
    },
  );

  app.post(
    "/v1/cashback_rules/:id/deactivate",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("cashback_rules", "write"),
      schema: {
        tags: cashbackTags,
        summary: "Deactivate a cashback rule",
        description: "For good: no more credits; what is left of its budget returns to your balance.",
        params: IdParams,
        body: EmptyBody,
        response: { 200: ruleRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, cashbackRuleJson);
      return answer.respond(
        await coupons.deactivateCashbackRule(ruleOwner(request, "write"), request.params.id, answer.record),
      );
    },
  );

  app.get(
    "/v1/cashbacks",
    {
      preHandler: requireMerchant("cashback_rules", "read"),
      schema: {
        tags: cashbackTags,
        summary: "List cashback",
        description: "Cashback credited on your payments (by your rules and the platform's), newest first.",
        querystring: CashbackListQuery,
        response: { 200: listOf(Type.Ref(CashbackSchema)) },
      },
    },
    async (request) => {
      const page = await coupons.listCashbacks(
        ruleOwner(request, "read"),
        {
          rule: request.query.cashback_rule,
          payment: request.query.payment,
          created: createdRange(request.query),
        },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(cashbackOut) };
    },
  );

  // ---- the payer's promotion code: the checkout page and the wallet ---------------------------------------------

  app.post(
    "/v1/checkout/:id/discount",
    {
      config: { idempotent: true },
      schema: {
        tags: ["checkout"],
        summary: "Apply a promotion code at checkout",
        description:
          "No credentials, like the page: the payer's promotion code (the merchant's or the platform's) on an open payment; the amount becomes the subtotal less the discount. Another code replaces the payer's; a discount the merchant gave stays. The payer's own limits (per payer, first time) are checked when they pay.",
        params: IdParams,
        body: CodeBody,
        response: { 200: CheckoutAnswer },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      await coupons.changeByPayer(request.params.id, request.body.promotion_code, { kind: "checkout" });
      return payments.checkout.summary(request.params.id);
    },
  );

  app.post(
    "/v1/checkout/:id/discount/remove",
    {
      config: { idempotent: true },
      schema: {
        tags: ["checkout"],
        summary: "Remove the payer's promotion code at checkout",
        params: IdParams,
        body: EmptyBody,
        response: { 200: CheckoutAnswer },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      await coupons.changeByPayer(request.params.id, null, { kind: "checkout" });
      return payments.checkout.summary(request.params.id);
    },
  );

  const wallet = requireAuth("wallet");
  const walletViewer = async (request: FastifyRequest) => {
    const auth = authOf(request, "wallet");
    const user = await payments.payer.get(auth.walletUserId, (request.params as { id: string }).id);
    return { kind: "wallet" as const, userId: auth.walletUserId, livemode: user.livemode };
  };

  app.post(
    "/v1/wallet/payments/:id/discount",
    {
      config: { idempotent: true },
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Apply a promotion code before confirming",
        description:
          "Your code on a payment you are about to confirm; the answer shows the new amount. Your own limits (per payer, first time) are checked now and again when you pay.",
        params: IdParams,
        body: CodeBody,
        response: { 200: WalletPaymentAnswer },
      },
    },
    async (request) => {
      const viewer = await walletViewer(request);
      await coupons.changeByPayer(request.params.id, request.body.promotion_code, viewer);
      return payments.payer.get(viewer.userId, request.params.id);
    },
  );

  app.post(
    "/v1/wallet/payments/:id/discount/remove",
    {
      config: { idempotent: true },
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Remove your promotion code",
        params: IdParams,
        body: EmptyBody,
        response: { 200: WalletPaymentAnswer },
      },
    },
    async (request) => {
      const viewer = await walletViewer(request);
      await coupons.changeByPayer(request.params.id, null, viewer);
      return payments.payer.get(viewer.userId, request.params.id);
    },
  );

  // ---- operators: the platform's promotions and marketing account -----------------------------------------------

  const ops = requireAuth("operator");
  const platform = (livemode: boolean | undefined): Owner => ({ merchantId: null, livemode: livemode ?? false });

  app.get(
    "/v1/ops/marketing_accounts",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "The platform's marketing accounts",
        description: "Per currency of a mode: what platform promotions can still be funded with.",
        querystring: OpsModeQuery,
        response: { 200: listOf(Type.Ref(MarketingAccountSchema)) },
      },
    },
    async (request) => {
      operator(request, readers);
      const data = await coupons.marketingAccounts(request.query.livemode ?? false);
      return { object: "list" as const, data, has_more: false };
    },
  );

  app.post(
    "/v1/ops/marketing_accounts/fund",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Fund the marketing account",
        description: "Moves money the platform puts into marketing onto the marketing account of a mode and currency.",
        body: FundBody,
        response: { 200: Type.Ref(MarketingAccountSchema) },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const answer = answerWithEffect(request, reply, 200, (a: MarketingAccount) => a);
      return answer.respond(await coupons.fundMarketing(request.body, answer.record));
    },
  );

  app.post(
    "/v1/ops/coupons",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Create a platform coupon",
        description:
          "A coupon for any merchant's payments of its mode, paid to the merchant from its budget, which moves now from the marketing account (402 budget_funds_insufficient when it does not hold it).",
        body: OpsCouponBody,
        response: { 201: couponRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const { livemode, ...input } = request.body;
      const answer = answerWithEffect(request, reply, 201, couponJson);
      return answer.respond(await coupons.createCoupon(platform(livemode), input, answer.record));
    },
  );

  app.get(
    "/v1/ops/coupons",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "List platform coupons",
        querystring: OpsCouponListQuery,
        response: { 200: listOf(couponRef) },
      },
    },
    async (request) => {
      operator(request, readers);
      const page = await coupons.listCoupons(
        platform(request.query.livemode),
        { active: request.query.active, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(couponJson) };
    },
  );

  app.get(
    "/v1/ops/coupons/:id",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "Retrieve a platform coupon",
        params: IdParams,
        querystring: OpsModeQuery,
        response: { 200: couponRef },
      },
    },
    async (request) => {
      operator(request, readers);
      return couponJson(await coupons.getCoupon(platform(request.query.livemode), request.params.id));
    },
  );

  app.post(
    "/v1/ops/coupons/:id/deactivate",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Deactivate a platform coupon",
        description: "For good; what no payment holds of its budget returns to the marketing account.",
        params: IdParams,
        body: Type.Object(opsMode, Closed),
        response: { 200: couponRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const answer = answerWithEffect(request, reply, 200, couponJson);
      return answer.respond(
        await coupons.deactivateCoupon(platform(request.body.livemode), request.params.id, answer.record),
      );
    },
  );

  app.get(
    "/v1/ops/coupons/:id/redemptions",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "A platform coupon's redemptions",
        params: IdParams,
        querystring: OpsRedemptionListQuery,
        response: { 200: listOf(Type.Ref(RedemptionSchema)) },
      },
    },
    async (request) => {
      operator(request, readers);
      const page = await coupons.listRedemptions(
        platform(request.query.livemode),
        request.params.id,
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(redemptionJson) };
    },
  );

  app.post(
    "/v1/ops/promotion_codes",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Create a platform promotion code",
        description: "A code for a platform coupon that payers may use at any merchant (a merchant's own code wins).",
        body: OpsCodeBody,
        response: { 201: codeRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const { livemode, ...input } = request.body;
      const answer = answerWithEffect(request, reply, 201, codeOut);
      return answer.respond(await coupons.createPromotionCode(platform(livemode), input, answer.record));
    },
  );

  app.get(
    "/v1/ops/promotion_codes",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "List platform promotion codes",
        querystring: OpsCodeListQuery,
        response: { 200: listOf(codeRef) },
      },
    },
    async (request) => {
      operator(request, readers);
      const page = await coupons.listPromotionCodes(
        platform(request.query.livemode),
        {
          coupon: request.query.coupon,
          code: request.query.code,
          active: request.query.active,
          created: createdRange(request.query),
        },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(codeOut) };
    },
  );

  app.post(
    "/v1/ops/promotion_codes/:id/deactivate",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Deactivate a platform promotion code",
        params: IdParams,
        body: Type.Object(opsMode, Closed),
        response: { 200: codeRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const answer = answerWithEffect(request, reply, 200, codeOut);
      return answer.respond(
        await coupons.deactivatePromotionCode(platform(request.body.livemode), request.params.id, answer.record),
      );
    },
  );

  app.post(
    "/v1/ops/cashback_rules",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Create a platform cashback rule",
        description:
          "Cashback on any merchant's payments of its mode, funded now from the marketing account (402 budget_funds_insufficient when it does not hold the budget).",
        body: OpsCashbackRuleBody,
        response: { 201: ruleRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const { livemode, ...input } = request.body;
      const answer = answerWithEffect(request, reply, 201, cashbackRuleJson);
      return answer.respond(await coupons.createCashbackRule(platform(livemode), input, answer.record));
    },
  );

  app.get(
    "/v1/ops/cashback_rules",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "List platform cashback rules",
        querystring: OpsCouponListQuery,
        response: { 200: listOf(ruleRef) },
      },
    },
    async (request) => {
      operator(request, readers);
      const page = await coupons.listCashbackRules(
        platform(request.query.livemode),
        { active: request.query.active, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(cashbackRuleJson) };
    },
  );

  app.post(
    "/v1/ops/cashback_rules/:id/deactivate",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Deactivate a platform cashback rule",
        description: "For good; what is left of its budget returns to the marketing account.",
        params: IdParams,
        body: Type.Object(opsMode, Closed),
        response: { 200: ruleRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const answer = answerWithEffect(request, reply, 200, cashbackRuleJson);
      return answer.respond(
        await coupons.deactivateCashbackRule(platform(request.body.livemode), request.params.id, answer.record),
      );
    },
  );

  app.get(
    "/v1/ops/cashbacks",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "List cashback credited by platform rules",
        querystring: OpsCashbackListQuery,
        response: { 200: listOf(Type.Ref(CashbackSchema)) },
      },
    },
    async (request) => {
      operator(request, readers);
      const page = await coupons.listCashbacks(
        platform(request.query.livemode),
        {
          rule: request.query.cashback_rule,
          payment: request.query.payment,
          created: createdRange(request.query),
        },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(cashbackOut) };
    },
  );
};
