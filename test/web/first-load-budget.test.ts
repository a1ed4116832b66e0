import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { webFirstLoadJsGzipBytesMax } from "../../src/limits.js";
import { ensureWebBuilt } from "../helpers/browser.js";

/**
 * Each page of the web app (console, ops console, wallet, checkout) loads at most webFirstLoadJsGzipBytesMax of
 * JavaScript, gzipped, before it can draw: its entry script and every module it preloads. Later chunks (the
 * dashboard's charts, loaded on demand) do not count. A page over budget fails here, so a new library is weighed
 * when it is added, not when a phone on a slow network finds out.
 */
describe("web app first-load budget", () => {
  it("keeps every page's first-load JavaScript within the budget, gzipped", async () => {
    const dist = await ensureWebBuilt();
    const sizes: Record<string, number> = {};
    for (const page of ["index.html", "ops.html", "wallet.html", "checkout.html"]) {
      const html = readFileSync(path.join(dist, page), "utf8");
      const scripts = [
        ...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g),
        ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
      ].map((match) => match[1]!);
      assert.ok(scripts.length > 0, `${page} loads no script`);
      sizes[page] = [...new Set(scripts)]
        .map((src) => gzipSync(readFileSync(path.join(dist, src.replace(/^\//, "")))).length)
        .reduce((sum, bytes) => sum + bytes, 0);
    }
    console.log(
      `first-load JavaScript, gzipped: ${Object.entries(sizes)
        .map(([page, bytes]) => `${page} ${(bytes / 1024).toFixed(1)} KB`)
        .join(", ")}`,
    );
    for (const [page, bytes] of Object.entries(sizes)) {
      assert.ok(bytes <= webFirstLoadJsGzipBytesMax, `${page}: ${bytes} bytes over ${webFirstLoadJsGzipBytesMax}`);
    }
  });
});
