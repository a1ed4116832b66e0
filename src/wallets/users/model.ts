import type { Locale } from "../../notifications/templates.js";
import type { Tier } from "../config.js";
import { unixSeconds } from "../time.js";
import { maskContact } from "./contacts.js";

export interface WalletUser {
  id: string;
  livemode: boolean;
  /** account: a registered person; card: a stored-value card's holder (src/stored-value), signed in by its secret. */
  kind: "account" | "card";
  email: string | null;
  phone: string | null;
  passwordHash: string;
  displayName: string | null;
  locale: Locale;
  tier: Tier;
  legalName: string | null;
  frozenAt: Date | null;
  frozenReason: string | null;
  /** The freeze is its owner's, from reporting a sign-in: a password reset lifts it. */
  frozenByOwner: boolean;
  failedLogins: number;
  lockedUntil: Date | null;
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WalletUserRow {
  id: string;
  livemode: boolean;
  kind?: "account" | "card";
  email: string | null;
  phone: string | null;
  password_hash: string;
  display_name: string | null;
  locale: Locale;
  tier: number;
  legal_name: string | null;
  frozen_at: Date | null;
  frozen_reason: string | null;
  frozen_by_owner: boolean;
  failed_logins: number;
  locked_until: Date | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: bigint | null;
  created_at: Date;
  updated_at: Date;
}

export function walletUserFromRow(row: WalletUserRow): WalletUser {
  return {
    id: row.id,
    livemode: row.livemode,
    kind: row.kind ?? "account",
    email: row.email,
    phone: row.phone,
    passwordHash: row.password_hash,
    displayName: row.display_name,
    locale: row.locale,
    tier: row.tier as Tier,
    legalName: row.legal_name,
    frozenAt: row.frozen_at,
    frozenReason: row.frozen_reason,
    frozenByOwner: row.frozen_by_owner,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    totpSecret: row.totp_secret,
    totpEnabledAt: row.totp_enabled_at,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** How other wallet users see this one (a transfer's sender or recipient): a chosen name or a masked contact. */
export function publicName(user: Pick<WalletUser, "displayName" | "email" | "phone">): string {
  return user.displayName ?? maskContact(user.email ?? user.phone ?? "");
}

/** The wallet user as the API and events show it. */
export function walletUserJson(user: WalletUser) {
  return {
    id: user.id,
    object: "wallet_user" as const,
    livemode: user.livemode,
    email: user.email,
    phone: user.phone,
    display_name: user.displayName,
    locale: user.locale,
    tier: user.tier,
    legal_name: user.legalName,
    frozen: user.frozenAt !== null,
    totp_enabled: user.totpEnabledAt !== null,
    created: unixSeconds(user.createdAt),
  };
}
export type WalletUserJson = ReturnType<typeof walletUserJson>;
