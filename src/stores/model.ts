import type { Metadata } from "../http/metadata.js";
import type { PaymentLinks } from "../payments/model.js";
import { unixSeconds } from "../payments/model.js";
import { qrSvg } from "../payments/qr.js";

/** Stores and tills as rows and as the objects the merchant API and events show (docs/stores-and-tills.md). */

export interface Store {
  id: string;
  merchantId: string;
  livemode: boolean;
  name: string;
  address: string | null;
  /** What its tills take: a till QR payment is in it, and so is every payment made at its tills. */
  currency: string;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoreRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  name: string;
  address: string | null;
  currency: string;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
}

export function storeFromRow(row: StoreRow): Store {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    name: row.name,
    address: row.address,
    currency: row.currency,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface Till {
  id: string;
  storeId: string;
  merchantId: string;
  livemode: boolean;
  name: string;
  /** The random part of its QR code's URL (/t/{token}). */
  token: string;
  active: boolean;
  deactivatedAt: Date | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface TillRow {
  id: string;
  store_id: string;
  merchant_id: string;
  livemode: boolean;
  name: string;
  token: string;
  active: boolean;
  deactivated_at: Date | null;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
}

export function tillFromRow(row: TillRow): Till {
  return {
    id: row.id,
    storeId: row.store_id,
    merchantId: row.merchant_id,
    livemode: row.livemode,
    name: row.name,
    token: row.token,
    active: row.active,
    deactivatedAt: row.deactivated_at,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a till's static QR code holds: a URL of this coffer that the wallet app sends to POST /v1/wallet/scan. */
export function tillQrPayload(links: PaymentLinks, till: Pick<Till, "token">): string {
  return `${links.base}/t/${till.token}`;
}

const tillTokenPattern = /\/t\/([0-9A-Za-z]{22})\/?(?:[?#].*)?$/;

/** The till token of a scanned payload (a URL ending in /t/<token>), or undefined. */
export function tillTokenOf(payload: string): string | undefined {
  return tillTokenPattern.exec(payload.trim())?.[1];
}

export function storeJson(store: Store) {
  return {
    id: store.id,
    object: "store" as const,
    livemode: store.livemode,
    name: store.name,
    address: store.address,
    currency: store.currency,
    metadata: store.metadata,
    created: unixSeconds(store.createdAt),
  };
}
export type StoreJson = ReturnType<typeof storeJson>;

/** The till as the merchant API shows it. `svg: false` leaves the QR code's SVG out (lists and events). */
export function tillJson(till: Till, links: PaymentLinks, options: { svg?: boolean } = {}) {
  const payload = tillQrPayload(links, till);
  return {
    id: till.id,
    object: "till" as const,
    livemode: till.livemode,
    store: till.storeId,
    name: till.name,
    active: till.active,
    metadata: till.metadata,
    qr: { payload, svg: options.svg === false ? null : qrSvg(payload, "Scan with coffer to pay") },
    deactivated_at: till.deactivatedAt ? unixSeconds(till.deactivatedAt) : null,
    created: unixSeconds(till.createdAt),
  };
}
export type TillJson = ReturnType<typeof tillJson>;

/** One till's figures of a day. */
export interface TillTakings {
  till: Till;
  count: number;
  gross: bigint;
  refunds: bigint;
}

export function takingsJson(store: Store, date: string, timeZone: string, tills: TillTakings[]) {
  const figures = (count: number, gross: bigint, refunds: bigint) => ({
    count,
    gross: String(gross),
    refunds: String(refunds),
    net: String(gross - refunds),
  });
  let count = 0;
  let gross = 0n;
  let refunds = 0n;
  for (const t of tills) {
    count += t.count;
    gross += t.gross;
    refunds += t.refunds;
  }
  return {
    object: "store_takings" as const,
    store: store.id,
    livemode: store.livemode,
    date,
    time_zone: timeZone,
    currency: store.currency,
    tills: tills.map((t) => ({
      till: t.till.id,
      name: t.till.name,
      active: t.till.active,
      ...figures(t.count, t.gross, t.refunds),
    })),
    total: figures(count, gross, refunds),
  };
}
export type TakingsJson = ReturnType<typeof takingsJson>;
