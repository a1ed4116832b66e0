import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { seriousAxeViolations } from "../helpers/axe.js";
import { ensureWebBuilt, launchBrowser, screenshotDir } from "../helpers/browser.js";
import { fillKyb, newMerchant, newOperator, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Every page of every app — the merchant console, the operator console, the wallet (signed out, with an account and
 * with a prepaid card), the hosted checkout, a payment link's page and the help centre — in English and in Chinese,
 * in real Chromium:
 *
 * - axe-core (injected into the page) finds no serious or critical violation, with its whole default rule set;
 * - at 320 CSS pixels wide, and at 200% zoom of a 1280-pixel window (which lays pages out 640 CSS pixels wide), the
 *   page does not scroll sideways (WCAG 1.4.10 reflow);
 * - on a few key pages, the main actions are reached and used with the keyboard alone, with a visible focus.
 *
 * The pages are found, not listed: each app's router and menu source (web/src/<app>/app.tsx, layout.tsx,
 * session.tsx) gives its paths, every path is opened signed out and signed in (where it lands decides what it is),
 * and every same-app link on a checked page is followed, one address per route shape (/payments/:id once), so a
 * page someone adds to a router or a menu, or links from another page, is checked without touching this file.
 */
const webSrc = path.resolve(import.meta.dirname, "..", "..", "web", "src");

type AppName = "console" | "ops" | "wallet" | "checkout";
type SessionKind = "signed out" | "signed in" | "prepaid card";
type Language = "en" | "zh-CN";

const languages: { language: Language; browserLocale: string }[] = [
  { language: "en", browserLocale: "en-US" },
  { language: "zh-CN", browserLocale: "zh-CN" },
];

/** Window sizes: the app's own, a 320 px phone, and a 1280 px window at 200% zoom. */
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };
const narrow = { width: 320, height: 720 };
const zoomed = { width: desktop.width / 2, height: desktop.height / 2 };

// ---------------------------------------------------------------------------------------------------------------
// Finding the pages

const read = (file: string) => readFileSync(path.join(webSrc, file), "utf8");
const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1] as string);

/** A route's shape: ids and other parameters become ":param", so /payments/pay_1 and /payments/pay_2 are one page. */
function shapeOf(pathname: string, patterns: readonly string[]): string {
  for (const pattern of patterns) {
    if (matches(pattern, pathname)) return pattern;
  }
  return pathname
    .split("/")
    .map((part) => (/^[a-z]{2,6}_[A-Za-z0-9]{6,}$|^[A-Za-z0-9]{16,}$/.test(part) ? ":param" : part))
    .join("/");
}

function matches(pattern: string, pathname: string): boolean {
  const want = pattern.split("/");
  const have = pathname.split("/");
  return want.length === have.length && want.every((part, index) => part.startsWith(":") || part === have[index]);
}

interface AppRoutes {
  /** Paths without parameters: each is opened directly. */
  paths: string[];
  /** Shapes with parameters: checked through the links that lead to them (or a seeded address). */
  patterns: string[];
  /** Which same-origin links belong to the app (others are another app's, or downloads). */
  owns(pathname: string): boolean;
}

