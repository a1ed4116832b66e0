import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant, newOperator, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Promotion codes in real Chromium, in English and in Chinese: a shop owner creates a coupon with its code in the
 * console (no API call); on the hosted checkout the payer enters a wrong code (refused in words), then the shop's;
 * the page shows the subtotal, the discount and what is left to pay, the payer pays that (a test payer's session on
 * the page), and the owner sees the paid payment on the coupon's page. Screenshots go to docs/screenshots/coupon-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  email: string;
  password: string;
  signIn: string;
  nav: string;
  newCoupon: string;
  name: string;
  percent: string;
  codeField: string;
  create: string;
  heading: RegExp;
  paidRow: string;
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
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  nav: "Promotions",
  newCoupon: "New coupon",
  name: "Name",
  percent: "Percent off",
  codeField: "Promotion code (optional)",
  create: "Create coupon",
  heading: /^Coupon Spring tea/,
  paidRow: "Paid",
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
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  nav: "营销活动",
  newCoupon: "新建优惠券",
  name: "名称",
  percent: "减免比例（%）",
  codeField: "优惠码（可选）",
  create: "创建优惠券",
  heading: /^优惠券 春茶九折/,
  paidRow: "已付款",
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

  const asOwner = (owner: TestMerchant) => async (method: "GET" | "POST", url: string, body?: unknown) => {
    const response = method === "GET" ? await owner.client.get(url) : await owner.client.post(url, body);
    assert.ok(response.statusCode < 300, response.body);
    return response.json();
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `coupon-${name}.png`), fullPage: true });

  for (const texts of [english, chinese]) {
    it(`the payer enters a promotion code on the checkout page and pays the discounted amount (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, "Jasmine Tea Room");
      const api = asOwner(owner);
      const code = texts === english ? "SPRING10" : "CHUNCHA";
      // The owner makes the coupon and its code in the console.
      const consoleContext = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const consolePage = await consoleContext.newPage();
      consolePage.setDefaultTimeout(15_000);
      await consolePage.goto("/login");
      await consolePage.getByLabel(texts.email).fill(owner.email);
      await consolePage.getByLabel(texts.password, { exact: true }).fill(owner.password);
      await consolePage.getByRole("button", { name: texts.signIn, exact: true }).click();
      await consolePage.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
      await consolePage.getByRole("button", { name: texts.newCoupon }).click();
      await consolePage
        .getByLabel(texts.name, { exact: true })
        .fill(texts === english ? "Spring tea, 10 % off" : "春茶九折");
      await consolePage.getByLabel(texts.percent).fill("10");
      await consolePage.getByLabel(texts.codeField).fill(code.toLowerCase());
      await consolePage.getByRole("button", { name: texts.create }).click();
      await consolePage.getByRole("heading", { level: 1, name: texts.heading }).waitFor();
      await consolePage.getByText(code, { exact: true }).waitFor();
      const couponId = /\/promotions\/coupons\/(cpn_[0-9A-Za-z]+)/.exec(consolePage.url())![1]!;
      const coupon = await api("GET", `/v1/coupons/${couponId}`);
      assert.equal(coupon.percent_off_bps, 1000);
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
      // The owner sees the paid payment on the coupon's page.
      await consolePage.reload();
      const row = consolePage.locator("tr", { has: consolePage.locator(`a[href="/payments/${payment.id}"]`) });
      await row.getByText(texts.paidRow, { exact: true }).waitFor();
      await consolePage.screenshot({
        path: path.join(screenshotDir, `coupon-console-${texts.tag}.png`),
        fullPage: true,
      });
      // The payment's page says what was asked for and what the coupon took off.
      await row.getByRole("link").click();
      await consolePage.getByText(texts === english ? "Before the discount" : "优惠前金额", { exact: true }).waitFor();
      await consolePage.getByRole("link", { name: /2\.50/ }).waitFor();
      await consoleContext.close();
    });
  }

  for (const texts of [english, chinese]) {
    it(`the payer enters a code in the wallet app before confirming, and sees the cashback in the history (${texts.locale})`, async () => {
      const shop = texts === english ? "Oolong Corner" : "乌龙小铺";
      const owner = await newMerchant(coffer.app, coffer.sink, shop);
      const api = asOwner(owner);
      // The shop's balance funds its cashback rule: one payment first.
      const first = await api("POST", "/v1/payments", { amount: "20000", currency: "USD", method: "checkout" });
      const paidFirst = await payer.client.post(`/v1/wallet/payments/${first.id}/confirm`, {});
      assert.equal(paidFirst.statusCode, 200, paidFirst.body);
      coffer.clock.advance(1_000); // a rule covers payments paid from its creation on
      const coupon = await api("POST", "/v1/coupons", { name: "Five off", currency: "USD", amount_off: "500" });
      const code = texts === english ? "FIVEOFF" : "JIANWU";
      await api("POST", "/v1/promotion_codes", { coupon: coupon.id, code });
      await api("POST", "/v1/cashback_rules", { name: "Points", currency: "USD", percent_bps: 200, budget: "1000" });
      coffer.clock.advance(1_000);
      const payment = await api("POST", "/v1/payments", { amount: "3000", currency: "USD", method: "checkout" });

      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      try {
        await page.goto(`/wallet/#sign_in=${payer.token}`);
        // The wallet app keeps the link's session and takes the token out of the address bar: signed in.
        await page.waitForURL((url) => url.hash === "" && url.pathname.startsWith("/wallet"));
        await page.getByRole("navigation").first().waitFor();
        await page.goto(`/wallet/payments/${payment.id}`);
        await page.getByRole("heading", { name: shop }).waitFor();
        await page.getByRole("button", { name: texts.toggle }).click();
        await page.getByRole("textbox", { name: texts.field }).fill(code.toLowerCase());
        await page.getByRole("button", { name: texts.apply, exact: true }).click();
        await page.getByText(texts.total, { exact: true }).waitFor();
        const confirm = texts === english ? /^Pay \$25\.00$/ : /^付款 US\$25\.00$/;
        await page.getByRole("button", { name: confirm }).waitFor();
        await page.screenshot({ path: path.join(screenshotDir, `coupon-wallet-${texts.tag}.png`), fullPage: true });
        await page.getByRole("button", { name: confirm }).click();
        await page
          .getByText(texts === english ? `Paid. ${shop} has your payment.` : `付款成功，${shop} 已收到。`)
          .waitFor();
        await coffer.services.coupons.creditDue();
        await page.goto("/wallet/history");
        // 2 % of 25.00 back.
        const cashback = texts === english ? `Cashback on a payment to ${shop}` : `向 ${shop} 付款的返现`;
        const row = page.locator("tr", { hasText: cashback });
        await row.waitFor();
        assert.match((await row.textContent()) ?? "", /0\.50/);
        await page.screenshot({ path: path.join(screenshotDir, `coupon-history-${texts.tag}.png`), fullPage: true });
      } finally {
        await context.close();
      }
      const paid = await api("GET", `/v1/payments/${payment.id}`);
      assert.deepEqual([paid.amount_received, paid.discounts[0].applied_by], ["2500", "payer"]);
    });
  }

  for (const texts of [english, chinese]) {
    it(`an operator funds the marketing account and makes a platform coupon any shop's payer can use (${texts.locale})`, async () => {
      const words =
        texts === english
          ? {
              nav: "Marketing",
              amount: "Amount (USD)",
              fund: "Fund",
              name: "Name",
              percent: "Percent",
              budget: "Budget (USD)",
              code: "Promotion code (optional)",
              create: "Create",
              funded: /The marketing account now has \$[\d,.]+ available/,
            }
          : {
              nav: "营销",
              amount: "金额（USD）",
              fund: "注资",
              name: "名称",
              percent: "比例（%）",
              budget: "预算（USD）",
              code: "优惠码（可选）",
              create: "创建",
              funded: /营销账户现有 US\$[\d,.]+ 可用/,
            };
      const admin = await newOperator(coffer.app, coffer.services, "admin");
      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      try {
        await page.goto("/ops/login");
        await page.getByLabel(texts.email).fill(admin.email);
        await page.getByLabel(texts.password).fill("admin keeps the queue moving");
        await page.getByRole("button", { name: texts.signIn, exact: true }).click();
        await page.getByRole("navigation").getByRole("link", { name: words.nav, exact: true }).click();
        await page.getByRole("heading", { level: 1, name: words.nav }).waitFor();
        const fund = page.getByRole("form", {
          name: texts === english ? "Fund the marketing account" : "为营销账户注资",
        });
        await fund.getByLabel(words.amount).fill("100");
        await fund.getByRole("button", { name: words.fund, exact: true }).click();
        await page.getByText(words.funded).waitFor();
        const form = page.getByRole("form", { name: texts === english ? "New platform coupon" : "新建平台优惠券" });
        const code = texts === english ? "COFFERHELLO" : "COFFERNIHAO";
        await form.getByLabel(words.name).fill(texts === english ? "Welcome to coffer" : "欢迎使用 coffer");
        await form.getByLabel(words.percent, { exact: true }).fill("10");
        await form.getByLabel(words.budget).fill("50");
        await form.getByLabel(words.code).fill(code);
        await form.getByRole("button", { name: words.create, exact: true }).click();
        await page.getByRole("cell", { name: texts === english ? "Welcome to coffer" : "欢迎使用 coffer" }).waitFor();
        await page.screenshot({ path: path.join(screenshotDir, `coupon-ops-${texts.tag}.png`), fullPage: true });
      } finally {
        await context.close();
      }
      // Any shop's payer may now use it: the platform pays the shop the discount.
      const owner = await newMerchant(coffer.app, coffer.sink, texts === english ? "Any Tea" : "某茶店");
      const api = asOwner(owner);
      const payment = await api("POST", "/v1/payments", { amount: "2000", currency: "USD", method: "checkout" });
      const applied = await payer.client.post(`/v1/wallet/payments/${payment.id}/discount`, {
        promotion_code: texts === english ? "cofferhello" : "coffernihao",
      });
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(applied.json().amount, "1800");
      const paid = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
      assert.equal(paid.json().status, "succeeded", paid.body);
      const view = await api("GET", `/v1/payments/${payment.id}`);
      assert.deepEqual([view.amount_received, view.discounts[0].funded_by], ["1800", "platform"]);
    });
  }
});
