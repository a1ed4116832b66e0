import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { Coffer } from "../../sdk/src/index.js";
import { webPageContentSecurityPolicy } from "../../src/http/web-app.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { insertTestMerchant, issueTestApiKey } from "../helpers/merchant-rows.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import {
  linkBank,
  signUpWallet,
  type TestWalletUser,
  topUpAndSettle,
  verifyIdentity,
  WalletClient,
} from "../helpers/wallets.js";

/**
 * The hosted checkout page in real Chromium: a live shop's payment paid by logging in to the wallet on the page
 * (English and Chinese), back to the shop with the payment id; a payment paid elsewhere shows up by polling; wrong
 * credentials, a failed payment's reason, expiry and unknown ids each get their state. Screenshots go to
 * docs/screenshots. (Test-mode payments are paid by test payers: test/web/test-payer-checkout.test.ts.)
 */
const password = "a long and quiet river";
const returnUrl = "https://shop.example.com/thanks?order=77";
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `checkout-${name}.png`), fullPage: true });

describe("hosted checkout (browser)", () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let shop: Coffer;
  let testShop: { sdk: Coffer; key: string };
  let payer: TestWalletUser;

  const checkout = (amount = "4200", extra: Record<string, unknown> = {}) =>
    shop.payments.create({
      amount,
      currency: "USD",
      method: "checkout",
      description: "Gift box",
      return_url: returnUrl,
      ...extra,
    });

  const openPage = async (id: string, locale = "en-US", query = "") => {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale, mobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const response = await page.goto(`/checkout/${id}${query}`);
    return { page, response, close: () => context.close() };
  };

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    const merchantId = await insertTestMerchant(coffer.db.pool, "Tea House");
    shop = new Coffer(await issueTestApiKey(coffer.services, merchantId, { livemode: true }), {
      baseUrl: coffer.baseUrl,
      maxRetries: 0,
    });
    const testMerchantId = await insertTestMerchant(coffer.db.pool, "Sandbox Books");
    const key = await issueTestApiKey(coffer.services, testMerchantId);
    testShop = { key, sdk: new Coffer(key, { baseUrl: coffer.baseUrl, maxRetries: 0 }) };
    payer = await signUpWallet(coffer.app, coffer.sink, { displayName: "Ada" });
    await verifyIdentity(payer);
    const bank = await linkBank(payer);
    await topUpAndSettle(coffer.services, coffer.clock, payer, bank, "100000");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  it("is paid by logging in to the wallet on the page, then offers the way back to the shop", async () => {
    const payment = await checkout();
    const { page, response, close } = await openPage(payment.id);
    try {
      assert.equal(response?.status(), 200);
      assert.equal(response?.headers()["content-security-policy"], webPageContentSecurityPolicy);
      assert.equal(response?.headers()["cache-control"], "no-store");
      await page.getByRole("heading", { name: "Tea House" }).waitFor();
      await page.getByText("$42.00").first().waitFor();
      await page.getByText("Gift box").waitFor();
      await page.getByRole("img", { name: "QR code of this payment, to scan with the coffer wallet app" }).waitFor();
      await page.getByText(/Expires in \d+:\d\d/).waitFor();
      await page.getByRole("link", { name: "Cancel and return to Tea House" }).waitFor();
      await shot(page, "open");

      // Wrong password first: a clear error, nothing paid.
      await page.getByLabel("Email or phone number").fill(payer.email);
      await page.getByLabel("Password").fill("not the password at all");
      await page.getByRole("button", { name: "Pay $42.00" }).click();
      await page.getByRole("alert").getByText("The email, phone number or password is not right.").waitFor();
      assert.equal((await shop.payments.retrieve(payment.id)).status, "requires_payment");

      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Pay $42.00" }).click();
      await page.getByRole("status").getByText("Paid. Thank you!").waitFor();
      await page.getByText("$42.00 was paid to Tea House.").waitFor();
      const back = page.getByRole("link", { name: "Back to Tea House" });
      assert.equal(await back.getAttribute("href"), `${returnUrl}&payment_id=${payment.id}`);
      assert.equal(await page.getByRole("button", { name: /Pay/ }).count(), 0);
      await shot(page, "paid");
      assert.equal((await shop.payments.retrieve(payment.id)).status, "succeeded");
      // The wallet session the page opened ended with the payment: only the test's own session is left.
      const sessions = (await payer.client.get("/v1/wallet/sessions")).json().data;
      assert.equal(sessions.length, 1);
    } finally {
      await close();
    }
  });

  it("shows in Chinese for a Chinese browser, and in English when the link asks for it", async () => {
    const payment = await checkout("1999");
    const { page, close } = await openPage(payment.id, "zh-CN");
    try {
      assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
      await page.getByText("付款给").waitFor();
      await page.getByText("用 coffer 钱包扫码付款").waitFor();
      await page.getByLabel("邮箱或手机号").fill(payer.email);
      await page.getByLabel("密码").fill(password);
      await shot(page, "open-zh");
      await page.getByRole("button", { name: "付款 US$19.99" }).click();
      await page.getByRole("status").getByText("付款成功，谢谢！").waitFor();
      await page.getByRole("link", { name: "返回Tea House" }).waitFor();
      await shot(page, "paid-zh");
    } finally {
      await close();
    }
    const english = await openPage((await checkout("500")).id, "zh-CN", "?locale=en");
    try {
      await english.page.getByText("Pay to").waitFor();
      assert.equal(await english.page.locator("html").getAttribute("lang"), "en");
    } finally {
      await english.close();
    }
  });

  it("follows a payment made with the phone: the open page turns to paid by itself", async () => {
    const payment = await checkout("800");
    const { page, close } = await openPage(payment.id);
    try {
      await page.getByRole("button", { name: "Pay $8.00" }).waitFor();
      const summary = await shop.checkout.retrieve(payment.id);
      const scanned = await payer.client.post("/v1/wallet/scan", { payload: summary.qr!.payload });
      assert.equal(scanned.json().id, payment.id);
      const paid = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
      assert.equal(paid.statusCode, 200, paid.body);
      await page.getByRole("status").getByText("Paid. Thank you!").waitFor();
    } finally {
      await close();
    }
  });

  it("shows a failed payment's reason, with the test-mode banner", async () => {
    // Without retries (the default before API version 2026-12-14), a failed payment is final: test/web/feedback.test.ts
    // has the page of one that may be paid again.
    const payment = await testShop.sdk.payments.create({
      amount: "1500",
      currency: "USD",
      method: "checkout",
      return_url: returnUrl,
      allow_retries: false,
    });
    const declined = await fetch(`${coffer.baseUrl}/v1/test_helpers/payments/${payment.id}/decline`, {
      method: "POST",
      headers: { authorization: `Bearer ${testShop.key}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(declined.status, 200, await declined.text());
    const { page, close } = await openPage(payment.id);
    try {
      await page.getByText("Test mode: no real money moves.").waitFor();
      await page.getByRole("heading", { name: "Sandbox Books" }).waitFor();
      await page.getByText("This payment failed").waitFor();
      await page.getByText("Reason: The payer declined the payment.").waitFor();
      await page.getByRole("link", { name: "Back to Sandbox Books" }).waitFor();
      assert.equal(await page.getByLabel("Password").count(), 0);
      await shot(page, "failed");
    } finally {
      await close();
    }
  });

  it("shows what a merchant typed as text, and a clear page for an unknown id", async () => {
    const payment = await checkout("300", { description: '<img src=x onerror="document.title=1">Tea & "cakes"' });
    const { page, close } = await openPage(payment.id);
    try {
      await page.getByText('<img src=x onerror="document.title=1">Tea & "cakes"').waitFor();
      assert.notEqual(await page.title(), "1");
    } finally {
      await close();
    }
    const missing = await openPage("pay_0000000000000000000000");
    try {
      await missing.page.getByText("Payment not found").waitFor();
    } finally {
      await missing.close();
    }
  });

  // Last: it moves coffer's clock past the payment's expiry.
  it("shows expiry: the countdown, then the expired state without a way to pay", async () => {
    const payment = await checkout("2500", { expires_in: 120, allow_retries: false });
    const { page, close } = await openPage(payment.id);
    try {
      await page.getByText(/Expires in (1:\d\d|2:00)/).waitFor();
      coffer.clock.advance(121_000);
      await coffer.services.payments.expireDue();
      await page.getByText("This payment expired").waitFor();
      await page.getByText("Nobody paid it in time. Ask Tea House for a new payment link.").waitFor();
      assert.equal(await page.getByRole("button", { name: /Pay/ }).count(), 0);
      await page.getByRole("link", { name: "Back to Tea House" }).waitFor();
      await shot(page, "expired");
      const late = await new WalletClient(coffer.app, payer.token).post(
        `/v1/wallet/payments/${payment.id}/confirm`,
        {},
      );
      assert.equal(late.statusCode, 404);
    } finally {
      await close();
    }
  });
});
