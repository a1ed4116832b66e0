import { type CurrencyRegistry, formatMinorUnits } from "../../ledger/currencies.js";
import type { ReservesReport } from "./model.js";

/** A reserves report for people (`coffer verify --reserves`): per asset the figures, whole units and minor units. */
export function formatReservesReport(report: ReservesReport, currencies: CurrencyRegistry): string {
  const mode = report.livemode ? "live" : "test";
  const lines = [`Reserves, ${mode} mode (report ${report.id}): ${report.ok ? "OK" : "SHORTFALL"}`];
  for (const a of report.assets) {
    const currency = currencies.get(a.asset);
    const amount = (value: bigint) => (currency ? formatMinorUnits(value, currency) : String(value));
    const chains = a.chains.map((c) => c.chain).join(", ") || "no chain";
    lines.push(
      `  ${a.asset} (${chains}): ${a.ok ? "ok" : `SHORT by ${amount(a.shortfall)}`}`,
      `    on chain         ${amount(a.onChain)}`,
      `    custody ledger   ${amount(a.custody.posted)} (pending in ${amount(a.custody.pendingIn)}, out ${amount(a.custody.pendingOut)})`,
      `    custody gap      ${amount(a.custodyGap)} (unexplained ${amount(a.custodyGapUnexplained)})`,
      `    liabilities      ${amount(a.liabilities.total)} (wallets ${amount(a.liabilities.wallets)}, merchants ${amount(a.liabilities.merchants)}, payments held ${amount(a.liabilities.paymentHeld)})`,
      `    merkle root      ${a.merkle.root ?? "none (no wallet holds it)"} (total ${amount(a.merkle.total)}, ${a.merkle.leaves} wallet${a.merkle.leaves === 1 ? "" : "s"})`,
    );
  }
  return lines.join("\n");
}
