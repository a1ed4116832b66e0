import type { Logger } from "pino";
import { type Clock, systemClock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { Authenticator } from "../http/auth.js";
import { type CurrencyRegistry, createCurrencyRegistry } from "../ledger/currencies.js";
import { createLedgerService, type LedgerService } from "../ledger/service.js";
import { createNotificationService, type NotificationService } from "../notifications/service.js";
import {
  createHttpSmsTransport,
  createSmtpTransport,
  devEmailTransport,
  devSmsTransport,
  type EmailTransport,
  type SmsTransport,
} from "../notifications/transports.js";
import { createSecretBox, type SecretBox } from "../security/encryption.js";

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
  notifications: NotificationService;
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
}

export function createServices(deps: ServiceDeps): Services {
  const { config, pool, log } = deps;
  const clock = deps.clock ?? systemClock;
  const currencies = createCurrencyRegistry(config.cryptoAssets);
  const secrets = createSecretBox({ db: pool, masterKey: deps.masterKey });
  const ledgerLog = log.child({ component: "ledger" });
  const ledger = createLedgerService({
    pool,
    currencies,
    now: () => clock.now(),
    onBatch: (stats) => {
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
    log: log.child({ component: "messages" }),
  });
  const authenticators: Authenticator[] = [];

  return {
    config,
    pool,
    log,
    clock,
    currencies,
    secrets,
    ledger,
    notifications,
    authenticators,
    async close() {
      await ledger.close();
      email.close?.();
    },
  };
}
