import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Feedback after a payment and paying again, in real Chromium, in English and in Chinese: a payer pays on the
 * checkout page and rates the payment there; a payment code's payment the payer could not afford is paid again on
 * its checkout page with a prepaid card after the page says why it failed and what to do; the receipt's feedback
 * link rates a third payment and the wallet app a fourth; the shop owner sees the average and every rating on the Feedback page, and the
 * payment's attempts and rating on its page. Screenshots go to docs/screenshots/feedback-*.png and pay-again-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  shop: string;
  testPayerField: string;
  payButton: RegExp;
  paid: string;
  star: (n: number) => string;
  fast: string;
  slow: string;
  comment: string;
  send: string;
  thanks: RegExp;
  again: string;
  againWhy: string;
  cardOpen: string;
  cardNumber: string;
  cardPin: string;
  cardContinue: string;
  cardPay: RegExp;
  email: string;
  password: string;
  signIn: string;
  nav: string;
  average: string;
  attempts: string;
  attempt2: string;
  payerFeedback: string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  shop: "Tea Garden",
  testPayerField: "Test payer's sign-in link or session token",
  payButton: /^Pay \$60\.00$/,
  paid: "Paid. Thank you!",
  star: (n) => `${n} of 5 stars`,
  fast: "Fast",
  slow: "Slow",
  comment: "Anything to add? (optional)",
  send: "Send feedback",
  thanks: /Thank you! Tea Garden will see your feedback\./,
  again: "You can still pay this",
  againWhy: "The last attempt did not go through: the wallet did not have enough money.",
  cardOpen: "Pay with a prepaid card",
  cardNumber: "Card number",
  cardPin: "PIN or secret",
  cardContinue: "Continue",
  cardPay: /^Pay \$25\.00 with this card$/,
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  nav: "Feedback",
  average: "3.50 of 5",
  attempts: "Attempts",
  attempt2: "Attempt 2",
  payerFeedback: "Payer's feedback",
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  shop: "茶园",
  testPayerField: "测试付款人的登录链接或会话令牌",
  payButton: /^付款 US\$60\.00$/,
  paid: "付款成功，谢谢！",
  star: (n) => `${n} 星（满分 5 星）`,
  fast: "快捷",
  slow: "太慢",
  comment: "还有什么想说的？（可选）",
  send: "提交评价",
  thanks: /谢谢！茶园会看到您的评价。/,
  again: "您仍可完成这笔付款",
  againWhy: "上一次付款未成功：钱包余额不足。",
  cardOpen: "使用预付卡付款",
  cardNumber: "卡号",
  cardPin: "PIN 或密码",
  cardContinue: "继续",
  cardPay: /^用此卡支付 US\$25\.00$/,
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  nav: "用户评价",
  average: "3.50 分（满分 5 分）",
  attempts: "付款尝试",
  attempt2: "第 2 次",
  payerFeedback: "付款人评价",
};

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });

