import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { renderChangelogMarkdown } from "../scripts/changelog-docs.js";
import { renderErrorsMarkdown } from "../scripts/error-docs.js";
import { renderEventsMarkdown } from "../scripts/event-docs.js";
import { renderLedgerResultCodesMarkdown } from "../scripts/ledger-docs.js";
import { errorCodes } from "../src/http/errors.js";
import { apiVersions } from "../src/http/versioning.js";
import { repoRoot } from "./helpers/cli.js";

describe("generated docs", () => {
  it("docs/errors.md matches the error catalog (run `npm run docs` after changing it)", async () => {
    const committed = await fs.readFile(path.join(repoRoot, "docs/errors.md"), "utf8");
    assert.equal(committed, renderErrorsMarkdown());
    for (const code of errorCodes) assert.ok(committed.includes(`\`${code}\``), code);
  });

  it("docs/ledger-result-codes.md matches src/ledger/errors.ts (run `npm run docs` after changing it)", async () => {
    const committed = await fs.readFile(path.join(repoRoot, "docs/ledger-result-codes.md"), "utf8");
    assert.equal(committed, renderLedgerResultCodesMarkdown());
  });

  it("docs/changelog.md lists every API version (run `npm run docs` after adding one)", async () => {
    const committed = await fs.readFile(path.join(repoRoot, "docs/changelog.md"), "utf8");
    assert.equal(committed, renderChangelogMarkdown());
    for (const version of apiVersions) assert.ok(committed.includes(`## ${version}`), version);
  });

  it("docs/events.md matches src/events/catalog.ts (run `npm run docs` after changing it)", async () => {
    const committed = await fs.readFile(path.join(repoRoot, "docs/events.md"), "utf8");
    assert.equal(committed, renderEventsMarkdown());
  });
});
