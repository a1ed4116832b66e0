import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerService } from "../ledger/service.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletConfig } from "./config.js";

/** What every wallet service is built from (services.ts passes its own). */
export interface WalletDeps {
  pool: Pool;
  ledger: LedgerService;
  currencies: CurrencyRegistry;
  secrets: SecretBox;
  notifications: NotificationService;
  clock: Clock;
  log: Logger;
  config: WalletConfig;
  /** Whether the dev SMS outbox exists: no SMS_HTTP_URL (the dev transport keeps SMS) and COFFER_DEV_MAILBOX on. */
  devSmsOutbox: boolean;
}
