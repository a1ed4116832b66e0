import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { logIn, signUp } from "../helpers/merchant-console.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { signUpWallet, type TestWalletUser } from "../helpers/wallets.js";

/**
 * The wallet's first-use guide, security centre and payment-code warning in real Chromium on a phone-sized screen,
 * in English and Chinese; and the new-device alert's "this wasn't me" link followed in the browser: the wallet is
 * secured, a new password set with the mailed code, and the person signs in again.
 */
const password = "a long and quiet river";
const newPassword = "another calm and winding stream";
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `wallet-${name}.png`), fullPage: true });

const navTo = (page: Page, name: string) =>
  page
    .getByRole("navigation", { name: /Wallet|钱包/ })
    .getByRole("link", { name, exact: true })
    .click();

describe("wallet security centre and first-use guide (browser)", () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestWalletUser;

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();
    context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, mobile: true });
    page = await context.newPage();
    page.setDefaultTimeout(8_000);
    // Signed up elsewhere (over the API): the browser is a new device for this wallet.
    user = await signUpWallet(coffer.app, coffer.sink, { displayName: "Lin" });
  });
  beforeEach(() => coffer.clock.advance(1_000));
  after(async () => {
    await context?.close();
    await browser?.close();
    await coffer?.close();
  });

  async function logIn(pass: string) {
    await page.goto("/wallet/login");
    await page.getByLabel(/Email or phone number|邮箱或手机号/).fill(user.email);
    await page.getByLabel(/^(Password|密码)$/).fill(pass);
    await page.getByRole("button", { name: /^(Log in|登录)$/ }).click();
  }

  it("offers the first-use guide on home: paying by scan and by code, the code's secrecy, limits and tiers", async () => {
    await logIn(password);
    await page.getByRole("heading", { name: "Hello, Lin" }).waitFor();
    await page.getByRole("heading", { name: "New to coffer?" }).waitFor();
    await page.getByRole("link", { name: "Show me how it works" }).click();
    await page.getByRole("heading", { name: "Welcome to your wallet" }).waitFor();
    for (const [step, heading] of [
      ["Step 1 of 4", "Pay by scanning"],
      ["Step 2 of 4", "Pay by showing your code"],
      ["Step 3 of 4", "Your payment code is like cash"],
      ["Step 4 of 4", "Limits and identity tiers"],
    ] as const) {
      await page.getByText(step).waitFor();
      await page.getByRole("heading", { name: heading }).waitFor();
      if (step === "Step 3 of 4") await shot(page, "onboarding");
      if (step === "Step 1 of 4") {
        // Each step's "?" opens the help centre's article about it, over the guide.
        await page.getByRole("button", { name: "Help: Paying by scanning a QR code" }).click();
        await page.getByRole("dialog", { name: "Paying by scanning a QR code" }).waitFor();
        await page.keyboard.press("Escape");
        await page.getByRole("dialog").waitFor({ state: "detached" });
      }
      if (step !== "Step 4 of 4") await page.getByRole("button", { name: "Next" }).click();
    }
    await page.getByRole("button", { name: "Start using my wallet" }).click();
    await page.getByRole("heading", { name: "Hello, Lin" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "New to coffer?" }).count(), 0, "the guide is done");
  });

  it("warns never to share the payment code", async () => {
    await navTo(page, "Pay code");
    await page.getByText("Never share this code").waitFor();
    await page.getByText("coffer staff will never ask for them").waitFor();
  });

  it("shows devices, recent sign-ins, scam advice and what coffer never asks for; signs the other devices out", async () => {
    await navTo(page, "Security");
    const devices = page.getByRole("list", { name: "Signed-in devices" });
    await devices.getByText("This device").waitFor();
    assert.equal(await devices.getByRole("listitem").count(), 2, "the sign-up's device and this browser");
    const signIns = page.getByRole("list", { name: "Recent sign-ins" });
    await signIns.getByText("New device · alert sent").waitFor();
    await page.getByRole("heading", { name: "How to recognise a scam" }).waitFor();
    await page.getByText("Fake refunds").waitFor();
    await page.getByText("“Show me your code” calls").waitFor();
    await page.getByText("Phishing links").waitFor();
    await page.getByText("Your payment code or a screenshot of it").waitFor();
    await shot(page, "security-centre");

    await page.getByRole("button", { name: "Sign out every other device" }).click();
    await page.getByText("Every other device is signed out.").waitFor();
    assert.equal((await user.client.get("/v1/wallet/me")).statusCode, 401, "the API session is over");
    await devices.getByText("Signed out").waitFor();
  });

  it("shows the security centre, the warning and the guide in Chinese", async () => {
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "已登录的设备" }).waitFor();
    await page.getByText("本设备").first().waitFor();
    await page.getByRole("heading", { name: "最近登录" }).waitFor();
    await page.getByRole("heading", { name: "如何识别骗局" }).waitFor();
    await page.getByText("虚假退款").waitFor();
    await page.getByRole("heading", { name: "coffer 绝不会向您索要" }).waitFor();
    await shot(page, "security-centre-zh");
    await navTo(page, "付款码");
    await page.getByText("切勿泄露此付款码").waitFor();
    await page.evaluate('localStorage.removeItem("coffer.wallet.onboarded")');
    await navTo(page, "首页");
    await page.getByRole("heading", { name: "第一次使用 coffer？" }).waitFor();
    await page.getByRole("link", { name: "了解如何使用" }).click();
    await page.getByRole("heading", { name: "扫码付款" }).waitFor();
    await page.getByRole("button", { name: "下一步" }).click();
    await page.getByRole("heading", { name: "出示付款码付款" }).waitFor();
    await page.getByRole("button", { name: "下一步" }).click();
    await page.getByRole("heading", { name: "付款码就像现金" }).waitFor();
    await shot(page, "onboarding-zh");
    await page.getByRole("button", { name: "下一步" }).click();
    await page.getByRole("heading", { name: "限额与身份等级" }).waitFor();
    await page.getByRole("button", { name: "帮助：限额与身份等级" }).click();
    await page.getByRole("dialog", { name: "限额与身份等级" }).getByRole("table").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "开始使用钱包" }).click();
    await page.getByRole("heading", { name: "您好，Lin" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "第一次使用 coffer？" }).count(), 0, "the guide is done");
    await page.getByLabel("语言").selectOption("en");
  });

  it("follows this wasn't me from the alert: secured, then a new password from the mailed code, then signed in again", async () => {
    const alert = await coffer.sink.waitFor(
      (m) => m.to.includes(user.email) && m.subject === "New sign-in to your coffer wallet",
    );
    const link = /(http:\/\/\S+\/wallet\/not-me#token=[A-Za-z0-9_-]+)/.exec(alert.text)?.[1];
    assert.ok(link, alert.text);
    // The link points at COFFER_PUBLIC_URL (the test wallet configuration's); this coffer listens elsewhere.
    const { pathname, hash } = new URL(link);
    await page.goto(`${pathname}${hash}`);
    await page.getByRole("heading", { name: "This wasn't me" }).waitFor();
    await page.getByRole("button", { name: "Sign out everywhere and freeze payments" }).click();
    await page.getByText("Your wallet is secured").waitFor();
    await shot(page, "not-me");

    await page.getByRole("link", { name: "Set a new password" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await page.getByLabel("Email or phone number").fill(user.email);
    await page.getByRole("button", { name: "Send me a code" }).click();
    const mail = await coffer.sink.waitFor((m) => m.to.includes(user.email) && /password reset code/.test(m.subject));
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    assert.ok(code);
    await page.getByLabel("Six-digit code").fill(code);
    await page.getByLabel("New password").fill(newPassword);
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.getByText("Your password is changed").waitFor();

    const before = coffer.sink.mails.filter((m) => /New sign-in/.test(m.subject)).length;
    await logIn(newPassword);
    await page.getByRole("heading", { name: "Hello, Lin" }).waitFor();
    const me = (await page.evaluate(
      `fetch("/v1/wallet/me", { headers: { authorization: "Bearer " + localStorage.getItem("coffer.wallet.token") } })
        .then((response) => response.json())`,
    )) as { frozen: boolean };
    assert.equal(me.frozen, false, "the password reset lifted the freeze");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      coffer.sink.mails.filter((m) => /New sign-in/.test(m.subject)).length,
      before,
      "this browser is a known device now: no alert",
    );
  });
});

