import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { newMerchant, newOperator, samplePdf, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * After-sales in real Chromium, in English and in Chinese, with no API call by any person: a payer who paid a shop
 * asks it for help and then disputes the payment from the wallet app on a phone; the shop owner answers the dispute
 * with an explanation and a file on the console's Disputes page and answers the ticket on its Support page; an
 * operator decides the dispute for the shop and answers a wallet question in the operator console.
 * Screenshots go to docs/screenshots/after-sales-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  shop: string;
  signIn: string;
  email: string;
  password: string;
  getHelp: string;
  subject: string;
  helpMessage: string;
  sendHelp: string;
  helpSent: RegExp;
  dispute: string;
  why: string;
  reason: string;
  whatHappened: string;
  openDispute: string;
  disputeOpened: RegExp;
  navDisputes: string;
  openDisputeLink: RegExp;
  explanation: string;
  addFile: string;
  submitEvidence: string;
  underReview: string;
  navSupport: string;
  ticketLink: (subject: string) => string;
  reply: string;
  after: string;
  sendReply: string;
  resolved: string;
  opsDisputes: string;
  opsDisputeLink: RegExp;
  decision: string;
  forMerchant: string;
  record: string;
  decided: string;
  opsSupport: string;
  opsReply: string;
  opsSend: string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  shop: "Tea House",
  signIn: "Sign in",
  email: "Email",
  password: "Password",
  getHelp: "Get help",
  subject: "Subject",
  helpMessage: "What happened?",
  sendHelp: "Send to Tea House",
  helpSent: /Sent\. Tea House will answer here and by email\./,
  dispute: "Dispute this payment",
  why: "Why?",
  reason: "product_not_received",
  whatHappened: "Tell us what happened",
  openDispute: "Open a dispute",
  disputeOpened: /Opened: Tea House answers by/,
  navDisputes: "Disputes",
  openDisputeLink: /^Dispute of .*50\.00, opened/,
  explanation: "Your explanation",
  addFile: "Add a file (PDF, PNG or JPEG, up to 5 MB)",
  submitEvidence: "Submit evidence",
  underReview: "Your evidence is with coffer's review. You will get an email when it is decided.",
  navSupport: "Support",
  ticketLink: (subject) => `Ticket ${subject}`,
  reply: "Reply",
  after: "Then the ticket is",
  sendReply: "Send reply",
  resolved: "Resolved",
  opsDisputes: "Disputes",
  opsDisputeLink: /^Dispute of .*50\.00 with Tea House/,
  decision: "Decision",
  forMerchant: "won",
  record: "Record decision",
  decided: "Decided: Won by the merchant.",
  opsSupport: "Support queue",
  opsReply: "Reply",
  opsSend: "Send reply",
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  shop: "茶舍",
  signIn: "登录",
  email: "邮箱",
  password: "密码",
  getHelp: "获取帮助",
  subject: "主题",
  helpMessage: "发生了什么？",
  sendHelp: "发送给 茶舍",
  helpSent: /已发送。茶舍 会在这里和通过邮件答复您。/,
  dispute: "对这笔付款提出争议",
  why: "原因",
  reason: "product_unacceptable",
  whatHappened: "请说明发生了什么",
  openDispute: "提出争议",
  disputeOpened: /已提出：茶舍 将在/,
  navDisputes: "争议",
  openDisputeLink: /提出的 .*50\.00 争议$/,
  explanation: "您的说明",
  addFile: "添加文件（PDF、PNG 或 JPEG，不超过 5 MB）",
  submitEvidence: "提交证据",
  underReview: "您的证据正在由 coffer 审核，裁决后您会收到邮件。",
  navSupport: "客服工单",
  ticketLink: (subject) => `工单：${subject}`,
  reply: "回复",
  after: "回复后工单状态",
  sendReply: "发送回复",
  resolved: "已解决",
  opsDisputes: "争议",
  opsDisputeLink: /^与 茶舍 的 .*50\.00 争议$/,
  decision: "裁决结果",
  forMerchant: "won",
  record: "记录裁决",
  decided: "已裁决：商户胜诉。",
  opsSupport: "客服队列",
  opsReply: "回复",
  opsSend: "发送回复",
};

