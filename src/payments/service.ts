import type { MerchantScope } from "../http/auth.js";
import { createPaymentAccounts } from "./accounts.js";
import { merchantBalance } from "./balance.js";
import { createPaymentCapture } from "./capture.js";
import { createCharger } from "./charge.js";
import { createCheckout } from "./checkout/service.js";
import { createPaymentCodeStore } from "./code-store.js";
import { createPaymentCreation } from "./create.js";
import {
  type CardPaymentGate,
  type PaymentContext,
  type PaymentCrypto,
  type PaymentDeps,
  type PaymentPromotions,
  type PaymentRetries,
  paymentLinks,
} from "./deps.js";
import { createPaymentExpiry } from "./expiry.js";
import { createFeeScheduleCache } from "./fee-schedules.js";
import { createPaymentNotices } from "./notices.js";
import { createPayerActions } from "./payer.js";
import { createPayoutService } from "./payouts/service.js";
import { createRefundService } from "./refunds/service.js";
import { createPaymentUpdate } from "./update.js";

/** Every payment service, wired from the platform's services (see src/runtime/services.ts). */
export type PaymentServices = ReturnType<typeof createPaymentServices>;

export function createPaymentServices(deps: PaymentDeps) {
  const accounts = createPaymentAccounts({ pool: deps.pool, clock: deps.clock, ledger: deps.ledger });
  const links = paymentLinks(deps.config);
  const notices = createPaymentNotices({ ...deps, links });
  const feeSchedules = createFeeScheduleCache(deps.pool);
  const ctx: PaymentContext = { ...deps, accounts, feeSchedules, links, notices };
  const charger = createCharger(ctx);
  const creation = createPaymentCreation(ctx, charger);
  const capture = createPaymentCapture(ctx);
  const payer = createPayerActions(ctx, charger, creation);
  const expiry = createPaymentExpiry(ctx, capture);
  const codes = createPaymentCodeStore(ctx);
  const refunds = createRefundService(ctx);
  const payouts = createPayoutService(ctx);
  const checkout = createCheckout(ctx);
  const updates = createPaymentUpdate(ctx);

  return {
    links: ctx.links,
    metrics: deps.metrics,
    clock: deps.clock,
    /** The time payments live in (a merchant's test clock in test mode), for services that change payments. */
    testClocks: deps.testClocks,
    currencies: deps.currencies,
    accounts,
    /** The merchant's side: create, read, list, update, capture, cancel. */
    payments: {
      create: creation.create,
      get: creation.get,
      list: creation.list,
      /** Merges metadata (POST /v1/payments/{id}). */
      update: updates.update,
      /** A currency payments are taken in, or 400 currency_not_supported (payment links check theirs here). */
      supportedCurrency: creation.supportedCurrency,
      capture: capture.capture,
      cancel: capture.cancel,
      /** Ends a requires_capture payment now, releasing its hold (the expiry worker; the sandbox's expire helper). */
      expireHold: capture.expireHold,
    },
    /** The payer's side: scan, confirm, decline, their own payments. */
    payer,
    codes,
    refunds,
    payouts,
    checkout,
    /** Receipts and reminders: the merchant's settings, the payer's opt-out, the unsubscribe link. */
    notices,
    balance: (scope: MerchantScope) => merchantBalance(accounts, scope, deps.pool),
    /** Stored-value cards register their closed-loop check of every payer path here (src/stored-value). */
    setCardGate: (gate: CardPaymentGate) => {
      ctx.cards = gate;
    },
    /** Coupons and cashback register their part of creating, charging and refunding here (src/coupons). */
    setPromotions: (promotions: PaymentPromotions) => {
      ctx.promotions = promotions;
    },
    /** Crypto payments register here (src/crypto/payments): method crypto's pricing, address and expiry. */
    setCrypto: (crypto: PaymentCrypto) => {
      ctx.crypto = crypto;
    },
    /** The charge path and the payer's currency check, for paying again (src/payment-attempts). */
    charger,
    holdsCurrency: creation.holdsCurrency,
    /** Paying again registers itself here: confirming an ended payment that allows it is a new attempt. */
    setRetries: (retries: PaymentRetries) => {
      ctx.retries = retries;
    },
    /** The expiry worker's pass (the worker calls it every paymentExpiryIntervalMs; tests call it after moving time). */
    expireDue: expiry.runDue,
  };
}
