/**
 * A separate OS process writing to the ledger, for the multi-process race test. Reads a JSON job from argv,
 * submits its transfers with as many in flight as asked, prints a JSON summary of result codes.
 */
import { createPool } from "../../src/db/pool.js";
import { createCurrencyRegistry } from "../../src/ledger/currencies.js";
import { createLedgerService } from "../../src/ledger/service.js";

interface Job {
  url: string;
  transfers: { id: string; debit: string; credit: string; amount: string }[];
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const pool = createPool({ connectionString: job.url, max: 4, applicationName: "coffer-test-writer" });
const ledger = createLedgerService({ pool, currencies: createCurrencyRegistry() });
const codes: Record<string, number> = {};
const ok: string[] = [];
await Promise.all(
  job.transfers.map(async (t) => {
    const [result] = await ledger.createTransfers([
      {
        id: t.id,
        debitAccountId: BigInt(t.debit),
        creditAccountId: BigInt(t.credit),
        amount: BigInt(t.amount),
        code: "p2p",
      },
    ]);
    codes[result!.code] = (codes[result!.code] ?? 0) + 1;
    if (result!.code === "ok") ok.push(t.id);
  }),
);
await ledger.close();
await pool.end();
process.stdout.write(JSON.stringify({ codes, ok }));
