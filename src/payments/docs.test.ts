import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { paymentsDocFile, renderPaymentsDoc } from "../../scripts/payment-docs.js";
import { repoRoot } from "../../test/helpers/cli.js";
import { failureCodes } from "./failure-codes.js";

describe("docs/payments.md", () => {
  it("has the failure-code table of src/payments/failure-codes.ts (run `npm run docs` after changing it)", async () => {
    const committed = await fs.readFile(path.join(repoRoot, paymentsDocFile), "utf8");
    assert.equal(committed, renderPaymentsDoc(committed));
    for (const code of Object.keys(failureCodes)) assert.ok(committed.includes(`| \`${code}\``), code);
  });
});
