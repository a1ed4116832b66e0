import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { Coffer } from "../../sdk/src/index.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { insertTestMerchant, issueTestApiKey } from "../helpers/merchant-rows.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";

/**
 * A test-mode payment paid on the hosted checkout by a test payer, in real Chromium: the test helper's sign-in link
 * opens the wallet app as the payer (the token leaves the address bar), and the checkout then pays as that payer;
 * a fresh browser pastes the link instead, after a token that is no test payer's is refused with a clear reason.
 */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });

interface TestPayer {
  id: string;
  balance: string;
  session_token: string;
  sign_in_url: string;
}

describe("test payers on the hosted checkout (browser)", () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let shop: Coffer;
  let key: string;

  const newPayer = async (): Promise<TestPayer> => {
    const response = await fetch(`${coffer.baseUrl}/v1/test_helpers/wallet_users`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ currency: "USD" }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as TestPayer;
  };
  const balanceOf = async (payer: TestPayer) => {
    const response = await fetch(`${coffer.baseUrl}/v1/wallet/balances`, {
      headers: { authorization: `Bearer ${payer.session_token}` },
    });
    const body = (await response.json()) as { data: { currency: string; available: string }[] };
    return body.data.find((b) => b.currency === "USD")?.available;
  };
  const checkout = (amount: string) =>
    shop.payments.create({ amount, currency: "USD", method: "checkout", description: "Sencha, 50 g" });

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    key = await issueTestApiKey(coffer.services, await insertTestMerchant(coffer.db.pool, "Sandbox Tea"));
    shop = new Coffer(key, { baseUrl: coffer.baseUrl, maxRetries: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  it("signs in to the wallet by the link, then pays the checkout as that payer", async () => {
    const payer = await newPayer();
    const link = new URL(payer.sign_in_url);
    assert.equal(link.pathname, "/wallet/");
    assert.equal(link.hash, `#sign_in=${payer.session_token}`);
    const before = await balanceOf(payer);
    const payment = await checkout("1234");

    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, mobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`${link.pathname}${link.hash}`);
      await page.getByText("Test mode", { exact: true }).waitFor();
      await page.getByText("Sandbox: development only, no real money.").waitFor();
      assert.equal(new URL(page.url()).hash, "", "the token left the address bar");

      await page.goto(`/checkout/${payment.id}`);
      await page.getByRole("heading", { name: "Sandbox Tea" }).waitFor();
      const field = page.getByLabel("Test payer's sign-in link or session token");
      assert.equal(await field.inputValue(), payer.session_token, "the wallet app's session is offered");
      await page.getByText("This browser's wallet app is signed in").waitFor();
      assert.equal(await page.getByLabel("Password").count(), 0, "no wallet login form in test mode");
      await shot(page, "checkout-test-payer");
      await page.getByRole("button", { name: "Pay $12.34" }).click();
      await page.getByRole("status").getByText("Paid. Thank you!").waitFor();
      assert.equal((await shop.payments.retrieve(payment.id)).status, "succeeded");
      assert.equal(BigInt((await balanceOf(payer)) ?? "0"), BigInt(before ?? "0") - 1234n);
    } finally {
      await context.close();
    }
  });

  it("takes a pasted link in a fresh browser, after refusing a token that is no test payer's", async () => {
    const payer = await newPayer();
    const payment = await checkout("500");
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: "zh-CN" });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`/checkout/${payment.id}`);
      const field = page.getByLabel("测试付款人的登录链接或会话令牌");
      assert.equal(await field.inputValue(), "");
      await field.fill("wst_not_a_session_of_anyone");
      await page.getByRole("button", { name: /^付款 US\$/ }).click();
      await page.getByRole("alert").getByText("该钱包不能支付测试模式的付款").waitFor();
      assert.equal((await shop.payments.retrieve(payment.id)).status, "requires_payment");

      await field.fill(payer.sign_in_url);
      await page.getByRole("button", { name: /^付款 US\$/ }).click();
      await page.getByRole("status").getByText("付款成功，谢谢！").waitFor();
      assert.equal((await shop.payments.retrieve(payment.id)).status, "succeeded");
    } finally {
      await context.close();
    }
  });
});