describe("feedback and paying again in the browser", { timeout: 300_000 }, () => {
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

  /** Picks stars, a tag and a comment in the rating form and sends it. */
  async function rate(page: Page, texts: Texts, stars: number, tag: string, comment: string) {
    await page.getByRole("radio", { name: texts.star(stars) }).check();
    await page.getByRole("checkbox", { name: tag }).check();
    await page.getByLabel(texts.comment).fill(comment);
    await page.getByRole("button", { name: texts.send }).click();
    await page.getByText(texts.thanks).waitFor();
  }

  for (const texts of [english, chinese]) {
    it(`rates a payment after paying, pays a failed one again with a card, and the owner sees both (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, texts.shop);
      const api = owner.client;
      const ok = async (response: LightMyRequestResponse, status = 200) => {
        assert.equal(response.statusCode, status, response.body);
        return response.json();
      };
      const phone = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const page = await phone.newPage();
      page.setDefaultTimeout(15_000);

      // 1. A checkout payment paid on its page by a test payer, then rated right there.
      const first = await ok(
        await api.post("/v1/payments", {
          amount: "6000",
          currency: "USD",
          method: "checkout",
          description: "Tea tasting",
        }),
        201,
      );
      await page.goto(`/checkout/${first.id}`);
      await page.getByLabel(texts.testPayerField).fill(payer.token);
      await page.getByRole("button", { name: texts.payButton }).click();
      await page.getByRole("status").getByText(texts.paid).first().waitFor();
      await page.getByRole("radio", { name: texts.star(4) }).waitFor();
      await shot(page, `feedback-checkout-${texts.tag}`);
      await rate(page, texts, 4, texts.fast, texts.tag === "en" ? "Lovely oolong." : "乌龙茶很好喝。");

      // 2. A payment code's payment its payer could not afford fails; its checkout page says why and what to do,
      // and a prepaid card pays it as a second attempt.
      const poor = await newTestPayer(coffer, { fund: "100" });
      const code = (await ok(await poor.client.get("/v1/wallet/payment_code"))).code;
      const failed = await ok(
        await api.post("/v1/payments", {
          amount: "2500",
          currency: "USD",
          method: "payment_code",
          payment_code: code,
          description: "Jasmine pearls",
          allow_retries: true,
        }),
        201,
      );
      assert.equal(failed.status, "failed");
      const card = await ok(await api.post("/v1/stored_value/cards", { currency: "USD", amount: "3000" }), 201);
      await page.goto(`/checkout/${failed.id}`);
      await page.getByText(texts.again).waitFor();
      await page.getByText(texts.againWhy).waitFor();
      await shot(page, `pay-again-${texts.tag}`);
      await page.getByRole("button", { name: texts.cardOpen }).click();
      await page.getByLabel(texts.cardNumber).fill(card.number);
      await page.getByLabel(texts.cardPin).fill(card.secret);
      await page.getByRole("button", { name: texts.cardContinue }).click();
      await page.getByRole("button", { name: texts.cardPay }).click();
      await page.getByRole("status").getByText(texts.paid).first().waitFor();
      await rate(page, texts, 2, texts.slow, texts.tag === "en" ? "Took two tries." : "试了两次才付成功。");
      const again = await ok(await api.get(`/v1/payments/${failed.id}`));
      assert.equal(again.status, "succeeded");
      assert.equal(again.attempts, 2);

      // 3. The receipt's feedback link: a third payment, rated from /feedback/{token}.
      const third = await ok(await api.post("/v1/payments", { amount: "900", currency: "USD", method: "qr" }), 201);
      await ok(await payer.client.post("/v1/wallet/scan", { payload: third.qr.payload }));
      const paid = await ok(await payer.client.post(`/v1/wallet/payments/${third.id}/confirm`, {}));
      await page.goto(`/feedback/${paid.feedback_token}`);
      await page.getByRole("heading", { level: 1, name: texts.shop }).waitFor();
      await page.getByRole("radio", { name: texts.star(5) }).waitFor();
      await shot(page, `feedback-link-${texts.tag}`);
      await rate(page, texts, 5, texts.fast, texts.tag === "en" ? "Quick." : "很快。");

      // 4. The wallet app: a paid payment's page (opened from the history) asks for a rating with the session.
      const fourth = await ok(await api.post("/v1/payments", { amount: "400", currency: "USD", method: "qr" }), 201);
      await ok(await payer.client.post("/v1/wallet/scan", { payload: fourth.qr.payload }));
      await ok(await payer.client.post(`/v1/wallet/payments/${fourth.id}/confirm`, {}));
      await page.goto(`/wallet/history#sign_in=${encodeURIComponent(payer.token)}`);
      await page.locator(`a[href="/wallet/payments/${fourth.id}"]`).click();
      await page.getByRole("radio", { name: texts.star(3) }).waitFor();
      await shot(page, `feedback-wallet-${texts.tag}`);
      await rate(page, texts, 3, texts.slow, texts.tag === "en" ? "Queue at the counter." : "柜台排队。");
      await phone.close();

      // 5. The owner: the average of the four and each rating, then the retried payment's attempts and rating.
      const desk = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const consolePage = await desk.newPage();
      consolePage.setDefaultTimeout(15_000);
      await consolePage.goto("/login");
      await consolePage.getByLabel(texts.email).fill(owner.email);
      await consolePage.getByLabel(texts.password, { exact: true }).fill(owner.password);
      await consolePage.getByRole("button", { name: texts.signIn, exact: true }).click();
      await consolePage.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
      await consolePage.getByRole("heading", { level: 1, name: texts.nav }).waitFor();
      await consolePage.getByText(texts.average, { exact: true }).waitFor();
      await consolePage.getByRole("cell", { name: texts.tag === "en" ? "Lovely oolong." : "乌龙茶很好喝。" }).waitFor();
      assert.equal(await consolePage.getByRole("row").count(), 5, "a header and four ratings");
      await shot(consolePage, `feedback-console-${texts.tag}`);
      await consolePage.locator(`a[href="/payments/${failed.id}"]`).click();
      await consolePage.getByRole("heading", { name: texts.attempts }).waitFor();
      await consolePage.getByText(texts.attempt2).waitFor();
      await consolePage.getByRole("heading", { name: texts.payerFeedback }).waitFor();
      await shot(consolePage, `feedback-payment-attempts-${texts.tag}`);
      await desk.close();
    });
  }
});
