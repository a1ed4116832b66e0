import { accountResultCodes, transferResultCodes } from "../src/ledger/errors.js";
import { table } from "./error-docs.js";

/** Renders docs/ledger-result-codes.md from src/ledger/errors.ts. */
export function renderLedgerResultCodesMarkdown(): string {
  const rows = (codes: Record<string, string>) =>
    table(
      ["code", "meaning"],
      Object.entries(codes).map(([code, meaning]) => [`\`${code}\``, meaning]),
    );
  return [
    "# Ledger result codes",
    "",
    "Generated from `src/ledger/errors.ts` by `npm run docs`; do not edit by hand.",
    "",
    "Every transfer submitted to the ledger gets exactly one of these codes. `ok` and `exists` mean the money is in",
    "the books (moved now, or by an earlier submission of the same id); any other code means nothing moved for that",
    "transfer. See [ledger.md](ledger.md) for the model.",
    "",
    "## Transfers",
    "",
    ...rows(transferResultCodes),
    "",
    "## Accounts",
    "",
    "Account creation refuses bad input as a whole (nothing is created) with one of these codes.",
    "",
    ...rows(accountResultCodes),
    "",
  ].join("\n");
}
