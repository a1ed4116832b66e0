import { cryptoPaymentError } from "../../crypto/payments/errors.js";
import { updateMetadata } from "../../db/metadata-update.js";
import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { recordEvent } from "../../events/outbox.js";
import { parseAmount } from "../../http/amount.js";
import type { MerchantScope } from "../../http/auth.js";
import type { CreatedRange } from "../../http/created-filter.js";
import { ApiError } from "../../http/errors.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { type Metadata, metadataOf } from "../../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../../http/pagination.js";
import { isId, newId } from "../../ids.js";
import { isApplied } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import { createKeyedQueue } from "../../wallets/limits/serialize.js";
import type { PaymentContext } from "../deps.js";
import { paymentError } from "../errors.js";
import type { FailureCode } from "../failure-codes.js";
import { feeRefundFor } from "../fees.js";
import type { Payment } from "../model.js";
import { getMerchantPayment, getPayment } from "../store.js";
import { type Refund, type RefundReason, type RefundRow, refundFromRow, refundJson } from "./model.js";

/**
 * Refunds: money back from the merchant's balance to the payer's wallet, with the matching share of the fee back
 * from the platform to the merchant, as one linked chain [fee → merchant (fee share), merchant → wallet (amount)].
 * A payment may be refunded several times, fully or partly, never above what was captured: the ledger hook adds the
 * refund to the payment with one conditional UPDATE (amount_refunded + x <= amount_captured), and aborts the whole
 * submission when another refund got there first. That is the binding check under any concurrency; in this process
 * the refunds of one payment also run one at a time, so a burst is answered without making the ledger re-plan.
 *
 * A refund the merchant's balance cannot cover (paid out, or held for payouts) is kept as failed
 * (merchant_balance_insufficient), with its events; nothing moves.
 */
export interface CreateRefundInput {
  payment: string;
  amount?: unknown;
  reason?: RefundReason;
  description?: string;
  metadata?: Metadata;
}

export type RefundService = ReturnType<typeof createRefundService>;

