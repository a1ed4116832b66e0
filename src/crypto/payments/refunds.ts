import type { Queryable } from "../../db/pool.js";
import type { MerchantScope } from "../../http/auth.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { isApplied } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import { isPayable } from "../../payments/charge.js";
import { paymentError } from "../../payments/errors.js";
import type { Payment } from "../../payments/model.js";
import { isChecksumAddress, normalizeAddress } from "../chain/connector.js";
import { hotWalletDerivationIndex } from "../custody/keys.js";
import type { CryptoDeps, LedgerPlan, OutgoingHandler, OutgoingRequest } from "../deps.js";
import { cryptoPaymentError } from "./errors.js";
import { type CryptoPaymentLifecycle, PaymentMoved } from "./lifecycle.js";
import { getDetails, updateDetails } from "./store.js";

/**
 * Refunds of a crypto payment's held money (excess, underpaid or late: docs/crypto-payments.md, "Refunds"). The merchant gives
 * the address the payer named (POST /v1/payments/{id}/crypto_refund_address): everything the payment holds, less the
 * asset's network fee (AssetConfig.withdrawalFeeMinor, as a withdrawal is charged), is sent from the hot wallet
 * through the signer queue. Two holds on payment_held go with it, the amount (→ custody) and the fee (→ the
 * withdrawal_fee income account): posted when the transaction has its confirmations (payment.crypto_refund_sent),
 * voided if it fails, when the money may be refunded again. The queue books the gas itself.
 *
 * Why the merchant and not the payer: the checkout page is public to anyone who has its link, and a refund address
 * decides where money goes; the merchant's key is the credential coffer already trusts for its payments.
 */
export interface CryptoRefundSigner {
  enqueue(tx: Queryable, request: OutgoingRequest): Promise<unknown>;
  registerHandler(purpose: "payment_refund", handler: OutgoingHandler): void;
}

export const cryptoRefundTransferCode = "crypto_payment_refund";
export const cryptoRefundFeeTransferCode = "crypto_payment_refund_fee";

function holdIds(paymentId: string, number: number) {
  return {
    send: transferIdFor(paymentId, "crypto_refund", String(number)),
    fee: transferIdFor(paymentId, "crypto_refund_fee", String(number)),
  };
}