/** The routes each app declares, read from its router and menu. */
function discoverRoutes(): Record<AppName, AppRoutes> {
  const consoleApp = read("console/app.tsx");
  const consoleLayout = read("console/layout.tsx");
  const consoleHelp = all(consoleApp, /isHelpPath\(path, "([^"]+)"\)/g);
  const ops = read("ops/app.tsx") + read("ops/layout.tsx");
  const walletSession = read("wallet/session.tsx");
  const walletApp = read("wallet/app.tsx");
  const walletBase = /walletBase = "([^"]+)"/.exec(walletSession)?.[1] ?? "/wallet";
  const walletHelp = /helpBase = `\$\{walletBase\}([^`]*)`/.exec(walletApp)?.[1];
  const checkoutPatterns = all(read("checkout/app.tsx"), /match\("([^"]+)"/g);
  const foreign = ["/ops", "/wallet", "/checkout", "/pay/", "/v1", "/docs", "/q/", "/t/", "/openapi.json", "/healthz"];
  const pageLike = (pathname: string) => !/\.[a-z0-9]+$/i.test(pathname);
  return {
    console: {
      paths: [
        ...all(consoleApp, /^\s+"(\/[^"]*)": \w+,$/gm),
        ...all(consoleLayout, /\bto: "(\/[^"]*)"/g),
        ...consoleHelp,
        ...consoleHelp.map((base) => `${base}/refunds`),
      ],
      // The help centre's articles are one page shape: one of them is checked.
      patterns: [...all(consoleApp, /match\("([^"]+)"/g), ...consoleHelp.map((base) => `${base}/:article`)],
      owns: (pathname) => pageLike(pathname) && !foreign.some((prefix) => pathname.startsWith(prefix)),
    },
    ops: {
      paths: ["/ops/login", ...all(ops, /case "(\/ops[^"]*)":/g), ...all(ops, /\bto: "(\/ops[^"]*)"/g)],
      patterns: all(ops, /match\("([^"]+)"/g),
      owns: (pathname) => pageLike(pathname) && pathname.startsWith("/ops"),
    },
    wallet: {
      paths: [
        ...all(walletSession, /^\s+\w+: `\$\{walletBase\}([^`$]*)`,$/gm).map((rest) => `${walletBase}${rest}`),
        ...(walletHelp ? [`${walletBase}${walletHelp}`, `${walletBase}${walletHelp}/payment-code`] : []),
      ],
      patterns: [
        ...all(walletApp, /match\(`\$\{walletBase\}([^`]+)`/g).map((rest) => `${walletBase}${rest}`),
        ...(walletHelp ? [`${walletBase}${walletHelp}/:article`] : []),
      ],
      owns: (pathname) => pageLike(pathname) && pathname.startsWith(walletBase),
    },
    checkout: {
      paths: [],
      patterns: checkoutPatterns,
      // The checkout's bundle serves every route its router has (/checkout/…, /pay/…).
      owns: (pathname) => checkoutPatterns.some((pattern) => pathname.startsWith(`/${pattern.split("/")[1]}/`)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Checking one page

/** Per page: the web app's files the server answered 404 for. */
const missingAssets = new WeakMap<Page, Set<string>>();

/** Requests a page has in flight, and when that last changed: to wait for quiet without networkidle's 500 ms. */
const traffic = new WeakMap<Page, { inFlight: number; changedAtMs: number }>();
const networkQuietMs = 150;
const networkQuietTimeoutMs = 5_000;

function watchTraffic(page: Page): void {
  const state = { inFlight: 0, changedAtMs: Date.now() };
  traffic.set(page, state);
  page.on("request", () => {
    state.inFlight += 1;
    state.changedAtMs = Date.now();
  });
  const done = () => {
    state.inFlight = Math.max(0, state.inFlight - 1);
    state.changedAtMs = Date.now();
  };
  page.on("requestfinished", done);
  page.on("requestfailed", done);
}

/** Resolves once no request has been in flight for networkQuietMs (a page that polls is quiet between polls). */
async function networkQuiet(page: Page): Promise<void> {
  const state = traffic.get(page);
  const deadline = Date.now() + networkQuietTimeoutMs;
  while (state && Date.now() < deadline) {
    if (state.inFlight === 0 && Date.now() - state.changedAtMs >= networkQuietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function watchAssets(page: Page): void {
  const missing = new Set<string>();
  missingAssets.set(page, missing);
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (response.status() === 404 && pathname.startsWith("/assets/")) missing.add(pathname);
  });
}

interface Finding {
  app: AppName;
  session: SessionKind;
  language: Language;
  page: string;
  problem: string;
}

interface Checked {
  app: AppName;
  session: SessionKind;
  shape: string;
  address: string;
  languages: Set<Language>;
}

/**
 * Waits for the page to be drawn in its language with its data: React has rendered (the app sets <html lang>), no
 * spinner is left, and the network has been quiet for a moment (a page that polls goes quiet between polls), so a
 * page that redirects (signed out, say) has done so.
 */
async function settle(page: Page, language: Language): Promise<void> {
  await page.waitForLoadState("load");
  await page
    .waitForFunction(
      `document.documentElement.lang === ${JSON.stringify(language)} && document.querySelector("#root > *") !== null`,
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  await networkQuiet(page);
  await page
    .waitForFunction('document.querySelectorAll(".spinner").length === 0', undefined, { timeout: 10_000 })
    .catch(() => undefined);
}

/** Whether the page scrolls sideways, and which elements stick out (ignoring those inside their own scroller). */
const overflowCheck = `(() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width + 1) return null;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    // Inside a sideways scroller an element does not widen the page, unless it is positioned out of it.
    let scrolls = false;
    const position = getComputedStyle(el).position;
    for (let up = el.parentElement; up && up !== document.body && position !== "absolute" && position !== "fixed";
      up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { scrolls = true; break; }
    }
    if (!scrolls) culprits.push(describe(el) + " (right edge " + Math.round(box.right) + ")");
  }
  // Text that does not wrap sticks out of its element's box without widening the box.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    let scrolls = false;
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { scrolls = true; break; }
    }
    if (!scrolls) culprits.push("text " + JSON.stringify(node.textContent.trim().slice(0, 40)) + " in " +
      describe(node.parentElement) + " (right edge " + Math.round(box.right) + ")");
  }
  return "page is " + root.scrollWidth + " px wide in a " + width + " px window: " + culprits.slice(0, 6).join(", ");
})()`;

async function checkPage(
  page: Page,
  base: { width: number; height: number },
  where: Omit<Finding, "problem">,
  findings: Finding[],
): Promise<void> {
  const lang = await page.evaluate("document.documentElement.lang");
  if (lang !== where.language) {
    // A page whose scripts are gone never starts: web/dist was rebuilt under the running coffer (which keeps its
    // HTML), as happens when another test run builds the web app at the same time.
    const missing = missingAssets.get(page);
    const why = missing?.size ? ` (its scripts were not found: ${[...missing].join(", ")})` : "";
    findings.push({ ...where, problem: `the page says lang="${lang}"${why}` });
  }
  for (const violation of await seriousAxeViolations(page)) findings.push({ ...where, problem: violation });
  for (const [name, size] of [
    ["320 px", narrow],
    ["200% zoom", zoomed],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    const overflow = (await page.evaluate(overflowCheck)) as string | null;
    if (overflow) findings.push({ ...where, problem: `at ${name}: ${overflow}` });
  }
  await page.setViewportSize(base);
}

// ---------------------------------------------------------------------------------------------------------------
// Screenshots of every page

/**
 * COFFER_SCREENSHOTS=pages: each page checked is also photographed in each language, as its app's window shows it,
 * into docs/screenshots/pages/ (`COFFER_SCREENSHOTS=pages npm test -- accessibility`). Off by default: a run should
 * not rewrite two hundred images that nobody asked to refresh.
 */
const pageScreenshots = process.env.COFFER_SCREENSHOTS === "pages";
const pageScreenshotDir = path.join(screenshotDir, "pages");

async function saveScreenshot(page: Page, app: AppName, session: SessionKind, key: string, language: Language) {
  const slug = (text: string) =>
    text
      .replace(/^\/+/, "")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "home";
  const name = `${app}-${slug(session)}-${slug(key)}-${language === "en" ? "en" : "zh"}.png`;
  mkdirSync(pageScreenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(pageScreenshotDir, name) });
}

// ---------------------------------------------------------------------------------------------------------------
// The keyboard

const hasFocus = (target: Locator) => target.evaluate((element) => element.ownerDocument.activeElement === element);

/** A focus indicator the eye can see: an outline (the app's :focus-visible ring) or a box shadow. */
const showsFocus = (target: Locator) =>
  target.evaluate((element) => {
    const style = element.ownerDocument.defaultView?.getComputedStyle(element);
    if (!style) return false;
    return (style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  });

/** Presses Tab until `target` has the focus, at most `limit` times, and checks that the focus shows. */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<number> {
  await target.waitFor();
  for (let presses = 1; presses <= limit; presses += 1) {
    await page.keyboard.press("Tab");
    if (await hasFocus(target)) {
      assert.ok(await showsFocus(target), `${target} has the focus but shows no focus indicator`);
      return presses;
    }
  }
  assert.fail(`${target} was not reached with ${limit} presses of Tab`);
}

// ---------------------------------------------------------------------------------------------------------------

describe("accessibility of every page (browser, axe-core)", { timeout: 900_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let owner: TestMerchant;
  let payer: TestWalletUser;
  let operatorEmail = "";
  const operatorPassword = "admin keeps the queue moving";
  const routes = discoverRoutes();
  const seeded: Record<AppName, Partial<Record<SessionKind, string[]>>> = {
    console: {},
    ops: {},
    wallet: {},
    checkout: {},
  };
  let card = { number: "", secret: "" };
  const findings: Finding[] = [];
  const checked = new Map<string, Checked>();
  const contexts: BrowserContext[] = [];

  const post = async (client: TestMerchant["client"], url: string, body: unknown) => {
    const response = await client.post(url, body, { "idempotency-key": randomUUID() });
    assert.ok(response.statusCode < 300, `${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();

    // A shop with something on every page: payments (one refunded), a link, a store with a till, a prepaid card,
    // a webhook endpoint, and a business verification waiting for review.
    owner = await newMerchant(coffer.app, coffer.sink, "Jade Tea House");
    payer = await newTestPayer(coffer, { fund: "150000", displayName: "Wen" });
    const pay = async (amount: string) => {
      const payment = await post(owner.client, "/v1/payments", { amount, currency: "USD", method: "checkout" });
      const confirmed = await payer.client.post(
        `/v1/wallet/payments/${payment.id}/confirm`,
        {},
        { "idempotency-key": randomUUID() },
      );
      assert.equal(confirmed.json().status, "succeeded", confirmed.body);
      return payment.id as string;
    };
    const paid = await pay("4200");
    await pay("1800");
    await post(owner.client, "/v1/refunds", { payment: paid, amount: "200" });
    const link = await post(owner.client, "/v1/payment_links", {
      currency: "USD",
      amount_type: "fixed",
      unit_amount: "1250",
      quantity_max: 3,
      description: "Oolong, 100 g",
    });
    const store = await post(owner.client, "/v1/stores", { name: "Harbour Street", currency: "USD" });
    await post(owner.client, `/v1/stores/${store.id}/tills`, { name: "Counter 1" });
    card = await post(owner.client, "/v1/stored_value/cards", { currency: "USD", amount: "2500" });
    // Test mode may send to this machine in development; nothing listens there, which the page shows too.
    await post(owner.client, "/v1/webhook_endpoints", {
      url: "http://127.0.0.1:9/coffer",
      enabled_events: ["payment.succeeded"],
    });
    await fillKyb(owner.client);
    assert.equal((await owner.client.post("/v1/console/kyb/submit")).statusCode, 200);

    // The checkout's states: open, paid, unknown; a payment link's page.
    const open = await post(owner.client, "/v1/payments", {
      amount: "990",
      currency: "USD",
      method: "checkout",
      description: "Jasmine pearls",
    });
    seeded.checkout["signed out"] = [
      `/checkout/${open.id}`,
      `/checkout/${paid}`,
      "/checkout/pay_0000000000000000000000",
      new URL(link.url).pathname,
    ];

    // A QR payment the payer has scanned and not confirmed yet: the wallet's payment page.
    const qr = await post(owner.client, "/v1/payments", { amount: "650", currency: "USD", method: "qr" });
    const summary = (await owner.client.get(`/v1/checkout/${qr.id}`)).json();
    const scanned = await payer.client.post(
      "/v1/wallet/scan",
      { payload: summary.qr.payload },
      { "idempotency-key": randomUUID() },
    );
    assert.ok(scanned.statusCode < 300, scanned.body);
    seeded.wallet["signed in"] = [`/wallet/payments/${qr.id}`];

    const operator = await newOperator(coffer.app, coffer.services, "admin");
    operatorEmail = operator.email;
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await coffer?.close();
  });

  /** A browser profile in a language, signed in to what `session` says. */
  async function openSession(app: AppName, session: SessionKind, browserLocale: string): Promise<Page> {
    const base = app === "console" || app === "ops" ? desktop : phone;
    const context = await browser.newContext({ baseURL: coffer.baseUrl, locale: browserLocale, viewport: base });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    watchAssets(page);
    watchTraffic(page);
    if (session === "signed in" && app === "console") {
      const login = await context.request.post("/v1/console/login", {
        data: { email: owner.email, password: owner.password },
      });
      assert.equal(login.status(), 200, await login.text());
    }
    if (session === "signed in" && app === "ops") {
      const login = await context.request.post("/v1/ops/login", {
        data: { email: operatorEmail, password: operatorPassword },
      });
      assert.equal(login.status(), 200, await login.text());
    }
    if (app === "wallet" && session !== "signed out") {
      await page.goto("/wallet/login");
      if (session === "signed in") {
        await page.evaluate(`localStorage.setItem("coffer.wallet.token", ${JSON.stringify(payer.token)})`);
      } else {
        const opened = await context.request.post("/v1/wallet/cards", {
          data: { number: card.number, secret: card.secret },
        });
        assert.equal(opened.status(), 201, await opened.text());
        const { token, card: cardObject } = await opened.json();
        const stored = JSON.stringify({ token, card: cardObject.id });
        await page.evaluate(`localStorage.setItem("coffer.wallet.card", ${JSON.stringify(stored)})`);
      }
    }
    return page;
  }

  /**
   * Opens every path of the app, then every same-app link found on the pages checked (one per route shape), and
   * checks each page where it lands.
   */
  async function crawl(app: AppName, session: SessionKind, language: Language, browserLocale: string) {
    const page = await openSession(app, session, browserLocale);
    const base = app === "console" || app === "ops" ? desktop : phone;
    const { paths, patterns, owns } = routes[app];
    const queue = [...new Set([...paths, ...(seeded[app][session] ?? [])])];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const address = queue.shift() as string;
      await page.goto(address);
      await settle(page, language);
      const landed = new URL(page.url());
      const shape = shapeOf(landed.pathname, patterns);
      // Seeded addresses are distinct states of one shape (an open and a paid checkout): each is checked.
      const key = (seeded[app][session] ?? []).includes(address) ? address : shape;
      if (seen.has(key)) continue;
      seen.add(key);
      const where = { app, session, language, page: landed.pathname };
      await checkPage(page, base, where, findings);
      if (pageScreenshots) {
        // A seeded address holds a random id: named by its place in the seed list instead, so names stay stable.
        const seedIndex = (seeded[app][session] ?? []).indexOf(address);
        await saveScreenshot(page, app, session, seedIndex >= 0 ? `${shape}-state-${seedIndex + 1}` : shape, language);
      }
      const record = checked.get(`${app}|${session}|${key}`) ?? {
        app,
        session,
        shape,
        address: landed.pathname,
        languages: new Set<Language>(),
      };
      record.languages.add(language);
      checked.set(`${app}|${session}|${key}`, record);
      const links = (await page.evaluate(
        `[...document.querySelectorAll("a[href]")].filter((a) => !a.hasAttribute("download")).map((a) => a.href)`,
      )) as string[];
      for (const href of links) {
        const url = new URL(href);
        if (url.origin !== landed.origin || !owns(url.pathname)) continue;
        const linkShape = shapeOf(url.pathname, patterns);
        if (!seen.has(linkShape) && !queue.some((queued) => shapeOf(queued, patterns) === linkShape)) {
          queue.push(url.pathname);
        }
      }
    }
    await page.context().close();
  }

  const sessions: [AppName, SessionKind][] = [
    ["console", "signed out"],
    ["console", "signed in"],
    ["ops", "signed out"],
    ["ops", "signed in"],
    ["wallet", "signed out"],
    ["wallet", "signed in"],
    ["wallet", "prepaid card"],
    ["checkout", "signed out"],
  ];
  it("finds each app's pages in its router and menu", () => {
    // If a router is rewritten so that these readers find nothing, this says so rather than checking less.
    assert.ok(routes.console.paths.length >= 20, `console: ${routes.console.paths.join(" ")}`);
    assert.ok(routes.console.patterns.length >= 4, `console: ${routes.console.patterns.join(" ")}`);
    assert.ok(routes.ops.paths.length >= 10, `ops: ${routes.ops.paths.join(" ")}`);
    assert.ok(routes.wallet.paths.length >= 15, `wallet: ${routes.wallet.paths.join(" ")}`);
    for (const pattern of ["/checkout/:id", "/pay/:slug"])
      assert.ok(routes.checkout.patterns.includes(pattern), pattern);
  });

  // Both languages at once, each in its own browser profile: a page check mostly waits (for the page to settle,
  // for a layout), so two run in the time of about one.
  for (const [app, session] of sessions) {
    it(`checks every ${app} page, ${session}, in ${languages.map((l) => l.language).join(" and ")}`, async () => {
      await Promise.all(languages.map(({ language, browserLocale }) => crawl(app, session, language, browserLocale)));
    });
  }

  it("checks the help dialogs open over a page (the ? beside a form, the checkout's Help)", async () => {
    for (const { language, browserLocale } of languages) {
      const page = await openSession("console", "signed in", browserLocale);
      await page.goto("/verification");
      await settle(page, language);
      await page.locator(".help-button").first().click();
      await page.getByRole("dialog").locator("article").waitFor();
      await checkPage(page, desktop, { app: "console", session: "signed in", language, page: "help dialog" }, findings);
      await page.context().close();

      const checkout = await openSession("checkout", "signed out", browserLocale);
      await checkout.goto(seeded.checkout["signed out"]![0]!);
      await settle(checkout, language);
      await checkout.locator(".help-link-button").click();
      await checkout.getByRole("dialog").getByRole("searchbox").waitFor();
      await checkPage(checkout, phone, { app: "checkout", session: "signed out", language, page: "help" }, findings);
      await checkout.context().close();
    }
  });

  describe("with the keyboard alone", () => {
    it("creates a payment link in the console", async () => {
      const page = await openSession("console", "signed in", "en-US");
      await page.goto("/payment-links");
      await settle(page, "en");
      await tabTo(page, page.getByRole("button", { name: "New payment link" }));
      await page.keyboard.press("Enter");
      await tabTo(page, page.getByLabel("Price (USD)"), 10);
      await page.keyboard.type("3.50");
      await tabTo(page, page.getByLabel("What it is for"), 10);
      await page.keyboard.type("Green tea, by keyboard");
      await tabTo(page, page.getByRole("button", { name: "Create link" }), 15);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: /^Payment link plk_/ }).waitFor();
      await page.getByText("Green tea, by keyboard").first().waitFor();
      await page.context().close();
    });

    it("opens an application from the operators' KYB queue", async () => {
      const page = await openSession("ops", "signed in", "en-US");
      await page.goto("/ops/kyb");
      await settle(page, "en");
      await tabTo(page, page.getByRole("link", { name: "Open application of Jade Tea House" }));
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: /Jade Tea House/ }).waitFor();
      await page.context().close();
    });

    it("goes to the payment code in the wallet, opens its help and comes back to the same place", async () => {
      const page = await openSession("wallet", "signed in", "zh-CN");
      await page.goto("/wallet/");
      await settle(page, "zh-CN");
      await tabTo(page, page.getByRole("navigation", { name: "钱包" }).getByRole("link", { name: "付款码" }));
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: "付款码" }).waitFor();
      const help = page.getByRole("button", { name: "帮助：付款码：为什么绝不能泄露" });
      await tabTo(page, help, 15);
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "付款码：为什么绝不能泄露" });
      await dialog.waitFor();
      assert.equal(
        await dialog.evaluate((element) => element.contains(element.ownerDocument.activeElement)),
        true,
        "the focus moves into the dialog",
      );
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.ok(await hasFocus(help), "the focus is back on the ? button");
      await page.context().close();
    });

    it("searches the help centre and opens an article", async () => {
      const page = await openSession("wallet", "signed out", "en-US");
      await page.goto("/wallet/help");
      await settle(page, "en");
      await tabTo(page, page.getByLabel("Search help"), 15);
      await page.keyboard.type("scam");
      const result = page.getByRole("region", { name: "Search results" }).getByRole("link").first();
      await tabTo(page, result, 10);
      await page.keyboard.press("Enter");
      const title = page.getByRole("heading", { level: 1, name: "Recognising scams" });
      await title.waitFor();
      assert.ok(await hasFocus(title), "the article's title has the focus");
      await page.context().close();
    });

    it("pays on the checkout page as a test payer", async () => {
      const page = await openSession("checkout", "signed out", "en-US");
      await page.goto(seeded.checkout["signed out"]![0]!);
      await settle(page, "en");
      await tabTo(page, page.getByLabel("Test payer's sign-in link or session token"));
      await page.keyboard.type(payer.token);
      await tabTo(page, page.getByRole("button", { name: "Pay $9.90" }), 10);
      await page.keyboard.press("Enter");
      await page.getByRole("status").getByText("Paid. Thank you!").waitFor();
      await page.context().close();
    });
  });

  it("found no serious or critical violation, and no page that scrolls sideways", () => {
    const lines = [...checked.values()]
      .sort((a, b) => `${a.app}${a.session}${a.shape}`.localeCompare(`${b.app}${b.session}${b.shape}`))
      .map((c) => `${c.app.padEnd(9)} ${c.session.padEnd(13)} ${c.shape.padEnd(34)} ${[...c.languages].join(" ")}`);
    console.log(`pages checked (${checked.size}):\n${lines.join("\n")}`);
    // Every route shape a router declares with a parameter was reached through a link or a seeded address.
    for (const app of ["console", "ops", "wallet", "checkout"] as const) {
      const reached = new Set([...checked.values()].filter((c) => c.app === app).map((c) => c.shape));
      const missing = routes[app].patterns.filter((pattern) => !reached.has(pattern));
      if (missing.length) console.log(`${app}: no page of ${missing.join(", ")} was linked from a checked page`);
    }
    for (const app of ["console", "ops", "wallet", "checkout"] as const) {
      for (const language of ["en", "zh-CN"] as const) {
        assert.ok(
          [...checked.values()].some((c) => c.app === app && c.languages.has(language)),
          `no ${app} page checked in ${language}`,
        );
      }
    }
    const report = findings.map((f) => `${f.app} ${f.session} ${f.language} ${f.page}: ${f.problem}`);
    assert.deepEqual(report, [], `\n${report.join("\n")}`);
  });
});
