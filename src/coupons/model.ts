import type { Metadata } from "../http/metadata.js";
import { unixSeconds } from "../payments/model.js";

/** Coupons, promotion codes, their redemptions and cashback, as rows and as the objects the API and events show. */

export type Funder = "merchant" | "platform";

export interface Coupon {
  id: string;
  /** null: a platform coupon (any merchant's payments, paid to the merchant from its budget account). */
  merchantId: string | null;
  livemode: boolean;
  name: string;
  currency: string;
  amountOff: bigint | null;
  percentOffBps: number | null;
  minAmount: bigint | null;
  validFrom: Date | null;
  validUntil: Date | null;
  maxRedemptions: number | null;
  maxRedemptionsPerPayer: number | null;
  budget: bigint | null;
  firstTimePayersOnly: boolean;
  budgetAccountId: bigint | null;
  timesRedeemed: number;
  amountRedeemed: bigint;
  active: boolean;
  deactivatedAt: Date | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface CouponRow {
  id: string;
  merchant_id: string | null;
  livemode: boolean;
  name: string;
  currency: string;
  amount_off: string | null;
  percent_off_bps: number | null;
  min_amount: string | null;
  valid_from: Date | null;
  valid_until: Date | null;
  max_redemptions: number | null;
  max_redemptions_per_payer: number | null;
  budget: string | null;
  first_time_payers_only: boolean;
  budget_account_id: string | null;
  times_redeemed: number;
  amount_redeemed: string;
  active: boolean;
  deactivated_at: Date | null;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
}

const big = (value: string | bigint | null): bigint | null => (value === null ? null : BigInt(value));

export function couponFromRow(row: CouponRow): Coupon {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    name: row.name,
    currency: row.currency,
    amountOff: big(row.amount_off),
    percentOffBps: row.percent_off_bps,
    minAmount: big(row.min_amount),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    maxRedemptions: row.max_redemptions,
    maxRedemptionsPerPayer: row.max_redemptions_per_payer,
    budget: big(row.budget),
    firstTimePayersOnly: row.first_time_payers_only,
    budgetAccountId: big(row.budget_account_id),
    timesRedeemed: row.times_redeemed,
    amountRedeemed: BigInt(row.amount_redeemed),
    active: row.active,
    deactivatedAt: row.deactivated_at,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const unixOrNull = (date: Date | null) => (date ? unixSeconds(date) : null);
const amountOrNull = (value: bigint | null) => (value === null ? null : String(value));

export function funderOf(owner: { merchantId: string | null }): Funder {
  return owner.merchantId === null ? "platform" : "merchant";
}

export function couponJson(coupon: Coupon) {
  return {
    id: coupon.id,
    object: "coupon" as const,
    livemode: coupon.livemode,
    funded_by: funderOf(coupon),
    name: coupon.name,
    currency: coupon.currency,
    amount_off: amountOrNull(coupon.amountOff),
    percent_off_bps: coupon.percentOffBps,
    min_amount: amountOrNull(coupon.minAmount),
    valid_from: unixOrNull(coupon.validFrom),
    valid_until: unixOrNull(coupon.validUntil),
    max_redemptions: coupon.maxRedemptions,
    max_redemptions_per_payer: coupon.maxRedemptionsPerPayer,
    budget: amountOrNull(coupon.budget),
    first_time_payers_only: coupon.firstTimePayersOnly,
    times_redeemed: coupon.timesRedeemed,
    amount_redeemed: String(coupon.amountRedeemed),
    active: coupon.active,
    deactivated_at: unixOrNull(coupon.deactivatedAt),
    metadata: coupon.metadata,
    created: unixSeconds(coupon.createdAt),
  };
}
export type CouponJson = ReturnType<typeof couponJson>;

export interface PromotionCode {
  id: string;
  couponId: string;
  merchantId: string | null;
  livemode: boolean;
  code: string;
  maxRedemptions: number | null;
  timesRedeemed: number;
  expiresAt: Date | null;
  active: boolean;
  deactivatedAt: Date | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface PromotionCodeRow {
  id: string;
  coupon_id: string;
  merchant_id: string | null;
  livemode: boolean;
  code: string;
  max_redemptions: number | null;
  times_redeemed: number;
  expires_at: Date | null;
  active: boolean;
  deactivated_at: Date | null;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
}

export function promotionCodeFromRow(row: PromotionCodeRow): PromotionCode {
  return {
    id: row.id,
    couponId: row.coupon_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    code: row.code,
    maxRedemptions: row.max_redemptions,
    timesRedeemed: row.times_redeemed,
    expiresAt: row.expires_at,
    active: row.active,
    deactivatedAt: row.deactivated_at,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function promotionCodeJson(code: PromotionCode, coupon: Coupon) {
  return {
    id: code.id,
    object: "promotion_code" as const,
    livemode: code.livemode,
    code: code.code,
    coupon: couponJson(coupon),
    max_redemptions: code.maxRedemptions,
    times_redeemed: code.timesRedeemed,
    expires_at: unixOrNull(code.expiresAt),
    active: code.active,
    deactivated_at: unixOrNull(code.deactivatedAt),
    metadata: code.metadata,
    created: unixSeconds(code.createdAt),
  };
}
export type PromotionCodeJson = ReturnType<typeof promotionCodeJson>;

export const redemptionStatuses = ["reserved", "redeemed", "released", "returned"] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

export interface Redemption {
  id: string;
  couponId: string;
  promotionCodeId: string | null;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  payerId: string | null;
  payerCounted: boolean;
  appliedBy: "merchant" | "payer";
  fundedBy: Funder;
  currency: string;
  amount: bigint;
  amountReturned: bigint;
  status: RedemptionStatus;
  createdAt: Date;
  updatedAt: Date;
  redeemedAt: Date | null;
  endedAt: Date | null;
}

export interface RedemptionRow {
  id: string;
  coupon_id: string;
  promotion_code_id: string | null;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  payer_id: string | null;
  payer_counted: boolean;
  applied_by: "merchant" | "payer";
  funded_by: Funder;
  currency: string;
  amount: string;
  amount_returned: string;
  status: RedemptionStatus;
  created_at: Date;
  updated_at: Date;
  redeemed_at: Date | null;
  ended_at: Date | null;
}

export function redemptionFromRow(row: RedemptionRow): Redemption {
  return {
    id: row.id,
    couponId: row.coupon_id,
    promotionCodeId: row.promotion_code_id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    payerId: row.payer_id,
    payerCounted: row.payer_counted,
    appliedBy: row.applied_by,
    fundedBy: row.funded_by,
    currency: row.currency,
    amount: BigInt(row.amount),
    amountReturned: BigInt(row.amount_returned),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    redeemedAt: row.redeemed_at,
    endedAt: row.ended_at,
  };
}

export function redemptionJson(redemption: Redemption) {
  return {
    id: redemption.id,
    object: "coupon_redemption" as const,
    livemode: redemption.livemode,
    coupon: redemption.couponId,
    promotion_code: redemption.promotionCodeId,
    payment: redemption.paymentId,
    status: redemption.status,
    applied_by: redemption.appliedBy,
    funded_by: redemption.fundedBy,
    currency: redemption.currency,
    amount: String(redemption.amount),
    amount_returned: String(redemption.amountReturned),
    created: unixSeconds(redemption.createdAt),
    redeemed_at: unixOrNull(redemption.redeemedAt),
    ended_at: unixOrNull(redemption.endedAt),
  };
}

/**
 * The discount a coupon gives on a subtotal: its amount off, or its percent (basis points) of the subtotal rounded
 * down. Zero when a percent rounds to nothing; the caller refuses what takes the whole subtotal.
 */
export function discountFor(coupon: Pick<Coupon, "amountOff" | "percentOffBps">, subtotal: bigint): bigint {
  if (coupon.amountOff !== null) return coupon.amountOff;
  return (subtotal * BigInt(coupon.percentOffBps ?? 0)) / 10_000n;
}

/** The smaller of two amounts (Math.min does not take bigints). */
export function minAmount(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** A share of `total` in proportion to part ÷ whole, rounded down (refunds' share of a discount or a cashback). */
export function shareOf(total: bigint, part: bigint, whole: bigint): bigint {
  if (whole <= 0n) return 0n;
  return (total * part) / whole;
}

// ---- cashback ------------------------------------------------------------------------------------------------

export const cashbackMethods = ["qr", "payment_code", "checkout"] as const;
export type CashbackMethod = (typeof cashbackMethods)[number];
export const walletTypes = ["account", "stored_value"] as const;
export type WalletType = (typeof walletTypes)[number];

export interface CashbackRule {
  id: string;
  merchantId: string | null;
  livemode: boolean;
  name: string;
  currency: string;
  percentBps: number;
  maxPerPayment: bigint | null;
  maxPerPayerPerMonth: bigint | null;
  budget: bigint;
  amountCredited: bigint;
  validFrom: Date | null;
  validUntil: Date | null;
  methods: CashbackMethod[];
  walletTypes: WalletType[];
  budgetAccountId: bigint;
  active: boolean;
  deactivatedAt: Date | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface CashbackRuleRow {
  id: string;
  merchant_id: string | null;
  livemode: boolean;
  name: string;
  currency: string;
  percent_bps: number;
  max_per_payment: string | null;
  max_per_payer_per_month: string | null;
  budget: string;
  amount_credited: string;
  valid_from: Date | null;
  valid_until: Date | null;
  methods: CashbackMethod[];
  wallet_types: WalletType[];
  budget_account_id: string;
  active: boolean;
  deactivated_at: Date | null;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
}

export function cashbackRuleFromRow(row: CashbackRuleRow): CashbackRule {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    name: row.name,
    currency: row.currency,
    percentBps: row.percent_bps,
    maxPerPayment: big(row.max_per_payment),
    maxPerPayerPerMonth: big(row.max_per_payer_per_month),
    budget: BigInt(row.budget),
    amountCredited: BigInt(row.amount_credited),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    methods: row.methods,
    walletTypes: row.wallet_types,
    budgetAccountId: BigInt(row.budget_account_id),
    active: row.active,
    deactivatedAt: row.deactivated_at,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function cashbackRuleJson(rule: CashbackRule) {
  return {
    id: rule.id,
    object: "cashback_rule" as const,
    livemode: rule.livemode,
    funded_by: funderOf(rule),
    name: rule.name,
    currency: rule.currency,
    percent_bps: rule.percentBps,
    max_per_payment: amountOrNull(rule.maxPerPayment),
    max_per_payer_per_month: amountOrNull(rule.maxPerPayerPerMonth),
    budget: String(rule.budget),
    amount_credited: String(rule.amountCredited),
    valid_from: unixOrNull(rule.validFrom),
    valid_until: unixOrNull(rule.validUntil),
    methods: rule.methods,
    wallet_types: rule.walletTypes,
    active: rule.active,
    deactivated_at: unixOrNull(rule.deactivatedAt),
    metadata: rule.metadata,
    created: unixSeconds(rule.createdAt),
  };
}
export type CashbackRuleJson = ReturnType<typeof cashbackRuleJson>;

export interface Cashback {
  id: string;
  ruleId: string;
  paymentId: string;
  merchantId: string;
  livemode: boolean;
  payerId: string;
  currency: string;
  amount: bigint;
  amountReversed: bigint;
  createdAt: Date;
  updatedAt: Date;
}

export interface CashbackRow {
  id: string;
  rule_id: string;
  payment_id: string;
  merchant_id: string;
  livemode: boolean;
  payer_id: string;
  currency: string;
  amount: string;
  amount_reversed: string;
  created_at: Date;
  updated_at: Date;
}

export function cashbackFromRow(row: CashbackRow): Cashback {
  return {
    id: row.id,
    ruleId: row.rule_id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    payerId: row.payer_id,
    currency: row.currency,
    amount: BigInt(row.amount),
    amountReversed: BigInt(row.amount_reversed),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function cashbackJson(cashback: Cashback, fundedBy: Funder) {
  return {
    id: cashback.id,
    object: "cashback" as const,
    livemode: cashback.livemode,
    cashback_rule: cashback.ruleId,
    funded_by: fundedBy,
    payment: cashback.paymentId,
    currency: cashback.currency,
    amount: String(cashback.amount),
    amount_reversed: String(cashback.amountReversed),
    created: unixSeconds(cashback.createdAt),
  };
}
export type CashbackJson = ReturnType<typeof cashbackJson>;

/** The UTC month a payment was paid in, the key of a payer's monthly cashback cap. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
