import type { Logger } from "pino";
import { walletBankBatchMax, walletBankPollIntervalMs } from "../../limits.js";
import type { Worker } from "../../worker.js";
import type { BankSettlement } from "./settlement.js";

/**
 * The bank-settlement worker: submits bank instructions the API could not submit at once and asks the banks
 * about submitted ones when they are due (the sandbox bank after its settle delay). Finished instructions credit
 * top-ups, pay out or return withdrawals and verify funding sources. Safe in several processes.
 */
export function walletBankSettlementWorker(deps: { bank: BankSettlement; log: Logger }): Worker {
  return {
    name: "wallet-bank-settlement",
    intervalMs: walletBankPollIntervalMs,
    async run(signal) {
      while (!signal.aborted) {
        const handled = await deps.bank.runDue(walletBankBatchMax);
        if (handled > 0) deps.log.debug({ handled }, "bank instructions handled");
        if (handled < walletBankBatchMax) return;
      }
    },
  };
}
