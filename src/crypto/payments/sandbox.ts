import { parseAmount } from "../../http/amount.js";
import type { MerchantScope } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { isPayable } from "../../payments/charge.js";
import type { Payment } from "../../payments/model.js";
import { getPayment } from "../../payments/store.js";
import { sandboxError } from "../../sandbox/errors.js";
import type { Address, Hex } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import { cryptoDepositError } from "../deposits/errors.js";
import type { CryptoDeps } from "../deps.js";
import type { CryptoPaymentLifecycle } from "./lifecycle.js";
import { getDetails } from "./store.js";

/**
 * The sandbox's crypto payment helper (POST /v1/test_helpers/payments/{id}/crypto_pay): real money on the sandbox
 * chain to the payment's address, so a merchant can script a payment paid exactly, under, over or late:
 *
 *   exact   what is still due (the whole amount once the payment ended)
 *   under   half of that
 *   over    that plus a tenth (at least one minor unit more)
 *   digits  that many minor units
 *   late    the payment is expired first (underpaid if money came), so the money arrives after its end
 *
 * ETH comes from the sandbox funder; test USDC is minted straight to the address (a real Transfer log, as a payer's
 * transfer makes). The helper then mines the confirmations and follows the chain once, so its answer shows the
 * payment as the money left it; the block follower would get there on its own within a poll interval.
 */
export type CryptoPayAmount = "exact" | "under" | "over" | string;

export interface SandboxFollower {
  follow(chain: RunningChain, options?: { leaseWaitMs?: number }): Promise<unknown>;
}

/** How long the helper waits for the worker's pass over the chain to finish before following it itself. */
export const sandboxCryptoPayFollowWaitMs = 5_000;

export function createCryptoPaymentSandbox(
  deps: CryptoDeps & { follower: SandboxFollower },
  lifecycle: CryptoPaymentLifecycle,
) {
  function amountToSend(requested: CryptoPayAmount, due: bigint): bigint {
    if (requested === "exact") return due;
    if (requested === "over") return due + (due / 10n > 0n ? due / 10n : 1n);
    if (requested === "under") {
      if (due < 2n) throw new ApiError("parameter_invalid", "Nothing smaller than what is due can be sent.", "amount");
      return due / 2n;
    }
    return parseAmount(requested);
  }

  async function pay(
    scope: MerchantScope,
    id: string,
    input: { amount?: CryptoPayAmount; late?: boolean },
  ): Promise<{ payment: Payment; txHash: Hex }> {
    if (scope.livemode) throw sandboxError("test_mode_only");
    const found = await lifecycle.forMerchant(scope, id);
    const chain = lifecycle.chainOf(found.details);
    const control = chain.sandbox;
    if (!control) throw cryptoDepositError("sandbox_chain_required");
    const asset = chain.config.assets.find((a) => a.code === found.details.asset);
    if (!asset) throw new Error(`chain ${chain.config.name} no longer carries ${found.details.asset}`);
    let payment = found.payment;
    if (input.late && isPayable(payment.status)) {
      const now = await lifecycle.paymentTime(payment);
      payment = (await lifecycle.expire(payment, { now, force: true })) ?? (await reload(payment.id));
    }
    const details = (await getDetails(deps.pool, payment.id)) ?? found.details;
    const open = isPayable(payment.status) && details.amountReceived < details.amount;
    const due = open ? details.amount - details.amountReceived : details.amount;
    const value = amountToSend(input.amount ?? "exact", due);
    const to = details.address as Address;
    const txHash = asset.contract === null ? await control.sendNative(to, value) : await control.mintToken(to, value);
    // Hardhat mines the transaction at once; the rest of its confirmations are mined here.
    if (asset.confirmations > 1) await control.mine(asset.confirmations - 1);
    await deps.follower.follow(chain, { leaseWaitMs: sandboxCryptoPayFollowWaitMs });
    payment = await reload(payment.id);
    // Paying the merchant runs right after the confirmation; here it runs before answering.
    if (isPayable(payment.status)) {
      await lifecycle.due(payment);
      payment = await reload(payment.id);
    }
    return { payment, txHash };
  }

  async function reload(id: string): Promise<Payment> {
    const payment = await getPayment(deps.pool, id);
    if (!payment) throw new Error(`payment ${id} vanished`);
    return payment;
  }

  return { pay };
}
