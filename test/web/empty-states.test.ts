import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { seriousAxeViolations } from "../helpers/axe.js";
import { ensureWebBuilt, launchBrowser } from "../helpers/browser.js";
import { newMerchant, newOperator } from "../helpers/merchant-console.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { signUpWallet } from "../helpers/wallets.js";

/**
 * Empty lists in real Chromium, in English and in Chinese: a merchant who has just signed up, an operator on a
 * platform with nothing waiting and a wallet user who has just signed up open their lists, and each says what will
 * appear there, with its one next action where there is one (followed: it must land where it says). A filtered list
 * that matches nothing says so, unlike "nothing yet", and clearing the filter brings the list back. On every page
 * visited, every SVG icon is hidden from screen readers or named, axe-core finds no serious or critical violation, and
 * the page fits a 390 and a 320 pixel wide screen.
 */

const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };
const narrow = { width: 320, height: 720 };
const stepTimeoutMs = 15_000;
const operatorPassword = "admin keeps the queue moving";

const english = {
  language: "en",
  browserLocale: "en-US",
  console: {
    noPayments: "No payments yet",
    firstLink: "Create a payment link",
    linksTitle: "Payment links",
    noLinks: "No payment links yet",
    createFirstLink: "Create your first link",
    newLink: "New payment link",
    noEndpoints: "No endpoints yet",
    addEndpoint: "Add an endpoint",
    noStores: "No stores yet",
    addFirstStore: "Add your first store",
    newStore: "New store",
    noCoupons: "No coupons yet",
    createCoupon: "Create a coupon",
    newCoupon: "New coupon",
    noCashback: "No cashback rules yet",
    noCards: "No prepaid cards yet",
    issueFirstCard: "Issue your first card",
    issueCard: "Issue a card",
    noDisputes: "No disputes",
    noBalance: "No balance yet",
    noPayouts: "No payouts yet",
    noQuestions: "No questions from customers",
    noFeedback: "No feedback yet",
    noMatch: "No payments match.",
    clearFilters: "Clear filters",
  },
  ops: {
    kybQueue: "Nothing waiting for review",
    kycQueue: "Nothing waiting for review",
    disputesQueue: "Nothing waiting for review",
    supportQueue: "Nothing waiting for an answer",
    noBankFiles: "No bank files yet",
    noCards: "No prepaid cards yet",
    noMerchantMatch: (query: string) => `No merchants match “${query}”`,
    clearSearch: "Clear the search",
  },
  wallet: {
    noMoney: "No money yet",
    addMoney: "Add money",
    topUp: "Top up",
    noBank: "No bank account linked yet",
    addBank: "Add a bank account",
    noTransactions: "No transactions yet",
    nothingPending: "Nothing waiting for you",
    noConversations: "No conversations yet",
    askFirst: "Ask a question",
    askTitle: "A question to coffer",
  },
};

type Texts = typeof english;

const chinese: Texts = {
  language: "zh-CN",
  browserLocale: "zh-CN",
  console: {
    noPayments: "还没有支付",
    firstLink: "创建付款链接",
    linksTitle: "付款链接",
    noLinks: "还没有付款链接",
    createFirstLink: "创建第一个链接",
    newLink: "新建付款链接",
    noEndpoints: "还没有端点",
    addEndpoint: "添加端点",
    noStores: "还没有门店",
    addFirstStore: "添加第一家门店",
    newStore: "新建门店",
    noCoupons: "暂无优惠券",
    createCoupon: "创建优惠券",
    newCoupon: "新建优惠券",
    noCashback: "暂无返现规则",
    noCards: "还没有预付卡",
    issueFirstCard: "发行第一张卡",
    issueCard: "发行一张卡",
    noDisputes: "没有争议",
    noBalance: "暂无余额",
    noPayouts: "还没有提现",
    noQuestions: "没有客户咨询",
    noFeedback: "还没有评价",
    noMatch: "没有符合条件的支付。",
    clearFilters: "清除筛选条件",
  },
  ops: {
    kybQueue: "没有待审核的申请",
    kycQueue: "没有待审核的身份资料",
    disputesQueue: "没有待审核的争议",
    supportQueue: "没有待答复的工单",
    noBankFiles: "还没有银行文件",
    noCards: "还没有预付卡",
    noMerchantMatch: (query: string) => `没有与“${query}”匹配的商户`,
    clearSearch: "清除搜索",
  },
  wallet: {
    noMoney: "还没有余额",
    addMoney: "去充值",
    topUp: "充值",
    noBank: "尚未绑定银行账户",
    addBank: "添加银行账户",
    noTransactions: "还没有交易",
    nothingPending: "没有待确认的付款",
    noConversations: "还没有对话",
    askFirst: "提出问题",
    askTitle: "向 coffer 提问",
  },
};

/** An empty state by its title: the block with the icon, the title, the sentence and the action. */
function emptyState(page: Page, title: string): Locator {
  return page.locator(".empty").filter({ has: page.locator(".empty-title").getByText(title, { exact: true }) });
}

