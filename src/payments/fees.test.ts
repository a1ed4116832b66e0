import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { feeFor, feeRefundFor } from "./fees.js";
import { canTransition, isTerminal, paymentStatuses, transition } from "./state-machine.js";

describe("fees", () => {
  it("is percentage plus fixed, rounded half up, capped at the amount", () => {
    assert.equal(feeFor(10_000n, { percentBps: 60, fixed: 0n }), 60n);
    assert.equal(feeFor(1_999n, { percentBps: 290, fixed: 30n }), 58n + 30n);
    assert.equal(feeFor(25n, { percentBps: 200, fixed: 0n }), 1n); // 0.5 rounds up
    assert.equal(feeFor(5n, { percentBps: 0, fixed: 30n }), 5n);
    assert.throws(() => feeFor(0n, { percentBps: 60, fixed: 0n }), RangeError);
  });

  it("never exceeds the amount and refunds never return more fee than was taken", () => {
    fc.assert(
      fc.property(
        fc.bigInt(1n, 10n ** 20n),
        fc.integer({ min: 0, max: 10_000 }),
        fc.bigInt(0n, 10n ** 6n),
        fc.array(fc.bigInt(1n, 10n ** 20n), { maxLength: 10 }),
        (amount, bps, fixed, refunds) => {
          const fee = feeFor(amount, { percentBps: bps, fixed });
          assert.ok(fee >= 0n && fee <= amount);
          let refunded = 0n;
          let returned = 0n;
          for (const r of refunds) {
            // biome-ignore lint/complexity/useMathMinMax: bigints; Math.min takes numbers only
            const piece = r > amount - refunded ? amount - refunded : r;
            if (piece <= 0n) break;
            const back = feeRefundFor(piece, amount, fee, returned);
            assert.ok(back >= 0n);
            returned += back;
            refunded += piece;
          }
          assert.ok(returned <= fee);
        },
      ),
    );
  });
});

describe("payment state machine", () => {
  it("allows only the documented transitions; terminal states are final", () => {
    assert.equal(canTransition("requires_payment", "succeeded"), true);
    assert.equal(canTransition("requires_capture", "succeeded"), true);
    assert.equal(canTransition("succeeded", "canceled"), false);
    assert.equal(canTransition("canceled", "succeeded"), false);
    assert.deepEqual(transition("failed", "succeeded"), {
      ok: false,
      code: "payment_status_invalid",
      from: "failed",
      to: "succeeded",
    });
    for (const s of paymentStatuses)
      if (isTerminal(s)) for (const t of paymentStatuses) assert.equal(canTransition(s, t), false);
  });
});
