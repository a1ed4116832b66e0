import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant, newOperator, type SessionClient, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Prepaid cards in real Chromium, in English and in Chinese. A holder opens a shop's gift card in the wallet app
 * without signing up (by typing its number and secret, or by its printed QR link), sees its balance, pays a shop's
 * QR payment with it, finds the payment in the card's history, then signs in to a wallet account and moves the rest
 * of the balance into it. The shop owner issues a card (number and secret shown once), loads it at the counter,
 * freezes and unfreezes it, and issues a batch whose CSV downloads once. The hosted checkout is paid with a card's
 * number and PIN. Screenshots go to docs/screenshots/stored-value-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  shop: string;
  // Wallet app
  useCard: string;
  cardNumber: string;
  cardSecret: string;
  openCard: string;
  cardTitle: (last4: string) => string;
  money: (decimal: string) => string;
  walletNav: string;
  navScan: string;
  navHome: string;
  paste: string;
  lookUp: string;
  pay: (decimal: string) => RegExp;
  paid: string;
  historyPayment: string;
  claim: (decimal: string) => string;
  claimed: (decimal: string) => string;
  backToAccount: string;
  // Console
  email: string;
  password: string;
  signIn: string;
  nav: string;
  issueOne: string;
  issueBatch: string;
  value: string;
  count: string;
  issueSubmit: string;
  issueBatchSubmit: string;
  numberLabel: string;
  secretLabel: string;
  done: string;
  openIssued: string;
  loadAmount: string;
  loadSubmit: string;
  loaded: (money: string) => string;
  freeze: string;
  freezeConfirm: string;
  unfreeze: string;
  frozen: string;
  active: string;
  download: string;
  batchFilter: string;
  search: string;
  // Checkout
  payWithCard: string;
  checkoutNumber: string;
  checkoutPin: string;
  checkoutContinue: string;
  checkoutPay: (money: string) => string;
  checkoutPaid: string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  shop: "Noodle Bar",
  useCard: "Use a prepaid card",
  cardNumber: "Card number",
  cardSecret: "Secret or PIN",
  openCard: "Open card",
  cardTitle: (last4) => `Prepaid card •••• ${last4}`,
  money: (decimal) => `$${decimal}`,
  walletNav: "Wallet",
  navScan: "Scan",
  navHome: "Home",
  paste: "Payment link or code",
  lookUp: "Look up payment",
  pay: (decimal) => new RegExp(`^Pay \\$${decimal.replace(".", "\\.")}$`),
  paid: "Paid. Noodle Bar has your payment.",
  historyPayment: "Payment",
  claim: (decimal) => `Move $${decimal} to my account`,
  claimed: (decimal) => `$${decimal} moved to your wallet account. The card is closed.`,
  backToAccount: "Back to my wallet",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  nav: "Prepaid cards",
  issueOne: "Issue a card",
  issueBatch: "Issue a batch",
  value: "Value of each card",
  count: "How many cards",
  issueSubmit: "Issue card",
  issueBatchSubmit: "Issue cards",
  numberLabel: "Card number",
  secretLabel: "Secret",
  done: "Done",
  openIssued: "Open the card",
  loadAmount: "Amount (USD)",
  loadSubmit: "Load card",
  loaded: (money) => `Loaded ${money}.`,
  freeze: "Freeze",
  freezeConfirm: "Freeze the card",
  unfreeze: "Unfreeze",
  frozen: "Frozen",
  active: "Active",
  download: "Download numbers and secrets (CSV)",
  batchFilter: "Batch",
  search: "Search",
  payWithCard: "Pay with a prepaid card",
  checkoutNumber: "Card number",
  checkoutPin: "PIN or secret",
  checkoutContinue: "Continue",
  checkoutPay: (money) => `Pay ${money} with this card`,
  checkoutPaid: "Paid. Thank you!",
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  shop: "面馆",
  useCard: "使用预付卡",
  cardNumber: "卡号",
  cardSecret: "密码或 PIN",
  openCard: "打开卡片",
  cardTitle: (last4) => `预付卡 •••• ${last4}`,
  money: (decimal) => `US$${decimal}`,
  walletNav: "钱包",
  navScan: "扫一扫",
  navHome: "首页",
  paste: "付款链接或代码",
  lookUp: "查找付款",
  pay: (decimal) => new RegExp(`^付款 US\\$${decimal.replace(".", "\\.")}$`),
  paid: "付款成功，面馆 已收到。",
  historyPayment: "付款",
  claim: (decimal) => `把 US$${decimal} 转入我的账户`,
  claimed: (decimal) => `US$${decimal} 已转入您的钱包账户，此卡已关闭。`,
  backToAccount: "返回我的钱包",
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  nav: "预付卡",
  issueOne: "发行一张卡",
  issueBatch: "批量发卡",
  value: "每张卡的面值",
  count: "张数",
  issueSubmit: "发行",
  issueBatchSubmit: "批量发行",
  numberLabel: "卡号",
  secretLabel: "密码",
  done: "完成",
  openIssued: "查看此卡",
  loadAmount: "金额 (USD)",
  loadSubmit: "充值",
  loaded: (money) => `已充值 ${money}。`,
  freeze: "冻结",
  freezeConfirm: "冻结此卡",
  unfreeze: "解冻",
  frozen: "已冻结",
  active: "可用",
  download: "下载卡号和密码（CSV）",
  batchFilter: "批次",
  search: "搜索",
  payWithCard: "使用预付卡付款",
  checkoutNumber: "卡号",
  checkoutPin: "PIN 或密码",
  checkoutContinue: "继续",
  checkoutPay: (money) => `用此卡支付 ${money}`,
  checkoutPaid: "付款成功，谢谢！",
};

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `stored-value-${name}.png`), fullPage: true });

