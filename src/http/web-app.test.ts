import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";

/** A stand-in build: the serving rules are what is tested here, not Vite's output (the browser tests use that). */
function fakeWebBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-web-"));
  for (const [file, marker] of [
    ["index.html", "console-page"],
    ["ops.html", "ops-page"],
    ["wallet.html", "wallet-page"],
    ["checkout.html", "checkout-page"],
  ]) {
    writeFileSync(path.join(dir, file as string), `<!doctype html><title>${marker}</title>`);
  }
  mkdirSync(path.join(dir, "assets"));
  writeFileSync(path.join(dir, "assets", "console-abc123.js"), "console.log(1)");
  writeFileSync(path.join(dir, "favicon.svg"), "<svg/>");
  return dir;
}

const html = { accept: "text/html,application/xhtml+xml" };

describe("web app serving", () => {
  let db: TestDatabase;
  let app: App;
  let webDir: string;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    webDir = fakeWebBuild();
    app = await createTestApp({ pool: db.pool, webDistDir: webDir });
  });
  after(async () => {
    await app.close();
    await db.drop();
    rmSync(webDir, { recursive: true, force: true });
  });

  it("serves the console at / and at its client-side paths, with a strict CSP and no caching", async () => {
    for (const url of ["/", "/payments", "/payments/pay_123", "/settings/team?x=1"]) {
      const response = await app.inject({ url, headers: html });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /console-page/);
      assert.equal(response.headers["cache-control"], "no-cache");
      assert.match(String(response.headers["content-security-policy"]), /script-src 'self'/);
      assert.match(String(response.headers["content-security-policy"]), /frame-ancestors 'none'/);
    }
  });

  it("serves each area's own page", async () => {
    const cases: [string, RegExp][] = [
      ["/ops", /ops-page/],
      ["/ops/kyb/kyb_1", /ops-page/],
      ["/wallet", /wallet-page/],
      ["/wallet/scan", /wallet-page/],
    ];
    for (const [url, marker] of cases) {
      const response = await app.inject({ url, headers: html });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, marker, url);
    }
  });

  it("caches hashed assets for a year and serves public files", async () => {
    const asset = await app.inject({ url: "/assets/console-abc123.js" });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers["cache-control"]), /immutable/);
    const icon = await app.inject({ url: "/favicon.svg" });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers["cache-control"], "no-cache");
  });

  it("keeps the API's JSON 404 for API paths, missing files, non-browser clients and other methods", async () => {
    const cases = [
      { url: "/v1/nothing-here", headers: html, method: "GET" as const },
      { url: "/assets/missing.js", headers: html, method: "GET" as const },
      { url: "/some/page", headers: { accept: "application/json" }, method: "GET" as const },
      { url: "/some/page", headers: html, method: "POST" as const },
    ];
    for (const { url, headers, method } of cases) {
      const response = await app.inject({ url, headers, method });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.equal(response.json().error.code, "route_not_found", `${method} ${url}`);
    }
  });

  it("does not serve the HTML files under their own names (pages have one address each)", async () => {
    const response = await app.inject({ url: "/index.html", headers: { accept: "application/json" } });
    assert.equal(response.statusCode, 404);
  });
});

describe("web app not built", () => {
  let db: TestDatabase;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool, webDistDir: null });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("says how to build it instead of failing obscurely", async () => {
    const response = await app.inject({ url: "/", headers: html });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build/);
  });
});
