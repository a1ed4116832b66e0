import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { availableBalance, type TestWalletUser } from "../helpers/wallets.js";

/**
 * Payment links in real Chromium, in English and in Chinese: a shop owner signs in to the console, creates a link
 * there, the customer opens its /pay page, chooses what to pay and lands on the hosted checkout; the (test-mode)
 * payer pays it with the wallet, and the owner sees the payment and the link's totals in the console, then
 * deactivates the link and the customer's page says it takes no more payments. No API call by the shop owner, and
 * none by the payer either: the test payer signs in to the wallet app with the sandbox's sign-in link on the phone,
 * and pays on the checkout page, which offers that wallet session.
 * Screenshots go to docs/screenshots/payment-link-*.png.
 */
interface Texts {
  locale: string;
  /** The screenshots' suffix. */
  tag: "en" | "zh";
  email: string;
  password: string;
  signIn: string;
  nav: string;
  newLink: string;
  amountType: string;
  description: string;
  maxUses: string;
  create: string;
  detailHeading: string;
  qrAlt: string;
  continue: string;
  pay: (amount: string) => string;
  paid: string;
  uses: string;
  received: string;
  deactivate: string;
  deactivateConfirm: string;
  deactivated: string;
  noMorePayments: RegExp;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  nav: "Payment links",
  newLink: "New payment link",
  amountType: "Amount",
  description: "What it is for",
  maxUses: "Stop after this many payments (optional)",
  create: "Create link",
  detailHeading: "Payment link",
  qrAlt: "QR code of the payment link, to print or show",
  continue: "Continue to payment",
  pay: (amount) => `Pay ${amount}`,
  paid: "Paid. Thank you!",
  uses: "Paid payments",
  received: "Received",
  deactivate: "Deactivate link",
  deactivateConfirm: "Yes, stop this link for good",
  deactivated: "This link is deactivated: its page tells customers it takes no more payments.",
  noMorePayments: /This link no longer takes payments/,
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  nav: "付款链接",
  newLink: "新建付款链接",
  amountType: "金额",
  description: "用途说明",
  maxUses: "收满多少笔后停止（可选）",
  create: "创建链接",
  detailHeading: "付款链接",
  qrAlt: "付款链接的二维码，可打印或展示",
  continue: "继续付款",
  pay: (amount) => `付款 ${amount}`,
  paid: "付款成功，谢谢！",
  uses: "已付款笔数",
  received: "已收款",
  deactivate: "停用链接",
  deactivateConfirm: "确定永久停用此链接",
  deactivated: "此链接已停用：其页面会告知客户不再收款。",
  noMorePayments: /此链接已停止收款/,
};