/** Waits for an empty state and checks it has its sentence: the title alone does not say how the list fills up. */
async function expectEmpty(page: Page, title: string): Promise<Locator> {
  const state = emptyState(page, title);
  await state.waitFor().catch(async (error) => {
    // What the page says instead is what a failure needs to show.
    const shown = (
      await page
        .locator("main")
        .textContent()
        .catch(() => "")
    )?.slice(0, 600);
    throw new Error(`no empty state "${title}" on ${page.url()}; the page says: ${shown}`, { cause: error });
  });
  const sentence = (await state.locator(".empty-text").textContent()) ?? "";
  assert.ok(sentence.trim().length > 10, `the empty state "${title}" says what will appear there`);
  return state;
}

/** SVGs that neither are hidden from screen readers nor have a name, and icons that could take the focus. */
const iconProblems = `(() => {
  const problems = [];
  for (const svg of document.querySelectorAll("svg")) {
    const hidden = svg.closest("[aria-hidden='true']") !== null;
    const named = svg.getAttribute("role") === "img" &&
      Boolean(svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby") || svg.querySelector("title"));
    if (!hidden && !named) problems.push("unnamed: " + svg.outerHTML.slice(0, 120));
    if (svg.classList.contains("icon") && svg.getAttribute("focusable") !== "false")
      problems.push("focusable: " + svg.outerHTML.slice(0, 120));
  }
  return problems;
})()`;

/** How far the page is wider than the window, in pixels (0: it fits). */
const overflowPx = "document.documentElement.scrollWidth - document.documentElement.clientWidth";

/** The page's icons are named or hidden, axe finds nothing serious, and it fits 390 and 320 pixel wide screens. */
async function checkPage(page: Page, where: string): Promise<void> {
  assert.deepEqual(await page.evaluate(iconProblems), [], `${where}: icons`);
  assert.deepEqual(await seriousAxeViolations(page), [], `${where}: axe-core`);
  const base = page.viewportSize() ?? desktop;
  for (const size of [phone, narrow]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    const over = (await page.evaluate(overflowPx)) as number;
    assert.ok(over <= 1, `${where}: ${over} px wider than a ${size.width} px screen`);
  }
  await page.setViewportSize(base);
}

