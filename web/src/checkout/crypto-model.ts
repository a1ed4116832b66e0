import type { CryptoPaymentDetails } from "../shared/crypto-payment-details";
import type { CheckoutSummary } from "./summary";

export type { CryptoPaymentDetails };

export type CryptoCheckoutSummary = CheckoutSummary & { crypto?: CryptoPaymentDetails | null };
