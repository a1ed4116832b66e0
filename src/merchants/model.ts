import type { Locale } from "../notifications/templates.js";

/** The types of the merchant platform, shared by its services and routes. */

export const consoleRoles = ["owner", "admin", "developer", "support", "viewer"] as const;
export type ConsoleRole = (typeof consoleRoles)[number];
/** The roles an invite or a role change may give: there is exactly one owner, the one who signed up. */
export const assignableRoles = ["admin", "developer", "support", "viewer"] as const;
export type AssignableRole = (typeof assignableRoles)[number];

export interface Merchant {
  id: string;
  businessName: string;
  createdAt: Date;
}

export interface MerchantUser {
  id: string;
  email: string;
  name: string | null;
  locale: Locale;
  emailVerifiedAt: Date | null;
  totpEnabled: boolean;
  passkeys: number;
  createdAt: Date;
}

export interface Membership {
  merchantId: string;
  businessName: string;
  role: ConsoleRole;
}

export const kybStates = ["draft", "submitted", "in_review", "approved", "rejected", "action_required"] as const;
export type KybState = (typeof kybStates)[number];

/** The KYB state machine: which state may follow which. */
export const kybTransitions: Readonly<Record<KybState, readonly KybState[]>> = {
  draft: ["submitted"],
  submitted: ["in_review"],
  in_review: ["approved", "rejected", "action_required"],
  action_required: ["submitted"],
  approved: [],
  rejected: [],
};

/** States in which the merchant may edit the application and its documents. */
export const kybEditableStates: readonly KybState[] = ["draft", "action_required"];

export const businessCategories = [
  "retail",
  "food_and_beverage",
  "digital_goods",
  "software",
  "travel",
  "education",
  "health",
  "professional_services",
  "entertainment",
  "nonprofit",
  "other",
] as const;
export type BusinessCategory = (typeof businessCategories)[number];

export const documentTypes = ["business_licence", "representative_id", "bank_account_proof", "other"] as const;
export type DocumentType = (typeof documentTypes)[number];
/** Documents an application needs before it can be submitted. */
export const requiredDocumentTypes: readonly DocumentType[] = ["business_licence", "representative_id"];

export const documentContentTypes = ["application/pdf", "image/png", "image/jpeg"] as const;
export type DocumentContentType = (typeof documentContentTypes)[number];

export interface RegisteredAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postal_code?: string | null;
  region?: string | null;
}

export interface KybDocument {
  id: string;
  type: DocumentType;
  contentType: DocumentContentType;
  sizeBytes: number;
  filename: string | null;
  uploadedBy: string;
  createdAt: Date;
}

export interface KybStateChange {
  from: KybState;
  to: KybState;
  actorType: "merchant_user" | "operator";
  actorId: string;
  reasons: string[];
  at: Date;
}

export interface KybApplication {
  id: string;
  merchantId: string;
  state: KybState;
  legalName: string | null;
  registrationNumber: string | null;
  country: string | null;
  registeredAddress: RegisteredAddress | null;
  businessCategory: BusinessCategory | null;
  website: string | null;
  representativeName: string | null;
  representativeIdNumberLast4: string | null;
  bankAccountHolder: string | null;
  bankName: string | null;
  bankAccountNumberLast4: string | null;
  documents: KybDocument[];
  history: KybStateChange[];
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  decidedAt: Date | null;
}

/** What the merchant may change; absent fields stay as they are, null clears one. */
export interface KybPatch {
  legal_name?: string | null;
  registration_number?: string | null;
  country?: string | null;
  registered_address?: RegisteredAddress | null;
  business_category?: BusinessCategory | null;
  website?: string | null;
  representative?: { name?: string | null; id_number?: string | null } | null;
  bank_account?: { holder_name?: string | null; bank_name?: string | null; account_number?: string | null } | null;
}

export const apiKeyTypes = ["secret", "restricted", "publishable"] as const;
export type ApiKeyType = (typeof apiKeyTypes)[number];

export interface ApiKey {
  id: string;
  merchantId: string;
  livemode: boolean;
  type: ApiKeyType;
  name: string | null;
  tokenPrefix: string;
  last4: string;
  /** Publishable keys only: they are public by design. */
  publishableToken: string | null;
  scopes: Record<string, "none" | "read" | "write"> | null;
  revealable: boolean;
  createdBy: string | null;
  rolledFrom: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export type ApiKeyStatus = "active" | "expiring" | "expired" | "revoked";

export function apiKeyStatus(key: Pick<ApiKey, "expiresAt" | "revokedAt">, now: Date): ApiKeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt) return key.expiresAt.getTime() <= now.getTime() ? "expired" : "expiring";
  return "active";
}

/** Who did something, for services that record it (audit log, KYB history). */
export interface ConsoleActor {
  userId: string;
  merchantId: string;
  role: ConsoleRole;
  ip?: string | null;
}

/** A typed result: expected failures are values, mapped to HTTP by the routes. */
export interface Failure<C extends string> {
  ok: false;
  code: C;
  message?: string;
  param?: string;
  /** For rate limits: when to try again (the Retry-After header). */
  retryAfterS?: number;
}
export type Result<T, C extends string> = { ok: true; value: T } | Failure<C>;

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<C extends string>(code: C, message?: string, param?: string): Failure<C> {
  return { ok: false, code, message, param };
}
