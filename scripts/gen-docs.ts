/** `npm run docs`: regenerates the documents derived from code. test/docs.test.ts fails when they are stale. */
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderChangelogMarkdown } from "./changelog-docs.js";
import { renderErrorsMarkdown } from "./error-docs.js";
import { renderEventsMarkdown } from "./event-docs.js";
import { renderLedgerResultCodesMarkdown } from "./ledger-docs.js";
import { renderPaymentsDoc } from "./payment-docs.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const generatedDocs: { file: string; render: () => string }[] = [
  { file: "docs/changelog.md", render: renderChangelogMarkdown },
  { file: "docs/errors.md", render: renderErrorsMarkdown },
  { file: "docs/events.md", render: renderEventsMarkdown },
  { file: "docs/ledger-result-codes.md", render: renderLedgerResultCodesMarkdown },
  { file: "docs/payments.md", render: () => renderPaymentsDoc() },
];

for (const doc of generatedDocs) {
  await fs.writeFile(path.join(root, doc.file), doc.render());
  console.log(`wrote ${doc.file}`);
}