describe("console recent sign-ins and this wasn't me (browser)", () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let credentials: { email: string; password: string };

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();
    context = await newBrowserContext(browser, { baseURL: coffer.baseUrl });
    page = await context.newPage();
    page.setDefaultTimeout(8_000);
    // Signed up and first signed in over the API: the browser is a new one for this account.
    credentials = await signUp(coffer.app, coffer.sink, { businessName: "Lantern Tea" });
    await logIn(coffer.app, credentials);
  });
  beforeEach(() => coffer.clock.advance(1_000));
  after(async () => {
    await context?.close();
    await browser?.close();
    await coffer?.close();
  });

  async function signIn() {
    await page.goto("/login");
    await page.getByLabel("Email", { exact: true }).fill(credentials.email);
    await page.getByLabel("Password", { exact: true }).fill(credentials.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  it("lists the sign-ins on the Security page, the new browser marked, in English and Chinese", async () => {
    await signIn();
    await page.getByRole("heading", { name: "Lantern Tea" }).waitFor();
    await page.goto("/security");
    const list = page.getByRole("list", { name: "Recent sign-ins" });
    await list.getByText("New browser · alert sent").waitFor();
    assert.equal(await list.getByRole("listitem").count(), 2);
    await page.screenshot({ path: path.join(screenshotDir, "console-sign-ins.png"), fullPage: true });
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("list", { name: "最近登录" }).getByText("新浏览器 · 已发送提醒").waitFor();
    await page.getByLabel("语言").selectOption("en");
  });

  it("follows this wasn't me from the mail: every session ends and signing in needs a new password", async () => {
    const alert = await coffer.sink.waitFor(
      (m) => m.to.includes(credentials.email) && m.subject === "New sign-in to your coffer console account",
    );
    const link = /(http:\/\/\S+\/console\/not-me\?token=[A-Za-z0-9_%-]+)/.exec(alert.text)?.[1];
    assert.ok(link, alert.text);
    const { pathname, search } = new URL(link);
    await page.goto(`${pathname}${search}`);
    await page.getByRole("heading", { name: "This wasn't me" }).waitFor();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await page.getByText("Your account is secured").waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "console-not-me.png") });

    await signIn();
    await page.getByText("password_reset_required").waitFor();
    await page.getByText("Set a new password (Forgot your password?) to sign in again.").waitFor();
  });
});
