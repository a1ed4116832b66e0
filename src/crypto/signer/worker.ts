import type { Logger } from "pino";
import type { Worker } from "../../worker.js";
import { type Signer, signerPassIntervalMs } from "./service.js";

/**
 * The signer queue's loop: signs, sends, replaces and settles outgoing transactions of every connected chain. Safe
 * in several processes: each sending address is worked on under its own lease.
 */
export function cryptoSignerWorker(deps: { signer: Signer; log: Logger }): Worker {
  return {
    name: "crypto-signer",
    intervalMs: signerPassIntervalMs,
    async run(signal) {
      const summary = await deps.signer.runPass({ signal });
      const { signed, sent, resent, replaced, confirmed, failed } = summary;
      if (signed + sent + resent + replaced + confirmed + failed > 0) deps.log.debug(summary, "signer pass");
    },
  };
}
