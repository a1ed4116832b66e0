import { gather } from "../../db/deferred-writes.js";
import { detachedFromConnection, type Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { recordEvent } from "../../events/outbox.js";
import type { MerchantScope } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { isApplied, type TransferResult } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import { amountMax } from "../../limits.js";
import { isPayable } from "../../payments/charge.js";
import type { PaymentCrypto } from "../../payments/deps.js";
import { feeFor } from "../../payments/fees.js";
import { type Payment, paymentJson } from "../../payments/model.js";
import type { PaymentStatus } from "../../payments/state-machine.js";
import { getPayment, recordPaymentEvent } from "../../payments/store.js";
import { changePaymentStatus } from "../../payments/transitions.js";
import type { RunningChain } from "../chains.js";
import { cryptoDepositError } from "../deposits/errors.js";
import type { CryptoDeps, DepositHandler, DepositRecord, LedgerPlan } from "../deps.js";
import { cryptoPaymentError } from "./errors.js";
import {
  type CryptoPaymentDetails,
  cryptoPaymentConfirmationRecheckMs,
  cryptoPaymentExpiryMsDefault,
  type PaymentCryptoSnapshot,
} from "./model.js";
import { cryptoAmountFor } from "./pricing.js";
import {
  type DetailsChange,
  getDetails,
  insertDeposit,
  insertDetails,
  moveDeposit,
  onTimeTotals,
  type PaymentDeposit,
  setDueAt,
  updateDetails,
} from "./store.js";

/**
 * Crypto payments (docs/crypto-payments.md), BTCPay-like on the payment state machine:
 *
 *   created            requires_payment, with an address of its own and the amount of asset to send
 *   money seen         → processing (payment.crypto_received, payment.processing); a pending credit
 *                      custody → payment_held
 *   confirmed ≥ amount → succeeded: payment_held → merchant (the amount), merchant → platform fee, as a wallet
 *                      payment pays; money beyond the amount stays in payment_held (outcome overpaid)
 *   expiry, short      → expired, outcome underpaid, what came stays in payment_held (payment.crypto_underpaid)
 *   money after end    → payment_held, outcome paid_late (payment.crypto_paid_late); the payment stays as it ended
 *
 * payment_held holds a payment's confirmed money until it pays the merchant, and afterwards whatever is not the
 * merchant's, until it is refunded to an address the payer gives (refunds.ts). Money counts toward the amount only
 * if it was seen while the payment could be paid ("on time"); a payment whose whole amount was seen in time waits
 * for the confirmations past its expiry, as BTCPay's processing invoices do.
 *
 * The deposit handler only books money and records what came; paying the merchant is a separate step (settle) that
 * the confirmation schedules (the payment's due_at is set to now, so the expiry worker's pass runs it; it also runs
 * right after the confirmation's commit). That keeps one deposit's plan independent of another deposit of the same
 * payment confirmed in the same block.
 */
export type CryptoPaymentLifecycle = ReturnType<typeof createCryptoPaymentLifecycle>;

export const cryptoPaymentTransferCode = "crypto_payment";
export const cryptoPaymentReversalTransferCode = "crypto_payment_reversal";

const payable: readonly PaymentStatus[] = ["requires_payment", "processing"];

/** A later step changed the payment first (a wallet paid it, a reorg took money): nothing of this one is written. */
export class PaymentMoved extends Error {}

export function seenTransferId(deposit: Pick<DepositRecord, "id" | "inclusion">): string {
  return transferIdFor(deposit.id, "payment_seen", String(deposit.inclusion));
}

function assertApplied(results: readonly TransferResult[], what: string): void {
  const refused = results.find((r) => !isApplied(r.code));
  if (refused) throw new Error(`the ledger refused ${what}: ${refused.code}`);
}

export function createCryptoPaymentLifecycle(deps: CryptoDeps) {
  const { pool, clock, log, ledger, accounts, payments } = deps;
  const events = { links: payments.links, notices: payments.notices, metrics: payments.metrics };

  const paymentTime = (payment: Pick<Payment, "merchantId" | "livemode">, db?: Queryable) =>
    payments.testClocks.now(payment.merchantId, payment.livemode, db);

  async function recordCryptoEvent(
    tx: Queryable,
    type: "crypto_received" | "crypto_underpaid" | "crypto_overpaid" | "crypto_paid_late" | "crypto_refund_sent",
    payment: Payment,
    at: Date,
  ): Promise<void> {
    await recordEvent(
      tx,
      {
        type: `payment.${type}`,
        merchantId: payment.merchantId,
        walletUserId: payment.payerId,
        livemode: payment.livemode,
        object: paymentJson(payment, payments.links, { svg: false }),
      },
      at,
    );
  }

  // ---- creation ------------------------------------------------------------------------------------------------

  function chainOf(details: Pick<CryptoPaymentDetails, "chain" | "livemode">): RunningChain {
    const chain = deps.chains.get(details.chain);
    if (!chain || chain.livemode !== details.livemode) throw cryptoDepositError("crypto_unavailable");
    return chain;
  }

  const quote: PaymentCrypto["quote"] = async (scope, request) => {
    const modeChains = deps.chains.forMode(scope.livemode);
    if (modeChains.length === 0) {
      throw cryptoDepositError(
        "crypto_unavailable",
        scope.livemode
          ? "Crypto payments are off in live mode: this coffer has no live chain (COFFER_CHAINS)."
          : "Crypto payments are off in test mode: this coffer has no test chain (COFFER_SANDBOX_CHAIN or COFFER_CHAINS).",
      );
    }
    if (request.chain !== undefined && !modeChains.some((c) => c.config.name === request.chain)) {
      throw cryptoDepositError("crypto_asset_unsupported", `No chain ${request.chain} in this mode.`, "chain");
    }
    const found = deps.chains.forAsset(scope.livemode, request.asset, request.chain);
    if (!found) {
      throw cryptoDepositError(
        "crypto_asset_unsupported",
        `No chain of this mode carries ${request.asset}; it has ${[
          ...new Set(modeChains.flatMap((c) => c.config.assets.map((a) => a.code))),
        ].join(", ")}.`,
        "asset",
      );
    }
    const { chain, asset } = found;
    let amount = request.amount;
    let price: { amount: bigint; currency: string; rate: string } | null = null;
    if (request.currency !== asset.code) {
      const fiat = deps.currencies.get(request.currency);
      const rate = deps.config.rates.get(asset.code)?.get(request.currency);
      if (fiat?.kind !== "fiat" || rate === undefined) {
        throw cryptoPaymentError(
          "crypto_rate_unavailable",
          `A ${asset.code} payment is priced in ${asset.code} or in a currency with a rate: ${[
            ...(deps.config.rates.get(asset.code)?.keys() ?? []),
          ].join(", ")}.`,
          "currency",
        );
      }
      amount = cryptoAmountFor(request.amount, fiat.exponent, asset.decimals, rate);
      price = { amount: request.amount, currency: request.currency, rate };
    }
    if (amount > amountMax) throw new ApiError("amount_invalid", "amount is too large for the asset.", "amount");
    // The address is derived inside the payment's transaction: the seed must be decrypted before it begins.
    await deps.keys.warm(scope.livemode);
    return {
      amount,
      currency: asset.code,
      async place(tx: Queryable, payment: Payment): Promise<PaymentCryptoSnapshot> {
        const address = await deps.addresses.forPayment(tx, payment.livemode, payment.id);
        const placed = await insertDetails(tx, {
          paymentId: payment.id,
          livemode: payment.livemode,
          chain: chain.config.name,
          chainId: chain.config.chainId,
          asset: asset.code,
          contract: asset.contract,
          decimals: asset.decimals,
          address: address.address,
          amount,
          price,
          // The sandbox's rates are fixed (src/crypto/config.ts); live rates come from COFFER_CRYPTO_RATES.
          rateSource: price === null ? "asset" : scope.livemode ? "configured" : "fixed",
          confirmationsRequired: asset.confirmations,
          at: payment.createdAt,
        });
        if (!placed.crypto) throw new Error(`crypto payment ${payment.id} has no snapshot`);
        return placed.crypto;
      },
    };
  };

  // ---- deposits ------------------------------------------------------------------------------------------------

  async function heldAccount(livemode: boolean, chain: string, asset: string): Promise<bigint> {
    return accounts.accountId(livemode, chain, asset, "payment_held");
  }

  /** The payment (locked) and its details (locked), in that order everywhere, in the caller's transaction. */
  async function lockPayment(
    tx: Queryable,
    paymentId: string,
  ): Promise<{ payment: Payment; details: CryptoPaymentDetails }> {
    const payment = await getPayment(tx, paymentId, true);
    const details = await getDetails(tx, paymentId, true);
    if (!payment || !details) throw new Error(`crypto payment ${paymentId} is missing`);
    return { payment, details };
  }

  /**
   * A pending deposit of a payment ends: confirmed posts its pending transfer, orphaned voids it. Then, under the
   * payment's lock, the deposit moves out of pending once (a replay finds it moved and changes nothing) and `then`
   * updates the payment.
   */
  async function resolvePending(
    deposit: DepositRecord,
    to: "confirmed" | "orphaned",
    then: (
      tx: Queryable,
      state: { payment: Payment; details: CryptoPaymentDetails; at: Date; moved: PaymentDeposit },
    ) => Promise<void>,
  ): Promise<LedgerPlan> {
    const paymentId = paymentIdOf(deposit);
    const pending = seenTransferId(deposit);
    return {
      transfers: [
        {
          id: transferIdFor(
            deposit.id,
            to === "confirmed" ? "payment_confirmed" : "payment_orphaned",
            String(deposit.inclusion),
          ),
          ...(to === "confirmed" ? { postPendingId: pending } : { voidPendingId: pending }),
          reference: paymentId,
        },
      ],
      async write(tx, results) {
        assertApplied(results, `${to === "confirmed" ? "posting" : "voiding"} deposit ${deposit.id}`);
        const { payment, details } = await lockPayment(tx, paymentId);
        const at = await paymentTime(payment, tx);
        const moved = await moveDeposit(tx, { depositId: deposit.id, inclusion: deposit.inclusion }, "pending", to, at);
        if (moved) await then(tx, { payment, details, at, moved });
      },
    };
  }

  function paymentIdOf(deposit: DepositRecord): string {
    if (deposit.paymentId === null) throw new Error(`payment deposit ${deposit.id} names no payment`);
    return deposit.paymentId;
  }

  /** Due now (system time is never ahead of a test clock), and settled right after the commit. */
  async function settleSoon(tx: Queryable, paymentId: string): Promise<void> {
    await setDueAt(tx, paymentId, clock.now(), payable);
    await gather(tx, (writes) =>
      writes.afterCommit(() =>
        // The committing follower still holds its client here; settling is work of its own.
        detachedFromConnection(() => {
          getPayment(pool, paymentId)
            .then((payment) => (payment ? due(payment) : undefined))
            .catch((error) => log.error({ err: error, payment: paymentId }, "settling a crypto payment failed"));
        }),
      ),
    );
  }

  const depositHandler: DepositHandler = {
    async seen(deposit, chain) {
      const paymentId = paymentIdOf(deposit);
      const custody = await accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "custody");
      const held = await heldAccount(deposit.livemode, chain.config.name, deposit.asset);
      return {
        transfers: [
          {
            id: seenTransferId(deposit),
            debitAccountId: custody,
            creditAccountId: held,
            amount: deposit.amount,
            pending: true,
            code: cryptoPaymentTransferCode,
            reference: paymentId,
          },
        ],
        async write(tx, results) {
          assertApplied(results, `the pending credit of deposit ${deposit.id}`);
          const { payment, details } = await lockPayment(tx, paymentId);
          const at = await paymentTime(payment, tx);
          const onTime = isPayable(payment.status) && payment.expiresAt > at;
          const fresh = await insertDeposit(
            tx,
            paymentId,
            { depositId: deposit.id, inclusion: deposit.inclusion, amount: deposit.amount, onTime },
            at,
          );
          if (!fresh) return;
          let after = await updateDetails(
            tx,
            paymentId,
            { amount_received: details.amountReceived + deposit.amount },
            at,
          );
          await recordCryptoEvent(tx, "crypto_received", after, at);
          if (onTime && payment.status === "requires_payment") {
            const changed = await changePaymentStatus(tx, {
              id: paymentId,
              from: ["requires_payment"],
              to: "processing",
              at,
            });
            if (!changed) throw new Error(`payment ${paymentId} changed under its lock`);
            after = changed.payment;
            await recordPaymentEvent(tx, events, after, at, changed.previous);
          }
        },
      };
    },

    confirmed: (deposit) =>
      resolvePending(deposit, "confirmed", async (tx, { payment, details, at, moved }) => {
        const paymentId = payment.id;
        const change: DetailsChange = {
          amount_confirmed: details.amountConfirmed + deposit.amount,
          amount_held: details.amountHeld + deposit.amount,
        };
        let event: "crypto_overpaid" | "crypto_paid_late" | undefined;
        if (isPayable(payment.status)) {
          if (moved.onTime && (await onTimeTotals(tx, paymentId)).confirmed >= payment.amount) {
            await settleSoon(tx, paymentId);
          }
        } else if (payment.status === "succeeded") {
          // Paid already (on chain or from a wallet): all of it is the payer's, held for refund.
          change.outcome = "overpaid";
          event = "crypto_overpaid";
        } else if (!moved.onTime || details.outcome === null) {
          // Ended unpaid (expired, canceled) before this money came: BTCPay's "paid late".
          change.outcome = "paid_late";
          event = "crypto_paid_late";
        }
        const after = await updateDetails(tx, paymentId, change, at);
        if (event) await recordCryptoEvent(tx, event, after, at);
      }),

    orphaned: (deposit) =>
      resolvePending(deposit, "orphaned", async (tx, { payment, details, at }) => {
        const received = details.amountReceived - deposit.amount;
        // An underpaid payment whose only money vanished was not underpaid after all.
        const outcome = details.outcome === "underpaid" && received === 0n ? { outcome: null } : {};
        await updateDetails(tx, payment.id, { amount_received: received, ...outcome }, at);
        // The expiry pass looks again: a payment waiting for this money past its expiry ends now.
        if (isPayable(payment.status)) await setDueAt(tx, payment.id, clock.now(), payable);
      }),

    async reversed(deposit, chain) {
      const paymentId = paymentIdOf(deposit);
      const details = await getDetails(pool, paymentId);
      if (!details) throw new Error(`crypto payment ${paymentId} is missing`);
      const custody = await accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "custody");
      const held = await heldAccount(deposit.livemode, chain.config.name, deposit.asset);
      // What the payment still holds gives it back; money that paid the merchant already is coffer's loss (the
      // payment stays succeeded: the merchant was told it is paid, and may have shipped). A reorganisation drops
      // every later deposit with this one, each planned from the same reading: the latest take from what is held
      // first, so together they never take more than it.
      const later = await pool.query<{ total: string }>(
        `SELECT coalesce(sum(p.amount), 0)::text AS total FROM crypto_payment_deposits p
           JOIN crypto_deposits d ON d.id = p.deposit_id
          WHERE p.payment_id = $1 AND p.state = 'confirmed'
            AND (d.block_number > $2 OR (d.block_number = $2 AND p.deposit_id > $3))`,
        [paymentId, String(deposit.blockNumber), deposit.id],
      );
      const left = details.amountHeld - BigInt(later.rows[0]!.total);
      const fromHeld = left <= 0n ? 0n : left < deposit.amount ? left : deposit.amount;
      const loss = deposit.amount - fromHeld;
      const transfers: TransferInput[] = [];
      if (fromHeld > 0n) {
        transfers.push({
          id: transferIdFor(deposit.id, "payment_reversed", String(deposit.inclusion)),
          debitAccountId: held,
          creditAccountId: custody,
          amount: fromHeld,
          code: cryptoPaymentReversalTransferCode,
          reference: paymentId,
        });
      }
      if (loss > 0n) {
        transfers.push({
          id: transferIdFor(deposit.id, "payment_reorg_loss", String(deposit.inclusion)),
          debitAccountId: await accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "reorg_loss"),
          creditAccountId: custody,
          amount: loss,
          code: "crypto_reorg_loss",
          reference: paymentId,
        });
      }
      if (transfers.length === 2) transfers[0]!.linked = true;
      return {
        transfers,
        async write(tx, results) {
          // A refund or another reversal changed what the payment holds since the plan: the block is taken in again.
          assertApplied(results, `the reversal of deposit ${deposit.id}`);
          const locked = await lockPayment(tx, paymentId);
          const at = await paymentTime(locked.payment, tx);
          const moved = await moveDeposit(
            tx,
            { depositId: deposit.id, inclusion: deposit.inclusion },
            "confirmed",
            "reversed",
            at,
          );
          if (!moved) return;
          const now = locked.details;
          if (now.amountHeld < fromHeld) throw new Error(`crypto payment ${paymentId} holds less than its plan took`);
          await updateDetails(
            tx,
            paymentId,
            {
              amount_received: now.amountReceived - deposit.amount,
              amount_confirmed: now.amountConfirmed - deposit.amount,
              amount_held: now.amountHeld - fromHeld,
              reorg_shortfall: now.reorgShortfall + loss,
            },
            at,
          );
          if (loss > 0n) {
            await deps.alerts.raise(tx, {
              livemode: deposit.livemode,
              chain: deposit.chain,
              kind: "reorg_reversal",
              subject: deposit.id,
              details: {
                deposit: deposit.id,
                payment: paymentId,
                tx_hash: deposit.txHash,
                block_number: Number(deposit.blockNumber),
                asset: deposit.asset,
                amount: deposit.amount.toString(),
                taken_from_payment_held: fromHeld.toString(),
                reorg_loss: loss.toString(),
                action: "the payment stays succeeded; the merchant was paid money that is no longer on chain",
              },
            });
          }
          if (isPayable(locked.payment.status)) await setDueAt(tx, paymentId, clock.now(), payable);
        },
      };
    },
  };

  // ---- settling and expiring -----------------------------------------------------------------------------------

  /** Pays the merchant from payment_held: the amount, less coffer's fee, as a wallet payment pays (charge.ts). */
  async function settle(payment: Payment, details: CryptoPaymentDetails): Promise<void> {
    const held = await heldAccount(payment.livemode, details.chain, details.asset);
    const merchant = await payments.accounts.merchantAccountId(payment.merchantId, payment.livemode, payment.currency);
    const fee = feeFor(payment.amount, { percentBps: payment.feePercentBps, fixed: payment.feeFixed });
    const feeAccount = fee > 0n ? await payments.accounts.feeAccountId(payment.livemode, payment.currency) : undefined;
    const transfers: TransferInput[] = [
      {
        id: transferIdFor(payment.id, "charge"),
        debitAccountId: held,
        creditAccountId: merchant,
        amount: payment.amount,
        code: "payment",
        reference: payment.id,
        linked: feeAccount !== undefined,
      },
    ];
    if (feeAccount !== undefined) {
      transfers.push({
        id: transferIdFor(payment.id, "fee"),
        debitAccountId: merchant,
        creditAccountId: feeAccount,
        amount: fee,
        code: "fee",
        reference: payment.id,
      });
    }
    try {
      await ledger.createTransfers(transfers, async (tx, results) => {
        if (results.every((r) => r.code === "exists")) return; // settled before
        // The same ids as a wallet's charge (charge.ts): a wallet that paid first holds them with its own account.
        if (results.some((r) => r.code.startsWith("exists_with_different"))) throw new PaymentMoved();
        assertApplied(results, `paying the merchant of ${payment.id}`);
        const locked = await lockPayment(tx, payment.id);
        if (!isPayable(locked.payment.status)) throw new PaymentMoved();
        if ((await onTimeTotals(tx, payment.id)).confirmed < payment.amount) throw new PaymentMoved();
        const at = await paymentTime(payment, tx);
        const excess = locked.details.amountHeld - payment.amount;
        if (excess < 0n) throw new Error(`crypto payment ${payment.id} holds less than its confirmed money`);
        await updateDetails(
          tx,
          payment.id,
          { amount_paid: payment.amount, amount_held: excess, outcome: excess > 0n ? "overpaid" : "paid" },
          at,
        );
        const changed = await changePaymentStatus(tx, {
          id: payment.id,
          from: payable,
          to: "succeeded",
          at,
          set: { amount_captured: payment.amount, fee_amount: fee, paid_at: at, due_at: null },
          where: { sql: "p.amount = ?", params: [String(payment.amount)] },
        });
        if (!changed) throw new PaymentMoved();
        await recordPaymentEvent(tx, events, changed.payment, at, changed.previous);
        if (excess > 0n) await recordCryptoEvent(tx, "crypto_overpaid", changed.payment, at);
      });
    } catch (error) {
      if (!(error instanceof PaymentMoved)) throw error;
      // A wallet paid it, or money vanished: the next look decides again.
      const now = await getPayment(pool, payment.id);
      if (now) await due(now);
    }
    payments.notices.kick();
  }

  /** Ends an unpaid crypto payment: expired, underpaid when money came (it is held for refund). */
  async function expire(payment: Payment, options: { now: Date; force?: boolean }): Promise<Payment | undefined> {
    const ended = await withTransaction(pool, async (tx) => {
      const { details } = await lockPayment(tx, payment.id);
      const underpaid = details.amountReceived > 0n;
      if (underpaid) await updateDetails(tx, payment.id, { outcome: "underpaid" }, options.now);
      const changed = await changePaymentStatus(tx, {
        id: payment.id,
        from: payable,
        to: "expired",
        at: options.now,
        set: {
          failure_code: "expired",
          failure_message: underpaid
            ? "Less than the amount was sent before the payment expired; what came is held for refund."
            : "Nobody paid the payment before it expired.",
          due_at: null,
        },
        where: options.force ? undefined : { sql: "p.expires_at <= ?", params: [options.now] },
      });
      if (!changed) throw new PaymentMoved();
      await recordPaymentEvent(tx, events, changed.payment, options.now, changed.previous);
      if (underpaid) await recordCryptoEvent(tx, "crypto_underpaid", changed.payment, options.now);
      return changed.payment;
    }).catch((error) => {
      if (error instanceof PaymentMoved) return undefined;
      throw error;
    });
    payments.notices.kick();
    return ended;
  }

  /**
   * The expiry worker's look at a due crypto payment: pay the merchant once the whole amount has its
   * confirmations; before expires_at, look again then; after it, wait while the whole amount is seen and not yet
   * confirmed, else expire (underpaid when money came).
   */
  async function due(payment: Payment): Promise<void> {
    const details = await getDetails(pool, payment.id);
    if (!details) throw new Error(`crypto payment ${payment.id} has no details`);
    const now = await paymentTime(payment);
    if (isPayable(payment.status)) {
      const totals = await onTimeTotals(pool, payment.id);
      if (totals.confirmed >= payment.amount) return settle(payment, details);
      if (now < payment.expiresAt) return setDueAt(pool, payment.id, payment.expiresAt, payable);
      if (totals.received >= payment.amount) {
        return setDueAt(
          pool,
          payment.id,
          new Date(clock.now().getTime() + cryptoPaymentConfirmationRecheckMs),
          payable,
        );
      }
      await expire(payment, { now });
      return;
    }
    // Paid from a wallet while confirmed money waited to pay it: that money is now the payer's, held.
    if (payment.status === "succeeded" && details.outcome === null && details.amountHeld > 0n) {
      await withTransaction(pool, async (tx) => {
        const locked = await lockPayment(tx, payment.id);
        if (locked.details.outcome !== null) return;
        const at = await paymentTime(payment, tx);
        const after = await updateDetails(tx, payment.id, { outcome: "overpaid" }, at);
        await recordCryptoEvent(tx, "crypto_overpaid", after, at);
      });
    }
    await pool.query("UPDATE payments SET due_at = NULL WHERE id = $1", [payment.id]);
  }

  const paymentHook: PaymentCrypto = { expiryMsDefault: cryptoPaymentExpiryMsDefault, quote, due };

  /** A crypto payment of the merchant, with its details (404 for another merchant's or mode's). */
  async function forMerchant(
    scope: MerchantScope,
    id: string,
  ): Promise<{ payment: Payment; details: CryptoPaymentDetails }> {
    const payment = await payments.payments.get(scope, id);
    if (payment.method !== "crypto") throw cryptoPaymentError("crypto_payment_required", undefined, "id");
    const details = await getDetails(pool, payment.id);
    if (!details) throw new Error(`crypto payment ${payment.id} has no details`);
    return { payment, details };
  }

  return {
    paymentHook,
    depositHandler,
    quote,
    due,
    expire,
    forMerchant,
    chainOf,
    lockPayment,
    recordCryptoEvent,
    paymentTime,
    heldAccount,
  };
}
