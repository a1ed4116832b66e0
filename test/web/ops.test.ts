import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import { manualClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logging.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { totpCodeAt } from "../../src/security/totp.js";
import { createTestApp } from "../helpers/app.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { fillKyb, newMerchant, newOperator, type TestMerchant } from "../helpers/merchant-console.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.js";
import { signUpWallet, type TestWalletUser, walletTestConfig } from "../helpers/wallets.js";

/**
 * The operator console in real Chromium against a real coffer: an admin with TOTP signs in, reviews a submitted
 * KYB application with its documents and approves it, finds the merchant and a wallet user, freezes and unfreezes
 * the wallet, and reads the audit log, the bank files, the latest verify and the latest security audit.
 * Screenshots: docs/screenshots/ops-*.png.
 */
describe("operator console in the browser", { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  let browser: Browser;
  let page: Page;
  const clock = manualClock(new Date());
  let merchant: TestMerchant;
  let payer: TestWalletUser;
  let operator: { email: string; password: string; totpSecret: string };

  const shot = (name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `ops-${name}.png`), fullPage: false });
  const nav = (name: string) =>
    page.getByRole("navigation", { name: "Operator console" }).getByRole("link", { name, exact: true }).click();

  before(async () => {
    const webDistDir = await ensureWebBuilt();
    db = await createTestDatabase({ poolSize: 20 });
    sink = await startSmtpSink();
    services = createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
      walletConfig: walletTestConfig(),
    });
    app = await createTestApp({ pool: db.pool, services, webDistDir });
    await app.listen({ host: "127.0.0.1", port: 0 });

    // A merchant submits KYB through the API, as the console would; a wallet user signs up.
    merchant = await newMerchant(app, sink, "Lotus Leaf Tea");
    await fillKyb(merchant.client);
    const submitted = await merchant.client.post("/v1/console/kyb/submit");
    assert.equal(submitted.statusCode, 200, submitted.body);
    payer = await signUpWallet(app, sink, { displayName: "Ada" });

    // An admin operator with a password of their own and TOTP on, so sign-in asks for the code.
    const admin = await newOperator(app, services, "admin");
    const enrollment = (await admin.post("/v1/ops/2fa/totp")).json();
    const confirmed = await admin.post("/v1/ops/2fa/totp/confirm", {
      code: await totpCodeAt(enrollment.secret, clock.now()),
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    clock.advance(30_000);
    operator = { email: admin.email, password: "admin keeps the queue moving", totpSecret: enrollment.secret };

    // A verify run from the command line, for the books page to show.
    await services.operators.verifyRuns.run({ source: "cli" });
    // And a security audit, for its page: the merchant's owner has no second factor.
    await services.securityAudit.run("cli");

    browser = await launchBrowser();
    const baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    page = await (await newBrowserContext(browser, { baseURL })).newPage();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await services?.close();
    await sink?.close();
    await db?.drop();
  });

  it("signs in with password and the authenticator code", async () => {
    await page.goto("/ops");
    await page.getByRole("heading", { name: "Operator sign-in" }).waitFor();
    // The sign-in page has the console's header: its name and the language switcher.
    await page.getByRole("banner").getByLabel("Language").waitFor();
    await page.getByLabel("Email").fill(operator.email);
    await page.getByLabel("Password").fill(operator.password);
    await shot("login");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("Authentication code").fill(await totpCodeAt(operator.totpSecret, clock.now()));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "KYB review queue" }).waitFor();
    await page.getByText(`Signed in as ${operator.email} (admin)`).waitFor();
  });

  it("opens the submitted application, views a document and approves it", async () => {
    const open = page.getByRole("link", { name: "Open application of Lotus Leaf Tea" });
    await open.waitFor();
    await shot("kyb-queue");
    await open.click();
    await page.getByRole("heading", { name: /KYB application: Lotus Leaf Tea/ }).waitFor();
    await page.getByRole("button", { name: "View representative_id.png" }).click();
    const image = page.getByRole("img", { name: "representative_id.png, uploaded by the merchant" });
    await image.waitFor();
    assert.equal(
      await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      1,
      "the PNG decodes",
    );
    await page.getByText("6222020200112233445").waitFor(); // an admin sees the account number in full
    await shot("kyb-application");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: "The application is now: Approved." }).waitFor();
    const account = (await merchant.client.get("/v1/console/kyb")).json();
    assert.equal(account.state, "approved");
  });

  it("finds the merchant with its KYB state and live status", async () => {
    await nav("Merchants");
    await page.getByRole("searchbox", { name: "Search" }).fill(merchant.email);
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.getByRole("row").filter({ hasText: "Lotus Leaf Tea" });
    await row.getByText("Approved").waitFor();
    await row.getByText("Active").waitFor();
    await shot("merchants");
  });

  it("finds a wallet user, freezes and unfreezes the wallet", async () => {
    await nav("Wallet users");
    await page.getByRole("searchbox", { name: "Search" }).fill(payer.email);
    await page.getByRole("button", { name: "Search" }).click();
    const open = page.getByRole("link", { name: `Open wallet user ${payer.email}` });
    await open.waitFor();
    await shot("wallet-users");
    await open.click();
    await page.getByRole("heading", { name: new RegExp(`Wallet user ${payer.email}`) }).waitFor();
    await page.getByLabel("Reason for freezing").fill("Card testing pattern reported by the bank");
    await page.getByRole("button", { name: "Freeze wallet" }).click();
    await page.getByRole("status").filter({ hasText: "The wallet is frozen." }).waitFor();
    assert.equal((await services.wallets.users.get(payer.id)).frozenAt !== null, true);
    await shot("wallet-user");
    await page.getByRole("button", { name: "Unfreeze wallet" }).click();
    await page.getByRole("status").filter({ hasText: "The wallet is active again." }).waitFor();
    assert.equal((await services.wallets.users.get(payer.id)).frozenAt, null);
  });

  it("reads the audit log, filtered by action", async () => {
    await nav("Audit log");
    await page.getByRole("cell", { name: "kyb.approved" }).first().waitFor();
    await page.getByRole("cell", { name: "wallet_user.frozen" }).first().waitFor();
    await shot("audit-log");
    await page.getByLabel("Action").fill("wallet_user.unfrozen");
    await page.getByRole("button", { name: "Filter" }).click();
    // The unfiltered rows stay on screen until the filtered page arrives (an unfreeze row is among them already).
    await page.getByRole("cell", { name: "kyb.approved" }).first().waitFor({ state: "detached" });
    await page.getByRole("cell", { name: "wallet_user.unfrozen" }).waitFor();
    assert.equal(await page.getByRole("cell", { name: "kyb.approved" }).count(), 0);
    assert.equal(await page.getByRole("cell", { name: "wallet_user.frozen", exact: true }).count(), 0);
  });

  it("exports a bank file and lists it", async () => {
    await nav("Bank files");
    await page.getByRole("button", { name: "Export pending instructions" }).click();
    await page.getByText("Nothing was waiting for the bank").waitFor();
    await page.getByRole("link", { name: /^Download coffer-bank-export_.*\.csv$/ }).waitFor();
    await page.getByRole("cell", { name: "Export", exact: true }).waitFor();
    await shot("bank-files");
  });

  it("shows the latest verify with each check, and runs it again", async () => {
    await nav("Books check");
    await page.getByText("The books balance: every check passed.").waitFor();
    const row = page.getByRole("row", { name: /Debits equal credits per ledger and currency/ });
    await row.getByText("Passed").waitFor();
    await page.getByText("command line").waitFor();
    await page.getByRole("button", { name: "Run verify now" }).click();
    await page.getByText("console").first().waitFor();
    const latest = await services.operators.verifyRuns.latest();
    assert.equal(latest?.source, "operator");
    await shot("verify");
  });

  it("shows the latest security audit, each finding with its severity", async () => {
    await nav("Security audit");
    await page.getByRole("heading", { name: "Security audit (coffer audit)" }).waitFor();
    await page.getByText("No high-severity finding.").waitFor();
    const row = page.getByRole("row", { name: /merchant_admins_without_two_factor/ });
    await row.getByText("Medium", { exact: true }).waitFor();
    await row.getByText(merchant.email).waitFor();
    await page.getByText("command line").waitFor();
    await shot("security-audit");
  });
});
