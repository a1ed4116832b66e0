import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { foldInbox } from "../../src/analytics/fold.js";
import type { App } from "../../src/app.js";
import { manualClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { newId } from "../../src/ids.js";
import { createLogger } from "../../src/logging.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { createTestApp } from "../helpers/app.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { fillKyb, newMerchant, newOperator } from "../helpers/merchant-console.js";
import { insertTestMerchant } from "../helpers/merchant-rows.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.js";

/**
 * The operator console's Platform analytics page in real Chromium: live payments of two merchants in two
 * currencies and a submitted KYB application, read by an admin in English and in Chinese, figures as the API
 * answers them, no console error. Screenshots: docs/screenshots/ops-platform-analytics*.png.
 */
describe("platform analytics page in the browser", { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  let browser: Browser;
  let baseURL: string;
  let context: BrowserContext;
  let page: Page;
  const clock = manualClock(new Date());
  const pageErrors: string[] = [];
  let operator: { email: string; password: string };

  const shot = (p: Page, name: string) =>
    p.screenshot({ path: path.join(screenshotDir, `ops-${name}.png`), fullPage: true });

  function watchErrors(p: Page) {
    p.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
    });
    p.on("pageerror", (error) => pageErrors.push(`page error: ${error.message}`));
  }

  /** A succeeded live payment of `amount`, paid an hour ago, as a row (the analytics worker folds it). */
  async function paid(merchantId: string, payerId: string, currency: string, amount: bigint) {
    const at = new Date(Date.now() - 3_600_000);
    await db.pool.query(
      `INSERT INTO payments (id, merchant_id, livemode, status, method, capture_method, amount, currency, qr_token,
                             payer_id, amount_captured, fee_percent_bps, fee_fixed, fee_amount, expires_at,
                             created_at, updated_at, paid_at)
       VALUES ($1, $2, true, 'succeeded', 'qr', 'automatic', $3, $4, $5, $6, $3, 290, 30, $7, $8, $8, $8, $8)`,
      [newId("pay"), merchantId, String(amount), currency, newId("pay").slice(4), payerId, "330", at],
    );
  }

  before(async () => {
    const webDistDir = await ensureWebBuilt();
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
    });
    app = await createTestApp({ pool: db.pool, services, webDistDir });
    await app.listen({ host: "127.0.0.1", port: 0 });

    // A merchant submits KYB through the API: the funnel shows one submitted, waiting for review.
    const applicant = await newMerchant(app, sink, "Lotus Leaf Tea");
    await fillKyb(applicant.client);
    assert.equal((await applicant.client.post("/v1/console/kyb/submit")).statusCode, 200);

    const payerId = newId("wal");
    await db.pool.query(
      `INSERT INTO wallet_users (id, livemode, email, password_hash, locale, created_at, updated_at)
       VALUES ($1, true, $2, 'not used', 'en', now(), now())`,
      [payerId, `${payerId.toLowerCase()}@example.com`],
    );
    const tea = await insertTestMerchant(db.pool, "Tea");
    const books = await insertTestMerchant(db.pool, "Books");
    await paid(tea, payerId, "USD", 10_000n);
    await paid(tea, payerId, "USD", 2_500n);
    await paid(books, payerId, "CNY", 88_800n);
    while ((await foldInbox(db.pool, 500)) > 0) {
      // until every row is in the rollups
    }

    await newOperator(app, services, "admin").then((admin) => {
      operator = { email: admin.email, password: "admin keeps the queue moving" };
    });
    browser = await launchBrowser();
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    context = await newBrowserContext(browser, { baseURL });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await services?.close();
    await sink?.close();
    await db?.drop();
  });

  it("shows volume per currency, payments, active merchants and the KYB funnel in English", async () => {
    await page.goto("/ops");
    await page.getByLabel("Email").fill(operator.email);
    await page.getByLabel("Password").fill(operator.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "KYB review queue" }).waitFor();
    // Watched from here: signed out, the console's first GET /v1/ops/me answers 401 by design.
    watchErrors(page);

    const answer = page.waitForResponse((r) => r.url().includes("/v1/ops/analytics/summary"));
    await page
      .getByRole("navigation", { name: "Operator console" })
      .getByRole("link", { name: "Platform analytics", exact: true })
      .click();
    const summary = await (await answer).json();
    assert.equal(summary.active_merchants, 2);
    await page.getByRole("heading", { name: "Platform analytics" }).waitFor();
    const usd = page.getByRole("row", { name: /^USD/ });
    await usd.getByRole("gridcell", { name: "$125.00" }).waitFor();
    await page.getByRole("row", { name: /^CNY/ }).getByRole("gridcell", { name: "CN¥888.00" }).waitFor();
    const figure = (label: string) => page.locator("dt", { hasText: label }).locator("xpath=following-sibling::dd[1]");
    assert.equal(await figure("Active merchants").textContent(), "2");
    assert.equal(await figure("Success rate").textContent(), "100.0%");
    assert.equal(await figure("Submitted").textContent(), "1");
    assert.equal(await figure("Waiting for review").textContent(), "1");
    await shot(page, "platform-analytics");

    // Test mode has none of it.
    await page.getByLabel("Mode").selectOption("test");
    await page.getByText("No payment succeeded in this range.").waitFor();
    assert.equal(await figure("Active merchants").textContent(), "0");
    assert.equal(await figure("Success rate").textContent(), "—");
  });

  it("speaks Simplified Chinese", async () => {
    const chineseContext = await newBrowserContext(browser, { baseURL, locale: "zh-CN" });
    await chineseContext.addCookies(await context.cookies());
    const chinese = await chineseContext.newPage();
    watchErrors(chinese);
    await chinese.goto("/ops/analytics?mode=live&days=7");
    await chinese.getByRole("heading", { name: "平台分析" }).waitFor();
    await chinese.getByRole("heading", { name: "按币种的交易额" }).waitFor();
    await chinese.getByRole("row", { name: /^USD/ }).getByRole("gridcell", { name: "US$125.00" }).waitFor();
    await chinese.getByText("等待审核").waitFor();
    await shot(chinese, "platform-analytics-zh");
    await chineseContext.close();
  });

  it("left no error in the browser console", () => {
    assert.deepEqual(pageErrors, []);
  });
});
