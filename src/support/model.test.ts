import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authorSide, overdue, sideOf, type Ticket } from "./model.js";

/** Who answers a ticket, and when it is overdue: the rules the routes, the mail and the pages rely on. */
const at = (iso: string) => new Date(iso);

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: "tkt_x",
    livemode: false,
    kind: "payment",
    merchantId: "mer_x",
    walletUserId: "wal_x",
    paymentId: "pay_x",
    subject: "s",
    status: "open",
    firstResponseDueAt: at("2026-04-02T08:00:00Z"),
    firstRespondedAt: null,
    resolutionDueAt: at("2026-04-06T08:00:00Z"),
    resolvedAt: null,
    lastMessageAt: at("2026-04-01T08:00:00Z"),
    messages: 1,
    createdAt: at("2026-04-01T08:00:00Z"),
    updatedAt: at("2026-04-01T08:00:00Z"),
    ...overrides,
  };
}

describe("support tickets' sides and deadlines", () => {
  it("puts the payer and the merchant on the right side of each kind of ticket", () => {
    const payer = { kind: "payer", walletUserId: "wal_x" } as const;
    const merchant = { kind: "merchant", merchantId: "mer_x", livemode: false } as const;
    const platform = { kind: "platform" } as const;
    assert.equal(sideOf(payer, { kind: "payment" }), "customer");
    assert.equal(sideOf(merchant, { kind: "payment" }), "agent");
    assert.equal(sideOf(merchant, { kind: "merchant" }), "customer");
    assert.equal(sideOf(platform, { kind: "wallet" }), "agent");
    assert.equal(authorSide({ kind: "payment" }, "merchant"), "agent");
    assert.equal(authorSide({ kind: "merchant" }, "merchant"), "customer");
    assert.equal(authorSide({ kind: "wallet" }, "operator"), "agent");
  });

  it("is overdue once a deadline passed unmet, never once resolved", () => {
    assert.equal(overdue(ticket(), at("2026-04-02T08:00:00Z")), false); // at the deadline, not past it
    assert.equal(overdue(ticket(), at("2026-04-02T08:00:01Z")), true);
    const answered = ticket({ firstRespondedAt: at("2026-04-01T12:00:00Z"), status: "waiting_on_customer" });
    assert.equal(overdue(answered, at("2026-04-03T08:00:00Z")), false);
    assert.equal(overdue(answered, at("2026-04-06T08:00:01Z")), true);
    const resolved = ticket({ status: "resolved", resolvedAt: at("2026-04-01T09:00:00Z") });
    assert.equal(overdue(resolved, at("2026-05-01T00:00:00Z")), false);
  });
});