describe("payment links in the browser", { timeout: 240_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let payer: TestWalletUser;

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    payer = await newTestPayer(coffer, { fund: "100000" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `payment-link-${name}.png`), fullPage: true });

  async function signIn(owner: TestMerchant, texts: Texts): Promise<Page> {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto("/login");
    await page.getByLabel(texts.email).fill(owner.email);
    await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: texts.signIn, exact: true }).click();
    await page.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
    return page;
  }

  /**
   * The customer's phone: signed in to the wallet app as the test payer (the sign-in link the sandbox gives a test
   * payer), then the link's page, a choice, on to the checkout, and pays there; returns the payment's id.
   */
  async function customerPays(
    url: string,
    texts: Texts,
    choose: (page: Page) => Promise<void>,
    total: RegExp,
    amount: string,
  ) {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`/wallet/#sign_in=${payer.token}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    const balanceBefore = await availableBalance(payer);
    const response = await page.goto(new URL(url).pathname);
    assert.equal(response?.status(), 200);
    assert.equal(response?.headers()["cache-control"], "no-store");
    await choose(page);
    await shot(page, `choose-${texts.tag}`);
    await page.getByRole("button", { name: texts.continue }).click();
    await page.waitForURL(/\/checkout\/pay_/);
    await page.getByText(total).first().waitFor();
    const paymentId = /\/checkout\/(pay_[0-9A-Za-z]+)/.exec(page.url())![1]!;
    // The checkout page offers the wallet app's session of this browser: the test payer pays right there.
    await page.getByRole("button", { name: texts.pay(amount) }).click();
    await page.getByRole("status").getByText(texts.paid).waitFor({ timeout: 20_000 });
    const spent = BigInt(balanceBefore) - BigInt(await availableBalance(payer));
    assert.equal(spent, BigInt(amount.replace(/\D/g, "")), "the payer's wallet paid the amount");
    return { page, paymentId, close: () => context.close() };
  }

  async function ownerSeesPaidThenDeactivates(page: Page, texts: Texts, paymentId: string, received: RegExp) {
    await page.reload();
    await page.getByRole("heading", { level: 1, name: new RegExp(`^${texts.detailHeading} plk_`) }).waitFor();
    const row = (term: string) =>
      page.locator("dt", { hasText: new RegExp(`^${term}$`) }).locator("xpath=following-sibling::dd[1]");
    await assertText(row(texts.uses), /^1$/);
    await assertText(row(texts.received), received);
    await page.locator(`a[href="/payments/${paymentId}"]`).waitFor();
    await shot(page, `console-${texts.tag}`);
    await page.getByRole("button", { name: texts.deactivate }).click();
    await page.getByRole("button", { name: texts.deactivateConfirm }).click();
    await page.getByText(texts.deactivated).waitFor();
  }

  for (const texts of [english, chinese]) {
    it(`a shop owner creates a link in the console and sees it paid without the API (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, texts === english ? "Tea Garden" : "茶园");
      const page = await signIn(owner, texts);
      await page.getByRole("button", { name: texts.newLink }).click();
      if (texts === english) {
        await page.getByLabel(texts.amountType, { exact: true }).selectOption("customer_chooses");
        await page.getByLabel("Least they may pay (USD)").fill("5.00");
        await page.getByLabel("Most they may pay (USD)").fill("200");
        await page.getByLabel(texts.description).fill("Tips for the tea master");
      } else {
        await page.getByLabel("价格（USD）").fill("8.80");
        await page.getByLabel("允许客户最多购买（可选）").fill("3");
        await page.getByLabel(texts.description).fill("乌龙茶 100 克");
      }
      await page.getByLabel(texts.maxUses).fill("5");
      await page.getByRole("button", { name: texts.create }).click();
      await page.getByRole("heading", { level: 1, name: new RegExp(`^${texts.detailHeading} plk_`) }).waitFor();
      const url = await page.getByRole("link", { name: /\/pay\/[0-9A-Za-z]{16}$/ }).getAttribute("href");
      assert.match(url ?? "", /\/pay\/[0-9A-Za-z]{16}$/);
      await page.getByRole("img", { name: texts.qrAlt }).waitFor();
      await shot(page, `created-${texts.tag}`);

      const customer =
        texts === english
          ? await customerPays(
              url!,
              texts,
              async (p) => {
                await p.getByRole("heading", { name: "Tea Garden" }).waitFor();
                await p.getByLabel("Amount (USD)").fill("2");
                await p.getByRole("button", { name: texts.continue }).click();
                await p.getByText("Enter an amount from $5.00 to $200.00.").waitFor();
                await p.getByLabel("Amount (USD)").fill("12.50");
              },
              /\$12\.50/,
              "$12.50",
            )
          : await customerPays(
              url!,
              texts,
              async (p) => {
                await p.getByRole("heading", { name: "茶园" }).waitFor();
                await p.getByLabel("数量").selectOption("2");
              },
              /17\.60/,
              "US$17.60",
            );
      await ownerSeesPaidThenDeactivates(page, texts, customer.paymentId, texts === english ? /12\.50/ : /17\.60/);

      // The customer's page now says the link takes no more payments, with nothing to press.
      await customer.page.goto(new URL(url!).pathname);
      await customer.page.getByText(texts.noMorePayments).waitFor();
      assert.equal(await customer.page.getByRole("button", { name: texts.continue }).count(), 0);
      await customer.close();
      await page.context().close();
    });
  }
});

async function assertText(locator: ReturnType<Page["locator"]>, expected: RegExp): Promise<void> {
  await locator.waitFor();
  assert.match((await locator.textContent())?.trim() ?? "", expected);
}
