import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newPaymentsMerchant, newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Promotion codes in real Chromium, in English and in Chinese: on the hosted checkout the payer enters a wrong code
 * (refused in words), then the shop's code; the page shows the subtotal, the discount and what is left to pay, the
 * payer pays that (a test payer's session on the page) and the shop receives it. Screenshots go to
 * docs/screenshots/coupon-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  toggle: string;
  field: string;
  apply: string;
  invalid: RegExp;
  subtotal: string;
  total: string;
  testPayer: string;
  pay: RegExp;
  paid: string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  toggle: "Have a promotion code?",
  field: "Promotion code",
  apply: "Apply",
  invalid: /This code is not valid here/,
  subtotal: "Subtotal",
  total: "To pay",
  testPayer: "Test payer's sign-in link or session token",
  pay: /^Pay \$22\.50$/,
  paid: "Paid. Thank you!",
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  toggle: "有优惠码？",
  field: "优惠码",
  apply: "使用",
  invalid: /此优惠码在这里无效/,
  subtotal: "原价",
  total: "应付",
  testPayer: "测试付款人的登录链接或会话令牌",
  pay: /^付款 US\$22\.50$/,
  paid: "付款成功，谢谢！",
};

describe("promotion codes in the browser", { timeout: 240_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let payer: TestWalletUser;
  let key: string;

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    payer = await newTestPayer(coffer, { fund: "100000" });
    key = (await newPaymentsMerchant(coffer, "Jasmine Tea Room")).secretKey;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  const api = async (method: "GET" | "POST", url: string, body?: unknown) => {
    const response = await coffer.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    assert.ok(response.statusCode < 300, response.body);
    return response.json();
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `coupon-${name}.png`), fullPage: true });

  for (const texts of [english, chinese]) {
    it(`the payer enters a promotion code on the checkout page and pays the discounted amount (${texts.locale})`, async () => {
      const coupon = await api("POST", "/v1/coupons", {
        name: texts === english ? "Spring tea, 10 % off" : "春茶九折",
        currency: "USD",
        percent_off_bps: 1000,
      });
      const code = texts === english ? "SPRING10" : "CHUNCHA";
      await api("POST", "/v1/promotion_codes", { coupon: coupon.id, code });
      const payment = await api("POST", "/v1/payments", {
        amount: "2500",
        currency: "USD",
        method: "checkout",
        description: texts === english ? "Jasmine pearls, 100 g" : "茉莉龙珠 100 克",
      });

      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      try {
        await page.goto(`/checkout/${payment.id}`);
        await page.getByRole("heading", { name: "Jasmine Tea Room" }).waitFor();
        await page.getByRole("button", { name: texts.toggle }).click();
        await page.getByRole("textbox", { name: texts.field }).fill("nope-123");
        await page.getByRole("button", { name: texts.apply, exact: true }).click();
        await page.getByText(texts.invalid).waitFor();
        await page.getByRole("textbox", { name: texts.field }).fill(code.toLowerCase());
        await page.getByRole("button", { name: texts.apply, exact: true }).click();
        // The page now shows what the price is made of, and the amount to pay.
        await page.getByText(texts.subtotal, { exact: true }).waitFor();
        await page.getByText(texts.total, { exact: true }).waitFor();
        await page.getByText(code, { exact: true }).waitFor();
        const amounts = await page.locator(".checkout-discount dd").allTextContents();
        assert.equal(amounts.length, 3);
        assert.match(amounts[0]!, /25\.00/);
        assert.match(amounts[1]!, /^−.*2\.50/);
        assert.match(amounts[2]!, /22\.50/);
        assert.match((await page.locator(".big-amount").textContent()) ?? "", /22\.50/);
        await shot(page, `checkout-${texts.tag}`);

        await page.getByLabel(texts.testPayer).fill(payer.token);
        await page.getByRole("button", { name: texts.pay }).click();
        await page.getByRole("status").getByText(texts.paid).waitFor({ timeout: 20_000 });
        await shot(page, `paid-${texts.tag}`);
      } finally {
        await context.close();
      }
      const paid = await api("GET", `/v1/payments/${payment.id}`);
      assert.deepEqual(
        [paid.status, paid.amount_received, paid.amount_subtotal, paid.discounts[0].applied_by],
        ["succeeded", "2250", "2500", "payer"],
      );
      assert.equal((await api("GET", `/v1/coupons/${coupon.id}`)).times_redeemed, 1);
    });
  }
});
