import type { Metadata } from "../http/metadata.js";
import type { PaymentLinks } from "../payments/model.js";
import { unixSeconds } from "../payments/model.js";
import { qrSvg } from "../payments/qr.js";

/** Payment links as rows and as the objects the merchant API, the public page and events show. */

export const amountTypes = ["fixed", "customer_chooses"] as const;
export type AmountType = (typeof amountTypes)[number];

export interface PaymentLink {
  id: string;
  merchantId: string;
  livemode: boolean;
  slug: string;
  active: boolean;
  currency: string;
  amountType: AmountType;
  /** fixed: the price of one unit. */
  unitAmount: bigint | null;
  /** fixed: the payer chooses a quantity from 1 to this; null: always one. */
  quantityMax: number | null;
  /** customer_chooses: the bounds of the payer's amount, inclusive. */
  amountMin: bigint | null;
  amountMax: bigint | null;
  description: string | null;
  metadata: Metadata;
  returnUrl: string | null;
  maxUses: number | null;
  expiresAt: Date | null;
  deactivatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentLinkRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  slug: string;
  active: boolean;
  currency: string;
  amount_type: AmountType;
  unit_amount: bigint | null;
  quantity_max: number | null;
  amount_min: bigint | null;
  amount_max: bigint | null;
  description: string | null;
  metadata: Metadata;
  return_url: string | null;
  max_uses: number | null;
  expires_at: Date | null;
  deactivated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function paymentLinkFromRow(row: PaymentLinkRow): PaymentLink {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    slug: row.slug,
    active: row.active,
    currency: row.currency,
    amountType: row.amount_type,
    unitAmount: row.unit_amount === null ? null : BigInt(row.unit_amount),
    quantityMax: row.quantity_max,
    amountMin: row.amount_min === null ? null : BigInt(row.amount_min),
    amountMax: row.amount_max === null ? null : BigInt(row.amount_max),
    description: row.description,
    metadata: row.metadata,
    returnUrl: row.return_url,
    maxUses: row.max_uses,
    expiresAt: row.expires_at,
    deactivatedAt: row.deactivated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * What a link's payments add up to. A use is a payment made from the link: `succeeded` counts the paid ones (a
 * refund does not give a use back), `open` those still waiting for their payer, which hold their place against
 * max_uses until they are paid, fail, are canceled or expire.
 */
export interface PaymentLinkStats {
  succeeded: number;
  open: number;
  amountReceived: bigint;
  amountRefunded: bigint;
}

export const emptyStats: PaymentLinkStats = { succeeded: 0, open: 0, amountReceived: 0n, amountRefunded: 0n };

export function payUrl(links: PaymentLinks, link: Pick<PaymentLink, "slug">): string {
  return `${links.base}/pay/${link.slug}`;
}

/** The state a payer meets: open, or why a use would be refused. */
export type PaymentLinkState = "open" | "inactive" | "expired" | "used_up";

export function linkState(link: PaymentLink, stats: PaymentLinkStats, now: Date): PaymentLinkState {
  if (!link.active) return "inactive";
  if (link.expiresAt && link.expiresAt.getTime() <= now.getTime()) return "expired";
  if (link.maxUses !== null && stats.succeeded + stats.open >= link.maxUses) return "used_up";
  return "open";
}

const unixOrNull = (date: Date | null) => (date ? unixSeconds(date) : null);
const amountOrNull = (value: bigint | null) => (value === null ? null : String(value));

/** The link as the merchant API shows it. `svg: false` leaves the QR code's SVG out (lists and events). */
export function paymentLinkJson(
  link: PaymentLink,
  stats: PaymentLinkStats,
  links: PaymentLinks,
  options: { svg?: boolean } = {},
) {
  const url = payUrl(links, link);
  return {
    id: link.id,
    object: "payment_link" as const,
    livemode: link.livemode,
    active: link.active,
    url,
    qr_svg: options.svg === false ? null : qrSvg(url, "Pay with coffer"),
    currency: link.currency,
    amount_type: link.amountType,
    unit_amount: amountOrNull(link.unitAmount),
    quantity_max: link.quantityMax,
    amount_min: amountOrNull(link.amountMin),
    amount_max: amountOrNull(link.amountMax),
    description: link.description,
    metadata: link.metadata,
    return_url: link.returnUrl,
    max_uses: link.maxUses,
    expires_at: unixOrNull(link.expiresAt),
    uses: { succeeded: stats.succeeded, open: stats.open },
    amount_received: String(stats.amountReceived),
    amount_refunded: String(stats.amountRefunded),
    deactivated_at: unixOrNull(link.deactivatedAt),
    created: unixSeconds(link.createdAt),
  };
}
export type PaymentLinkJson = ReturnType<typeof paymentLinkJson>;

/** What the public page at /pay/{slug} shows: no ids, no counts, just what the payer needs. */
export function publicPaymentLinkJson(
  link: PaymentLink,
  merchantName: string,
  state: PaymentLinkState,
  amountDisplay: (amount: bigint) => string,
) {
  return {
    object: "public_payment_link" as const,
    livemode: link.livemode,
    state,
    merchant: { name: merchantName },
    currency: link.currency,
    amount_type: link.amountType,
    unit_amount: amountOrNull(link.unitAmount),
    unit_amount_display: link.unitAmount === null ? null : amountDisplay(link.unitAmount),
    quantity_max: link.quantityMax,
    amount_min: amountOrNull(link.amountMin),
    amount_max: amountOrNull(link.amountMax),
    amount_min_display: link.amountMin === null ? null : amountDisplay(link.amountMin),
    amount_max_display: link.amountMax === null ? null : amountDisplay(link.amountMax),
    description: link.description,
  };
}
export type PublicPaymentLinkJson = ReturnType<typeof publicPaymentLinkJson>;