describe("empty states (browser)", { timeout: 600_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let operatorEmail = "";
  const contexts: BrowserContext[] = [];

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();
    operatorEmail = (await newOperator(coffer.app, coffer.services, "admin")).email;
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await coffer?.close();
  });

  async function newPage(texts: Texts, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ baseURL: coffer.baseUrl, locale: texts.browserLocale, viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(stepTimeoutMs);
    return page;
  }

  for (const texts of [english, chinese]) {
    const words = texts.console;

    describe(`in ${texts.language}`, () => {
      let merchant: Awaited<ReturnType<typeof newMerchant>>;
      let consolePage: Page;

      before(async () => {
        merchant = await newMerchant(coffer.app, coffer.sink, `Empty Shelf ${texts.language}`);
        consolePage = await newPage(texts, desktop);
        const login = await consolePage.context().request.post("/v1/console/login", {
          data: { email: merchant.email, password: merchant.password },
        });
        assert.equal(login.status(), 200, await login.text());
      });

      it("a new merchant's payments lead to a first payment link, and its form", async () => {
        const page = consolePage;
        await page.goto("/");
        await expectEmpty(page, words.noPayments);
        await checkPage(page, "console /");
        await page.goto("/payments");
        const payments = await expectEmpty(page, words.noPayments);
        await checkPage(page, "console /payments");
        await payments.getByRole("link", { name: words.firstLink }).click();
        await page.waitForURL("**/payment-links");
        await page.getByRole("heading", { level: 1, name: words.linksTitle }).waitFor();
        const links = await expectEmpty(page, words.noLinks);
        await checkPage(page, "console /payment-links");
        await links.getByRole("button", { name: words.createFirstLink }).click();
        await page.getByRole("heading", { name: words.newLink }).waitFor();
      });

      it("a new merchant's endpoints, stores, coupons and prepaid cards each offer their first one", async () => {
        const page = consolePage;
        await page.goto("/webhooks");
        const endpoints = await expectEmpty(page, words.noEndpoints);
        await checkPage(page, "console /webhooks");
        await endpoints.getByRole("link", { name: words.addEndpoint }).click();
        // The form is on the same page: the link moves there, and the focus with it.
        await page.waitForURL("**/webhooks#new-webhook-endpoint");
        await page.waitForFunction(`document.activeElement?.id === "new-webhook-endpoint"`);

        await page.goto("/stores");
        const stores = await expectEmpty(page, words.noStores);
        await checkPage(page, "console /stores");
        await stores.getByRole("button", { name: words.addFirstStore }).click();
        await page.getByRole("heading", { name: words.newStore }).waitFor();

        await page.goto("/promotions");
        const coupons = await expectEmpty(page, words.noCoupons);
        await expectEmpty(page, words.noCashback);
        await checkPage(page, "console /promotions");
        await coupons.getByRole("button", { name: words.createCoupon }).click();
        await page.getByRole("heading", { name: words.newCoupon }).waitFor();

        await page.goto("/prepaid-cards");
        const cards = await expectEmpty(page, words.noCards);
        await checkPage(page, "console /prepaid-cards");
        await cards.getByRole("button", { name: words.issueFirstCard }).click();
        await page.getByRole("heading", { name: words.issueCard }).waitFor();
      });

      it("a new merchant's disputes, balance, payouts, support and feedback say what will come", async () => {
        const page = consolePage;
        for (const [path, titles] of [
          ["/disputes", [words.noDisputes]],
          ["/balance", [words.noBalance, words.noPayouts]],
          ["/support", [words.noQuestions]],
          ["/feedback", [words.noFeedback]],
        ] as const) {
          await page.goto(path);
          for (const title of titles) {
            const state = await expectEmpty(page, title);
            // Nothing to do yet on these: no action is offered.
            assert.equal(await state.locator(".empty-action").count(), 0, `${path}: ${title} has no action`);
          }
          await checkPage(page, `console ${path}`);
        }
      });

      it("a filtered payments list says nothing matched, and clearing the filter brings the list back", async () => {
        const page = consolePage;
        const created = await merchant.client.post(
          "/v1/payments",
          { amount: "500", currency: "USD", method: "checkout", description: "A pot of tea" },
          { "idempotency-key": randomUUID() },
        );
        assert.equal(created.statusCode, 201, created.body);
        const paymentId = created.json().id as string;
        await page.goto("/payments?status=failed");
        const none = await expectEmpty(page, words.noMatch);
        // Not the "nothing yet" state: the account has a payment, the filter hides it.
        assert.equal(await emptyState(page, words.noPayments).count(), 0);
        await checkPage(page, "console /payments?status=failed");
        await none.getByRole("button", { name: words.clearFilters }).click();
        await page.locator(`a[href="/payments/${paymentId}"]`).waitFor();
        assert.equal(new URL(page.url()).search, "");
        assert.equal(await emptyState(page, words.noMatch).count(), 0);
      });

      it("the operator console's queues say nothing is waiting, and a search that matched nothing is cleared", async () => {
        const ops = texts.ops;
        const page = await newPage(texts, desktop);
        const login = await page.context().request.post("/v1/ops/login", {
          data: { email: operatorEmail, password: operatorPassword },
        });
        assert.equal(login.status(), 200, await login.text());
        for (const [path, title] of [
          ["/ops/kyb", ops.kybQueue],
          ["/ops/kyc", ops.kycQueue],
          ["/ops/disputes", ops.disputesQueue],
          ["/ops/support", ops.supportQueue],
          ["/ops/bank", ops.noBankFiles],
          ["/ops/stored-value", ops.noCards],
        ] as const) {
          await page.goto(path);
          await expectEmpty(page, title);
          await checkPage(page, path);
        }

        const query = "no-such-shop";
        await page.goto(`/ops/merchants?query=${query}`);
        const none = await expectEmpty(page, ops.noMerchantMatch(query));
        await checkPage(page, "/ops/merchants?query=…");
        await none.getByRole("button", { name: ops.clearSearch }).click();
        await page.waitForURL((url) => url.pathname === "/ops/merchants" && url.search === "");
        await page.getByRole("cell", { name: `Empty Shelf ${texts.language}`, exact: true }).waitFor();
      });

      it("a new wallet's home, top-up, history, pending payments and support lead to the next step", async () => {
        const w = texts.wallet;
        const user = await signUpWallet(coffer.app, coffer.sink, { displayName: "Lin" });
        const page = await newPage(texts, phone);
        await page.goto("/wallet/login");
        await page.evaluate(`localStorage.setItem("coffer.wallet.token", ${JSON.stringify(user.token)})`);

        await page.goto("/wallet/");
        const balances = await expectEmpty(page, w.noMoney);
        await checkPage(page, "/wallet/");
        await balances.getByRole("link", { name: w.addMoney }).click();
        await page.waitForURL("**/wallet/top-up");
        await page.getByRole("heading", { level: 1, name: w.topUp }).waitFor();
        const banks = await expectEmpty(page, w.noBank);
        await checkPage(page, "/wallet/top-up");
        await banks.getByRole("link", { name: w.addBank }).click();
        await page.waitForFunction(`document.activeElement?.id === "add-bank-account"`);

        await page.goto("/wallet/history");
        const history = await expectEmpty(page, w.noTransactions);
        await checkPage(page, "/wallet/history");
        await history.getByRole("link", { name: w.topUp }).click();
        await page.waitForURL("**/wallet/top-up");

        await page.goto("/wallet/payments");
        await expectEmpty(page, w.nothingPending);
        await checkPage(page, "/wallet/payments");

        await page.goto("/wallet/support");
        const support = await expectEmpty(page, w.noConversations);
        await checkPage(page, "/wallet/support");
        await support.getByRole("button", { name: w.askFirst }).click();
        await page.getByRole("heading", { name: w.askTitle }).waitFor();
      });
    });
  }
});
