import { sandboxPayerApproveDelayMs, sandboxPayerDeclineDelayMs } from "../limits.js";

/**
 * The sandbox's scenario catalog, the single source of docs/sandbox.md's table (a test keeps them equal): each
 * scenario is a scripted payer. In test mode a magic payment code (method payment_code) stands for the merchant's
 * payer of that scenario; the same names are the `scenario` of a test payer made with
 * POST /v1/test_helpers/wallet_users. What a scenario is made of:
 *
 *   state   the payer's wallet as it is created: its opening balance, identity tier, frozen or not (real money in
 *           the test ledger; an empty or frozen wallet fails a payment the way a real one does)
 *   codePath  how a payment code of this payer proceeds: charged at once, or waiting in processing for the payer
 *   refusal   a failure coffer's checks answer for this payer (limit_exceeded, risk_declined): nothing moves
 *   answer    what the payer does later to a payment waiting for it (on the merchant's test clock)
 *   refunds   "declined": every refund of this payer's payments fails with refund_declined; nothing moves
 */
export const scenarioNames = [
  "success",
  "insufficient_funds",
  "limit_exceeded",
  "payer_declines",
  "payer_never_answers",
  "wallet_frozen",
  "risk_declined",
  "succeeds_after_delay",
  "refund_fails",
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export type ScriptedFailure = "limit_exceeded" | "risk_declined";

export interface Scenario {
  name: ScenarioName;
  /** The magic payment code of this scenario (test mode only). */
  code: string;
  /** What the merchant sees, for the docs table. */
  outcome: string;
  state: { empty: boolean; tier: 0 | 1 | 2; frozen: boolean };
  codePath: "charge" | "await_payer";
  refusal?: ScriptedFailure;
  answer?: { action: "approve" | "decline"; afterMs: number };
  refunds: "accepted" | "declined";
}

const funded = { empty: false, tier: 1, frozen: false } as const;

export const scenarioCatalog: Readonly<Record<ScenarioName, Scenario>> = {
  success: {
    name: "success",
    code: "880000000000000001",
    outcome: "succeeded at once",
    state: funded,
    codePath: "charge",
    refunds: "accepted",
  },
  insufficient_funds: {
    name: "insufficient_funds",
    code: "880000000000000002",
    outcome: "failed, failure_code insufficient_funds (the payer's wallet is empty)",
    state: { empty: true, tier: 1, frozen: false },
    codePath: "charge",
    refunds: "accepted",
  },
  limit_exceeded: {
    name: "limit_exceeded",
    code: "880000000000000003",
    outcome: "failed, failure_code limit_exceeded",
    state: { empty: false, tier: 0, frozen: false },
    codePath: "charge",
    refusal: "limit_exceeded",
    refunds: "accepted",
  },
  payer_declines: {
    name: "payer_declines",
    code: "880000000000000004",
    outcome: `processing, then failed payer_declined (the payer declines ${sandboxPayerDeclineDelayMs / 1000} s later on the test clock)`,
    state: funded,
    codePath: "await_payer",
    answer: { action: "decline", afterMs: sandboxPayerDeclineDelayMs },
    refunds: "accepted",
  },
  payer_never_answers: {
    name: "payer_never_answers",
    code: "880000000000000005",
    outcome: "processing, then canceled by coffer (cancellation_reason confirmation_timeout) after 60 s",
    state: funded,
    codePath: "await_payer",
    refunds: "accepted",
  },
  wallet_frozen: {
    name: "wallet_frozen",
    code: "880000000000000006",
    outcome: "failed, failure_code wallet_frozen (the payer's wallet is frozen)",
    state: { empty: false, tier: 1, frozen: true },
    codePath: "charge",
    refunds: "accepted",
  },
  risk_declined: {
    name: "risk_declined",
    code: "880000000000000007",
    outcome: "failed, failure_code risk_declined",
    state: funded,
    codePath: "charge",
    refusal: "risk_declined",
    refunds: "accepted",
  },
  succeeds_after_delay: {
    name: "succeeds_after_delay",
    code: "880000000000000008",
    outcome: `processing, then succeeded (the payer confirms ${sandboxPayerApproveDelayMs / 1000} s later on the test clock)`,
    state: funded,
    codePath: "await_payer",
    answer: { action: "approve", afterMs: sandboxPayerApproveDelayMs },
    refunds: "accepted",
  },
  refund_fails: {
    name: "refund_fails",
    code: "880000000000000009",
    outcome: "succeeded; every refund of it fails with failure_code refund_declined",
    state: funded,
    codePath: "charge",
    refunds: "declined",
  },
};

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === "string" && (scenarioNames as readonly string[]).includes(value);
}

/** The scenario a magic payment code stands for, or undefined for any other code. */
export function scenarioOfCode(code: unknown): Scenario | undefined {
  if (typeof code !== "string") return undefined;
  return scenarioNames.map((name) => scenarioCatalog[name]).find((scenario) => scenario.code === code);
}

/** The catalog as GET /v1/test_helpers/scenarios shows it. */
export function scenarioJson(scenario: Scenario) {
  return {
    object: "test_scenario" as const,
    name: scenario.name,
    payment_code: scenario.code,
    outcome: scenario.outcome,
  };
}
