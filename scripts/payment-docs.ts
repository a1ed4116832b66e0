import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failureCodes } from "../src/payments/failure-codes.js";
import { table } from "./error-docs.js";

/**
 * The failure-code table of docs/payments.md, generated from src/payments/failure-codes.ts between two markers;
 * the rest of the page is written by hand. `npm run docs` rewrites it; src/payments/docs.test.ts fails when stale.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const paymentsDocFile = "docs/payments.md";
const start = "<!-- failure-codes:start (generated from src/payments/failure-codes.ts by `npm run docs`) -->";
const end = "<!-- failure-codes:end -->";

export function renderFailureCodeTable(): string {
  const rows = Object.entries(failureCodes).map(([code, entry]) => [
    `\`${code}\``,
    entry.applies.join(", "),
    entry.description,
  ]);
  return table(["failure_code", "on", "meaning"], rows).join("\n");
}

/** docs/payments.md as it should be: the hand-written page with the generated table between the markers. */
export function renderPaymentsDoc(current = fs.readFileSync(path.join(root, paymentsDocFile), "utf8")): string {
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${paymentsDocFile} lacks the failure-code markers`);
  return `${current.slice(0, from + start.length)}\n\n${renderFailureCodeTable()}\n\n${current.slice(to)}`;
}
