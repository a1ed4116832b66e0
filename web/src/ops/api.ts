import { createApiClient, type ListPage } from "../shared/api";

/**
 * The operator console's API client: the coffer_ops cookie (HttpOnly, Path=/v1/ops) plus the CSRF token from
 * sign-in or GET /v1/ops/me on every write. Types are the parts of coffer's objects these pages read.
 */
let csrfToken: string | undefined;
let unauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
export function onUnauthorized(handler: (() => void) | undefined): void {
  unauthorized = handler;
}

export const api = createApiClient({
  headers: () => ({ "x-csrf-token": csrfToken }),
  onUnauthorized: () => unauthorized?.(),
});

export type OperatorRole = "admin" | "reviewer" | "support";

export interface Operator {
  id: string;
  email: string;
  name: string | null;
  role: OperatorRole;
  must_change_password: boolean;
  totp_enabled: boolean;
  disabled: boolean;
  created_by: string | null;
  created: number;
}

export interface OperatorSession {
  object: "operator_session";
  operator: Operator;
  csrf_token: string;
}

export type KybState = "draft" | "submitted" | "in_review" | "approved" | "rejected" | "action_required";

export interface KybSummary {
  id: string;
  merchant: string;
  business_name: string;
  state: KybState;
  legal_name: string | null;
  country: string | null;
  submitted_at: number | null;
  updated: number;
}

export interface KybDocument {
  id: string;
  type: "business_licence" | "representative_id" | "bank_account_proof" | "other";
  content_type: "application/pdf" | "image/png" | "image/jpeg";
  size: number;
  filename: string | null;
  created: number;
}

export interface KybApplication {
  id: string;
  merchant: string;
  business_name: string;
  state: KybState;
  legal_name: string | null;
  registration_number: string | null;
  country: string | null;
  registered_address: {
    line1: string;
    line2?: string | null;
    city: string;
    postal_code?: string | null;
    region?: string | null;
  } | null;
  business_category: string | null;
  website: string | null;
  representative: { name: string | null; id_number_last4: string | null; id_number: string | null };
  bank_account: {
    holder_name: string | null;
    bank_name: string | null;
    account_number_last4: string | null;
    account_number: string | null;
  };
  documents: KybDocument[];
  history: { from: KybState; to: KybState; actor: { type: string; id: string }; reasons: string[]; at: number }[];
  submitted_at: number | null;
  decided_at: number | null;
}

export interface MerchantSummary {
  id: string;
  business_name: string;
  owner_email: string | null;
  kyb_state: KybState;
  kyb_application: string | null;
  live_payments: "active" | "pending" | "inactive";
  live_api_keys: number;
  created: number;
}

export interface WalletUser {
  id: string;
  livemode: boolean;
  email: string | null;
  phone: string | null;
  display_name: string | null;
  locale: string;
  tier: number;
  legal_name: string | null;
  frozen: boolean;
  totp_enabled: boolean;
  created: number;
}

export interface AuditRecord {
  id: string;
  seq: string;
  occurred_at: number;
  action: string;
  actor: { type: string; id: string | null };
  merchant: string | null;
  target: { type: string; id: string | null } | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface KycReviewItem {
  submission: {
    id: string;
    wallet_user: string;
    livemode: boolean;
    level: number;
    status: "pending_review" | "approved" | "rejected";
    full_name: string | null;
    document_type: string | null;
    document_country: string | null;
    created: number;
  };
  id_number: string | null;
  date_of_birth: string | null;
  document_number: string | null;
}

export interface BankFileBatch {
  id: string;
  direction: "export" | "import";
  source: "cli" | "operator";
  operator: string | null;
  name: string;
  instruction_count: number;
  applied: number;
  unchanged: number;
  errors: number;
  problems: { line: number; instruction_id: string; problem: string }[];
  created: number;
}

export type AuditSeverity = "high" | "medium" | "low" | "info";

export interface AuditReport {
  id: string;
  object: "audit_report";
  source: "cli" | "worker";
  ok: boolean;
  production: boolean;
  counts: Record<AuditSeverity, number>;
  audit_log: { records: number; intact: boolean };
  findings: { id: string; severity: AuditSeverity; title: string; detail: string; remedy: string }[];
  checked_at: number;
}

export interface VerifyRun {
  id: string;
  source: "cli" | "operator";
  operator: string | null;
  ledger: "all" | "test" | "live";
  ok: boolean;
  accounts: number;
  transfers: number;
  checks: { check: string; passed: boolean; violations: number }[];
  violations: { check: string; message: string }[];
  checked_at: number;
}

/** GET /v1/ops/system/health: loops of every process, backlogs, this process's pool and ledger batches. */
export interface SystemHealth {
  object: "system_health";
  checked_at: number;
  workers: {
    worker: string;
    instance: string;
    started_at: number;
    last_pass_at: number | null;
    last_success_at: number | null;
    passes: number;
    failures: number;
    last_failure_at: number | null;
    last_error: string | null;
    reported_at: number;
  }[];
  stalled_workers: string[];
  outbox: { lag_seconds: number; events: number };
  webhooks: { backlog: number; oldest_due_seconds: number };
  pool: { size: number; total: number; idle: number; waiting: number };
  ledger_batches: {
    batches: number;
    transfers: number;
    retries: number;
    mean_transfers: number | null;
    mean_seconds: number | null;
  };
  verify: { ok: boolean; ledger: "all" | "test" | "live"; checked_at: number } | null;
  audit_report: { ok: boolean; high: number; checked_at: number } | null;
}

export type { ListPage };
