/**
 * The ledger batch writer's totals from each API process's /metrics (coffer_ledger_batches_total and
 * coffer_ledger_batch_seconds_total), so a run can say how many submissions a batch carried and where its time went.
 */
export interface LedgerTotals {
  batches: number;
  submissions: number;
  seconds: { lock: number; hooks: number; write: number; total: number };
}

const zero = (): LedgerTotals => ({ batches: 0, submissions: 0, seconds: { lock: 0, hooks: 0, write: 0, total: 0 } });

export async function scrapeLedgerTotals(origins: readonly string[]): Promise<LedgerTotals> {
  const sum = zero();
  for (const origin of origins) {
    const text = await (await fetch(`${origin}/metrics`)).text();
    for (const line of text.split("\n")) {
      const match = /^coffer_ledger_(batches_total|batch_seconds_total)\{(of|phase)="(\w+)"\} ([0-9.e+-]+)$/.exec(line);
      if (!match) continue;
      const [, metric, , label, value] = match as unknown as [string, string, string, string, string];
      if (metric === "batches_total" && (label === "batches" || label === "submissions")) sum[label] += Number(value);
      if (metric === "batch_seconds_total" && label in sum.seconds) {
        sum.seconds[label as keyof LedgerTotals["seconds"]] += Number(value);
      }
    }
  }
  return sum;
}

/** What happened between two scrapes, per batch: a line for the log. */
export function describeLedgerDelta(before: LedgerTotals, after: LedgerTotals): string {
  const batches = after.batches - before.batches;
  if (batches === 0) return "ledger: no batches";
  const perBatchMs = (phase: keyof LedgerTotals["seconds"]) =>
    (((after.seconds[phase] - before.seconds[phase]) / batches) * 1000).toFixed(1);
  const submissions = ((after.submissions - before.submissions) / batches).toFixed(1);
  return `ledger: ${batches} batches, ${submissions} submissions each; per batch ${perBatchMs("total")} ms = lock ${perBatchMs("lock")} + hooks ${perBatchMs("hooks")} + write ${perBatchMs("write")}`;
}
