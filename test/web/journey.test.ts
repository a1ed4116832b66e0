import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { manualClock } from "../../src/clock.js";
import type { Services } from "../../src/runtime/services.js";
import { launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { samplePdf, samplePng } from "../helpers/merchant-console.js";
import { settleBank } from "../helpers/wallets.js";
import { startWebCoffer, type WebCoffer } from "../helpers/web-coffer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { type JourneyLocale, type JourneyTexts, journeyTexts } from "./journey-texts.js";

/**
 * The whole of issue 9's journey in real Chromium, through the pages: a merchant signs up in the console, verifies
 * the address from the dev mailbox, turns on TOTP and submits KYB with documents; an operator signs in to /ops with
 * a one-time password and approves it; the merchant passes the go-live checklist (webhook endpoint on a handler that
 * verifies signatures, a test payment refunded in the console, the probe) and creates a live key; a wallet user signs
 * up on a phone, tops up from the sandbox bank and pays a live checkout page by logging in on it; the merchant
 * refunds from the payment's page; the wallet shows the refund. Once in English (with screenshots), once in Chinese.
 *
 * Only what a person would do on another device goes around the pages: the merchant's server creates payments with
 * its keys, the bank settles the top-up, and the authenticator app computes codes.
 */
const stepTimeoutMs = 20_000;

describe("the whole journey in the browser", { timeout: 300_000 }, () => {
  let webCoffer: WebCoffer;
  let services: Services;
  let baseUrl: string;
  let browser: Browser;
  const clock = manualClock(new Date());
  const handlers: WebhookReceiver[] = [];

  before(async () => {
    webCoffer = await startWebCoffer(clock);
    ({ services, baseUrl } = webCoffer);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const handler of handlers) await handler.stop();
    await webCoffer?.close();
  });

  const journey = (locale: JourneyLocale, screenshots: boolean) => async () => {
    const text = journeyTexts[locale];
    const tag = randomBytes(3).toString("hex");
    const business = locale === "zh-CN" ? "灯笼茶馆" : "Lantern Tea"; // one of each in this file's database
    const email = `owner-${tag}@example.com`;
    const password = "correct horse battery staple";
    const payerName = locale === "zh-CN" ? "小林" : "Ada";
    const phone = `+1555${String(Number.parseInt(tag, 16) % 10_000_000).padStart(7, "0")}`;
    const walletPassword = "a long and quiet river";
    const shot = (page: Page, name: string) =>
      screenshots ? page.screenshot({ path: path.join(screenshotDir, `journey-${name}.png`) }) : Promise.resolve();

    const handler = await startVerifyingHandler();
    handlers.push(handler);

    // 1. The merchant signs up, verifies the address, turns on TOTP and submits KYB.
    const merchantContext = await newBrowserContext(browser, { baseURL: baseUrl, locale });
    const merchant = await merchantContext.newPage();
    merchant.setDefaultTimeout(stepTimeoutMs);
    await merchant.goto("/");
    await merchant.getByRole("heading", { name: text.console.loginTitle }).waitFor();
    await merchant.getByRole("link", { name: text.console.toSignup }).click();
    await merchant.getByLabel(text.console.businessName).fill(business);
    await merchant.getByLabel(text.console.yourName).fill("Mei Lin");
    await merchant.getByLabel(text.console.email, { exact: true }).fill(email);
    await merchant.getByLabel(text.console.password, { exact: true }).fill(password);
    await merchant.getByRole("button", { name: text.console.createAccount }).click();
    await merchant.getByRole("heading", { name: text.console.checkMailTitle }).waitFor();
    await merchant.getByRole("link", { name: text.console.openMailbox }).click();
    await merchant.getByRole("heading", { name: text.console.mailboxTitle }).waitFor();
    await merchant.getByLabel(text.console.mailboxRecipient).fill(email);
    await merchant.getByRole("button", { name: text.console.mailboxFilter }).click();
    // Other merchants' mail is in the same mailbox until the filter's answer is on screen.
    const verifyLinks = merchant.getByRole("link", { name: /\/console\/verify-email\?token=/ });
    await eventually("the mailbox shows only this merchant's mail", async () => (await verifyLinks.count()) === 1);
    await verifyLinks.click();
    await merchant.getByText(text.console.verified(email)).waitFor();
    await merchant.getByRole("link", { name: text.console.continueToLogin }).click();
    await merchant.getByLabel(text.console.email, { exact: true }).fill(email);
    await merchant.getByLabel(text.console.password, { exact: true }).fill(password);
    await merchant.getByRole("button", { name: text.console.signIn, exact: true }).click();
    await merchant.getByRole("heading", { name: business }).waitFor();
    await merchant.getByRole("note").filter({ hasText: text.console.testModeNote }).waitFor();

    const nav = (name: string) =>
      merchant.getByRole("navigation", { name: text.console.nav }).getByRole("link", { name, exact: true }).click();
    await nav(text.console.navSecurity);
    await merchant.getByRole("button", { name: text.console.totpSetUp }).click();
    await merchant.getByRole("img", { name: text.console.totpQrAlt }).waitFor();
    const totpSecret = await merchant.getByLabel(text.console.totpSecret).inputValue();
    const totpCode = await generate({ secret: totpSecret, epoch: Math.floor(clock.now().getTime() / 1000) });
    await merchant.getByLabel(text.console.totpCode).fill(totpCode);
    await merchant.getByRole("button", { name: text.console.totpConfirm }).click();
    await merchant.getByText(text.console.totpOn).waitFor();

    await nav(text.console.navVerification);
    const kyb = text.console.kyb;
    await merchant.getByLabel(kyb.legalName).fill(`${business} Trading Co., Ltd.`);
    await merchant.getByLabel(kyb.registrationNumber).fill("91310000MA1FL0001X");
    await merchant.getByLabel(kyb.country).fill("CN");
    await merchant.getByLabel(kyb.category).selectOption("food_and_beverage");
    await merchant.getByLabel(kyb.website).fill("https://lantern-tea.example.com");
    await merchant.getByLabel(kyb.line1).fill("88 Century Avenue");
    await merchant.getByLabel(kyb.city).fill("Shanghai");
    await merchant.getByLabel(kyb.representativeName).fill("Mei Lin");
    await merchant.getByLabel(kyb.idNumber).fill("110101199003077316");
    await merchant.getByLabel(kyb.holderName).fill(`${business} Trading Co., Ltd.`);
    await merchant.getByLabel(kyb.bankName).fill("Bank of Shanghai");
    await merchant.getByLabel(kyb.accountNumber).fill("6222020200112233445");
    await merchant.getByRole("button", { name: kyb.save }).click();
    await merchant.getByText(kyb.saved).waitFor();
    const documents = merchant.getByRole("list", { name: kyb.documents });
    await merchant.getByLabel(kyb.documentType).selectOption("business_licence");
    await merchant
      .getByLabel(kyb.file, { exact: true })
      .setInputFiles({ name: "licence.pdf", mimeType: "application/pdf", buffer: samplePdf });
    await merchant.getByRole("button", { name: kyb.upload }).click();
    await documents.getByText(kyb.docLicence).waitFor();
    await merchant.getByLabel(kyb.documentType).selectOption("representative_id");
    await merchant
      .getByLabel(kyb.file, { exact: true })
      .setInputFiles({ name: "id.png", mimeType: "image/png", buffer: samplePng });
    await merchant.getByRole("button", { name: kyb.upload }).click();
    await documents.getByText(kyb.docId).waitFor();
    await merchant.getByRole("button", { name: kyb.submit }).click();
    await merchant.getByText(kyb.submitted).waitFor();
    await shot(merchant, "1-kyb-submitted");

    // 2. An operator, created with a one-time password, signs in to /ops and approves the application.
    const created = await services.operators.accounts.create({
      email: `reviewer-${tag}@example.com`,
      role: "reviewer",
      name: null,
      createdBy: null,
      ip: null,
    });
    assert.ok(created.ok);
    const opsContext = await newBrowserContext(browser, { baseURL: baseUrl, locale });
    const ops = await opsContext.newPage();
    ops.setDefaultTimeout(stepTimeoutMs);
    await ops.goto("/ops");
    await ops.getByRole("heading", { name: text.ops.loginTitle }).waitFor();
    await ops.getByLabel(text.ops.email).fill(`reviewer-${tag}@example.com`);
    await ops.getByLabel(text.ops.password).fill(created.value.oneTimePassword);
    await ops.getByRole("button", { name: text.ops.signIn }).click();
    await ops.getByLabel(text.ops.newPassword).fill("reviewers keep the queue moving");
    await ops.getByRole("button", { name: text.ops.signIn }).click();
    await ops.getByRole("heading", { name: text.ops.queueTitle }).waitFor();
    await ops.getByRole("link", { name: text.ops.openApplication(business) }).click();
    await ops.getByRole("button", { name: text.ops.approve }).click();
    await ops.getByRole("status").filter({ hasText: text.ops.approved }).waitFor();
    await shot(ops, "2-ops-approved");
    await opsContext.close();

    // 3. The go-live checklist: a webhook endpoint on the handler, a test payment refunded, the probe; a live key.
    await merchant.reload();
    await merchant.getByText(kyb.approved).waitFor();
    await nav(text.console.navWebhooks);
    await merchant.getByLabel(text.console.webhookUrl).fill(`${handler.url}/coffer-webhooks`);
    await merchant.getByRole("button", { name: text.console.addEndpoint }).click();
    handler.secret = await merchant.getByLabel(text.console.signingSecret).inputValue();
    assert.match(handler.secret, /^whsec_/);

    await nav(text.console.navApiKeys);
    await merchant.getByRole("button", { name: text.console.revealKey }).click();
    const testKey = await merchant.getByLabel(text.console.signUpKey).inputValue();
    assert.match(testKey, /^sk_test_/);
    // The merchant's integration takes a test payment with the sandbox's success code.
    const testPayment = await api(testKey, "/v1/payments", {
      amount: "1000",
      currency: "USD",
      method: "payment_code",
      payment_code: "880000000000000001",
      description: "Test order",
    });
    assert.equal(testPayment.status, "succeeded");
    await nav(text.console.navPayments);
    await refundFromConsole(merchant, text, testPayment.id as string, "2.00");

    await nav(text.console.navGoLive);
    await merchant.getByRole("button", { name: text.console.runProbe }).click();
    await merchant.getByRole("status").getByText(text.console.probePassed).waitFor();
    await merchant.getByText(text.console.goLiveReady).waitFor();
    await merchant.getByRole("list", { name: text.console.goLiveTitle }).getByText(text.console.probeItem).waitFor();
    await shot(merchant, "3-go-live-ready");

    const liveSwitch = merchant.getByRole("switch", { name: text.console.liveMode });
    await liveSwitch.click();
    await merchant.getByRole("note").filter({ hasText: text.console.testModeNote }).waitFor({ state: "detached" });
    assert.equal(await liveSwitch.getAttribute("aria-checked"), "true");
    await nav(text.console.navApiKeys);
    await merchant.getByText(text.console.liveKeysIntro).waitFor();
    await merchant.getByLabel(text.console.keyType, { exact: true }).selectOption("secret");
    await merchant.getByLabel(text.console.keyName, { exact: true }).fill("Shop server");
    await merchant.getByRole("button", { name: text.console.createLiveKey }).click();
    const liveKey = await merchant.getByLabel(text.console.newKey).inputValue();
    assert.match(liveKey, /^sk_live_/);
    await shot(merchant, "4-live-key");

    // 4. A wallet user signs up on a phone, verifies the identity, tops up and pays a live checkout page.
    const phoneContext = await newBrowserContext(browser, { baseURL: baseUrl, locale, mobile: true });
    const wallet = await phoneContext.newPage();
    wallet.setDefaultTimeout(stepTimeoutMs);
    const w = text.wallet;
    await wallet.goto("/wallet");
    await wallet.getByRole("heading", { name: w.loginTitle }).waitFor();
    await wallet.getByRole("link", { name: w.createWallet }).click();
    await wallet.getByRole("radio", { name: w.phone }).check();
    await wallet.getByLabel(w.phoneNumber).fill(phone);
    await wallet.getByLabel(w.yourName).fill(payerName);
    await wallet.getByLabel(w.password).fill(walletPassword);
    await wallet.getByRole("button", { name: w.sendCode }).click();
    await wallet.getByRole("heading", { name: w.enterCode }).waitFor();
    await wallet.getByRole("button", { name: w.fromOutbox }).click();
    await wallet.getByText(w.codeFilled).waitFor();
    await wallet.getByRole("button", { name: w.verifyAndOpen }).click();
    await wallet.getByRole("heading", { name: w.hello(payerName) }).waitFor();
    await wallet.getByText(w.noMoney).waitFor();

    await wallet.getByRole("link", { name: w.verifyIdentity }).click();
    await wallet.getByLabel(w.fullName).fill("Ada Lovelace");
    await wallet.getByLabel(w.nationalId).fill("ID-4242424242");
    await wallet.getByLabel(w.birth).fill("1990-12-10");
    await wallet.getByRole("button", { name: w.submit, exact: true }).click();
    await wallet.getByText(w.identityApproved).waitFor();

    const walletNav = (name: string) =>
      wallet.getByRole("navigation", { name: w.nav }).getByRole("link", { name, exact: true }).click();
    await walletNav(w.navHome);
    await wallet.getByRole("link", { name: w.topUp, exact: true }).click();
    await wallet.getByText(w.sandboxHint).waitFor();
    await wallet.getByLabel(w.holder).fill("Ada Lovelace");
    await wallet.getByLabel(w.bankCode).fill("110000000");
    await wallet.getByLabel(w.accountNumber).fill("000123456789");
    await wallet.getByLabel(w.currency).selectOption("USD");
    await wallet.getByRole("button", { name: w.linkBank }).click();
    await wallet.getByText(w.bankLinked).waitFor();
    await wallet.getByLabel(w.amount).fill("200");
    await wallet.getByRole("button", { name: w.topUp, exact: true }).click();
    await wallet.getByText(w.topUpSent(text.money("20000"))).waitFor();
    await settleBank(services, clock); // the bank confirms the transfer
    await wallet.getByText(w.topUpArrived(text.money("20000"))).waitFor();
    await shot(wallet, "5-wallet-top-up");

    // The merchant's server creates a live checkout payment with the live key and sends the payer to its page.
    const checkoutPayment = await api(liveKey, "/v1/payments", {
      amount: "2450",
      currency: "USD",
      method: "checkout",
      description: "Two pots of oolong",
    });
    assert.equal(checkoutPayment.livemode, true);
    const checkout = await phoneContext.newPage();
    checkout.setDefaultTimeout(stepTimeoutMs);
    await checkout.goto(`/checkout/${checkoutPayment.id}`);
    await checkout.getByRole("heading", { name: business }).waitFor();
    await checkout.getByLabel(text.checkout.contact).fill(phone);
    await checkout.getByLabel(text.checkout.password, { exact: true }).fill(walletPassword);
    await checkout.getByRole("button", { name: text.checkout.pay(text.money("2450")) }).click();
    await checkout.getByText(text.checkout.paid).waitFor();
    await checkout.getByText(text.checkout.paidBody(text.money("2450"), business)).waitFor();
    await shot(checkout, "6-checkout-paid");
    await checkout.close();

    // 5. The merchant refunds part of it from the payment's page, in live mode.
    await nav(text.console.navPayments);
    await refundFromConsole(merchant, text, checkoutPayment.id as string, "10.00");
    await shot(merchant, "7-console-refund");
    await merchantContext.close();

    // 6. The wallet shows the refund: in the history, and in the balance (200.00 − 24.50 + 10.00).
    await walletNav(w.navHistory);
    const row = wallet
      .getByRole("table", { name: w.history })
      .getByRole("row")
      .filter({ hasText: w.paymentTo(business) });
    await row.getByText(w.refunded(text.money("1000"))).waitFor();
    await shot(wallet, "8-wallet-refund");
    await walletNav(w.navHome);
    await wallet.getByText(text.money("18550")).waitFor();
    await phoneContext.close();
  };

  /** The merchant's server: an API call with its secret key. */
  async function api(key: string, url: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${baseUrl}${url}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        "idempotency-key": randomBytes(8).toString("hex"),
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 201, JSON.stringify(json));
    return json;
  }

  it("runs in English: sign-up to refund, with screenshots", journey("en-US", true));
  it("runs in Simplified Chinese", journey("zh-CN", false));
});

