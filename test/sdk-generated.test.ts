import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { renderSdkFiles } from "../scripts/gen-sdk.js";
import { repoRoot } from "./helpers/cli.js";

describe("generated SDK and API document", () => {
  it("docs/openapi.json and sdk/src/generated.ts match the routes (run `npm run sdk:generate` after changing them)", async () => {
    for (const [file, expected] of Object.entries(await renderSdkFiles())) {
      const committed = await fs.readFile(path.join(repoRoot, file), "utf8").catch(() => "");
      assert.ok(committed === expected, `${file} is stale: run \`npm run sdk:generate\` and commit the result`);
    }
  });
});