export function createCryptoPaymentRefunds(
  deps: CryptoDeps & { signer: CryptoRefundSigner },
  lifecycle: CryptoPaymentLifecycle,
) {
  const { ledger, accounts, pool } = deps;

  async function requestRefund(
    scope: MerchantScope,
    id: string,
    address: string,
    answer?: AnswerRecorder<Payment>,
  ): Promise<Payment> {
    const { payment, details } = await lifecycle.forMerchant(scope, id);
    if (!isChecksumAddress(address)) throw cryptoPaymentError("crypto_refund_address_invalid", undefined, "address");
    const to = normalizeAddress(address);
    if (await deps.addresses.get(to)) {
      throw cryptoPaymentError(
        "crypto_refund_address_invalid",
        "That is an address of this coffer, not the payer's.",
        "address",
      );
    }
    if (isPayable(payment.status)) {
      throw paymentError(
        "payment_status_invalid",
        "The money of an open crypto payment pays it; refund what it holds once it has ended.",
        "id",
      );
    }
    if (details.refundStatus === "pending") throw cryptoPaymentError("crypto_refund_in_progress", undefined, "id");
    const chain = lifecycle.chainOf(details);
    const asset = chain.config.assets.find((a) => a.code === details.asset);
    if (!asset) throw new Error(`chain ${chain.config.name} no longer carries ${details.asset}`);
    const fee = asset.withdrawalFeeMinor;
    const held = details.amountHeld;
    if (held <= fee) throw cryptoPaymentError("crypto_refund_nothing_held", undefined, "id");
    const send = held - fee;
    const number = details.refundNumber + 1;
    const ids = holdIds(payment.id, number);
    const heldAccount = await lifecycle.heldAccount(payment.livemode, details.chain, details.asset);
    const custody = await accounts.accountId(payment.livemode, details.chain, details.asset, "custody");
    const transfers: TransferInput[] = [
      {
        id: ids.send,
        debitAccountId: heldAccount,
        creditAccountId: custody,
        amount: send,
        pending: true,
        code: cryptoRefundTransferCode,
        reference: payment.id,
        linked: fee > 0n,
      },
    ];
    if (fee > 0n) {
      transfers.push({
        id: ids.fee,
        debitAccountId: heldAccount,
        creditAccountId: await accounts.accountId(payment.livemode, details.chain, details.asset, "withdrawal_fee"),
        amount: fee,
        pending: true,
        code: cryptoRefundFeeTransferCode,
        reference: payment.id,
      });
    }
    // The signer derives the hot wallet's address inside the transaction: decrypt the seed first.
    await deps.keys.warm(payment.livemode);
    let refunded: Payment | undefined;
    try {
      await ledger.createTransfers(transfers, async (tx, results) => {
        refunded = undefined; // a retried batch runs the hook again
        if (!results.every((r) => isApplied(r.code))) throw new PaymentMoved();
        const locked = await lifecycle.lockPayment(tx, payment.id);
        // Another refund, or more money confirmed, since this one was planned: ask again.
        if (locked.details.refundNumber !== number - 1 || locked.details.amountHeld !== held) throw new PaymentMoved();
        const at = await lifecycle.paymentTime(payment, tx);
        const after = await updateDetails(
          tx,
          payment.id,
          {
            refund_address: to,
            refund_status: "pending",
            refund_number: number,
            refund_amount: send,
            refund_network_fee: fee,
            refund_tx_hash: null,
            refund_requested_at: at,
          },
          at,
        );
        await deps.signer.enqueue(tx, {
          chain: details.chain,
          livemode: payment.livemode,
          fromIndex: hotWalletDerivationIndex,
          to,
          asset: details.asset,
          amount: send,
          purpose: "payment_refund",
          purposeId: payment.id,
        });
        await answer?.(tx, after);
        refunded = after;
      });
    } catch (error) {
      if (error instanceof PaymentMoved) throw cryptoPaymentError("crypto_refund_in_progress", undefined, "id");
      throw error;
    }
    if (!refunded) throw new Error(`the refund of ${payment.id} was not recorded`);
    return refunded;
  }

  /** The signer's outcome of a refund: the holds posted (sent) or voided (the money stays held, refundable again). */
  const refundHandler: OutgoingHandler = {
    async settled(outcome, request): Promise<LedgerPlan> {
      const paymentId = request.purposeId;
      const details = await getDetails(pool, paymentId);
      if (!details) throw new Error(`refund of ${paymentId}: no such crypto payment`);
      const number = details.refundNumber;
      const ids = holdIds(paymentId, number);
      const sent = outcome.status === "confirmed";
      const holds = [ids.send, ...((details.refundNetworkFee ?? 0n) > 0n ? [ids.fee] : [])];
      const transfers: TransferInput[] = holds.map((hold) =>
        sent
          ? { id: transferIdFor(hold, "post"), postPendingId: hold, reference: paymentId }
          : { id: transferIdFor(hold, "void"), voidPendingId: hold, reference: paymentId },
      );
      return {
        transfers,
        async write(tx, results) {
          const refused = results.find((r) => !isApplied(r.code));
          if (refused) throw new Error(`the ledger refused settling the refund of ${paymentId}: ${refused.code}`);
          const locked = await lifecycle.lockPayment(tx, paymentId);
          if (locked.details.refundNumber !== number || locked.details.refundStatus !== "pending") return;
          const at = await lifecycle.paymentTime(locked.payment, tx);
          if (!sent) {
            await updateDetails(tx, paymentId, { refund_status: "failed", refund_tx_hash: outcome.txHash }, at);
            return;
          }
          const amount = locked.details.refundAmount ?? 0n;
          const fee = locked.details.refundNetworkFee ?? 0n;
          const after = await updateDetails(
            tx,
            paymentId,
            {
              refund_status: "sent",
              refund_tx_hash: outcome.txHash,
              refund_sent_at: at,
              amount_held: locked.details.amountHeld - amount - fee,
              amount_refunded: locked.details.amountRefunded + amount,
            },
            at,
          );
          await lifecycle.recordCryptoEvent(tx, "crypto_refund_sent", after, at);
        },
      };
    },
  };

  deps.signer.registerHandler("payment_refund", refundHandler);

  return { requestRefund, refundHandler };
}