describe("disputes and support in the browser", { timeout: 300_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;

  before(async () => {
    await ensureWebBuilt();
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `after-sales-${name}.png`), fullPage: true });

  /** The shop's payment of 50.00, paid by the payer (made over HTTP as the shop's till and the payer's phone would). */
  async function paidPayment(owner: TestMerchant, payer: TestWalletUser): Promise<string> {
    const created = await owner.client.post("/v1/payments", {
      amount: "5000",
      currency: "USD",
      method: "qr",
      description: "Oolong, 250 g",
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id, qr } = created.json();
    assert.equal((await payer.client.post("/v1/wallet/scan", { payload: qr.payload })).statusCode, 200);
    assert.equal((await payer.client.post(`/v1/wallet/payments/${id}/confirm`, {})).statusCode, 200);
    return id;
  }

  async function payerAsksThenDisputes(payer: TestWalletUser, paymentId: string, texts: Texts, subject: string) {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`/wallet/#sign_in=${encodeURIComponent(payer.token)}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.goto(`/wallet/payments/${paymentId}`);
    await page.getByRole("button", { name: texts.getHelp }).click();
    await page.getByLabel(texts.subject, { exact: true }).fill(subject);
    await page.getByLabel(texts.helpMessage).fill(texts.tag === "en" ? "The tea was stale." : "茶叶已经受潮了。");
    await page.getByRole("button", { name: texts.sendHelp }).click();
    await page.getByText(texts.helpSent).waitFor();
    await page.getByRole("button", { name: texts.dispute }).click();
    await page.getByLabel(texts.why).selectOption(texts.reason);
    await page.getByLabel(texts.whatHappened).fill(texts.tag === "en" ? "Not what was described." : "与描述不符。");
    await shot(page, `wallet-dispute-${texts.tag}`);
    await page.getByRole("button", { name: texts.openDispute }).click();
    await page.getByText(texts.disputeOpened).waitFor();
    await shot(page, `wallet-disputed-${texts.tag}`);
    await context.close();
  }

  async function ownerSignsIn(owner: TestMerchant, texts: Texts): Promise<Page> {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto("/login");
    await page.getByLabel(texts.email).fill(owner.email);
    await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: texts.signIn, exact: true }).click();
    await page.getByRole("navigation").getByRole("link", { name: texts.navDisputes, exact: true }).waitFor();
    return page;
  }

  async function operatorPage(texts: Texts): Promise<Page> {
    const operator = await newOperator(coffer.app, coffer.services, "admin");
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
    await context.addCookies([{ name: "coffer_ops", value: operator.cookie!, url: coffer.baseUrl }]);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  for (const texts of [english, chinese]) {
    it(`a payer disputes and asks for help, the shop answers both, an operator decides (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, texts.shop);
      const payer = await newTestPayer(coffer, { fund: "100000", displayName: texts.tag === "en" ? "Ada" : "李雷" });
      const paymentId = await paidPayment(owner, payer);
      const subject = texts.tag === "en" ? "Stale tea" : "茶叶受潮";
      await payerAsksThenDisputes(payer, paymentId, texts, subject);

      // The shop owner answers the dispute with an explanation and a delivery receipt.
      const page = await ownerSignsIn(owner, texts);
      await page.getByRole("navigation").getByRole("link", { name: texts.navDisputes, exact: true }).click();
      await page.getByRole("link", { name: texts.openDisputeLink }).click();
      await page
        .getByLabel(texts.explanation)
        .fill(texts.tag === "en" ? "Packed fresh on the day; the receipt is attached." : "当天新鲜包装；附上签收单。");
      await page.getByLabel(texts.addFile).setInputFiles({
        name: "receipt.pdf",
        mimeType: "application/pdf",
        buffer: samplePdf,
      });
      await page.getByRole("button", { name: texts.submitEvidence }).click();
      await page.getByText(texts.underReview).waitFor();
      await page.getByRole("button", { name: "receipt.pdf" }).or(page.getByText("receipt.pdf")).first().waitFor();
      await shot(page, `console-dispute-${texts.tag}`);

      // The shop answers the payer's ticket from its Support inbox and resolves it.
      await page.getByRole("navigation").getByRole("link", { name: texts.navSupport, exact: true }).click();
      await page.getByRole("link", { name: texts.ticketLink(subject) }).waitFor();
      await shot(page, `console-inbox-${texts.tag}`);
      await page.getByRole("link", { name: texts.ticketLink(subject) }).click();
      const answer = texts.tag === "en" ? "Sorry! A fresh bag is on its way." : "抱歉！新的一袋已寄出。";
      await page.getByLabel(texts.reply, { exact: true }).fill(answer);
      await page.getByLabel(texts.after).selectOption("resolved");
      await page.getByRole("button", { name: texts.sendReply }).click();
      await page.getByText(answer).waitFor();
      await page.locator(".badge", { hasText: texts.resolved }).first().waitFor();
      await shot(page, `console-ticket-${texts.tag}`);
      const mail = await coffer.sink.waitFor((m) => m.to.includes(payer.email) && m.text.includes(answer));
      assert.ok(mail.subject.includes(subject));

      // An operator decides the dispute for the shop, and answers a payer's question about the wallet.
      const walletQuestion = texts.tag === "en" ? "Top-up missing" : "充值未到账";
      const asked = await payer.client.post("/v1/wallet/support/tickets", { subject: walletQuestion, body: "?" });
      assert.equal(asked.statusCode, 201, asked.body);
      const ops = await operatorPage(texts);
      await ops.goto("/ops/disputes");
      await ops.getByRole("link", { name: texts.opsDisputeLink }).first().click();
      await ops.getByLabel(texts.decision).selectOption(texts.forMerchant);
      await shot(ops, `ops-dispute-${texts.tag}`);
      await ops.getByRole("button", { name: texts.record }).click();
      await ops.getByText(texts.decided).waitFor();
      await ops.goto("/ops/support");
      await ops.getByRole("heading", { level: 1, name: texts.opsSupport }).waitFor();
      await ops.getByRole("link", { name: texts.ticketLink(walletQuestion) }).click();
      await ops.getByLabel(texts.opsReply, { exact: true }).fill(texts.tag === "en" ? "It arrived now." : "现已到账。");
      await ops.getByRole("button", { name: texts.opsSend }).click();
      await ops.getByText(texts.tag === "en" ? "It arrived now." : "现已到账。").waitFor();
      await shot(ops, `ops-ticket-${texts.tag}`);

      const dispute = await owner.client.get(`/v1/disputes?payment=${paymentId}`);
      assert.equal(dispute.json().data[0].status, "won");
      await page.context().close();
      await ops.context().close();
    });
  }
});
