import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import { type CurrencyRegistry, createCurrencyRegistry } from "../ledger/currencies.js";
import { createLedgerService, type LedgerService } from "../ledger/service.js";

/**
 * The domain services of one coffer process, built once from explicit dependencies (no container). The HTTP app
 * and the workers both take what they need from here.
 */
export interface Services {
  currencies: CurrencyRegistry;
  ledger: LedgerService;
  /** Lets queued ledger batches commit, then stops accepting work. */
  close(): Promise<void>;
}

export function createServices(deps: { config: Config; pool: Pool; log: Logger }): Services {
  const currencies = createCurrencyRegistry(deps.config.cryptoAssets);
  const ledgerLog = deps.log.child({ component: "ledger" });
  const ledger = createLedgerService({
    pool: deps.pool,
    currencies,
    onBatch: (stats) => {
      if (stats.attempts > 1) ledgerLog.debug(stats, "ledger batch needed retries");
    },
  });
  return {
    currencies,
    ledger,
    close: () => ledger.close(),
  };
}
