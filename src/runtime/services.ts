import type { Logger } from "pino";
import { type AlertService, createAlertService } from "../alerts/service.js";
import { createSuccessRateEvaluator, type SuccessRateEvaluator } from "../alerts/success-rate.js";
import { type Clock, systemClock } from "../clock.js";
import type { Config } from "../config.js";
import { type CouponService, createCouponService } from "../coupons/service.js";
import { type CryptoConfig, loadCryptoConfig } from "../crypto/config.js";
import { type CryptoServices, createCryptoServices } from "../crypto/service.js";
import { observePoolWaits, type Pool } from "../db/pool.js";
import { createDisputeService, type DisputeService } from "../disputes/service.js";
import { createEventService, type EventService } from "../events/service.js";
import { createFeedbackService, type FeedbackService } from "../feedback/service.js";
import { feedbackKeyFrom } from "../feedback/token.js";
import type { Authenticator } from "../http/auth.js";
import { createLedgerBatchTotals, type LedgerBatchTotals } from "../ledger/batch-totals.js";
import { type CurrencyRegistry, createCurrencyRegistry } from "../ledger/currencies.js";
import { createLedgerService, type LedgerService } from "../ledger/service.js";
import { defaultGoLiveItems } from "../merchants/go-live.js";
import { createMerchantServices, type MerchantServices } from "../merchants/service.js";
import { type BusinessMetrics, createBusinessMetrics } from "../monitoring/business-metrics.js";
import { createWorkerHealth, type WorkerHealth } from "../monitoring/worker-health.js";
import { createNotificationService, type NotificationService } from "../notifications/service.js";
import {
  createHttpSmsTransport,
  createSmtpTransport,
  devEmailTransport,
  devSmsTransport,
  type EmailTransport,
  type SmsTransport,
} from "../notifications/transports.js";
import { createOfflineService, type OfflineService } from "../offline/service.js";
import { createOperatorServices, type OperatorServices } from "../operators/service.js";
import { createPaymentAttemptService, type PaymentAttemptService } from "../payment-attempts/service.js";
import { createPaymentLinkService, type PaymentLinkService } from "../payment-links/service.js";
import { loadPaymentConfig, type PaymentConfig } from "../payments/config.js";
import { unsubscribeKeyFrom } from "../payments/notices.js";
import { createPaymentServices, type PaymentServices } from "../payments/service.js";
import { createEndpointProbe, type EndpointProbe } from "../sandbox/endpoint-probe.js";
import { sandboxGoLiveItems } from "../sandbox/go-live-items.js";
import { createPaymentHelpers, type PaymentHelpers } from "../sandbox/payment-helpers.js";
import { createSandboxReset, type SandboxReset } from "../sandbox/reset.js";
import { createTestClocks, type TestClocks } from "../sandbox/test-clock.js";
import { createTestPayers, type TestPayers } from "../sandbox/test-payers.js";
import { createSecurityAudit, type SecurityAudit } from "../security/audit-report/service.js";
import { createSecretBox, type SecretBox } from "../security/encryption.js";
import { cardNumberKeyFrom } from "../stored-value/model.js";
import { createStoredValueService, type StoredValueService } from "../stored-value/service.js";
import { createStoreService, type StoreService } from "../stores/service.js";
import { createSupportService, type SupportService } from "../support/service.js";
import { loadWalletConfig, type WalletConfig } from "../wallets/config.js";
import { createWalletServices, type WalletServices } from "../wallets/service.js";
import { createWebhookDelivery, type WebhookDeliveryWorker } from "../webhooks/delivery.js";
import { createWebhookEndpointService, type WebhookEndpointService } from "../webhooks/endpoints.js";

/**
 * The domain services of one coffer process, built once from explicit dependencies (no container). The HTTP app
 * and the workers both take what they need from here. A new domain adds its service below, one line, built from
 * the ones above it.
 */
