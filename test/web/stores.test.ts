import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import jsqr from "jsqr";
import type { Browser } from "playwright-core";
import { PNG } from "pngjs";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * The Stores & tills page in real Chromium, in English and in Chinese: a shop owner signs in, adds a store and a
 * till, downloads the till's poster (a PNG whose QR code is the till's URL), a customer's phone opens that code in
 * the wallet app (a test payer), types the amount and pays, and the owner sees the payment in the till's takings of the day and in the payments filtered by
 * the till. No API call by the shop owner. Screenshots go to docs/screenshots/stores-*.png and till-pay-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  email: string;
  password: string;
  signIn: string;
  nav: string;
  newStore: string;
  storeName: string;
  address: string;
  addStore: string;
  tillName: string;
  addTill: string;
  store: string;
  till: string;
  poster: (till: string) => string;
  payments: (till: string) => string;
  paymentsHeading: string;
  tillLabel: string;
  payTo: string;
  amount: string;
  continue: string;
  pay: RegExp;
  paid: string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  nav: "Stores & tills",
  newStore: "New store",
  storeName: "Store name",
  address: "Address (optional)",
  addStore: "Add store",
  tillName: "Till name",
  addTill: "Add till",
  store: "Harbour Road",
  till: "Counter 1",
  poster: (till) => `Download the poster of ${till} as PNG`,
  payments: (till) => `Payments of till ${till}`,
  paymentsHeading: "Payments",
  tillLabel: "Till",
  payTo: "Pay Noodle Bar",
  amount: "Amount (USD)",
  continue: "Continue",
  pay: /^Pay \$12\.50$/,
  paid: "Paid. Noodle Bar has your payment.",
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  nav: "门店与收银台",
  newStore: "新建门店",
  storeName: "门店名称",
  address: "地址（可选）",
  addStore: "添加门店",
  tillName: "收银台名称",
  addTill: "添加收银台",
  store: "海港路店",
  till: "一号柜台",
  poster: (till) => `下载 ${till} 的 PNG 海报`,
  payments: (till) => `收银台 ${till} 的付款`,
  paymentsHeading: "支付",
  tillLabel: "收银台",
  payTo: "向 面馆 付款",
  amount: "金额（USD）",
  continue: "继续",
  pay: /^付款 US\$12\.50$/,
  paid: "付款成功，面馆 已收到。",
};

describe("stores and tills in the browser", { timeout: 240_000 }, () => {
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

  for (const texts of [english, chinese]) {
    it(`a shop owner adds a store and a till, downloads its poster and sees it paid (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, texts === english ? "Noodle Bar" : "面馆");
      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto("/login");
      await page.getByLabel(texts.email).fill(owner.email);
      await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
      await page.getByRole("button", { name: texts.signIn, exact: true }).click();
      await page.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: texts.nav }).waitFor();

      await page.getByRole("button", { name: texts.newStore }).click();
      await page.getByLabel(texts.storeName).fill(texts.store);
      await page.getByLabel(texts.address).fill(texts === english ? "12 Harbour Road" : "海港路 12 号");
      await page.getByRole("button", { name: texts.addStore }).click();
      await page.getByRole("heading", { name: texts.store }).waitFor();
      await page.getByLabel(texts.tillName).fill(texts.till);
      await page.getByRole("button", { name: texts.addTill }).click();
      const posterLink = page.getByRole("link", { name: texts.poster(texts.till) });
      await posterLink.waitFor();

      // The poster downloads as a PNG whose QR code is the till's URL, in the console's language.
      const [download] = await Promise.all([page.waitForEvent("download"), posterLink.click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^coffer-till-til_[0-9A-Za-z]{22}-${texts.tag}\\.png$`));
      const bytes = await readFile((await download.path())!);
      const image = PNG.sync.read(bytes);
      // jsqr is CommonJS: NodeNext types see its function as .default only.
      const payload = jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? "";
      assert.match(payload, /\/t\/[0-9A-Za-z]{22}$/);

      // The customer's phone opens the code (signed in to the wallet by a test payer's link), types 12.50 and pays.
      const phone = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const wallet = await phone.newPage();
      wallet.setDefaultTimeout(15_000);
      await wallet.goto(`${new URL(payload).pathname}#sign_in=${encodeURIComponent(payer.token)}`);
      await wallet.waitForURL(/\/wallet\/scan\?till=/);
      await wallet.getByRole("heading", { level: 1, name: texts.payTo }).waitFor();
      await wallet.getByLabel(texts.amount).fill("12.50");
      await wallet.screenshot({ path: path.join(screenshotDir, `till-pay-${texts.tag}.png`), fullPage: true });
      await wallet.getByRole("button", { name: texts.continue }).click();
      await wallet.waitForURL(/\/wallet\/payments\/pay_/);
      const paymentId = decodeURIComponent(/\/payments\/([^/?#]+)/.exec(wallet.url())![1]!);
      await wallet.getByRole("button", { name: texts.pay }).click();
      await wallet.getByText(texts.paid).waitFor();
      await phone.close();

      await page.reload();
      const row = page.getByRole("row", { name: new RegExp(texts.till) });
      await row
        .getByRole("cell", { name: /12\.50/ })
        .first()
        .waitFor();
      assert.match((await row.textContent()) ?? "", /1/);
      await page.screenshot({ path: path.join(screenshotDir, `stores-${texts.tag}.png`), fullPage: true });

      await page.getByRole("link", { name: texts.payments(texts.till) }).click();
      await page.getByRole("heading", { level: 1, name: texts.paymentsHeading }).waitFor();
      await page.locator(`a[href="/payments/${paymentId}"]`).waitFor();
      assert.match(page.url(), /[?&]till=til_/);
      // The payment's page names its till, linked back to the till's payments.
      await page.locator(`a[href="/payments/${paymentId}"]`).click();
      await page.locator("dt", { hasText: new RegExp(`^${texts.tillLabel}$`) }).waitFor();
      await page.getByRole("link", { name: texts.till, exact: true }).waitFor();
      await context.close();
    });
  }
});