interface IssuedCard {
  id: string;
  number: string;
  secret: string;
  last4: string;
  balance: string;
}

describe("prepaid cards in the browser", { timeout: 300_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let payer: TestWalletUser;
  let operator: SessionClient;

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    payer = await newTestPayer(coffer, { fund: "50000" });
    operator = await newOperator(coffer.app, coffer.services, "admin");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  /** The shop's balance grows by a test payer's QR payment: issuing cards and loading them spend it. */
  const fund = async (merchant: TestMerchant, amount: string) => {
    const created = await merchant.client.post(
      "/v1/payments",
      { amount, currency: "USD", method: "checkout" },
      { "idempotency-key": randomUUID() },
    );
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const confirmed = await payer.client.post(
      `/v1/wallet/payments/${id}/confirm`,
      {},
      { "idempotency-key": randomUUID() },
    );
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
  };

  const issueCard = async (merchant: TestMerchant, amount: string): Promise<IssuedCard> => {
    const issued = await merchant.client.post(
      "/v1/stored_value/cards",
      { currency: "USD", amount },
      { "idempotency-key": randomUUID() },
    );
    assert.equal(issued.statusCode, 201, issued.body);
    return issued.json();
  };

  /** A platform card (open loop: spendable at every merchant, and claimable into an account), from the float. */
  const issuePlatformCard = async (amount: string): Promise<IssuedCard> => {
    const issued = await operator.post(
      "/v1/ops/stored_value/cards",
      { livemode: false, currency: "USD", amount },
      { "idempotency-key": randomUUID() },
    );
    assert.equal(issued.statusCode, 201, issued.body);
    return issued.json();
  };

  const qrPayload = async (merchant: TestMerchant, amount: string, method = "qr") => {
    const created = await merchant.client.post(
      "/v1/payments",
      { amount, currency: "USD", method, description: "Noodles" },
      { "idempotency-key": randomUUID() },
    );
    assert.equal(created.statusCode, 201, created.body);
    const payment = created.json();
    const summary = (await merchant.client.get(`/v1/checkout/${payment.id}`)).json();
    return { id: payment.id as string, payload: summary.qr.payload as string };
  };

  const paymentStatus = async (merchant: TestMerchant, id: string) =>
    (await merchant.client.get(`/v1/payments/${id}`)).json().status as string;

  const opsTexts = {
    "en-US": {
      email: "Email",
      password: "Password",
      signIn: "Sign in",
      nav: "Prepaid cards",
      value: "Value of each card",
      issue: "Issue",
      number: "Card number",
      done: "Done",
      freeze: (last4: string) => `Freeze card ending ${last4}`,
      unfreeze: (last4: string) => `Unfreeze card ending ${last4}`,
      status: "Status",
      frozenOnly: "Frozen cards",
      empty: "No cards match.",
    },
    "zh-CN": {
      email: "邮箱",
      password: "密码",
      signIn: "登录",
      nav: "预付卡",
      value: "每张卡的面值",
      issue: "发行",
      number: "卡号",
      done: "完成",
      freeze: (last4: string) => `冻结尾号 ${last4} 的卡`,
      unfreeze: (last4: string) => `解冻尾号 ${last4} 的卡`,
      status: "状态",
      frozenOnly: "已冻结的卡",
      empty: "没有符合条件的卡。",
    },
  } as const;

  for (const texts of [english, chinese]) {
    it(`a holder opens a card without signing up, pays a QR payment and moves the rest to an account (${texts.locale})`, async () => {
      const merchant = await newMerchant(coffer.app, coffer.sink, texts.shop);
      const card = await issuePlatformCard("5000");
      assert.match(card.number, /^6288\d{12}$/);

      const phone = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const wallet = await phone.newPage();
      wallet.setDefaultTimeout(15_000);
      if (texts === english) {
        // Typed: from the signed-out screen, no sign-up.
        await wallet.goto("/wallet/");
        await wallet.getByRole("link", { name: texts.useCard }).click();
        await wallet.getByLabel(texts.cardNumber).fill(card.number.replace(/(\d{4})(?=\d)/g, "$1 "));
        await wallet.getByLabel(texts.cardSecret).fill(card.secret);
        await shot(wallet, `add-${texts.tag}`);
        await wallet.getByRole("button", { name: texts.openCard }).click();
      } else {
        // The card's printed QR code: the link opens the card directly; its fragment leaves the address bar.
        await wallet.goto(`/wallet/card#number=${card.number}&secret=${encodeURIComponent(card.secret)}`);
      }
      await wallet.getByRole("heading", { level: 1, name: texts.cardTitle(card.last4) }).waitFor();
      assert.equal(new URL(wallet.url()).hash, "");
      await wallet.getByText(texts.money("50.00")).first().waitFor();
      // Account pages are not offered to a card.
      const nav = wallet.getByRole("navigation", { name: texts.walletNav });
      assert.equal(await nav.getByRole("link").count(), 3);

      // Pay a shop's QR code with the card.
      const qr = await qrPayload(merchant, "1250");
      await nav.getByRole("link", { name: texts.navScan, exact: true }).click();
      await wallet.getByLabel(texts.paste).fill(qr.payload);
      await wallet.getByRole("button", { name: texts.lookUp }).click();
      await wallet.waitForURL(/\/wallet\/payments\/pay_/);
      await wallet.getByRole("button", { name: texts.pay("12.50") }).click();
      await wallet.getByText(texts.paid).waitFor();
      assert.equal(await paymentStatus(merchant, qr.id), "succeeded");

      await nav.getByRole("link", { name: texts.navHome, exact: true }).click();
      await wallet.getByText(texts.money("37.50")).first().waitFor();
      await wallet.getByRole("cell", { name: texts.historyPayment, exact: true }).waitFor();
      await shot(wallet, `card-${texts.tag}`);

      // The holder signs in to a wallet account on this phone (a test payer's sign-in link) and claims the card.
      await wallet.goto(`/wallet/#sign_in=${encodeURIComponent(payer.token)}`);
      // Only the fragment changed: the link is read when the page loads.
      await wallet.reload();
      await wallet.getByRole("heading", { level: 1, name: texts.cardTitle(card.last4) }).waitFor();
      const before = await payer.client.get("/v1/wallet/balances");
      const usdBefore = BigInt(before.json().data.find((b: { currency: string }) => b.currency === "USD").available);
      // The sign-in reloaded the page, which keeps no card secret: the holder types the card's details again.
      await wallet.getByLabel(texts.cardNumber).fill(card.number);
      await wallet.getByLabel(texts.cardSecret).fill(card.secret);
      await wallet.getByRole("button", { name: texts.claim("37.50") }).click();
      await wallet.getByText(texts.claimed("37.50")).waitFor();
      const afterClaim = await payer.client.get("/v1/wallet/balances");
      const usdAfter = BigInt(afterClaim.json().data.find((b: { currency: string }) => b.currency === "USD").available);
      assert.equal(usdAfter - usdBefore, 3750n);
      await shot(wallet, `claimed-${texts.tag}`);
      // Back in the account: its own navigation again.
      await wallet.getByRole("button", { name: texts.backToAccount }).click();
      await nav.getByRole("link").nth(4).waitFor();
      await phone.close();
    });

    it(`a shop owner issues a card and a batch, loads and freezes a card (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, texts.shop);
      await fund(owner, "10000");
      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto("/login");
      await page.getByLabel(texts.email).fill(owner.email);
      await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
      await page.getByRole("button", { name: texts.signIn, exact: true }).click();
      await page.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: texts.nav }).waitFor();

      // One card: its number and secret once.
      await page.getByRole("button", { name: texts.issueOne }).click();
      await page.getByLabel(texts.value).fill("25");
      await page.getByRole("button", { name: texts.issueSubmit, exact: true }).click();
      const numberBox = page.getByLabel(texts.numberLabel, { exact: true });
      await numberBox.waitFor();
      const number = (await numberBox.inputValue()).replace(/\s/g, "");
      assert.match(number, /^6288\d{12}$/);
      assert.ok((await page.getByLabel(texts.secretLabel, { exact: true }).inputValue()).length > 0);
      await shot(page, `console-issued-${texts.tag}`);
      await page.getByRole("link", { name: texts.openIssued }).click();
      await page.getByRole("heading", { level: 1, name: new RegExp(number.slice(-4)) }).waitFor();

      // Cash-in at the counter, then freeze and unfreeze.
      await page.getByLabel(texts.loadAmount).fill("10");
      await page.getByRole("button", { name: texts.loadSubmit, exact: true }).click();
      await page.getByText(texts.loaded(texts.money("10.00"))).waitFor();
      await page.getByText(texts.money("35.00")).first().waitFor();
      await page.getByRole("button", { name: texts.freeze, exact: true }).click();
      await page.getByRole("button", { name: texts.freezeConfirm }).click();
      await page.getByRole("heading", { level: 1 }).getByText(texts.frozen).waitFor();
      await page.getByRole("button", { name: texts.unfreeze, exact: true }).click();
      await page.getByRole("heading", { level: 1 }).getByText(texts.active).waitFor();
      await shot(page, `console-card-${texts.tag}`);

      // A batch of three: the CSV downloads from the page, once.
      await page.getByRole("navigation").getByRole("link", { name: texts.nav, exact: true }).click();
      await page.getByRole("button", { name: texts.issueBatch }).click();
      await page.getByLabel(texts.value).fill("5");
      await page.getByLabel(texts.count).fill("3");
      await page.getByRole("button", { name: texts.issueBatchSubmit, exact: true }).click();
      const downloadLink = page.getByRole("link", { name: texts.download });
      const [download] = await Promise.all([page.waitForEvent("download"), downloadLink.click()]);
      const batch = /^coffer-cards-(svb_[0-9A-Za-z]+)\.csv$/.exec(download.suggestedFilename())?.[1];
      assert.ok(batch, download.suggestedFilename());
      const csv = (await readFile((await download.path())!, "utf8")).trim().split("\n");
      assert.equal(csv[0], "number,secret,card_id");
      assert.equal(csv.length, 4);
      for (const line of csv.slice(1)) assert.match(line, /^6288\d{12},[^,]+,svc_/);
      await shot(page, `console-batch-${texts.tag}`);

      // The list filtered by the batch shows its three cards.
      await page.getByLabel(texts.batchFilter, { exact: true }).fill(batch);
      await page.getByRole("button", { name: texts.search, exact: true }).click();
      // Four cards before the filter (the single one and the batch's three), three after.
      const rows = page.locator("table tbody tr");
      await rows.nth(3).waitFor({ state: "detached" });
      assert.equal(await rows.count(), 3);
      await context.close();
    });

    it(`the checkout page is paid with a card's number and PIN (${texts.locale})`, async () => {
      const merchant = await newMerchant(coffer.app, coffer.sink, texts.shop);
      await fund(merchant, "3000");
      const card = await issueCard(merchant, "2000");
      const payment = await qrPayload(merchant, "899", "checkout");
      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`/checkout/${payment.id}`);
      await page.getByRole("button", { name: texts.payWithCard }).click();
      await page.getByLabel(texts.checkoutNumber).fill(card.number);
      await page.getByLabel(texts.checkoutPin).fill(card.secret);
      await page.getByRole("button", { name: texts.checkoutContinue }).click();
      const pay = page.getByRole("button", { name: texts.checkoutPay(texts.money("8.99")) });
      await pay.waitFor();
      await shot(page, `checkout-${texts.tag}`);
      await pay.click();
      await page.getByText(texts.checkoutPaid).waitFor();
      assert.equal(await paymentStatus(merchant, payment.id), "succeeded");
      const after = (await merchant.client.get(`/v1/stored_value/cards/${card.id}`)).json();
      assert.equal(after.balance, "1101");
      await context.close();
    });

    it(`an operator issues a platform card, freezes it and finds it among the frozen cards (${texts.locale})`, async () => {
      const words = opsTexts[texts.locale as keyof typeof opsTexts];
      const admin = await newOperator(coffer.app, coffer.services, "admin");
      const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto("/ops/login");
      await page.getByLabel(words.email).fill(admin.email);
      await page.getByLabel(words.password).fill("admin keeps the queue moving");
      await page.getByRole("button", { name: words.signIn, exact: true }).click();
      await page.getByRole("navigation").getByRole("link", { name: words.nav, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: words.nav }).waitFor();

      await page.getByLabel(words.value).fill("15");
      await page.getByRole("button", { name: words.issue, exact: true }).click();
      const numberBox = page.getByLabel(words.number, { exact: true });
      await numberBox.waitFor();
      const number = await numberBox.inputValue();
      assert.match(number, /^6288\d{12}$/);
      const last4 = number.slice(-4);
      await page.getByRole("button", { name: words.done, exact: true }).click();

      await page.getByRole("button", { name: words.freeze(last4) }).click();
      await page.getByRole("button", { name: words.unfreeze(last4) }).waitFor();
      await page.getByLabel(words.status, { exact: true }).selectOption({ label: words.frozenOnly });
      await page.waitForURL(/status=frozen/);
      await page.getByRole("button", { name: words.unfreeze(last4) }).waitFor();
      await shot(page, `ops-${texts.tag}`);
      await page.getByRole("button", { name: words.unfreeze(last4) }).click();
      await page.getByText(words.empty).waitFor();
      const card = (await admin.get(`/v1/ops/stored_value/cards?last4=${last4}`)).json().data[0];
      assert.equal(card.status, "active");
      assert.equal(card.issuer.type, "platform");
      await context.close();
    });
  }
});
