import type { CryptoDeps, DepositHandler } from "../deps.js";
import { createCryptoPaymentLifecycle } from "./lifecycle.js";
import { type CryptoRefundSigner, createCryptoPaymentRefunds } from "./refunds.js";
import { createCryptoPaymentSandbox, type SandboxFollower } from "./sandbox.js";

/**
 * Crypto payments (docs/crypto-payments.md): POST /v1/payments with method "crypto", the handler of
 * deposits to their addresses, refunds of held money through the signer queue, and the sandbox's pay helper.
 * Building it registers its parts where they are asked for: method crypto with payments (setCrypto), the "payment"
 * deposit handler with the block follower, the "payment_refund" handler with the signer queue.
 */
export interface CryptoPaymentsDeps extends CryptoDeps {
  deposits: { registerHandler(kind: "payment", handler: DepositHandler): void; follower: SandboxFollower };
  signer: CryptoRefundSigner;
}

export type CryptoPayments = ReturnType<typeof createCryptoPayments>;

export function createCryptoPayments(deps: CryptoPaymentsDeps) {
  const lifecycle = createCryptoPaymentLifecycle(deps);
  const refunds = createCryptoPaymentRefunds(deps, lifecycle);
  const sandbox = createCryptoPaymentSandbox({ ...deps, follower: deps.deposits.follower }, lifecycle);
  deps.payments.setCrypto(lifecycle.paymentHook);
  deps.deposits.registerHandler("payment", lifecycle.depositHandler);
  return {
    /** The expiry pass's look at a due crypto payment (also what the worker runs; tests call it directly). */
    due: lifecycle.due,
    requestRefund: refunds.requestRefund,
    sandboxPay: sandbox.pay,
    depositHandler: lifecycle.depositHandler,
    refundHandler: refunds.refundHandler,
  };
}
