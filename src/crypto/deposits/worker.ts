import type { Logger } from "pino";
import type { Worker } from "../../worker.js";
import { sandboxChainPollIntervalMs } from "../config.js";
import type { CryptoDeposits } from "./service.js";

/**
 * Follows every registered chain: new blocks, reorganisations, confirmations. It wakes at the shortest poll
 * interval any chain may have; each chain is followed only once its own interval has passed (followAll), and only
 * by the process that holds its lease.
 */
export function cryptoDepositWorker(deps: { deposits: CryptoDeposits; log: Logger }): Worker {
  return {
    name: "crypto-deposits",
    intervalMs: sandboxChainPollIntervalMs,
    async run(signal) {
      const passes = await deps.deposits.followAll(signal);
      for (const [chain, pass] of passes) {
        if (pass.reorgs > 0) deps.log.warn({ chain, ...pass }, "crypto chain reorganised");
      }
    },
  };
}
