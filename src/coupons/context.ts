import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerService } from "../ledger/service.js";
import type { PaymentServices } from "../payments/service.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { WalletServices } from "../wallets/service.js";
import type { PromotionAccounts } from "./accounts.js";

/** What the promotion services are built from (src/runtime/services.ts passes its own). */
export interface PromotionDeps {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  currencies: CurrencyRegistry;
  testClocks: TestClocks;
  /** Discounts and cashback ride payments: their accounts, links and the payment rows. */
  payments: PaymentServices;
  /** Cashback credits payers' wallets (account or stored-value): their ledger accounts come from here. */
  wallets: WalletServices;
  log: Logger;
}

export interface PromotionContext extends PromotionDeps {
  accounts: PromotionAccounts;
}