export function createRefundService(ctx: PaymentContext) {
  const { pool, ledger, accounts } = ctx;
  const perPayment = createKeyedQueue();

  async function record(tx: Queryable, refund: Refund, payerId: string | null, at: Date): Promise<void> {
    const base = { merchantId: refund.merchantId, walletUserId: payerId, livemode: refund.livemode };
    await recordEvent(
      tx,
      {
        ...base,
        type: "refund.created",
        object: { ...refundJson(refund), status: "pending", failure_code: null, failure_message: null },
      },
      at,
    );
    await recordEvent(
      tx,
      {
        ...base,
        type: refund.status === "succeeded" ? "refund.succeeded" : "refund.failed",
        object: refundJson(refund),
        previousAttributes: { status: "pending" },
      },
      at,
    );
  }

  async function insertRefund(
    tx: Queryable,
    values: {
      id: string;
      payment: Payment;
      amount: bigint;
      feeReturned: bigint;
      input: Pick<CreateRefundInput, "reason" | "description">;
      metadata: Metadata;
      failure: { code: FailureCode; message: string } | null;
      at: Date;
    },
  ): Promise<Refund> {
    const { payment, failure } = values;
    const inserted = await tx.query<RefundRow>(
      `INSERT INTO refunds (id, payment_id, merchant_id, livemode, amount, currency, fee_returned, status, reason,
                            description, failure_code, failure_message, created_at, updated_at, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING *`,
      [
        values.id,
        payment.id,
        payment.merchantId,
        payment.livemode,
        String(values.amount),
        payment.currency,
        String(values.feeReturned),
        failure ? "failed" : "succeeded",
        values.input.reason ?? "requested_by_customer",
        values.input.description ?? null,
        failure?.code ?? null,
        failure?.message ?? null,
        values.at,
        JSON.stringify(values.metadata),
      ],
    );
    return refundFromRow(inserted.rows[0]!);
  }

  /** A refund declined before any money moved (sandbox: refund_fails), kept as failed with its events. */
  async function recordRefused(
    payment: Payment,
    input: { amount: bigint; metadata: Metadata } & Pick<CreateRefundInput, "reason" | "description">,
    failure: { code: FailureCode; message: string },
    answer?: AnswerRecorder<Refund>,
  ): Promise<Refund> {
    const at = await ctx.testClocks.now(payment.merchantId, payment.livemode);
    return withTransaction(pool, async (tx) => {
      const refund = await insertRefund(tx, {
        id: newId("re"),
        payment,
        amount: input.amount,
        feeReturned: 0n,
        input,
        metadata: input.metadata,
        failure,
        at,
      });
      await record(tx, refund, payment.payerId, at);
      await answer?.(tx, refund);
      return refund;
    });
  }

  async function create(
    scope: MerchantScope,
    input: CreateRefundInput,
    answer?: AnswerRecorder<Refund>,
  ): Promise<Refund> {
    const payment = await getMerchantPayment(pool, scope, input.payment);
    if (!payment) throw new ApiError("resource_not_found", "No such payment.", "payment");
    // Paid on chain, a crypto payment has no wallet to refund to (paid from a coffer wallet, it refunds as any other).
    if (payment.method === "crypto" && payment.status === "succeeded" && !payment.payerId) {
      throw cryptoPaymentError("crypto_refund_on_chain_only", undefined, "payment");
    }
    if (payment.status !== "succeeded" || !payment.payerId) {
      throw paymentError(
        "payment_status_invalid",
        `Only a succeeded payment can be refunded; this one is ${payment.status}.`,
        "payment",
      );
    }
    const requested = input.amount === undefined ? undefined : parseAmount(input.amount);
    const metadata = metadataOf(input.metadata);
    const payerId = payment.payerId;
    const wallet = await ctx.wallets.accounts.walletAccountId(
      { id: payerId, livemode: payment.livemode },
      payment.currency,
    );
    const merchant = await accounts.merchantAccountId(payment.merchantId, payment.livemode, payment.currency);
    // Sandbox hook: a test payer's scenario (refund_fails) declines every refund; the refund is kept as failed.
    const refusal = payment.livemode ? undefined : await ctx.sandbox?.refundRefusal(payment);

    return perPayment.run(payment.id, async () => {
      const fresh = await getPayment(pool, payment.id);
      if (!fresh) throw new Error(`payment ${payment.id} vanished`);
      // A payment's dispute (src/disputes) holds its amount until it is won: that part cannot be refunded too.
      const left = fresh.amountCaptured - fresh.amountRefunded - (fresh.amountDisputed ?? 0n);
      const amount = requested ?? left;
      if (amount <= 0n || amount > left) {
        throw paymentError(
          "refund_exceeds_captured",
          `At most ${left} of this payment is left to refund.`,
          input.amount === undefined ? "payment" : "amount",
        );
      }
      if (refusal)
        return recordRefused(
          payment,
          { amount, reason: input.reason, description: input.description, metadata },
          refusal,
          answer,
        );
      const completes = fresh.amountRefunded + amount === fresh.amountCaptured;
      const feeBack = completes
        ? fresh.feeAmount - fresh.feeRefunded
        : feeRefundFor(amount, fresh.amountCaptured, fresh.feeAmount, fresh.feeRefunded);
      const feeAccount = feeBack > 0n ? await accounts.feeAccountId(payment.livemode, payment.currency) : undefined;
      const id = newId("re");
      const transfers: TransferInput[] = [];
      if (feeAccount !== undefined) {
        transfers.push({
          id: transferIdFor(id, "fee_refund"),
          debitAccountId: feeAccount,
          creditAccountId: merchant,
          amount: feeBack,
          code: "fee_refund",
          reference: id,
          linked: true,
        });
      }
      transfers.push({
        id: transferIdFor(id, "refund"),
        debitAccountId: merchant,
        creditAccountId: wallet,
        amount,
        code: "refund",
        reference: id,
      });
      // A discount's share of the refund goes back to its coupon's budget (a platform coupon's in money, from the
      // merchant), and a cashback's share back from the payer (src/coupons): same chain, after the refund.
      const promotion =
        fresh.discount || fresh.cashbackAmount > 0n
          ? await ctx.promotions?.forRefund(fresh, { id, amount, completes })
          : undefined;
      if (promotion && promotion.transfers.length > 0) {
        transfers.push(...promotion.transfers);
        for (const [i, transfer] of transfers.entries()) transfer.linked = i < transfers.length - 1;
      }

      let created: Refund | undefined;
      const results = await ledger.createTransfers(transfers, async (tx, results) => {
        created = undefined; // a retried batch runs the hook again
        const now = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
        const applied = results.every((r) => isApplied(r.code));
        if (!applied && !results.some((r) => r.code === "exceeds_credits")) return;
        if (applied) {
          const added = await tx.query(
            `UPDATE payments SET amount_refunded = amount_refunded + $2, fee_refunded = fee_refunded + $3, updated_at = $4
              WHERE id = $1 AND status = 'succeeded'
                AND amount_refunded + amount_disputed + $2 <= amount_captured AND fee_refunded + $3 <= fee_amount
                AND cashback_amount = $5`,
            // cashback_amount as planned: a cashback credited meanwhile (src/coupons) would go unreversed.
            [payment.id, String(amount), String(feeBack), now, String(fresh.cashbackAmount)],
          );
          if (added.rowCount !== 1) {
            throw paymentError(
              "refund_exceeds_captured",
              "Other refunds, or a dispute, took what was left to refund (or a cashback was credited meanwhile: retry).",
              "amount",
            );
          }
        }
        created = await insertRefund(tx, {
          id,
          payment,
          amount,
          feeReturned: applied ? feeBack : 0n,
          input,
          metadata,
          failure: applied
            ? null
            : {
                code: "merchant_balance_insufficient",
                message: "Your available balance in this currency is below the refund.",
              },
          at: now,
        });
        if (applied) await promotion?.commit(tx, now);
        await record(tx, created, payerId, now);
        await answer?.(tx, created);
      });
      if (!created) {
        throw new Error(`the ledger refused refund ${id}: ${results.map((r) => r.code).join(", ")}`);
      }
      return created;
    });
  }

  /** POST /v1/refunds/{id}: merges metadata (src/http/metadata.ts); refund.updated when something changed. */
  async function update(
    scope: MerchantScope,
    id: string,
    input: { metadata?: Metadata },
    answer?: AnswerRecorder<Refund>,
  ): Promise<Refund> {
    if (!isId(id, "re")) throw new ApiError("resource_not_found", "No such refund.", "id");
    return withTransaction(pool, async (tx) => {
      const now = await ctx.testClocks.now(scope.merchantId, scope.livemode, tx);
      const result = await updateMetadata<RefundRow>(tx, "refunds", scope, id, input.metadata, now);
      if (!result) throw new ApiError("resource_not_found", "No such refund.", "id");
      const refund = refundFromRow(result.row);
      if (result.changed) {
        await recordEvent(
          tx,
          {
            type: "refund.updated",
            merchantId: refund.merchantId,
            livemode: refund.livemode,
            object: refundJson(refund),
            previousAttributes: { metadata: result.previous },
          },
          now,
        );
      }
      await answer?.(tx, refund);
      return refund;
    });
  }

  async function get(scope: MerchantScope, id: string): Promise<Refund> {
    const notFound = new ApiError("resource_not_found", "No such refund.", "id");
    if (!isId(id, "re")) throw notFound;
    const found = await pool.query<RefundRow>(
      "SELECT * FROM refunds WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
      [id, scope.merchantId, scope.livemode],
    );
    if (!found.rows[0]) throw notFound;
    return refundFromRow(found.rows[0]);
  }

  async function list(
    scope: MerchantScope,
    filter: { payment?: string; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<Refund>> {
    const rows = await keysetPage<RefundRow>(pool, page, {
      from: "refunds",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::text IS NULL OR payment_id = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.payment ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, refundFromRow);
  }

  return { create, update, get, list };
}
