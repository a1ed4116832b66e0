import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { App } from "../../src/app.js";
import { createTestApp } from "../helpers/app.js";
import { launchBrowser, newBrowserContext } from "../helpers/browser.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { createTestServices } from "../helpers/services.js";

/**
 * The API reference (/docs) in real Chromium under its Content-Security-Policy: it renders the OpenAPI document,
 * and the browser reports no violation (nothing the page needs is blocked) and no request to another origin.
 */
describe("API reference page (browser)", () => {
  let db: TestDatabase;
  let services: ReturnType<typeof createTestServices>;
  let app: App;
  let browser: Browser;
  let baseUrl: string;

  before(async () => {
    db = await createTestDatabase();
    services = createTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services, webDistDir: null });
    baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app.close();
    await services.close();
    await db.drop();
  });

  it("renders the reference with nothing blocked and nothing loaded from elsewhere", async () => {
    const context = await newBrowserContext(browser, { baseURL: baseUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
    const elsewhere: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith("http") && url.origin !== baseUrl) elsewhere.push(request.url());
    });

    const response = await page.goto("/docs/");
    assert.equal(response?.status(), 200);
    assert.ok(response?.headers()["content-security-policy"], "the page has a policy");
    // Scalar renders the document's title and its operations once it has fetched and parsed the document.
    await page.getByText("coffer API", { exact: false }).first().waitFor();
    await page.getByText("/v1/payments", { exact: false }).first().waitFor();
    await page.waitForLoadState("networkidle");
    assert.deepEqual(violations, []);
    assert.deepEqual(elsewhere, []);
    await context.close();
  });
});
