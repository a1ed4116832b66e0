import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { manualClock } from "../../src/clock.js";
import { launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { defaultPassword, logIn } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer } from "../helpers/payments.js";
import { startWebCoffer, type WebCoffer } from "../helpers/web-coffer.js";
import { foldAnalytics, insertYearOfRollups } from "./dashboard-data.js";

/**
 * The console's dashboard and method comparison in real Chromium with real data: a test-mode history of payments of
 * every outcome over six days (made through the API and the sandbox's scenarios, folded by the analytics worker's
 * pass), then the figures on screen are checked against the API's answers, the drill-down against the payments list,
 * the CSV against the timeseries, in English and Chinese, without a console error. The load of the dashboard is
 * timed (logged, not asserted) over a year of rollups.
 */
const dayMs = 86_400_000;

describe("merchant dashboard and method comparison in the browser", { timeout: 300_000 }, () => {
  let webCoffer: WebCoffer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const historyStart = Date.now() - 6 * dayMs;
  const clock = manualClock(new Date(historyStart));
  const email = `dash-${randomBytes(4).toString("hex")}@example.com`;
  let secretKey = "";
  let merchantId = "";
  const pageErrors: string[] = [];
  const made = { succeeded: 0, failed: 0, expired: 0, gross: 0n, refunded: 0n, byDay: new Map<number, string[]>() };

  const shot = (target: Page, name: string) =>
    target.screenshot({ path: path.join(screenshotDir, `console-${name}.png`), fullPage: true });

  const merchantApi = async (method: "GET" | "POST", url: string, payload?: unknown) => {
    const response = await webCoffer.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secretKey}`, "idempotency-key": randomBytes(8).toString("hex") },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  const payByCode = (amount: number, code: string) =>
    merchantApi("POST", "/v1/payments", {
      amount: String(amount),
      currency: "USD",
      method: "payment_code",
      payment_code: code,
      description: `Tea ${amount}`,
    });

  const mailWaitMs = 10_000;

  before(async () => {
    webCoffer = await startWebCoffer(clock);
    const { app } = webCoffer;
    const signup = await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      payload: { email, password: defaultPassword, business_name: "Harbour Tea" },
    });
    assert.equal(signup.statusCode, 202, signup.body);
    // The verification mail is sent after the sign-up's answer (through the outbox): wait for it to arrive.
    let mailText: string | undefined;
    for (const deadline = Date.now() + mailWaitMs; mailText === undefined && Date.now() < deadline; ) {
      const mail = await app.inject({ method: "GET", url: `/v1/console/dev/mailbox?to=${encodeURIComponent(email)}` });
      mailText = mail.json().data[0]?.text;
      if (mailText === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(mailText, `no verification mail for ${email} within ${mailWaitMs} ms`);
    const token = /[?&]token=([A-Za-z0-9_%.-]+)/.exec(mailText)?.[1];
    assert.ok(token);
    const verified = await app.inject({
      method: "POST",
      url: "/v1/console/verify_email",
      payload: { token: decodeURIComponent(token) },
    });
    assert.equal(verified.statusCode, 200, verified.body);
    const session = await logIn(app, { email, password: defaultPassword });
    merchantId = (await session.get("/v1/console/me")).json().merchant;
    const keys = (await session.get("/v1/console/api_keys")).json();
    const key = keys.data.find((k: { type: string }) => k.type === "secret");
    secretKey = (await session.post(`/v1/console/api_keys/${key.id}/reveal`)).json().secret;

    // Six days of history: each day three successes and a failure by payment code, a QR payment left to expire,
    // and every other day a QR payment paid by an identified wallet user; one partial refund.
    const coffer = { ...webCoffer, clock } as unknown as PaymentsCoffer;
    const payer = await newTestPayer(coffer, { fund: "500000" });
    for (let day = 0; day < 6; day += 1) {
      const ids: string[] = [];
      for (const amount of [1200 + day * 100, 2500, 990]) {
        const paid = await payByCode(amount, "880000000000000001");
        assert.equal(paid.status, "succeeded");
        made.succeeded += 1;
        made.gross += BigInt(amount);
        ids.push(paid.id);
      }
      const failed = await payByCode(1500, day % 2 === 0 ? "880000000000000002" : "880000000000000007");
      assert.equal(failed.status, "failed");
      made.failed += 1;
      const unpaid = await merchantApi("POST", "/v1/payments", { amount: "800", currency: "USD", method: "qr" });
      await merchantApi("POST", `/v1/test_helpers/payments/${unpaid.id}/expire`, {});
      made.expired += 1;
      if (day % 2 === 1) {
        const qr = await merchantApi("POST", "/v1/payments", { amount: "4200", currency: "USD", method: "qr" });
        assert.equal((await payer.client.post("/v1/wallet/scan", { payload: qr.qr.payload })).statusCode, 200);
        const confirmed = await payer.client.post(`/v1/wallet/payments/${qr.id}/confirm`, {});
        assert.equal(confirmed.json().status, "succeeded", confirmed.body);
        made.succeeded += 1;
        made.gross += 4200n;
        ids.push(qr.id);
      }
      if (day === 2) {
        await merchantApi("POST", "/v1/refunds", { payment: ids[1], amount: "500" });
        made.refunded += 500n;
      }
      made.byDay.set(day, ids);
      clock.advance(dayMs);
    }
    clock.set(new Date());
    await foldAnalytics(webCoffer);

    browser = await launchBrowser();
    context = await newBrowserContext(browser, { baseURL: webCoffer.baseUrl });
    page = await context.newPage();
    await signIn(page, email);
    // From here on (the signed-out login page's own 401 from GET /v1/console/me is not the dashboard's).
    watchErrors(page, pageErrors);
  });
  after(async () => {
    await browser?.close();
    await webCoffer?.close();
  });

  it("shows the key figures of the last 30 days as the API answers them, with the previous period's change", async (t) => {
    const started = Date.now();
    const summaryAnswer = page.waitForResponse((r) => r.url().includes("/v1/analytics/summary"));
    await page.goto("/");
    const summary = await (await summaryAnswer).json();
    await figure(page, "gross_volume").getByText(money(summary.gross_volume)).waitFor();
    await page.locator(".time-chart canvas").first().waitFor();
    t.diagnostic(`dashboard load with six days of data: ${Date.now() - started} ms`);
    t.diagnostic(`its analytics requests: ${await analyticsTimings(page)}`);

    assert.equal(summary.currency, "USD");
    assert.equal(summary.payments.succeeded, made.succeeded);
    assert.equal(summary.payments.failed, made.failed);
    assert.equal(summary.payments.expired, made.expired);
    assert.equal(summary.gross_volume, made.gross.toString());
    assert.equal(summary.refunded_amount, made.refunded.toString());
    assert.equal(summary.customers.new, 2, "the scenario payer and the wallet user each paid for the first time");

    assert.equal(await figureValue(page, "gross_volume"), money(summary.gross_volume));
    assert.equal(await figureValue(page, "net_volume"), money(summary.net_volume));
    assert.equal(await figureValue(page, "payments_succeeded"), String(summary.payments.succeeded));
    assert.equal(await figureValue(page, "success_rate"), formatRate(summary.success_rate, "en"));
    assert.equal(await figureValue(page, "average_ticket"), money(summary.average_ticket));
    assert.equal(await figureValue(page, "refund_rate"), formatRate(summary.refund_rate, "en"));
    assert.equal(
      await figureValue(page, "customers"),
      `${summary.customers.new} new · ${summary.customers.returning_payments} returning`,
    );
    // Nothing happened in the 30 days before: every amount is new this period.
    assert.equal(summary.previous.gross_volume, "0");
    assert.equal(await figure(page, "gross_volume").locator(".figure-change").textContent(), "New this period");

    const failures = page.getByRole("grid", { name: "Why payments failed" });
    await failures.getByRole("link", { name: "Failed Payment code payments: insufficient_funds" }).waitFor();
    await failures.getByRole("link", { name: "Failed Payment code payments: risk_declined" }).waitFor();
    await shot(page, "dashboard");
  });

  it("drills down from a figure and from a day of the volume chart to the filtered payments list", async () => {
    await figure(page, "payments_succeeded").click();
    await page.waitForURL(/\/payments\?status=succeeded&created_gte=\d+&created_lt=\d+/);
    assert.equal(await page.getByLabel("Status", { exact: true }).inputValue(), "succeeded");
    await page.getByText(/^Created from .* until before /).waitFor();
    const statuses = await page.getByRole("table", { name: "Payments" }).locator("tbody .badge").allTextContents();
    assert.equal(statuses.length, Math.min(made.succeeded, 20));
    // Succeeded payments, some of them refunded since (the history has refunds): the badge says which.
    assert.ok(
      statuses.every((status) => ["Succeeded", "Partially refunded", "Refunded"].includes(status)),
      statuses.join(", "),
    );

    await page.goBack();
    const volume = page.locator("section.card").filter({ has: page.getByRole("heading", { name: "Volume" }) });
    await volume.getByText("Show as a table").click();
    const dayThree = made.byDay.get(3) ?? [];
    // Day 3 of the history, in the merchant's time zone (UTC until the next test changes it).
    const dayStart = Math.floor((historyStart + 3 * dayMs) / dayMs) * dayMs;
    const label = new Intl.DateTimeFormat("en", { timeZone: "UTC", dateStyle: "medium" }).format(dayStart);
    await volume.getByRole("link", { name: `Payments of ${label}` }).click();
    await page.waitForURL(/\/payments\?status=succeeded&created_gte=\d+&created_lt=\d+/);
    const url = new URL(page.url());
    assert.equal(Number(url.searchParams.get("created_gte")), dayStart / 1000);
    assert.equal(Number(url.searchParams.get("created_lt")), dayStart / 1000 + 86_400);
    const listed = page.getByRole("table", { name: "Payments" }).getByRole("link", { name: /^Open payment / });
    await listed.first().waitFor();
    const shown = (await listed.evaluateAll((links) => links.map((l) => l.getAttribute("aria-label")))).map((name) =>
      String(name).replace(/^Open payment (\S+), .*$/, "$1"),
    );
    assert.deepEqual(shown.sort(), [...dayThree].sort());
  });

  it("exports the timeseries on screen as CSV, one row per bucket, amounts exact", async () => {
    const answers = collectTimeseries(page);
    await page.goto("/?range=7d");
    await page.locator(".time-chart canvas").first().waitFor();
    const series = await answers.all(5);
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^coffer-USD-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-day\.csv$/);
    const lines = (await readFile(String(await file.path()), "utf8")).trim().split("\r\n");
    const header = (lines[0] ?? "").split(",");
    assert.deepEqual(header.slice(0, 5), ["bucket_start", "bucket_end", "local_day", "time_zone", "currency"]);
    const gross = series.get("gross_volume");
    assert.ok(gross);
    assert.equal(lines.length - 1, gross.data.length);
    assert.equal(gross.data.length, 7);
    const grossColumn = header.indexOf("gross_volume");
    const createdColumn = header.indexOf("payments_created");
    let total = 0n;
    gross.data.forEach((point: { start: number; value: string }, index: number) => {
      const row = (lines[index + 1] ?? "").split(",");
      assert.equal(Number(row[0]), point.start);
      assert.equal(row[grossColumn], minorToDecimal(point.value));
      assert.equal(Number(row[createdColumn]), series.get("payments_created")?.data[index]?.value);
      total += BigInt(point.value);
    });
    assert.equal(total, made.gross);
  });

  it("changes the interval and the merchant's time zone, and the figures follow", async () => {
    await page.goto("/?range=30d");
    await page.getByLabel("Interval").selectOption("week");
    await page.waitForURL(/interval=week/);
    const answer = page.waitForResponse(
      (r) => r.url().includes("/v1/analytics/summary") && r.url().includes("Asia%2FShanghai"),
    );
    await page.getByRole("button", { name: "Change time zone" }).click();
    await page.getByLabel("Time zone", { exact: true }).fill("Asia/Shanghai");
    await page.getByRole("button", { name: "Save time zone" }).click();
    await page.getByText("Days and hours are in Asia/Shanghai.").waitFor();
    const summary = await (await answer).json();
    assert.equal(summary.time_zone, "Asia/Shanghai");
    await figure(page, "gross_volume").getByText(money(summary.gross_volume)).waitFor();
  });

  it("compares every payment method, saying whose figures each row shows", async () => {
    const answer = page.waitForResponse((r) => r.url().includes("/v1/analytics/methods"));
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Payment methods" }).click();
    await page.getByRole("heading", { name: "How to choose a payment method" }).waitFor();
    const methods = await (await answer).json();
    const table = page.getByRole("grid", { name: "How to choose a payment method" });
    await table.waitFor();
    const names: Record<string, string> = {
      qr: "QR code",
      payment_code: "Payment code",
      checkout: "Checkout page",
      crypto: "Crypto",
    };
    for (const method of methods.data) {
      await table.getByRole("rowheader", { name: names[method.method] ?? method.method, exact: true }).waitFor();
    }
    const own = methods.data.find((m: { method: string }) => m.method === "payment_code");
    assert.equal(own.source, "merchant", "24 finished payment-code payments are enough for the merchant's own figures");
    const ownRow = table.getByRole("row", { name: "Payment code", exact: true });
    await ownRow.getByText(`Your payments (${own.payments})`).waitFor();
    const headers = await table.getByRole("columnheader").allTextContents();
    const successColumn = headers.findIndex((header) => header.startsWith("Success rate"));
    assert.ok(successColumn > 0, headers.join(", "));
    // Its success rate in the success-rate column (the row's cells are in the headers' order).
    const ownRate = await ownRow.locator("td").nth(successColumn).textContent();
    assert.equal(ownRate, formatRate(own.success_rate, "en"));
    await shot(page, "payment-methods");
  });

  it("speaks Simplified Chinese on the dashboard and the comparison", async () => {
    const chineseContext = await newBrowserContext(browser, { baseURL: webCoffer.baseUrl, locale: "zh-CN" });
    const chinese = await chineseContext.newPage();
    await signIn(chinese, email, "登录");
    watchErrors(chinese, pageErrors);
    const summaryAnswer = chinese.waitForResponse((r) => r.url().includes("/v1/analytics/summary"));
    await chinese.goto("/");
    const summary = await (await summaryAnswer).json();
    await chinese.getByRole("heading", { name: "经营概览" }).waitFor();
    await chinese.getByText("总交易额").first().waitFor();
    assert.equal(await figureValue(chinese, "gross_volume"), formatMoney(summary.gross_volume, "zh-CN"));
    assert.equal(await figureValue(chinese, "success_rate"), formatRate(summary.success_rate, "zh-CN"));
    await chinese.getByRole("heading", { name: "支付失败原因" }).waitFor();
    await chinese.locator(".time-chart canvas").first().waitFor();
    await shot(chinese, "dashboard-zh");
    await chinese.getByRole("navigation", { name: "控制台" }).getByRole("link", { name: "支付方式" }).click();
    await chinese.getByRole("heading", { name: "如何选择支付方式" }).waitFor();
    await chinese.getByRole("grid", { name: "如何选择支付方式" }).getByText("您的支付（", { exact: false }).waitFor();
    await shot(chinese, "payment-methods-zh");
    await chineseContext.close();
  });

  it("loads the 12-month view over a year of rollups (timed)", async (t) => {
    await insertYearOfRollups(webCoffer, merchantId, new Date(historyStart));
    const started = Date.now();
    const summaryAnswer = page.waitForResponse((r) => r.url().includes("/v1/analytics/summary"));
    await page.goto("/?range=12m");
    const summary = await (await summaryAnswer).json();
    await figure(page, "gross_volume").getByText(money(summary.gross_volume)).waitFor();
    await page.locator(".time-chart canvas").first().waitFor();
    t.diagnostic(`dashboard load, 12 months with a year of rollups: ${Date.now() - started} ms`);
    t.diagnostic(`its analytics requests: ${await analyticsTimings(page)}`);
    assert.ok(BigInt(summary.gross_volume) > made.gross);
  });

  it("in test mode, date presets end at the merchant's test clock, not the browser's time", async () => {
    await merchantApi("POST", "/v1/test_helpers/advance_time", { seconds: 45 * 86_400 });
    const clockNow = Date.parse((await merchantApi("GET", "/v1/test_helpers/clock")).now) / 1000;
    const summaryAnswer = page.waitForResponse((r) => r.url().includes("/v1/analytics/summary"));
    await page.goto("/?range=today");
    const summary = await (await summaryAnswer).json();
    assert.ok(summary.from <= clockNow && clockNow < summary.to, `${summary.from} ≤ ${clockNow} < ${summary.to}`);
    assert.ok(summary.to - summary.from <= 25 * 3600);
    assert.ok(Date.now() / 1000 < summary.from, "the browser's today is not the test clock's");
  });

  it("logged no error in the browser console", () => {
    assert.deepEqual(pageErrors, []);
  });
});

/** Minor units of USD as an exact decimal string: "1999" → "19.99". */
function minorToDecimal(minor: string): string {
  const digits = minor.padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** What the console shows for an amount: the reader's locale's currency format of the exact decimal. */
function formatMoney(minor: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: "USD" });
  return format.format(minorToDecimal(minor) as unknown as number);
}

function formatRate(rate: number | null, locale: string): string {
  if (rate === null) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

function money(minor: string | null): string {
  return minor === null ? "—" : formatMoney(minor, "en");
}

function figure(page: Page, name: string) {
  return page.locator(`a[data-figure="${name}"]`);
}

async function figureValue(page: Page, name: string): Promise<string | null> {
  return figure(page, name).locator(".figure-value").textContent();
}

function watchErrors(page: Page, errors: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
}

async function signIn(page: Page, email: string, button = "Sign in"): Promise<void> {
  await page.goto("/login");
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(defaultPassword);
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(".dashboard .figures").waitFor();
  await page.waitForLoadState("networkidle");
}

/** How long each analytics request of the page took, from the browser's resource timings. */
async function analyticsTimings(page: Page): Promise<string> {
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((entry) => entry.name.includes("/v1/analytics/"))
      .map((entry) => {
        const url = new URL(entry.name);
        return `${url.pathname.replace("/v1/analytics/", "")}${url.searchParams.get("metric") ? `:${url.searchParams.get("metric")}` : ""} ${Math.round(entry.duration)} ms`;
      }),
  );
  return entries.join(", ");
}

/** The timeseries answers of the next dashboard load, by metric. */
function collectTimeseries(page: Page) {
  const seen = new Map<string, { data: { start: number; value: string | number | null }[] }>();
  const waiting: (() => void)[] = [];
  const listener = async (response: Response) => {
    if (!response.url().includes("/v1/analytics/timeseries")) return;
    const metric = new URL(response.url()).searchParams.get("metric") ?? "";
    seen.set(metric, await response.json());
    for (const wake of waiting.splice(0)) wake();
  };
  page.on("response", listener);
  return {
    async all(count: number) {
      while (seen.size < count) await new Promise<void>((resolve) => waiting.push(resolve));
      page.off("response", listener);
      return seen as Map<string, { data: { start: number; value: string }[] }>;
    },
  };
}
