import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Dispute, disputeJson, opsDisputeJson } from "./model.js";

/** The dispute as each side reads it: when it is past due, and what the merchant's balance has not covered yet. */
const at = (iso: string) => new Date(iso);

function dispute(overrides: Partial<Dispute> = {}): Dispute {
  return {
    id: "dp_x",
    paymentId: "pay_x",
    merchantId: "mer_x",
    livemode: false,
    payerId: "wal_x",
    amount: 5000n,
    currency: "USD",
    reason: "general",
    payerMessage: null,
    status: "needs_response",
    closedBy: null,
    evidence: {},
    evidenceDueBy: at("2026-04-08T08:00:00Z"),
    evidenceSubmittedAt: null,
    amountHeld: 3000n,
    holds: 1,
    amountReturned: 0n,
    recoveries: 0,
    fundingDueAt: null,
    decidedBy: null,
    decisionNote: null,
    metadata: {},
    createdAt: at("2026-04-01T08:00:00Z"),
    updatedAt: at("2026-04-01T08:00:00Z"),
    closedAt: null,
    ...overrides,
  };
}

describe("dispute objects", () => {
  it("is past due only while it needs a response after its due date", () => {
    assert.equal(disputeJson(dispute(), [], at("2026-04-08T08:00:00Z")).evidence_details.past_due, false);
    assert.equal(disputeJson(dispute(), [], at("2026-04-08T08:00:01Z")).evidence_details.past_due, true);
    const answered = dispute({ status: "under_review", evidenceSubmittedAt: at("2026-04-02T08:00:00Z") });
    assert.equal(disputeJson(answered, [], at("2026-04-09T08:00:00Z")).evidence_details.past_due, false);
  });

  it("shows operators what is not covered: not held while open, not paid after a loss, nothing once won", () => {
    const uncovered = (d: Dispute) => opsDisputeJson(d, [], "Shop", d.createdAt).amount_uncovered;
    assert.equal(uncovered(dispute()), "2000");
    assert.equal(uncovered(dispute({ status: "lost", amountHeld: 0n, amountReturned: 4500n })), "500");
    assert.equal(uncovered(dispute({ status: "won", amountHeld: 0n })), "0");
  });

  it("lists every evidence field, null when not given", () => {
    const json = disputeJson(dispute({ evidence: { explanation: "Signed for." } }), [], at("2026-04-02T00:00:00Z"));
    assert.equal(json.evidence.explanation, "Signed for.");
    assert.equal(json.evidence.shipping_tracking_number, null);
    assert.deepEqual(json.evidence.files, []);
  });
});
