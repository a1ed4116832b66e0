import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import { manualClock } from "../../src/clock.js";
import { apiVersionLatest } from "../../src/http/versioning.js";
import type { Services } from "../../src/runtime/services.js";
import { launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import type { TestDatabase } from "../helpers/db.js";
import { newOperator, samplePdf, samplePng } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer } from "../helpers/payments.js";
import { startWebCoffer, type WebCoffer } from "../helpers/web-coffer.js";

/**
 * The merchant console in real Chromium against a real coffer: sign up, verify from the dev mailbox, sign in, turn on
 * TOTP and sign in with it, fill in KYB with documents, API keys, the test/live switch, and a payment's detail page
 * with its timeline and a refund. Screenshots of each main page go to docs/screenshots/console-*.png.
 */
describe("merchant console in the browser", { timeout: 240_000 }, () => {
  let webCoffer: WebCoffer;
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const clock = manualClock(new Date());
  const email = `owner-${randomBytes(4).toString("hex")}@example.com`;
  const password = "correct horse battery staple";
  let totpSecret = "";
  let secretKey = "";

  const shot = (name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `console-${name}.png`), fullPage: false });
  const totpNow = () => generate({ secret: totpSecret, epoch: Math.floor(clock.now().getTime() / 1000) });
  const nav = (name: string) =>
    page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true }).click();

  before(async () => {
    webCoffer = await startWebCoffer(clock);
    ({ db, services, app, baseUrl } = webCoffer);
    browser = await launchBrowser();
    const context = await newBrowserContext(browser, { baseURL: baseUrl });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await webCoffer?.close();
  });

  it("signs up, verifies the address from the dev mailbox, and signs in", async () => {
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to your console" }).waitFor();
    await shot("login");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Business name").fill("Lantern Tea");
    await page.getByLabel("Your name").fill("Mei Lin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await shot("signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();

    await page.getByRole("link", { name: "Open the dev mailbox" }).click();
    await page.getByRole("heading", { name: "Dev mailbox" }).waitFor();
    await shot("dev-mailbox");
    await page
      .getByRole("link", { name: /\/console\/verify-email\?token=/ })
      .first()
      .click();
    await page.getByText(`${email} is verified. You can sign in now.`).waitFor();
    await page.getByRole("link", { name: "Continue to sign in" }).click();

    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Lantern Tea" }).waitFor();
    await page.getByRole("note").filter({ hasText: "Test mode" }).waitFor();
    await shot("home");
  });

  it("turns on TOTP from the QR code's secret, and the next sign-in asks for a code", async () => {
    await nav("Security");
    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    totpSecret = await page.getByLabel("Authenticator secret").inputValue();
    assert.match(totpSecret, /^[A-Z2-7]{16,}$/);
    await shot("security");
    await page.getByLabel("6-digit code").fill(await totpNow());
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await page.getByText("Two-factor authentication is on.").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to your console" }).waitFor();
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByLabel("Authentication code").waitFor();
    clock.advance(30_000); // a fresh code: the one used to enroll cannot be used twice
    await page.getByLabel("Authentication code").fill(await totpNow());
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByRole("heading", { name: "Lantern Tea" }).waitFor();
  });

  it("fills in the KYB application, uploads both documents and submits it", async () => {
    await nav("Business verification");
    await page.getByRole("heading", { name: "Business verification" }).waitFor();
    await page.getByLabel("Legal name").fill("Lantern Tea Trading Co., Ltd.");
    await page.getByLabel("Registration number").fill("91310000MA1FL0001X");
    await page.getByLabel("Country").fill("CN");
    await page.getByLabel("Business category").selectOption("food_and_beverage");
    await page.getByLabel("Website").fill("https://lantern-tea.example.com");
    await page.getByLabel("Address line 1").fill("88 Century Avenue");
    await page.getByLabel("City").fill("Shanghai");
    await page.getByLabel("Representative's name").fill("Mei Lin");
    await page.getByLabel("Representative's ID number").fill("110101199003077316");
    await page.getByLabel("Account holder").fill("Lantern Tea Trading Co., Ltd.");
    await page.getByLabel("Bank name").fill("Bank of Shanghai");
    await page.getByLabel("Account number").fill("6222020200112233445");
    await page.getByRole("button", { name: "Save details" }).click();
    await page.getByText("Saved.").waitFor();

    await page.getByLabel("Document type").selectOption("business_licence");
    await page
      .getByLabel("File")
      .setInputFiles({ name: "licence.pdf", mimeType: "application/pdf", buffer: samplePdf });
    await page.getByRole("button", { name: "Upload document" }).click();
    await page.getByRole("list", { name: "Documents" }).getByText("Business licence").waitFor();
    await page.getByLabel("Document type").selectOption("representative_id");
    await page.getByLabel("File").setInputFiles({ name: "id.png", mimeType: "image/png", buffer: samplePng });
    await page.getByRole("button", { name: "Upload document" }).click();
    await page.getByRole("list", { name: "Documents" }).getByText("Representative's ID").waitFor();

    await page.getByRole("button", { name: "Submit for review" }).click();
    await page.getByText("Submitted. Our reviewers will look at it soon.").waitFor();
    await shot("kyb");
  });

  it("creates, reveals and revokes API keys; each secret shows once", async () => {
    await nav("API keys");
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByRole("button", { name: /^Reveal key / }).click();
    secretKey = await page.getByLabel("Your sign-up test key").inputValue();
    assert.match(secretKey, /^sk_test_/);
    await expectGone(page.getByRole("button", { name: /^Reveal key / }));

    await page.getByLabel("Type", { exact: true }).selectOption("secret");
    await page.getByLabel("Name", { exact: true }).fill("Server");
    await page.getByRole("button", { name: "Create test key" }).click();
    assert.match(await page.getByLabel("Your new key").inputValue(), /^sk_test_/);
    await shot("api-keys");
    await page.getByRole("button", { name: "Revoke key Server" }).click();
    await page.getByRole("button", { name: "Yes, revoke Server" }).click();
    await page
      .getByRole("row", { name: /Server/ })
      .getByText("Revoked")
      .waitFor();
  });

  it("shows the account's API version, previews what an upgrade changes, and upgrades", async () => {
    await page.getByText("This is the latest version.").waitFor();
    // An account made before 2026-12-07, as the migration that added versions leaves one.
    await db.pool.query("UPDATE merchants SET api_version = '2026-11-01' WHERE business_name = 'Lantern Tea'");
    await page.reload();
    await page.getByText("Your account's API version is 2026-11-01.").waitFor();
    await page
      .getByRole("region", { name: "2026-12-07" })
      .getByText(/answers 201 Created/)
      .waitFor();
    // The upgrade goes to the latest version, whichever versions lie between.
    await page.getByRole("button", { name: `Upgrade to ${apiVersionLatest}` }).click();
    await page.getByRole("button", { name: `Yes, upgrade to ${apiVersionLatest}` }).click();
    await page.getByText(`Your account now uses version ${apiVersionLatest}.`).waitFor();
    await page.getByText("This is the latest version.").waitFor();
    const stored = await db.pool.query("SELECT api_version FROM merchants WHERE business_name = 'Lantern Tea'");
    assert.equal(stored.rows[0].api_version, apiVersionLatest);
  });

  it("keeps the console in test mode until the merchant may go live, then switches both ways", async () => {
    const liveSwitch = page.getByRole("switch", { name: "Live mode" });
    assert.equal(await liveSwitch.getAttribute("aria-checked"), "false");
    await liveSwitch.click();
    await page.getByText("Live mode opens once your business verification (KYB) is approved").waitFor();
    assert.equal(await liveSwitch.getAttribute("aria-checked"), "false");

    const reviewer = await newOperator(app, services, "reviewer");
    const queue = (await reviewer.get("/v1/ops/kyb_applications?state=submitted")).json();
    const applicationId = queue.data[0].id as string;
    await reviewer.get(`/v1/ops/kyb_applications/${applicationId}`);
    assert.equal((await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/approve`)).statusCode, 200);

    await page.reload();
    await liveSwitch.click();
    await page.getByRole("note").filter({ hasText: "Test mode" }).waitFor({ state: "detached" });
    assert.equal(await liveSwitch.getAttribute("aria-checked"), "true");
    await page.getByText("Live keys (sk_live_…) move real money. Keep them secret.").waitFor();
    await page.getByText("No keys in this mode yet.").waitFor();
    await shot("live-mode");
    await liveSwitch.click();
    await page.getByRole("note").filter({ hasText: "Test mode" }).waitFor();
    assert.equal(await liveSwitch.getAttribute("aria-checked"), "false");
  });

  it("lists payments with filters, opens one with its timeline, and refunds part of it", async () => {
    const coffer = { db, services, app, baseUrl, clock } as unknown as PaymentsCoffer;
    const payer = await newTestPayer(coffer, { fund: "50000" });
    const created = await app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { authorization: `Bearer ${secretKey}`, "idempotency-key": randomBytes(8).toString("hex") },
      payload: { amount: "2450", currency: "USD", method: "qr", description: "Two pots of oolong" },
    });
    assert.equal(created.statusCode, 201, created.body);
    const payment = created.json();
    assert.equal((await payer.client.post("/v1/wallet/scan", { payload: payment.qr.payload })).statusCode, 200);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);
    const unpaid = await app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { authorization: `Bearer ${secretKey}`, "idempotency-key": randomBytes(8).toString("hex") },
      payload: { amount: "990", currency: "USD", method: "qr", description: "A cup of jasmine" },
    });
    assert.equal(unpaid.statusCode, 201, unpaid.body);

    await nav("Payments");
    await page.getByRole("link", { name: `Open payment ${payment.id}` }).waitFor();
    await page.getByRole("link", { name: `Open payment ${unpaid.json().id}` }).waitFor();
    await page.getByLabel("Status", { exact: true }).selectOption("succeeded");
    await expectGone(page.getByRole("link", { name: `Open payment ${unpaid.json().id}` }));
    // The creation window: two days either side, so the browser's time zone cannot move the payment across it.
    const dayOf = (offsetDays: number) =>
      new Date((payment.created + offsetDays * 86_400) * 1000).toISOString().slice(0, 10);
    // The range's fields take digits a segment at a time, month, day and year in English, and move on by themselves.
    const typeRange = async (from: string, until: string) => {
      const digits = (day: string) => `${day.slice(5, 7)}${day.slice(8, 10)}${day.slice(0, 4)}`;
      const created = page.getByRole("group", { name: "Created", exact: true });
      await created.getByRole("spinbutton", { name: "month, Start Date" }).click();
      await page.keyboard.type(`${digits(from)}${digits(until)}`);
      await page.waitForURL((url) => url.searchParams.get("from") === from && url.searchParams.get("until") === until);
    };
    await typeRange(dayOf(2), dayOf(4));
    await page.getByText("No payments match.").waitFor();
    await typeRange(dayOf(-2), dayOf(2));
    await page.getByRole("link", { name: `Open payment ${payment.id}` }).waitFor();
    await shot("payments");

    await page.getByRole("link", { name: `Open payment ${payment.id}` }).click();
    const timeline = page.getByRole("list", { name: "Timeline" });
    await timeline.getByText("Payment succeeded").waitFor();
    await timeline.getByText("Payment created").waitFor();
    await page.getByLabel("Refund amount (USD)").fill("5.001");
    await page.getByRole("button", { name: "Refund payment" }).click();
    await page.getByText("Too many decimal places for this currency.").waitFor();
    await page.getByLabel("Refund amount (USD)").fill("5.00");
    await page.getByRole("button", { name: "Refund payment" }).click();
    await page.getByText("Refund of $5.00 created.").waitFor();
    await timeline.getByText("Refund created").waitFor();
    await page.getByText("Up to $19.50 can be refunded.").waitFor();
    // Refunded in part: the payment says so, and a successful payment shows no failure row.
    const detail = page.getByRole("main");
    await detail.locator(".badge", { hasText: /^Partially refunded$/ }).waitFor();
    assert.equal(await detail.getByText("Failure", { exact: true }).count(), 0);
    await shot("payment-detail");

    const refunds = await db.pool.query<{ amount: string }>("SELECT amount::text FROM refunds WHERE payment_id = $1", [
      payment.id,
    ]);
    assert.deepEqual(
      refunds.rows.map((r) => r.amount),
      ["500"],
    );

    // The rest refunded: "Refunded", on the detail page and in the list.
    await page.getByLabel("Refund amount (USD)").fill("19.50");
    await page.getByRole("button", { name: "Refund payment" }).click();
    await page.getByText("This payment is fully refunded.").waitFor();
    await detail.locator(".badge", { hasText: /^Refunded$/ }).waitFor();
    await nav("Payments");
    await page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: `Open payment ${payment.id}` }) })
      .locator(".badge", { hasText: /^Refunded$/ })
      .waitFor();
  });

  it("shows balance and payouts, webhooks with a secret shown once, the go-live checklist, team and audit log", async () => {
    await nav("Balance and payouts");
    await page.getByRole("heading", { level: 1, name: "Balance and payouts" }).waitFor();
    await page.getByRole("button", { name: "Create payout" }).waitFor();
    await shot("balance");

    await nav("Webhooks");
    await page.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/coffer-hooks");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    assert.match(await page.getByLabel("Signing secret").inputValue(), /^whsec_/);
    await shot("webhooks");
    await page.getByRole("link", { name: "Open endpoint http://127.0.0.1:9/coffer-hooks" }).click();
    await page.getByRole("heading", { name: "Deliveries" }).waitFor();

    await nav("Go-live checklist");
    await page.getByRole("button", { name: "Run probe" }).waitFor();
    await page.getByRole("list", { name: "Go-live checklist" }).getByText("Business verification approved").waitFor();
    await shot("go-live");

    await nav("Team");
    await page.getByLabel("Their email").fill(`dev-${randomBytes(3).toString("hex")}@example.com`);
    await page.getByLabel("Role", { exact: true }).selectOption("developer");
    await page.getByRole("button", { name: "Send invite" }).click();
    await page.getByText(/^Invite sent to /).waitFor();
    await shot("team");

    await nav("Audit log");
    await page.getByText("console.live_mode_entered").first().waitFor();
    await shot("audit-log");
  });

  it("fits a 390 px phone: the header in two rows at most, the navigation one row that scrolls", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await nav("Payments");
      await page.getByRole("heading", { level: 1, name: "Payments" }).waitFor();
      const header = await page.getByRole("banner").boundingBox();
      const navigation = await page.getByRole("navigation", { name: "Console" }).boundingBox();
      assert.ok(header && navigation);
      // One row of controls is about 50 px high; three rows were 150.
      assert.ok(header.height <= 110, `header ${header.height} px high`);
      assert.ok(navigation.height <= 70, `navigation ${navigation.height} px high`);
      const scrollable = await page
        .getByRole("navigation", { name: "Console" })
        .locator("ul")
        .evaluate((list) => list.scrollWidth > list.clientWidth);
      assert.ok(scrollable, "the links that do not fit scroll sideways");
      // Nothing wider than the screen: the page itself does not scroll sideways.
      assert.ok(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"));
      await shot("phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it("speaks Simplified Chinese when the browser does", async () => {
    const context = await newBrowserContext(browser, { baseURL: baseUrl, locale: "zh-CN" });
    const chinese = await context.newPage();
    await chinese.goto("/login");
    await chinese.getByRole("heading", { name: "登录商户控制台" }).waitFor();
    await chinese.getByRole("link", { name: "打开开发邮箱" }).waitFor();
    await context.close();
  });
});

/** Waits until nothing matches any more (a revealed key's button, a filtered-out row). */
async function expectGone(locator: ReturnType<Page["getByRole"]>): Promise<void> {
  await locator.first().waitFor({ state: "detached" });
}
