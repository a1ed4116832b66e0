import { createHmac, hkdfSync, randomInt } from "node:crypto";
import { unixSeconds } from "../wallets/time.js";

/**
 * Stored-value cards (docs/stored-value.md). A card is a wallet user of kind `card`; this row says who issued it,
 * its number (as a keyed hash and last 4), its status and expiry. Its balance is its wallet account's, in the ledger.
 */
export type CardKind = "gift_card" | "voucher";
export const cardKinds: readonly CardKind[] = ["gift_card", "voucher"];
export type CardStatus = "active" | "frozen" | "expired" | "closed";
export const cardStatuses: readonly CardStatus[] = ["active", "frozen", "expired", "closed"];

export interface StoredValueCard {
  id: string;
  walletUserId: string;
  livemode: boolean;
  /** null: issued by the platform, spendable at every merchant (open loop). */
  issuerMerchantId: string | null;
  kind: CardKind;
  currency: string;
  last4: string;
  status: CardStatus;
  initialValue: bigint;
  expiresAt: Date | null;
  batchId: string | null;
  metadata: Record<string, string>;
  frozenBy: "merchant" | "operator" | null;
  claimedBy: string | null;
  expiredAt: Date | null;
  breakageAmount: bigint | null;
  breakageRefundedAt: Date | null;
  sandboxMagic: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredValueCardRow {
  id: string;
  wallet_user_id: string;
  livemode: boolean;
  issuer_merchant_id: string | null;
  kind: CardKind;
  currency: string;
  last4: string;
  status: CardStatus;
  initial_value: bigint;
  expires_at: Date | null;
  batch_id: string | null;
  metadata: Record<string, string>;
  frozen_by: "merchant" | "operator" | null;
  claimed_by: string | null;
  expired_at: Date | null;
  breakage_amount: bigint | null;
  breakage_refunded_at: Date | null;
  sandbox_magic: boolean;
  created_at: Date;
  updated_at: Date;
}

export function cardFromRow(row: StoredValueCardRow): StoredValueCard {
  return {
    id: row.id,
    walletUserId: row.wallet_user_id,
    livemode: row.livemode,
    issuerMerchantId: row.issuer_merchant_id,
    kind: row.kind,
    currency: row.currency,
    last4: row.last4,
    status: row.status,
    initialValue: BigInt(row.initial_value),
    expiresAt: row.expires_at,
    batchId: row.batch_id,
    metadata: row.metadata,
    frozenBy: row.frozen_by,
    claimedBy: row.claimed_by,
    expiredAt: row.expired_at,
    breakageAmount: row.breakage_amount === null ? null : BigInt(row.breakage_amount),
    breakageRefundedAt: row.breakage_refunded_at,
    sandboxMagic: row.sandbox_magic,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The card as the merchant and ops APIs and its events show it. */
export function cardJson(card: StoredValueCard, balance: bigint) {
  return {
    id: card.id,
    object: "stored_value_card" as const,
    livemode: card.livemode,
    kind: card.kind,
    currency: card.currency,
    balance: String(balance),
    initial_value: String(card.initialValue),
    last4: card.last4,
    status: card.status,
    closed_loop: card.issuerMerchantId !== null,
    issuer: {
      type: card.issuerMerchantId === null ? ("platform" as const) : ("merchant" as const),
      merchant: card.issuerMerchantId,
    },
    batch: card.batchId,
    expires_at: card.expiresAt === null ? null : unixSeconds(card.expiresAt),
    breakage: card.breakageAmount === null ? null : String(card.breakageAmount),
    metadata: card.metadata,
    created: unixSeconds(card.createdAt),
  };
}
export type CardJson = ReturnType<typeof cardJson>;

/** The card as its holder sees it in the wallet. */
export function walletCardJson(card: StoredValueCard, balance: bigint, merchantName: string | null) {
  return {
    id: card.id,
    object: "wallet_card" as const,
    livemode: card.livemode,
    kind: card.kind,
    currency: card.currency,
    balance: String(balance),
    last4: card.last4,
    status: card.status,
    closed_loop: card.issuerMerchantId !== null,
    merchant: merchantName === null ? null : { name: merchantName },
    expires_at: card.expiresAt === null ? null : unixSeconds(card.expiresAt),
    created: unixSeconds(card.createdAt),
  };
}
export type WalletCardJson = ReturnType<typeof walletCardJson>;

/** Our own card-number prefix (an IIN of no card network: these numbers never leave coffer). */
export const cardNumberPrefix = "6288";
export const cardNumberLength = 16;
/** Issued secrets: 8 random digits (a PIN to type, or the QR printed on the card); lockout stops guessing. */
export const cardSecretLength = 8;

/** The Luhn check digit of a number's body (every digit but the last). */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isCardNumber(value: string): boolean {
  return (
    value.length === cardNumberLength &&
    /^[0-9]+$/.test(value) &&
    value.startsWith(cardNumberPrefix) &&
    luhnCheckDigit(value.slice(0, -1)) === value.slice(-1)
  );
}

function randomDigits(count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += String(randomInt(10));
  return out;
}

/** The magic sandbox range (docs/sandbox.md) is never issued: 6288 0000 000… */
export const magicRangePrefix = "62880000000";

export function newCardNumber(): string {
  for (;;) {
    const body = cardNumberPrefix + randomDigits(cardNumberLength - cardNumberPrefix.length - 1);
    if (body.startsWith(magicRangePrefix)) continue;
    return body + luhnCheckDigit(body);
  }
}

export function newCardSecret(): string {
  return randomDigits(cardSecretLength);
}

/** The key card numbers are hashed with, derived from the master key: a database dump does not reveal numbers. */
export function cardNumberKeyFrom(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "coffer stored-value card number", 32));
}

export function cardNumberHash(key: Buffer, livemode: boolean, number: string): Buffer {
  return createHmac("sha256", key)
    .update(`${livemode ? "live" : "test"}:${number}`)
    .digest();
}

/** "6288 1234 5678 9012" and other spacing typed by a person: digits only. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, "");
}
