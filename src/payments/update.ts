import { updateMetadata } from "../db/metadata-update.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import type { Metadata } from "../http/metadata.js";
import { isId } from "../ids.js";
import type { PaymentContext } from "./deps.js";
import { type Payment, type PaymentRow, paymentFromRow, paymentJson } from "./model.js";

/**
 * POST /v1/payments/{id}: the merchant changes a payment's metadata in any status (a reconciliation note after the
 * fact is the common case). The payer sees nothing of it, so payment.updated names no wallet user. allow_retries
 * false ends, for good, the payer's chance to pay a failed or expired payment again (docs/adr/0028): a merchant that
 * closed the order says so.
 */
export function createPaymentUpdate(ctx: Pick<PaymentContext, "pool" | "testClocks" | "links">) {
  async function update(
    scope: MerchantScope,
    id: string,
    input: { metadata?: Metadata; allow_retries?: false },
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const notFound = () => new ApiError("resource_not_found", "No such payment.", "id");
    if (!isId(id, "pay")) throw notFound();
    return withTransaction(ctx.pool, async (tx) => {
      const now = await ctx.testClocks.now(scope.merchantId, scope.livemode, tx);
      const result = await updateMetadata<PaymentRow>(tx, "payments", scope, id, input.metadata, now);
      if (!result) throw notFound();
      let payment = paymentFromRow(result.row);
      const previous: Record<string, unknown> = result.changed ? { metadata: result.previous } : {};
      if (input.allow_retries === false && payment.allowRetries) {
        // updated_at stays: it is when an ended payment ended, which analytics read.
        const ended = await tx.query<PaymentRow>(
          "UPDATE payments SET allow_retries = false WHERE id = $1 AND allow_retries RETURNING *",
          [payment.id],
        );
        if (ended.rows[0]) {
          payment = paymentFromRow(ended.rows[0]);
          previous.allow_retries = true;
        }
      }
      if (Object.keys(previous).length > 0) {
        await recordEvent(
          tx,
          {
            type: "payment.updated",
            merchantId: payment.merchantId,
            livemode: payment.livemode,
            object: paymentJson(payment, ctx.links, { svg: false }),
            previousAttributes: previous,
          },
          now,
        );
      }
      await answer?.(tx, payment);
      return payment;
    });
  }

  return { update };
}
