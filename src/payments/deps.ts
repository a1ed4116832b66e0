import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerService } from "../ledger/service.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletServices } from "../wallets/service.js";
import type { PaymentAccounts } from "./accounts.js";
import type { PaymentConfig } from "./config.js";
import type { PaymentLinks } from "./model.js";
import type { PaymentNotices } from "./notices.js";

/** What every payment service is built from (src/runtime/services.ts passes its own). */
export interface PaymentDeps {
  pool: Pool;
  clock: Clock;
  config: Config;
  currencies: CurrencyRegistry;
  ledger: LedgerService;
  secrets: SecretBox;
  /** Payers are wallet users: their accounts, limits, step-up and the bank connectors come from here. */
  wallets: WalletServices;
  log: Logger;
  paymentConfig: PaymentConfig;
  /** Receipts and reminders to payers are queued here, in the transaction of the payment's change. */
  notifications: NotificationService;
  /** Signs the unsubscribe links of payment reminders (derived from the master key: unsubscribeKeyFrom). */
  unsubscribeKey: Buffer;
}

/** The deps plus what the payment services share once built. */
export interface PaymentContext extends PaymentDeps {
  accounts: PaymentAccounts;
  links: PaymentLinks;
  notices: PaymentNotices;
}

/**
 * Where payment links (QR payloads, checkout pages) point: COFFER_PUBLIC_URL, else this machine on coffer's port.
 * Taken from the configuration only, never from a request, so an API object and its webhook say the same.
 */
export function paymentLinks(config: Config): PaymentLinks {
  return { base: (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/$/, "") };
}
