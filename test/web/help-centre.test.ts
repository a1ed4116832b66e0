import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant } from "../helpers/merchant-console.js";
import { newPaymentsMerchant, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { signUpWallet, type TestWalletUser } from "../helpers/wallets.js";

/**
 * The help centre in real Chromium, in English and Chinese: its pages in the console (signed out and signed in) and
 * in the wallet, the search in both languages, links between articles, the "?" buttons beside the forms that
 * confuse people (business verification, payouts, the payment code, identity and limits) opening the right article
 * in a dialog that Escape closes and that gives the focus back, and the checkout page's Help.
 * Screenshots go to docs/screenshots/help-*.png.
 */
/** A page whole; a dialog as the screen shows it (the page under it would only be dimmed further down). */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `help-${name}.png`), fullPage: !/dialog|checkout/.test(name) });

describe("help centre (browser)", { timeout: 240_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await coffer?.close();
  });

  async function newPage(locale: string, mobile = false): Promise<Page> {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale, mobile });
    contexts.push(context);
    const page = await context.newPage();
    // Generous: on a busy machine the help's chunks load while other browser tests run.
    page.setDefaultTimeout(20_000);
    return page;
  }

  it("opens the console's help centre signed out, searches it and follows links between articles", async () => {
    const page = await newPage("en-US");
    await page.goto("/login");
    await page.getByRole("link", { name: "Help", exact: true }).click();
    await page.waitForURL(/\/help$/);
    await page.getByRole("heading", { level: 1, name: "Help centre" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Paying with coffer" }).waitFor();
    // The console puts the shop's articles first.
    const groups = await page.getByRole("heading", { level: 2 }).allTextContents();
    assert.deepEqual(groups, ["For shops", "Paying with coffer"]);
    await shot(page, "console-en");

    await page.getByLabel("Search help").fill("refund");
    await page
      .getByRole("status")
      .getByText(/articles? found/)
      .waitFor();
    const results = page.getByRole("region", { name: "Search results" }).getByRole("link");
    assert.equal(await results.first().textContent(), "Refunds");
    await page.getByLabel("Search help").fill("zebra crossing");
    await page.getByText("No article matches “zebra crossing”. Try other words.").waitFor();
    await page.getByLabel("Search help").fill("refund");
    await results.first().click();
    await page.waitForURL(/\/help\/refunds$/);
    await page.getByRole("heading", { level: 1, name: "Refunds" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "How to refund" }).waitFor();

    // A link in the article's text opens the other article in the app, and moves the focus to its title.
    await page.getByRole("article").getByRole("link", { name: "Payouts" }).click();
    await page.waitForURL(/\/help\/payouts$/);
    const title = page.getByRole("heading", { level: 1, name: "Payouts to your bank account" });
    await title.waitFor();
    assert.equal(await title.evaluate((element) => element.ownerDocument.activeElement === element), true);
    await page.getByRole("link", { name: "All help articles" }).click();
    await page.waitForURL(/\/help$/);

    // An article's address opens it directly, and the browser's back button goes back.
    await page.goto("/help/business-verification");
    await page.getByRole("heading", { level: 1, name: "Business verification: what each field means" }).waitFor();
    await shot(page, "article-en");
    await page.goto("/help/no-such-article");
    await page.getByRole("heading", { level: 1, name: "There is no such article." }).waitFor();

    const chinese = await newPage("zh-CN");
    await chinese.goto("/help");
    await chinese.getByRole("heading", { level: 1, name: "帮助中心" }).waitFor();
    await chinese.getByRole("heading", { level: 2, name: "商家指南" }).waitFor();
    assert.deepEqual(await chinese.getByRole("heading", { level: 2 }).allTextContents(), [
      "商家指南",
      "使用 coffer 付款",
    ]);
    await shot(chinese, "console-zh");
    await chinese.goto("/help/business-verification");
    await chinese.getByRole("heading", { level: 1, name: "企业认证：每一项怎么填" }).waitFor();
    await shot(chinese, "article-zh");
  });

  it("opens the right article from the ? beside business verification and payouts, in English and Chinese", async () => {
    const owner = await newMerchant(coffer.app, coffer.sink, "Lotus Tea");
    for (const [locale, texts] of [
      [
        "en-US",
        {
          email: "Email",
          password: "Password",
          signIn: "Sign in",
          nav: "Business verification",
          help: "Help: Business verification: what each field means",
          title: "Business verification: what each field means",
          section: "Settlement bank account",
          payouts: "Help: Payouts to your bank account",
          balance: "Balance and payouts",
          close: "Close help",
          tag: "en",
        },
      ],
      [
        "zh-CN",
        {
          email: "邮箱",
          password: "密码",
          signIn: "登录",
          nav: "企业认证",
          help: "帮助：企业认证：每一项怎么填",
          title: "企业认证：每一项怎么填",
          section: "结算银行账户",
          payouts: "帮助：提现到银行账户",
          balance: "余额与提现",
          close: "关闭帮助",
          tag: "zh",
        },
      ],
    ] as const) {
      const page = await newPage(locale);
      await page.goto("/login");
      await page.getByLabel(texts.email).fill(owner.email);
      await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
      await page.getByRole("button", { name: texts.signIn, exact: true }).click();
      await page.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();

      const button = page.getByRole("button", { name: texts.help }).first();
      await button.click();
      const dialog = page.getByRole("dialog", { name: texts.title });
      await dialog.waitFor();
      await dialog.getByRole("heading", { name: texts.section }).waitFor();
      await shot(page, `kyb-dialog-${texts.tag}`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.equal(
        await button.evaluate((element) => element.ownerDocument.activeElement === element),
        true,
        "focus returns",
      );

      await page.getByRole("navigation").getByRole("link", { name: texts.balance, exact: true }).click();
      await page.getByRole("button", { name: texts.payouts }).click();
      await page.getByRole("dialog").getByRole("heading", { level: 2 }).first().waitFor();
      await page.getByRole("dialog").getByRole("button", { name: texts.close }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });

      // Signed in, the help centre is a page of the console, with its navigation.
      await page.goto("/help");
      await page.getByRole("navigation", { name: /Console|控制台/ }).waitFor();
    }
  });

  describe("in the wallet", () => {
    let user: TestWalletUser;
    before(async () => {
      user = await signUpWallet(coffer.app, coffer.sink, { displayName: "Lin" });
    });

    it("searches the wallet's help centre in Chinese, signed out", async () => {
      const page = await newPage("zh-CN", true);
      await page.goto("/wallet/login");
      await page.getByRole("link", { name: "帮助", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "帮助中心" }).waitFor();
      await page.getByRole("heading", { level: 2, name: "商家指南" }).waitFor();
      const groups = await page.getByRole("heading", { level: 2 }).allTextContents();
      assert.deepEqual(groups, ["使用 coffer 付款", "商家指南"], "the wallet puts the payer's articles first");
      await page.getByLabel("搜索帮助").fill("付款码泄露");
      const first = page.getByRole("region", { name: "搜索结果" }).getByRole("link").first();
      assert.equal(await first.textContent(), "付款码：为什么绝不能泄露");
      await shot(page, "wallet-search-zh");
      await first.click();
      await page.waitForURL(/\/wallet\/help\/payment-code$/);
      await page.getByRole("heading", { level: 2, name: "像对待现金一样对待它" }).waitFor();
      await shot(page, "wallet-article-zh");
      await page.getByLabel("语言").selectOption("en");
      await page.getByRole("heading", { level: 1, name: "Your payment code, and why you never share it" }).waitFor();
      await shot(page, "wallet-article-en");
      await page.goto("/wallet/help");
      await page.getByLabel("Search help").fill("payment code");
      await page.getByRole("region", { name: "Search results" }).getByRole("link").first().waitFor();
      await shot(page, "wallet-search-en");
    });

    it("opens the payment code article from the ? on the payment code screen, and the limits from identity", async () => {
      const page = await newPage("en-US", true);
      await page.goto("/wallet/login");
      await page.evaluate(`localStorage.setItem("coffer.wallet.token", ${JSON.stringify(user.token)})`);
      await page.goto("/wallet/code");
      await page.getByRole("heading", { level: 1, name: "Payment code" }).waitFor();
      await page.getByRole("button", { name: "Help: Your payment code, and why you never share it" }).click();
      const dialog = page.getByRole("dialog", { name: "Your payment code, and why you never share it" });
      await dialog.getByRole("heading", { name: "Treat it like cash" }).waitFor();
      await shot(page, "payment-code-dialog-en");
      // A link to another article stays in the dialog.
      await dialog.getByRole("link", { name: "Recognising scams" }).click();
      await page.getByRole("dialog", { name: "Recognising scams" }).waitFor();
      assert.match(page.url(), /\/wallet\/code$/, "the page under the dialog stays");
      await page.getByRole("dialog").getByRole("link", { name: "All help articles" }).click();
      await page.getByRole("dialog", { name: "Help centre" }).getByLabel("Search help").fill("tier");
      await page.getByRole("dialog").getByRole("link", { name: "Limits and identity tiers" }).waitFor();
      // In the search field, Escape first clears it (as every search field does), then closes the dialog.
      await page.keyboard.press("Escape");
      assert.equal(await page.getByRole("dialog").getByLabel("Search help").inputValue(), "");
      await page.keyboard.press("Escape");
      await page.getByRole("dialog").waitFor({ state: "detached" });

      await page.goto("/wallet/identity");
      await page.getByRole("button", { name: "Help: Limits and identity tiers" }).click();
      await page.getByRole("dialog", { name: "Limits and identity tiers" }).getByRole("table").waitFor();
      await page.keyboard.press("Escape");
      await page.goto("/wallet/help");
      await page.getByRole("navigation", { name: "Wallet" }).waitFor();
    });
  });

  it("offers help on the checkout page, in a dialog over the payment", async () => {
    const shop = await newPaymentsMerchant(coffer, "Willow Tea");
    for (const texts of [
      {
        locale: "en-US",
        help: "Help",
        centre: "Help centre",
        article: "Paying on a shop's payment page",
        section: "Two ways to pay",
        close: "Close help",
        tag: "en",
      },
      {
        locale: "zh-CN",
        help: "帮助",
        centre: "帮助中心",
        article: "在商家的付款页面付款",
        section: "两种付款方式",
        close: "关闭帮助",
        tag: "zh",
      },
    ]) {
      const payment = await shop.sdk.payments.create({ amount: "880", currency: "USD", method: "checkout" });
      const page = await newPage(texts.locale, true);
      await page.goto(`/checkout/${payment.id}`);
      await page.getByRole("heading", { name: "Willow Tea" }).waitFor();
      await page.getByRole("button", { name: texts.help, exact: true }).click();
      const dialog = page.getByRole("dialog", { name: texts.centre });
      await dialog.getByRole("link", { name: texts.article }).click();
      await page.getByRole("dialog", { name: texts.article }).getByRole("heading", { name: texts.section }).waitFor();
      await shot(page, `checkout-${texts.tag}`);
      await page.getByRole("dialog").getByRole("button", { name: texts.close }).click();
      await page.getByRole("button", { name: texts.help, exact: true }).waitFor();
      assert.equal(await page.getByRole("dialog").count(), 0);
    }
  });
});
