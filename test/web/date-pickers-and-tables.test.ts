import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { manualClock } from "../../src/clock.js";
import { seriousAxeViolations } from "../helpers/axe.js";
import { launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { defaultPassword, logIn } from "../helpers/merchant-console.js";
import { startWebCoffer, type WebCoffer } from "../helpers/web-coffer.js";
import { foldAnalytics } from "./dashboard-data.js";

/**
 * The console's date pickers and sortable tables in real Chromium, in English and in Chinese, over six days of test
 * payments: a range typed into the payments filter with the keyboard alone lists exactly the payments of those days
 * (and the URL says the range); a range picked in the calendar popover does the same; the payment methods table sorts
 * by a click and by the keyboard, in the order its figures give, saying so in aria-sort; and axe-core finds no
 * serious or critical violation on those pages, the calendar open or not. Screenshots: docs/screenshots/console-
 * date-range*.png and console-methods-sorted*.png.
 */
const dayMs = 86_400_000;
const historyDays = 6;

interface Texts {
  tag: "en" | "zh";
  browserLocale: string;
  signIn: string;
  nav: string;
  paymentsNav: string;
  payments: string;
  created: string;
  clear: string;
  calendar: string;
  startDate: string;
  endDate: string;
  previous: string;
  next: string;
  customRange: string;
  failures: string;
  failureCount: string;
  range: string;
  methodsNav: string;
  methodsTitle: string;
  method: string;
  successRate: string;
  methodNames: Record<string, string>;
}

const english: Texts = {
  tag: "en",
  browserLocale: "en-US",
  signIn: "Sign in",
  nav: "Console",
  paymentsNav: "Payments",
  payments: "Payments",
  created: "Created",
  clear: "Clear Created",
  calendar: "Calendar",
  startDate: "Start Date",
  endDate: "End Date",
  previous: "Previous",
  next: "Next",
  customRange: "Custom range",
  failures: "Why payments failed",
  failureCount: "Payments",
  range: "Date range",
  methodsNav: "Payment methods",
  methodsTitle: "How to choose a payment method",
  method: "Method",
  successRate: "Success rate",
  methodNames: { qr: "QR code", payment_code: "Payment code", checkout: "Checkout page", crypto: "Crypto" },
};

const chinese: Texts = {
  tag: "zh",
  browserLocale: "zh-CN",
  signIn: "登录",
  nav: "控制台",
  paymentsNav: "支付",
  payments: "支付",
  created: "创建时间",
  clear: "清除创建时间",
  calendar: "日历",
  startDate: "开始日期",
  endDate: "结束日期",
  previous: "上一页",
  next: "下一页",
  customRange: "自定义范围",
  failures: "支付失败原因",
  failureCount: "笔数",
  range: "时间范围",
  methodsNav: "支付方式",
  methodsTitle: "如何选择支付方式",
  method: "支付方式",
  successRate: "成功率",
  methodNames: { qr: "二维码", payment_code: "付款码", checkout: "收银台页面", crypto: "加密资产" },
};

describe("date pickers and sortable tables in the browser", { timeout: 300_000 }, () => {
  let webCoffer: WebCoffer;
  let browser: Browser;
  // Noon UTC of the first day of history, so each day's payments sit well inside that day.
  const historyStart = Math.floor((Date.now() - historyDays * dayMs) / dayMs) * dayMs + dayMs / 2;
  const clock = manualClock(new Date(historyStart));
  const email = `pickers-${randomBytes(4).toString("hex")}@example.com`;
  let secretKey = "";
  const created: { id: string; created: number }[] = [];
  const pageErrors: string[] = [];

  const merchantApi = async (method: "GET" | "POST", url: string, payload?: Record<string, unknown>) => {
    const response = await webCoffer.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secretKey}`, "idempotency-key": randomBytes(8).toString("hex") },
      ...(payload === undefined ? {} : { payload }),
    });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  before(async () => {
    webCoffer = await startWebCoffer(clock);
    secretKey = await signUpMerchant(webCoffer, email);
    // Each day: a payment by code that succeeds, one that fails (every other day), and a QR payment that is left
    // unpaid or (every other day) expires, so two methods have success rates to sort by.
    for (let day = 0; day < historyDays; day += 1) {
      const codes = day % 2 === 0 ? ["880000000000000001", "880000000000000002"] : ["880000000000000001"];
      for (const code of codes) {
        const payment = await merchantApi("POST", "/v1/payments", {
          amount: String(1000 + day * 100),
          currency: "USD",
          method: "payment_code",
          payment_code: code,
        });
        created.push({ id: payment.id, created: payment.created });
      }
      const unpaid = await merchantApi("POST", "/v1/payments", { amount: "800", currency: "USD", method: "qr" });
      if (day % 2 === 0) await merchantApi("POST", `/v1/test_helpers/payments/${unpaid.id}/expire`, {});
      created.push({ id: unpaid.id, created: unpaid.created });
      clock.advance(dayMs);
    }
    clock.set(new Date());
    await foldAnalytics(webCoffer);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await webCoffer?.close();
  });

  for (const texts of [english, chinese]) {
    describe(texts.tag === "en" ? "in English" : "in Chinese", () => {
      let page: Page;
      before(async () => {
        const context = await newBrowserContext(browser, { baseURL: webCoffer.baseUrl, locale: texts.browserLocale });
        page = await context.newPage();
        await signIn(page, email, texts.signIn);
        watchErrors(page, pageErrors);
      });
      after(async () => {
        await page?.context().close();
      });

      it("filters the payments by a range typed with the keyboard alone", async () => {
        await page
          .getByRole("navigation", { name: texts.nav })
          .getByRole("link", { name: texts.paymentsNav, exact: true })
          .click();
        const table = page.getByRole("table", { name: texts.payments });
        await table.getByRole("link").first().waitFor();
        const range = page.getByRole("group", { name: texts.created, exact: true });
        await range.waitFor();
        const from = isoDayOf(historyStart + dayMs);
        const until = isoDayOf(historyStart + 3 * dayMs);

        // From the filter before it, Tab reaches the range's first segment; digits fill a segment and move on.
        await page.getByLabel(filterBeforeRange(texts), { exact: true }).focus();
        await page.keyboard.press("Tab");
        await assertFocusIn(page, range.getByRole("spinbutton", { name: texts.startDate }));
        await typeDay(page, from, texts.browserLocale);
        await assertFocusIn(page, range.getByRole("spinbutton", { name: texts.endDate }));
        await typeDay(page, until, texts.browserLocale);

        await page.waitForURL(
          (url) => url.searchParams.get("from") === from && url.searchParams.get("until") === until,
        );
        const expected = await paymentsBetween(page, created, from, until);
        assert.ok(expected.length > 0 && expected.length < created.length, "the range holds some payments, not all");
        assert.deepEqual(await listedPayments(table, expected), expected);
        await assertNoSeriousViolations(page);
        await page.screenshot({ path: shotPath(`console-date-range${texts.tag === "en" ? "" : "-zh"}`) });
      });

      it("filters the payments by a range picked in the calendar popover", async () => {
        const range = page.getByRole("group", { name: texts.created, exact: true });
        await page.getByRole("button", { name: texts.clear }).click();
        await page.waitForURL((url) => !url.searchParams.has("from") && !url.searchParams.has("until"));

        await range.getByRole("button", { name: texts.calendar }).click();
        const calendar = page.getByRole("dialog");
        await calendar.waitFor();
        const from = isoDayOf(historyStart + 2 * dayMs);
        const until = isoDayOf(historyStart + 4 * dayMs);
        await pickDay(calendar, from, texts);
        await assertNoSeriousViolations(page);
        await page.screenshot({ path: shotPath(`console-date-range-calendar${texts.tag === "en" ? "" : "-zh"}`) });
        await pickDay(calendar, until, texts);
        await calendar.waitFor({ state: "hidden" });

        await page.waitForURL(
          (url) => url.searchParams.get("from") === from && url.searchParams.get("until") === until,
        );
        const expected = await paymentsBetween(page, created, from, until);
        assert.ok(expected.length > 0);
        const table = page.getByRole("table", { name: texts.payments });
        assert.deepEqual(await listedPayments(table, expected), expected);
        // The fields show the days picked, as typed ones would be.
        const start = range.getByRole("spinbutton", { name: texts.startDate });
        const end = range.getByRole("spinbutton", { name: texts.endDate });
        assert.deepEqual(await segmentTexts(start), localSegments(from, texts.browserLocale));
        assert.deepEqual(await segmentTexts(end), localSegments(until, texts.browserLocale));
      });

      it("picks the dashboard's custom range in the calendar; its failures come most frequent first", async () => {
        await page.goto("/");
        await page.getByLabel(texts.range, { exact: true }).selectOption("custom");
        const range = page.getByRole("group", { name: texts.customRange, exact: true });
        await range.getByRole("button", { name: texts.calendar }).click();
        const calendar = page.getByRole("dialog");
        const from = isoDayOf(historyStart);
        const until = isoDayOf(historyStart + 5 * dayMs);
        await pickDay(calendar, from, texts);
        await pickDay(calendar, until, texts);
        await page.waitForURL(
          (url) => url.searchParams.get("from") === from && url.searchParams.get("until") === until,
        );
        // The failures table says the order the API gives it in: by the number of payments, most first.
        const failures = page.getByRole("grid", { name: texts.failures });
        await failures.getByRole("rowheader").first().waitFor();
        const count = failures.getByRole("columnheader", { name: texts.failureCount, exact: true });
        assert.equal(await count.getAttribute("aria-sort"), "descending");
        await assertNoSeriousViolations(page);
      });

      it("sorts the payment methods by a click and by the keyboard, saying so in aria-sort", async () => {
        const answer = page.waitForResponse((r) => r.url().includes("/v1/analytics/methods"));
        await page
          .getByRole("navigation", { name: texts.nav })
          .getByRole("link", { name: texts.methodsNav, exact: true })
          .click();
        const methods: MethodRow[] = (await (await answer).json()).data;
        const table = page.getByRole("grid", { name: texts.methodsTitle });
        await table.waitFor();
        const name = (m: MethodRow) => texts.methodNames[m.method] ?? m.method;
        const methodHeader = table.getByRole("columnheader", { name: texts.method, exact: true });
        const rateHeader = table.getByRole("columnheader", { name: texts.successRate, exact: true });
        // As the API lists them until a column is chosen.
        assert.deepEqual(await rowNames(table), methods.map(name));
        assert.equal(await methodHeader.getAttribute("aria-sort"), "none");

        await methodHeader.click();
        const collator = new Intl.Collator(texts.browserLocale, { numeric: true });
        const byName = methods.map(name).sort((a, b) => collator.compare(a, b));
        await waitForRows(table, byName);
        assert.equal(await methodHeader.getAttribute("aria-sort"), "ascending");
        assert.equal(await rateHeader.getAttribute("aria-sort"), "none");

        // The keyboard: the arrows move along the header row, Enter sorts, and Enter again turns the order round.
        await assertFocusIn(page, methodHeader);
        await page.keyboard.press("ArrowRight");
        await page.keyboard.press("ArrowRight");
        await assertFocusIn(page, rateHeader);
        const ascending = sortedByRate(methods, "ascending").map(name);
        const descending = sortedByRate(methods, "descending").map(name);
        assert.notDeepEqual(ascending, descending, "two methods have different success rates");
        await page.keyboard.press("Enter");
        await waitForRows(table, ascending);
        assert.equal(await rateHeader.getAttribute("aria-sort"), "ascending");
        assert.equal(await methodHeader.getAttribute("aria-sort"), "none");
        await page.keyboard.press("Enter");
        await waitForRows(table, descending);
        assert.equal(await rateHeader.getAttribute("aria-sort"), "descending");
        // Each row keeps its own figures when it moves.
        const own = methods.find((m) => m.method === "payment_code");
        assert.ok(own?.success_rate !== null && own?.success_rate !== undefined);
        await table
          .getByRole("row", { name: name(own) })
          .getByText(formatRate(own.success_rate, texts.browserLocale))
          .waitFor();
        await assertNoSeriousViolations(page);
        await page.screenshot({ path: shotPath(`console-methods-sorted${texts.tag === "en" ? "" : "-zh"}`) });
      });
    });
  }

  it("logged no error in the browser console", () => {
    assert.deepEqual(pageErrors, []);
  });
});

interface MethodRow {
  method: string;
  success_rate: number | null;
}

/** The table's rule: rates in order, a method without one last whichever way, ties in the API's order. */
function sortedByRate(methods: MethodRow[], direction: "ascending" | "descending"): MethodRow[] {
  return [...methods].sort((a, b) => {
    if (a.success_rate === null || b.success_rate === null) {
      return a.success_rate === b.success_rate ? 0 : a.success_rate === null ? 1 : -1;
    }
    return direction === "ascending" ? a.success_rate - b.success_rate : b.success_rate - a.success_rate;
  });
}

function formatRate(rate: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

/** The label of the filter just before the range on the payments page (no store yet: the method). */
function filterBeforeRange(texts: Texts): string {
  return texts.tag === "en" ? "Method" : "方式";
}

const isoDayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const shotPath = (name: string) => path.join(screenshotDir, `${name}.png`);

/** Types a day into the focused date field a segment at a time, in the order the locale writes dates. */
async function typeDay(page: Page, day: string, locale: string): Promise<void> {
  const [year, month, date] = day.split("-") as [string, string, string];
  const digits: Record<string, string> = { year, month, day: date };
  const order = new Intl.DateTimeFormat(locale)
    .formatToParts(new Date(Date.UTC(2001, 1, 3)))
    .filter((part) => part.type in digits)
    .map((part) => part.type);
  for (const segment of order) await page.keyboard.type(digits[segment] ?? "");
}

/** A day's segments as the locale writes them, in its order: ["4", "2", "2026"] or ["2026", "4", "2"]. */
function localSegments(day: string, locale: string): string[] {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "numeric", day: "numeric", timeZone: "UTC" })
    .formatToParts(Date.UTC(year, month - 1, date))
    .filter((part) => part.type !== "literal")
    .map((part) => part.value);
}

async function segmentTexts(segments: Locator): Promise<string[]> {
  return (await segments.allTextContents()).map((text) => text.replace(/[\u2066-\u2069\u200e\u200f]/g, "").trim());
}

/** Clicks a day in the calendar popover, turning to its month first. */
async function pickDay(calendar: Locator, day: string, texts: Texts): Promise<void> {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const label = new Intl.DateTimeFormat(texts.browserLocale, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  }).format(Date.UTC(year, month - 1, date));
  const cell = calendar.getByRole("button", { name: new RegExp(label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) });
  // Back up to two months, then forward: the day is near today, the month shown is the range's first or today's.
  for (const step of [texts.previous, texts.previous, texts.next, texts.next, texts.next, texts.next]) {
    if (await cell.isVisible()) break;
    // The first: React Aria adds a hidden second one for screen readers that skip the grid.
    await calendar.getByRole("button", { name: step, exact: true }).first().click();
  }
  await cell.click();
}

/** The payments of `created` made from the start of `from` until the end of `until`, in the browser's time zone. */
async function paymentsBetween(
  page: Page,
  created: { id: string; created: number }[],
  from: string,
  until: string,
): Promise<string[]> {
  // The page's own arithmetic (a local day's midnight), done where the page does it: in the browser.
  const midnight = (day: string, dayOffset: number) => {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    return page.evaluate(`new Date(${y}, ${m - 1}, ${d + dayOffset}).getTime() / 1000`) as Promise<number>;
  };
  const start = await midnight(from, 0);
  const end = await midnight(until, 1);
  return created
    .filter((p) => p.created >= start && p.created < end)
    .map((p) => p.id)
    .sort();
}

/** The ids the payments table lists, once it lists `expected` (or after a while, whatever it lists then). */
async function listedPayments(table: Locator, expected: string[]): Promise<string[]> {
  const read = async () =>
    (await table.getByRole("link").evaluateAll((links) => links.map((l) => l.getAttribute("href") ?? "")))
      .map((href) => href.replace(/^.*\/payments\//, ""))
      .sort();
  const deadline = Date.now() + 10_000;
  let listed = await read();
  while (JSON.stringify(listed) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    listed = await read();
  }
  return listed;
}

async function rowNames(table: Locator): Promise<string[]> {
  return (await table.getByRole("rowheader").allTextContents()).map((text) => text.trim());
}

async function waitForRows(table: Locator, expected: string[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  let names = await rowNames(table);
  while (JSON.stringify(names) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    names = await rowNames(table);
  }
  assert.deepEqual(names, expected);
}

/** The keyboard focus is on (or inside) one of the elements `target` finds. */
async function assertFocusIn(page: Page, target: Locator): Promise<void> {
  await target.first().waitFor();
  const deadline = Date.now() + 2_000;
  const inside = async () =>
    (await target.evaluateAll((elements) => elements.some((e) => e.contains(e.ownerDocument.activeElement)))) === true;
  while (!(await inside()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const active = await page
    .locator(":focus")
    .evaluate(
      (element) => `${element.tagName} ${element.getAttribute("aria-label") ?? element.textContent}`,
      undefined,
      {
        timeout: 1_000,
      },
    )
    .catch(() => "nothing");
  assert.ok(await inside(), `the focus is on ${active}, not in ${target}`);
}

async function assertNoSeriousViolations(page: Page): Promise<void> {
  assert.deepEqual(await seriousAxeViolations(page), [], `axe-core on ${page.url()}`);
}

function watchErrors(page: Page, errors: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
}

const mailWaitMs = 10_000;

/** A verified merchant signed up through the API; its test secret key. */
async function signUpMerchant(webCoffer: WebCoffer, email: string): Promise<string> {
  const { app } = webCoffer;
  const signup = await app.inject({
    method: "POST",
    url: "/v1/console/signup",
    payload: { email, password: defaultPassword, business_name: "Lantern Tea" },
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
  const keys = (await session.get("/v1/console/api_keys")).json();
  const key = keys.data.find((k: { type: string }) => k.type === "secret");
  return (await session.post(`/v1/console/api_keys/${key.id}/reveal`)).json().secret;
}

async function signIn(page: Page, email: string, button: string): Promise<void> {
  await page.goto("/login");
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(defaultPassword);
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(".dashboard .figures").waitFor();
  await page.waitForLoadState("networkidle");
}
