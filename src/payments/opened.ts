import type { Queryable } from "../db/pool.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { Payment } from "./model.js";

/**
 * Notes when the payer first saw a payment (analytics' "opened": a checkout page view or a wallet's QR scan), once:
 * callers check `openedAt` on the row they already read, so a polling checkout page writes nothing after its first
 * view, and the conditional UPDATE keeps two first views from both counting. Only a payment still waiting for its
 * payer is opened; looking at a finished one is not a step towards paying it.
 */
export async function markOpened(db: Queryable, testClocks: TestClocks, payment: Payment): Promise<void> {
  if (payment.openedAt || (payment.status !== "requires_payment" && payment.status !== "processing")) return;
  const at = await testClocks.now(payment.merchantId, payment.livemode);
  await db.query("UPDATE payments SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL", [payment.id, at]);
}
