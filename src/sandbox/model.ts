import type { ScenarioName } from "./scenarios.js";

/** Test payers as rows and as the object POST /v1/test_helpers/wallet_users answers. */

export type SandboxPayerKind = "payer" | "scenario";

export interface SandboxPayer {
  walletUserId: string;
  merchantId: string;
  kind: SandboxPayerKind;
  scenario: ScenarioName | null;
  currency: string;
  openingBalance: bigint;
  passwordFreeLimit: bigint | null;
  ready: boolean;
  createdAt: Date;
}

export interface SandboxPayerRow {
  wallet_user_id: string;
  merchant_id: string;
  kind: SandboxPayerKind;
  scenario: ScenarioName | null;
  currency: string;
  opening_balance: bigint;
  password_free_limit: bigint | null;
  ready: boolean;
  created_at: Date;
}

export function sandboxPayerFromRow(row: SandboxPayerRow): SandboxPayer {
  return {
    walletUserId: row.wallet_user_id,
    merchantId: row.merchant_id,
    kind: row.kind,
    scenario: row.scenario,
    currency: row.currency,
    openingBalance: BigInt(row.opening_balance),
    passwordFreeLimit: row.password_free_limit === null ? null : BigInt(row.password_free_limit),
    ready: row.ready,
    createdAt: row.created_at,
  };
}

/** A test payer as the helper answers it; the session token is shown once, at creation. */
export function testWalletUserJson(
  payer: SandboxPayer,
  user: { email: string | null; phone: string | null; tier: number },
  balance: bigint,
  sessionToken: string,
) {
  return {
    object: "test_wallet_user" as const,
    id: payer.walletUserId,
    email: user.email,
    phone: user.phone,
    livemode: false as const,
    currency: payer.currency,
    balance: String(balance),
    tier: user.tier,
    password_free_limit: payer.passwordFreeLimit === null ? null : String(payer.passwordFreeLimit),
    scenario: payer.scenario,
    session_token: sessionToken,
  };
}
export type TestWalletUserJson = ReturnType<typeof testWalletUserJson>;

/** What POST /v1/test_helpers/reset deleted, per kind of object. */
export interface ResetCounts {
  payments: number;
  refunds: number;
  payouts: number;
  events: number;
  webhook_deliveries: number;
  test_payers: number;
  scripted_answers: number;
  test_clocks: number;
  /** Ledger accounts whose balance was moved back to the sandbox bank (the history stays). */
  ledger_accounts_zeroed: number;
}
