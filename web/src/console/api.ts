import { createApiClient } from "../shared/api";

/**
 * The console's client: the session cookie rides along by itself; writes carry the session's CSRF token, which
 * the sign-in answer and GET /v1/console/me hand over (the cookie is HttpOnly, so scripts never see it).
 */
let csrfToken: string | undefined;
let unauthorizedListener: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function onUnauthorized(listener: (() => void) | undefined): void {
  unauthorizedListener = listener;
}

export const api = createApiClient({
  headers: () => ({ "x-csrf-token": csrfToken }),
  onUnauthorized: () => unauthorizedListener?.(),
});

export type Role = "owner" | "admin" | "developer" | "support" | "viewer";

export interface Me {
  object: "console_session";
  user: {
    id: string;
    email: string;
    name: string | null;
    locale: "en" | "zh-CN";
    two_factor: { totp: boolean; passkeys: number };
  };
  merchant: string;
  business_name: string;
  role: Role;
  livemode: boolean;
  live_mode_available: boolean;
  csrf_token: string;
  memberships: { merchant: string; business_name: string; role: Role }[];
}

export interface Payment {
  id: string;
  livemode: boolean;
  status: string;
  method: string;
  capture_method: string;
  amount: string;
  /** Before a discount (docs/coupons.md); equal to amount without one. */
  amount_subtotal?: string;
  discounts?: { coupon: string; amount: string; funded_by: "merchant" | "platform"; applied_by: string }[];
  amount_received: string;
  amount_refunded: string;
  currency: string;
  fee: string;
  description: string | null;
  metadata: Record<string, string>;
  failure_code: string | null;
  failure_message: string | null;
  checkout_url: string | null;
  /** The store and till it was taken at (sto_…, til_…), or null. */
  store: string | null;
  till: string | null;
  expires_at: number;
  paid_at: number | null;
  created: number;
}

export interface Refund {
  id: string;
  payment: string;
  amount: string;
  currency: string;
  status: string;
  reason: string;
  failure_message: string | null;
  created: number;
}

export interface CofferEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface Balance {
  livemode: boolean;
  currencies: { currency: string; available: string; pending: string; in_transit: string; disputed: string }[];
}

export interface Payout {
  id: string;
  amount: string;
  currency: string;
  status: string;
  automatic: boolean;
  description: string | null;
  destination: { holder_name: string; bank_name: string; last4: string };
  failure_message: string | null;
  created: number;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  enabled_events: string[];
  status: "enabled" | "disabled";
  disabled_reason: string | null;
  created: number;
  secret?: string;
}

export interface WebhookDelivery {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: string;
  attempts: { attempt: number; attempted_at: number; status_code: number | null; error: string | null }[];
  next_attempt_at: number | null;
  created: number;
}

export interface ApiKey {
  id: string;
  type: "secret" | "restricted" | "publishable";
  livemode: boolean;
  name: string | null;
  prefix: string;
  last4: string;
  token: string | null;
  status: string;
  revealable: boolean;
  created: number;
  expires_at: number | null;
  last_used: number | null;
  secret?: string | null;
}

export interface KybApplication {
  id: string;
  state: string;
  legal_name: string | null;
  registration_number: string | null;
  country: string | null;
  registered_address: { line1: string; line2?: string | null; city: string; postal_code?: string | null } | null;
  business_category: string | null;
  website: string | null;
  representative: { name: string | null; id_number_last4: string | null };
  bank_account: { holder_name: string | null; bank_name: string | null; account_number_last4: string | null };
  documents: {
    id: string;
    type: string;
    content_type: string;
    size: number;
    filename: string | null;
    created: number;
  }[];
  requirements: { missing: string[] };
  history: { from: string; to: string; reasons: string[]; at: number }[];
}

export interface GoLiveChecklist {
  ready: boolean;
  items: { id: string; title: string; passed: boolean; fix: string | null; detail: string | null }[];
}

export interface GoLiveProbe {
  id: string;
  url: string;
  passed: boolean;
  steps: { step: string; expected: string; status_code: number | null; error: string | null; passed: boolean }[];
  created: number;
}

export interface TeamMember {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  two_factor: boolean;
  joined: number;
}

export interface TeamInvite {
  id: string;
  email: string;
  role: Role;
  status: string;
  created: number;
  expires_at: number;
}

export interface AuditRecord {
  id: string;
  occurred_at: number;
  action: string;
  actor: { type: string; id: string | null };
  target: { type: string; id: string } | null;
  ip: string | null;
}

export interface MailboxMessage {
  id: string;
  to: string;
  subject: string | null;
  text: string;
  created: number;
}
