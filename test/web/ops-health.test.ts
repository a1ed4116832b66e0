import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logging.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { type RunningWorkers, startWorkers } from "../../src/runtime/worker-loop.js";
import { backgroundWorkers } from "../../src/runtime/workers.js";
import { createTestApp } from "../helpers/app.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { newOperator } from "../helpers/merchant-console.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.js";
import { walletTestConfig } from "../helpers/wallets.js";

/**
 * The operator console's System health page in real Chromium against a coffer whose background loops really run and
 * write their heartbeats. One loop is left to a process that died ten minutes ago, so the page must call it stalled.
 * An admin reads it in English and Chinese while it refreshes itself (and stops while the tab is hidden); a support
 * operator reads it too, without the link to the security audit their role cannot open. No console error anywhere.
 * Screenshots: docs/screenshots/ops-system-health*.png.
 */
const deadLoop = "merchant-housekeeping";
const deadInstance = "worker-7.internal:4242";

describe("operator console: system health in the browser", { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  let workers: RunningWorkers;
  let browser: Browser;
  let baseURL: string;
  let admin: Awaited<ReturnType<typeof newOperator>>;
  let support: Awaited<ReturnType<typeof newOperator>>;
  const consoleErrors: string[] = [];

  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(`page error: ${error.message}`));
  };
  const signIn = async (email: string, password: string) => {
    const page = await (await newBrowserContext(browser, { baseURL })).newPage();
    await page.goto("/ops");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "KYB review queue" }).waitFor();
    watch(page); // from here: before sign-in, GET /v1/ops/me answers 401 by design
    return page;
  };
  const openHealth = async (page: Page) => {
    await page
      .getByRole("navigation", { name: "Operator console" })
      .getByRole("link", { name: "System health", exact: true })
      .click();
    await page.getByRole("heading", { name: "System health", level: 1 }).waitFor();
  };
  const checksCard = (page: Page) =>
    page.locator("section.card", { has: page.getByRole("heading", { name: "Checks", level: 2 }) });
  /** Counts the page's requests for the health figures from now on. */
  const countHealthRequests = (page: Page) => {
    const seen = { count: 0 };
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/v1/ops/system/health") seen.count += 1;
    });
    return seen;
  };
  // A string, so the test compiler's helpers (it names functions) never reach the page.
  const setVisibility = (page: Page, state: "hidden" | "visible") =>
    page.evaluate(`
      Object.defineProperty(document, "visibilityState", { configurable: true, get() { return "${state}"; } });
      document.dispatchEvent(new Event("visibilitychange"));
    `);

  before(async () => {
    const webDistDir = await ensureWebBuilt();
    db = await createTestDatabase({ poolSize: 20 });
    sink = await startSmtpSink();
    const log = createLogger({ level: "silent" });
    services = createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log,
      masterKey: randomBytes(32),
      walletConfig: walletTestConfig(),
    });
    app = await createTestApp({ pool: db.pool, services, webDistDir });
    await app.listen({ host: "127.0.0.1", port: 0 });
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // Every background loop but one runs here, as `coffer start` runs them, and writes its heartbeat.
    workers = startWorkers(
      backgroundWorkers({ pool: db.pool, log, services }).filter((worker) => worker.name !== deadLoop),
      log,
      services.workerHealth,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await services.workerHealth.flush();
    // The last process that ran the other one died ten minutes ago, after its last pass failed.
    await db.pool.query(
      `INSERT INTO worker_heartbeats (worker, instance, started_at, last_pass_at, last_success_at, passes, failures,
                                      last_failure_at, last_error, updated_at)
       VALUES ($1, $2, now() - interval '2 hours', now() - interval '10 minutes', now() - interval '11 minutes',
               640, 3, now() - interval '10 minutes', 'connection terminated unexpectedly', now() - interval '10 minutes')`,
      [deadLoop, deadInstance],
    );
    await services.operators.verifyRuns.run({ source: "cli" });
    await services.securityAudit.run("cli");

    admin = await newOperator(app, services, "admin");
    support = await newOperator(app, services, "support");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await workers?.stop();
    await app?.close();
    await services?.close();
    await sink?.close();
    await db?.drop();
  });

  it("shows an admin every loop's heartbeat, the stalled one first and marked, the queues, pool, batches and checks", async () => {
    const page = await signIn(admin.email, "admin keeps the queue moving");
    await openHealth(page);
    await page.getByRole("alert").getByText(`1 loop(s) stalled: ${deadLoop}.`).waitFor();

    const rows = page.getByRole("table").getByRole("row");
    const firstLoop = rows.nth(1);
    await firstLoop.getByText(deadLoop).waitFor();
    await firstLoop.getByText("Stalled", { exact: true }).waitFor();
    await firstLoop.getByText("connection terminated unexpectedly").waitFor();
    await firstLoop.getByText(`process ${deadInstance}`).waitFor();
    assert.match((await firstLoop.getAttribute("class")) ?? "", /ops-health-stalled/);
    const stalledRows = await page.locator("tr.ops-health-stalled").count();
    assert.equal(stalledRows, 1, "only the dead loop is stalled");

    for (const loop of ["webhook-dispatch", "webhook-delivery", "payment-expiry", "success-rate-alerts"]) {
      const row = page.getByRole("row", { name: new RegExp(`^${loop}\\b`) });
      await row.getByText("Passing", { exact: true }).waitFor();
    }
    // A row for every loop and process the API reports (a loop's first heartbeat shows at the next refresh).
    const live = await admin.get("/v1/ops/system/health");
    assert.equal(live.statusCode, 200, live.body);
    for (const { worker, instance } of live.json().workers as { worker: string; instance: string }[]) {
      await page.getByRole("row", { name: new RegExp(`^${worker} process ${instance}`) }).waitFor();
    }

    await page.getByText("Outbox lag (oldest event not yet fanned out)").waitFor();
    await page.getByText("Webhook deliveries due").waitFor();
    await page.getByText("Pool size (DATABASE_POOL_SIZE)").waitFor();
    await page.getByText("Batches committed").waitFor();
    const checks = checksCard(page);
    await checks.getByText("Passed", { exact: true }).waitFor();
    await checks.getByRole("link", { name: "Open the books check" }).waitFor();
    await checks.getByRole("link", { name: "Open the security audit" }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "ops-system-health.png"), fullPage: true });

    await checks.getByRole("link", { name: "Open the books check" }).click();
    await page.getByRole("heading", { name: "Books check (coffer verify)" }).waitFor();
    await page.context().close();
  });

  it("refreshes every few seconds while visible and asks nothing while the tab is hidden", async () => {
    const page = await signIn(admin.email, "admin keeps the queue moving");
    const requests = countHealthRequests(page);
    await openHealth(page);
    await page.getByText("refreshes every 5 seconds while this page is open").waitFor();
    await page.waitForTimeout(5_600);
    assert.ok(requests.count >= 2, `loaded and refreshed: ${requests.count} requests`);

    await setVisibility(page, "hidden");
    await page.waitForTimeout(300); // a refresh already sent may still land
    const whileHidden = requests.count;
    await page.waitForTimeout(5_600);
    assert.equal(requests.count, whileHidden, "no request while hidden");

    await setVisibility(page, "visible");
    await page.waitForTimeout(500);
    assert.ok(requests.count > whileHidden, "asks at once when shown again");
    await page.context().close();
  });

  it("reads in Chinese", async () => {
    const page = await signIn(admin.email, "admin keeps the queue moving");
    await openHealth(page);
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "系统健康", level: 1 }).waitFor();
    await page.getByRole("alert").getByText(`1 个任务停滞：${deadLoop}。`).waitFor();
    await page.locator("tr.ops-health-stalled").getByText("停滞", { exact: true }).waitFor();
    await page
      .getByRole("row", { name: /^webhook-dispatch\b/ })
      .getByText("正常", { exact: true })
      .waitFor();
    await page.getByRole("link", { name: "打开账目核对" }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "ops-system-health-zh.png"), fullPage: true });
    await page.getByLabel("语言").selectOption("en");
    await page.context().close();
  });

  it("shows a support operator the same health, without a link to the security audit their role cannot open", async () => {
    const page = await signIn(support.email, "support keeps the queue moving");
    await openHealth(page);
    await page.getByRole("alert").getByText(`1 loop(s) stalled: ${deadLoop}.`).waitFor();
    const checks = checksCard(page);
    await checks.getByRole("link", { name: "Open the books check" }).waitFor();
    assert.equal(await checks.getByRole("link", { name: "Open the security audit" }).count(), 0);
    const nav = page.getByRole("navigation", { name: "Operator console" });
    assert.equal(await nav.getByRole("link", { name: "Security audit" }).count(), 0);
    await page.context().close();
  });

  it("logs no console error on any of these pages", () => {
    assert.deepEqual(consoleErrors, []);
  });
});