/** Polls until the condition holds, or fails after a bounded wait saying what it waited for. */
async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = stepTimeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The merchant's webhook handler, a real HTTP server: it verifies the signature (with the Standard Webhooks library)
 * before anything else and answers 400 when it does not verify, and acknowledges every event that does, a redelivery
 * too. That is what the go-live probe checks.
 */
async function startVerifyingHandler(): Promise<WebhookReceiver & { secret: string }> {
  const handler = Object.assign(await startWebhookReceiver(), { secret: "" });
  handler.respond = (w) => {
    try {
      new Webhook(handler.secret).verify(w.body, {
        "webhook-id": String(w.headers["webhook-id"]),
        "webhook-timestamp": String(w.headers["webhook-timestamp"]),
        "webhook-signature": String(w.headers["webhook-signature"]),
      });
    } catch {
      return { status: 400 };
    }
    return { status: 200 };
  };
  return handler;
}

/** From the payments list: opens the payment and refunds the amount given (in dollars), waiting for the timeline. */
async function refundFromConsole(page: Page, text: JourneyTexts, paymentId: string, amount: string) {
  await page.getByRole("link", { name: text.console.openPayment(paymentId) }).click();
  await page.getByLabel(text.console.refundAmount).fill(amount);
  await page.getByRole("button", { name: text.console.refundSubmit, exact: true }).click();
  const minor = amount.replace(".", "").replace(/^0+/, "");
  await page.getByText(text.console.refundCreated(text.money(minor))).waitFor();
  await page.getByRole("list", { name: text.console.timeline }).getByText(text.console.refundCreatedEvent).waitFor();
}
