import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Coffer } from "../../sdk/src/index.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { insertTestMerchant, issueTestApiKey } from "../helpers/merchant-rows.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { settleBank, signUpWallet } from "../helpers/wallets.js";

/**
 * The wallet app in real Chromium on a phone-sized screen: a person signs up with a phone number (the code from the
 * dev SMS outbox), links a sandbox bank account and tops up, sends money to a friend, shows the payment code to a
 * shop's till and confirms the payment it sends, pays a shop's QR code by pasting its link, and finds it all in the
 * history. Payments to a live shop (wallet users who sign up are live). Screenshots go to docs/screenshots.
 */
const password = "a long and quiet river";
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `wallet-${name}.png`), fullPage: false });

/** The payment code's digits as shown under the QR code and barcode. */
const shownCode = async (page: Page) =>
  ((await page.getByRole("status", { name: "Code" }).textContent()) ?? "").replace(/\s/g, "");

const groupedLikeThePage = (code: string) => code.replace(/(\d{4})(?=\d)/g, "$1 ");

/** A link of the bottom navigation bar (home has links of the same names). */
const navTo = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Wallet" }).getByRole("link", { name, exact: true }).click();

describe("wallet app (browser)", () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shop: Coffer;
  const phone = `+1555${String(Date.now() % 10_000_000).padStart(7, "0")}`;

  before(async () => {
    await ensureWebBuilt();
    // Payment codes above $10 wait for the payer's confirmation here (the default is $200, above tier 0's limits).
    coffer = await startPaymentsCoffer({
      start: new Date().toISOString(),
      paymentConfig: { paymentCodeConfirmAbove: new Map([["USD", 1000n]]) },
    });
    const merchantId = await insertTestMerchant(coffer.db.pool, "Corner Bakery");
    shop = new Coffer(await issueTestApiKey(coffer.services, merchantId, { livemode: true }), {
      baseUrl: coffer.baseUrl,
      maxRetries: 0,
    });
    browser = await launchBrowser();
    context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, mobile: true });
    page = await context.newPage();
    page.setDefaultTimeout(8_000);
  });
  // coffer's clock stands still in tests: a second between steps keeps "newest first" meaningful.
  beforeEach(() => coffer.clock.advance(1_000));
  after(async () => {
    await context?.close();
    await browser?.close();
    await coffer?.close();
  });

  it("signs up with a phone number and the code from the dev SMS outbox", async () => {
    await page.goto("/wallet");
    await page.waitForURL("**/wallet/login");
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    await page.getByRole("heading", { name: "Log in to your wallet" }).waitFor();
    await shot(page, "login");
    await page.getByRole("link", { name: "Create a wallet" }).click();
    await page.getByRole("radio", { name: "Phone" }).check();
    await page.getByLabel("Phone number").fill(phone);
    await page.getByLabel("Your name (optional)").fill("Ada");
    await page.getByLabel("Password").fill(password);
    await shot(page, "signup");
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByRole("heading", { name: "Enter your code" }).waitFor();
    await page.getByRole("button", { name: "Get the code from the dev SMS outbox" }).click();
    await page.getByText("Code filled in from the dev outbox.").waitFor();
    assert.match(await page.getByLabel("Six-digit code").inputValue(), /^\d{6}$/);
    await page.getByRole("button", { name: "Verify and open my wallet" }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    await page.getByText("No money yet").waitFor();
  });

  it("verifies the identity (tier 1), which linking a bank account needs", async () => {
    await page.getByRole("link", { name: "Top up" }).click();
    await page.getByLabel("Account holder name").fill("Ada Lovelace");
    await page.getByLabel("Bank code").fill("110000000");
    await page.getByLabel("Account number or IBAN").fill("000123456789");
    await page.getByRole("button", { name: "Link bank account" }).click();
    await page.getByRole("alert").getByText("tier_required").waitFor();
    await page.getByRole("alert").getByRole("link", { name: "Verify identity" }).click();
    await page.getByRole("heading", { name: "Your identity", exact: true }).waitFor();
    await page.getByText("Identity tier: 0").waitFor();
    await page.getByLabel("Full legal name").fill("Ada Lovelace");
    await page.getByLabel("National id number").fill("ID-4242424242");
    await page.getByLabel("Date of birth").fill("1990-12-10");
    await shot(page, "identity");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Verified: your wallet's identity tier went up.").waitFor();
    await page.getByText("Identity tier: 1").waitFor();
  });

  it("links a sandbox bank account and tops up once the bank confirms", async () => {
    await navTo(page, "Home");
    await page.getByRole("link", { name: "Top up" }).click();
    await page.getByRole("heading", { name: "Top up" }).waitFor();
    await page.getByText("Sandbox bank: any account number works.").waitFor();
    await page.getByLabel("Account holder name").fill("Ada Lovelace");
    await page.getByLabel("Bank code").fill("110000000");
    await page.getByLabel("Account number or IBAN").fill("000123456789");
    await page.getByLabel("Currency").selectOption("USD");
    await page.getByRole("button", { name: "Link bank account" }).click();
    await page.getByText("Bank account linked.").waitFor();
    await page.getByRole("listitem").filter({ hasText: "Ada Lovelace · 110000000 •••• 6789 (USD)" }).waitFor();
    await page.getByRole("listitem").getByText("Verified").waitFor();

    await page.getByLabel("Amount (USD)").fill("200");
    await page.getByRole("button", { name: "Top up", exact: true }).click();
    await page.getByText("Top-up of $200.00 sent to your bank.").waitFor();
    await shot(page, "top-up");
    await settleBank(coffer.services, coffer.clock);
    await page.getByText("Top-up of $200.00 arrived in your wallet.").waitFor({ timeout: 15_000 });

    await navTo(page, "Home");
    await page.getByText("$200.00").waitFor();
    await shot(page, "home");
  });

  it("refuses an amount with more decimals than the currency has, before calling coffer", async () => {
    await page.getByRole("link", { name: "Send to a friend" }).click();
    await page.getByLabel("Amount (USD)").fill("1.005");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("This currency has fewer decimal places.").waitFor();
  });

  it("sends money to a friend by email address", async () => {
    const friend = await signUpWallet(coffer.app, coffer.sink, { displayName: "Grace" });
    await page.getByLabel("Friend's phone, email or wallet id").fill(friend.email);
    await page.getByLabel("Amount (USD)").fill("25.00");
    await page.getByLabel("Note (optional)").fill("Lunch");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Sent $25.00 to Grace.").waitFor();
    await shot(page, "send");
    const balances = (await friend.client.get("/v1/wallet/balances")).json();
    assert.equal(balances.data[0].available, "2500");
  });

  it("shows the payment code as QR code and barcode, and confirms the payment the till sends", async () => {
    await navTo(page, "Pay code");
    await page.getByRole("img", { name: "Payment code as a QR code" }).waitFor();
    await page.getByRole("img", { name: "Payment code as a barcode" }).waitFor();
    const code = await shownCode(page);
    assert.match(code, /^88\d{16}$/);
    await shot(page, "payment-code");

    // The shop's till scans the code: $30 is above the password-free amount, so the payment waits for the payer.
    const payment = await shop.payments.create({
      amount: "3000",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
      description: "Two sourdough loaves",
    });
    assert.equal(payment.status, "processing");
    await page.getByRole("link", { name: "A payment of $30.00 to Corner Bakery waits for your confirmation." }).click();
    await page.getByRole("heading", { name: "Corner Bakery" }).waitFor();
    await page.getByText("Two sourdough loaves").waitFor();
    await shot(page, "confirm-payment");
    await page.getByRole("button", { name: "Pay $30.00" }).click();
    await page.getByText("Paid. Corner Bakery has your payment.").waitFor();
    assert.equal((await shop.payments.retrieve(payment.id)).status, "succeeded");

    // A fresh code replaced the one the till used.
    await navTo(page, "Pay code");
    await page.getByRole("button", { name: "New code now" }).click();
    const shown = page.getByRole("status", { name: "Code" });
    await shown.filter({ hasNotText: groupedLikeThePage(code) }).waitFor();
    assert.match(await shownCode(page), /^88\d{16}$/);
  });

  it("pays a shop's QR code from its pasted link, and declines the next one", async () => {
    const qr = await shop.payments.create({ amount: "500", currency: "USD", method: "qr", description: "Coffee" });
    const payload = (await shop.checkout.retrieve(qr.id)).qr!.payload;
    await navTo(page, "Scan");
    await page.getByRole("button", { name: "Start camera" }).waitFor();
    await page.getByLabel("Payment link or code").fill(payload);
    await shot(page, "scan");
    await page.getByRole("button", { name: "Look up payment" }).click();
    await page.getByRole("heading", { name: "Corner Bakery" }).waitFor();
    await page.getByRole("button", { name: "Pay $5.00" }).click();
    await page.getByText("Paid. Corner Bakery has your payment.").waitFor();
    assert.equal((await shop.payments.retrieve(qr.id)).status, "succeeded");

    const unknown = "http://127.0.0.1:1/q/AAAAAAAAAAAAAAAAAAAAAA";
    await navTo(page, "Scan");
    await page.getByLabel("Payment link or code").fill(unknown);
    await page.getByRole("button", { name: "Look up payment" }).click();
    await page.getByRole("alert").getByText("resource_not_found").waitFor();
  });

  it("lists pending payments to confirm or decline", async () => {
    await navTo(page, "Pay code");
    const code = await shownCode(page);
    const waiting = await shop.payments.create({
      amount: "1200",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    await navTo(page, "Home");
    await page.getByText("1 payment(s) wait for your confirmation").waitFor();
    await page.getByRole("link", { name: "Review payments" }).click();
    await page.getByRole("heading", { name: "Payments to confirm" }).waitFor();
    await shot(page, "pending");
    await page.getByRole("link", { name: "Review payment to Corner Bakery of $12.00" }).click();
    await page.getByRole("button", { name: "Decline" }).click();
    await page.getByText("You declined this payment.").waitFor();
    const declined = await shop.payments.retrieve(waiting.id);
    assert.equal(declined.status, "failed");
    assert.equal(declined.failure_code, "payer_declined");
  });

  it("shows top-ups, transfers and payments in the history, newest first", async () => {
    await navTo(page, "History");
    const table = page.getByRole("table", { name: "History" });
    await table.waitFor();
    const rows = table.getByRole("row");
    await rows.filter({ hasText: "Payment to Corner Bakery" }).first().waitFor();
    const texts = await rows.allInnerTexts();
    const body = texts.slice(1);
    assert.ok(body.length >= 5, texts.join("\n"));
    assert.match(body[0] ?? "", /Payment to Corner Bakery[\s\S]*−\$12\.00[\s\S]*Failed/);
    assert.ok(body.some((row) => /Payment to Corner Bakery[\s\S]*Two sourdough loaves[\s\S]*−\$30\.00/.test(row)));
    assert.ok(body.some((row) => /Payment to Corner Bakery[\s\S]*Coffee[\s\S]*−\$5\.00[\s\S]*Succeeded/.test(row)));
    assert.ok(body.some((row) => /Sent[\s\S]*Lunch[\s\S]*−\$25\.00/.test(row)));
    assert.ok(body.some((row) => /Top-up[\s\S]*\+\$200\.00[\s\S]*Succeeded/.test(row)));
    await shot(page, "history");
    await navTo(page, "Home");
    await page.getByText("$140.00").waitFor();
  });

  it("shows security settings: authenticator app, passkeys, devices; logs out", async () => {
    await navTo(page, "Security");
    await page.getByRole("heading", { name: "Security" }).waitFor();
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.getByRole("img", { name: "Authenticator set-up QR code" }).waitFor();
    await page.getByText("This device").waitFor();
    await shot(page, "security");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL("**/wallet/login");
    assert.equal(await page.evaluate('localStorage.getItem("coffer.wallet.token")'), null);
  });

  it("logs in again with the phone number, in Chinese when chosen", async () => {
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "登录钱包" }).waitFor();
    await page.getByLabel("邮箱或手机号").fill(phone);
    await page.getByLabel("密码").fill("not the password at all");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByText("邮箱、手机号或密码不正确。").waitFor();
    await page.getByLabel("密码").fill(password);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("heading", { name: "您好，Ada" }).waitFor();
    await page.getByText("US$140.00").waitFor();
    await shot(page, "home-zh");
    await page.getByLabel("语言").selectOption("en");
  });

  it("is an installable app: a manifest with PNG icons and a service worker that keeps no API answers", async () => {
    const manifest = (await (await fetch(`${coffer.baseUrl}/wallet/manifest.webmanifest`)).json()) as {
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    assert.equal(manifest.start_url, "/wallet/");
    assert.equal(manifest.display, "standalone");
    for (const size of ["192x192", "512x512"]) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.type === "image/png");
      assert.ok(icon, size);
      const png = await fetch(`${coffer.baseUrl}${icon?.src}`);
      assert.equal(png.status, 200);
      assert.deepEqual([...new Uint8Array(await png.arrayBuffer()).slice(1, 4)], [0x50, 0x4e, 0x47]);
    }
    // The page runs in the browser: these expressions are evaluated there (Node has no service workers).
    const scope = await page.evaluate<string>(`Promise.race([
      navigator.serviceWorker.ready.then((registration) => registration.scope),
      new Promise((resolve) => setTimeout(() => resolve("no service worker after 10 s"), 10000)),
    ])`);
    assert.equal(scope, `${coffer.baseUrl}/wallet/`);
    await page.reload();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    assert.equal(await page.evaluate<string>("navigator.serviceWorker.controller?.state"), "activated");
    const cached = await page.evaluate<string[]>(`(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    })()`);
    assert.ok(cached.includes("/wallet/"), cached.join(", "));
    assert.ok(
      cached.some((url) => url.startsWith("/assets/")),
      cached.join(", "),
    );
    assert.deepEqual(
      cached.filter((url) => url.startsWith("/v1/")),
      [],
    );
  });
});