export interface Services {
  config: Config;
  pool: Pool;
  log: Logger;
  clock: Clock;
  currencies: CurrencyRegistry;
  secrets: SecretBox;
  ledger: LedgerService;
  /** Running totals of the ledger's batches, for /metrics. */
  ledgerBatches: LedgerBatchTotals;
  /** What coffer does, counted in process for /metrics (src/monitoring/business-metrics.ts). */
  metrics: BusinessMetrics;
  /** How this process's background loops fare: /metrics and their heartbeat rows. */
  workerHealth: WorkerHealth;
  notifications: NotificationService;
  /** The merchant platform: console accounts, sessions, KYB, API keys, team, go-live. */
  merchants: MerchantServices;
  /** The platform's staff: operator accounts and the KYB review queue. */
  operators: OperatorServices;
  /** `coffer audit`: the security audit's reports, made by the CLI or the daily worker. */
  securityAudit: SecurityAudit;
  /** Merchants' email alerts (docs/alerts.md): their settings, and the success-rate worker's pass. */
  alerts: AlertService & { successRate: SuccessRateEvaluator };
  events: EventService;
  webhookEndpoints: WebhookEndpointService;
  webhookDelivery: WebhookDeliveryWorker;
  /** Account wallets: wallet users, identity tiers, funding sources, top-ups, withdrawals, transfers. */
  wallets: WalletServices;
  /** Payments: payment requests, QR and payment codes, checkout, capture, refunds, payouts, the merchant balance. */
  payments: PaymentServices;
  /** Offline-verifiable payment codes: coffer's offline keys, device certificates and their holds (src/offline). */
  offline: OfflineService;
  /** Payment links: reusable /pay/{slug} links whose every use is a checkout payment (docs/payment-links.md). */
  paymentLinks: PaymentLinkService;
  /** Stores and tills: counters with a static QR code, and their takings (docs/stores-and-tills.md). */
  stores: StoreService;
  /** Stored-value cards and vouchers: issuing, loading, card sessions, claiming (docs/stored-value.md). */
  storedValue: StoredValueService;
  /** Coupons, promotion codes, discounts, cashback and the platform's marketing account (docs/coupons.md). */
  coupons: CouponService;
  /** Paying again after a failure: a payment's attempts (docs/adr/0028). */
  paymentAttempts: PaymentAttemptService;
  /** Payers' feedback after a payment (docs/feedback.md). */
  feedback: FeedbackService;
  /** Disputes: payers dispute payments, merchants answer with evidence, operators decide (docs/disputes.md). */
  disputes: DisputeService;
  /** Support tickets: payers to merchants, payers and merchants to the platform (docs/support.md). */
  support: SupportService;
  /** Blockchain wallets and crypto payments: custody, chains, deposits, withdrawals, reserves (docs/crypto.md). */
  crypto: CryptoServices;
  /** The sandbox's per-merchant test clocks: the time test-mode objects live in. */
  testClocks: TestClocks;
  /** The go-live probe of a merchant's webhook handler (POST /v1/console/go_live/probe). */
  goLiveProbe: EndpointProbe;
  /** The sandbox's test payers, payment helpers and reset (POST /v1/test_helpers/…, docs/sandbox.md). */
  sandbox: { testPayers: TestPayers; helpers: PaymentHelpers; reset: SandboxReset };
  /** How callers prove who they are, tried in order on every request (see src/http/auth.ts). */
  authenticators: Authenticator[];
  /** Lets queued ledger batches commit, then stops accepting work. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  masterKey: Buffer;
  clock?: Clock;
  /** Tests inject transports (a real SMTP sink); otherwise they follow the configuration. */
  email?: EmailTransport;
  sms?: SmsTransport;
  /** Tests pass their own wallet configuration; otherwise it comes from the environment (COFFER_WALLET_TIERS …). */
  walletConfig?: WalletConfig;
  /** Tests pass their own payments configuration; otherwise it comes from the environment. */
  paymentConfig?: PaymentConfig;
  /** Tests pass their own crypto configuration; otherwise it comes from the environment (COFFER_CHAINS …). */
  cryptoConfig?: CryptoConfig;
  /** Tests resolve webhook host names themselves (a DNS server they control); otherwise the system resolver. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, pool, log } = deps;
  const clock = deps.clock ?? systemClock;
  const currencies = createCurrencyRegistry(config.cryptoAssets);
  const testClocks = createTestClocks({ pool, clock });
  const secrets = createSecretBox({ db: pool, masterKey: deps.masterKey });
  const ledgerLog = log.child({ component: "ledger" });
  const ledgerBatches = createLedgerBatchTotals();
  const metrics = createBusinessMetrics();
  const stopObservingPoolWaits = observePoolWaits(pool, metrics.poolWait);
  const workerHealth = createWorkerHealth({ pool, metrics, log: log.child({ component: "workers" }) });
  const ledger = createLedgerService({
    pool,
    currencies,
    now: () => clock.now(),
    onBatch: (stats) => {
      ledgerBatches.add(stats);
      metrics.ledgerBatch(stats);
      if (stats.attempts > 1) ledgerLog.debug(stats, "ledger batch needed retries");
    },
  });
  const email =
    deps.email ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl, config.mailFrom) : devEmailTransport);
  const sms =
    deps.sms ?? (config.smsHttpUrl ? createHttpSmsTransport(config.smsHttpUrl, config.smsHttpToken) : devSmsTransport);
  const notifications = createNotificationService({
    pool,
    clock,
    email,
    sms,
    secrets,
    devMailbox: config.devMailbox,
    log: log.child({ component: "messages" }),
  });
  const alertService = createAlertService({ pool, clock, notifications });
  const alerts = {
    ...alertService,
    successRate: createSuccessRateEvaluator({ pool, clock, notifications, alerts: alertService }),
  };
  const events = createEventService({ pool, clock });
  const webhookEndpoints = createWebhookEndpointService({
    pool,
    clock,
    secrets,
    localTargets: config.webhookLocalTargets,
    resolve: deps.resolve,
  });
  const webhookDelivery = createWebhookDelivery({
    pool,
    clock,
    secrets,
    notifications,
    merchantContacts: (db, merchantId, livemode) =>
      alerts.recipientsFor(db, merchantId, livemode, "webhook_endpoint_disabled"),
    localTargets: config.webhookLocalTargets,
    resolve: deps.resolve,
    log: log.child({ component: "webhooks" }),
    testClocks,
    metrics,
  });
  const merchants = createMerchantServices({
    pool,
    clock,
    config,
    secrets,
    notifications,
    log,
    goLiveItems: [...defaultGoLiveItems, ...sandboxGoLiveItems],
  });
  const goLiveProbe = createEndpointProbe({
    pool,
    clock,
    secrets,
    localTargets: config.webhookLocalTargets,
    resolve: deps.resolve,
  });
  const wallets = createWalletServices({
    pool,
    ledger,
    currencies,
    secrets,
    notifications,
    clock,
    log: log.child({ component: "wallets" }),
    config: deps.walletConfig ?? loadWalletConfig(process.env, config, currencies),
    devSmsOutbox: sms.name === "dev" && config.devMailbox,
  });
  const testPayers = createTestPayers({ pool, clock, ledger, wallets, testClocks });
  const operators = createOperatorServices({
    pool,
    clock,
    secrets,
    notifications,
    bankFiles: wallets.bankFiles,
    storedValueLimits: wallets.config.cardLimits,
  });
  const offline = createOfflineService({
    pool,
    clock,
    ledger,
    secrets,
    wallets,
    log: log.child({ component: "offline" }),
  });
  const payments = createPaymentServices({
    pool,
    clock,
    config,
    currencies,
    ledger,
    secrets,
    wallets,
    log: log.child({ component: "payments" }),
    paymentConfig: deps.paymentConfig ?? loadPaymentConfig(process.env, currencies),
    notifications,
    unsubscribeKey: unsubscribeKeyFrom(deps.masterKey),
    feedbackKey: feedbackKeyFrom(deps.masterKey),
    testClocks,
    sandbox: testPayers.paymentHook,
    metrics,
    onPayoutFailed: alerts.payoutFailed,
    offline: offline.payments,
  });
  const paymentLinks = createPaymentLinkService({ pool, clock, currencies, testClocks, payments, notifications });
  const stores = createStoreService({ pool, testClocks, payments });
  const storedValue = createStoredValueService({
    pool,
    clock,
    ledger,
    wallets,
    payments,
    testClocks,
    numberKey: cardNumberKeyFrom(deps.masterKey),
    log: log.child({ component: "stored-value" }),
  });
  payments.setCardGate(storedValue);
  const disputes = createDisputeService({
    pool,
    clock,
    ledger,
    secrets,
    currencies,
    notifications,
    testClocks,
    payments,
    wallets,
    log: log.child({ component: "disputes" }),
  });
  const support = createSupportService({ pool, clock, secrets, notifications, testClocks, links: payments.links });
  const coupons = createCouponService({
    pool,
    clock,
    ledger,
    currencies,
    testClocks,
    payments,
    wallets,
    log: log.child({ component: "coupons" }),
  });
  payments.setPromotions(coupons.promotions);
  const paymentAttempts = createPaymentAttemptService({
    pool,
    testClocks,
    payments,
    wallets,
    sandbox: testPayers.paymentHook,
  });
  payments.setRetries(paymentAttempts);
  const feedback = createFeedbackService({ pool, testClocks, currencies, key: feedbackKeyFrom(deps.masterKey) });
  const sandbox = {
    testPayers,
    helpers: createPaymentHelpers({
      pool,
      clock,
      log: log.child({ component: "sandbox" }),
      payments,
      testPayers,
      testClocks,
    }),
    reset: createSandboxReset({ pool, clock, ledger, wallets, testClocks }),
  };
  const crypto = createCryptoServices({
    pool,
    clock,
    log: log.child({ component: "crypto" }),
    ledger,
    currencies,
    secrets,
    config: deps.cryptoConfig ?? loadCryptoConfig(process.env, config.environment, currencies),
    wallets,
    payments,
  });
  const securityAudit = createSecurityAudit({ pool, clock, config });
  const authenticators: Authenticator[] = [];
  authenticators.push(wallets.authenticator);
  authenticators.push(...merchants.authenticators, ...operators.authenticators);

  return {
    config,
    pool,
    log,
    clock,
    currencies,
    secrets,
    ledger,
    ledgerBatches,
    metrics,
    workerHealth,
    notifications,
    merchants,
    operators,
    securityAudit,
    alerts,
    events,
    webhookEndpoints,
    webhookDelivery,
    wallets,
    payments,
    offline,
    paymentLinks,
    disputes,
    support,
    crypto,
    stores,
    storedValue,
    coupons,
    paymentAttempts,
    feedback,
    testClocks,
    goLiveProbe,
    sandbox,
    authenticators,
    async close() {
      stopObservingPoolWaits();
      await ledger.close();
      email.close?.();
    },
  };
}
