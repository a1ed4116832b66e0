import { lazy, Suspense } from "react";
import type { PaymentWithCrypto } from "./crypto-payment";

/** A crypto payment's on-chain details come in their own chunk with their texts, loaded with such a payment. */
const LazyCryptoPayment = lazy(() => import("./crypto-payment"));

export function CryptoPaymentSection(props: { payment: PaymentWithCrypto; onChanged(): void }) {
  if (!props.payment.crypto) return null;
  return (
    <Suspense fallback={null}>
      <LazyCryptoPayment {...props} />
    </Suspense>
  );
}

/** A crypto payment paid on chain has no coffer wallet to refund to: POST /v1/refunds refuses it. */
export function refundsOnChainOnly(payment: PaymentWithCrypto): boolean {
  return payment.crypto?.paid_with === "chain";
}
