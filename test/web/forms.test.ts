import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { ensureWebBuilt, launchBrowser, newBrowserContext } from "../helpers/browser.js";
import { newMerchant, samplePdf, type TestMerchant } from "../helpers/merchant-console.js";
import { newTestPayer, type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";

/**
 * The console's forms with validation in real Chromium, in English and in Chinese: the coupon and promotion code
 * forms, the payment link form, the webhook endpoint form and the dispute evidence form. A form filled wrong says so
 * on the fields in error (aria-invalid, the text tied to the field by aria-describedby), puts focus on the first of
 * them and sends nothing (the API routes' requests are counted); a refusal by coffer that names a param shows on that
 * field; a right form makes the object, checked through the API.
 */
interface Texts {
  locale: string;
  email: string;
  password: string;
  signIn: string;
  required: string;
  coupon: {
    nav: string;
    newCoupon: string;
    name: string;
    percent: string;
    percentRule: string;
    kind: string;
    amount: string;
    precision: string;
    budget: string;
    amountFormat: string;
    maxRedemptions: string;
    whole: string;
    code: string;
    codeRule: string;
    create: string;
    heading: RegExp;
  };
  codes: { code: string; max: string; add: string; taken: string };
  link: {
    nav: string;
    newLink: string;
    currency: string;
    price: string;
    amountEmpty: string;
    maxUses: string;
    whole: string;
    returnUrl: string;
    urlRule: string;
    create: string;
    heading: RegExp;
  };
  webhook: { nav: string; url: string; events: string; eventsRule: string; create: string; secret: string };
  evidence: {
    explanation: string;
    addFile: string;
    fileType: string;
    submit: string;
    empty: string;
    underReview: string;
  };
}

const english: Texts = {
  locale: "en-US",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  required: "Fill this in.",
  coupon: {
    nav: "Promotions",
    newCoupon: "New coupon",
    name: "Name",
    percent: "Percent off",
    percentRule: "Enter a percent from 0.01 to 100, with at most 2 decimal places.",
    kind: "Discount",
    amount: "Amount off (USD)",
    precision: "USD amounts have at most 2 decimal places.",
    budget: "Budget: the most it may take off in all (USD, optional)",
    amountFormat: "Enter digits with at most one decimal point, like 12.50.",
    maxRedemptions: "Stop after this many payments (optional)",
    whole: "Enter a whole number from 1 to 10,000,000.",
    code: "Promotion code (optional)",
    codeRule: "Use 3 to 40 letters, digits, - and _, starting with a letter or a digit.",
    create: "Create coupon",
    heading: /^Coupon Five off/,
  },
  codes: {
    code: "Code",
    max: "Stop after this many uses (optional)",
    add: "Add code",
    taken: "You already have an active code with this text.",
  },
  link: {
    nav: "Payment links",
    newLink: "New payment link",
    currency: "Currency",
    price: "Price (USD)",
    amountEmpty: "Enter an amount, like 12.50.",
    maxUses: "Stop after this many payments (optional)",
    whole: "Enter a whole number from 1 to 1,000,000.",
    returnUrl: "Send customers back to this page after paying (optional)",
    urlRule: "Enter a full address that starts with https:// or http://.",
    create: "Create link",
    heading: /^Payment link plk_/,
  },
  webhook: {
    nav: "Webhooks",
    url: "Endpoint URL",
    events: "Events",
    eventsRule: "Enter event types like payment.succeeded, prefixes like payment.*, or * for all, separated by commas.",
    create: "Add endpoint",
    secret: "Signing secret",
  },
  evidence: {
    explanation: "Your explanation",
    addFile: "Add a file (PDF, PNG or JPEG, up to 5 MB)",
    fileType: "Choose a PDF, PNG or JPEG file.",
    submit: "Submit evidence",
    empty: "Write your explanation or add a file before you submit.",
    underReview: "Your evidence is with coffer's review. You will get an email when it is decided.",
  },
};

const chinese: Texts = {
  locale: "zh-CN",
  email: "邮箱",
  password: "密码",
  signIn: "登录",
  required: "请填写此项。",
  coupon: {
    nav: "营销活动",
    newCoupon: "新建优惠券",
    name: "名称",
    percent: "减免比例（%）",
    percentRule: "请输入 0.01 到 100 之间的比例，最多两位小数。",
    kind: "优惠方式",
    amount: "减免金额（USD）",
    precision: "USD 金额最多 2 位小数。",
    budget: "预算：累计最多减免（USD，可选）",
    amountFormat: "请输入数字，最多一个小数点，例如 12.50。",
    maxRedemptions: "最多可用于多少笔付款（可选）",
    whole: "请输入 1 到 10,000,000 之间的整数。",
    code: "优惠码（可选）",
    codeRule: "请使用 3 到 40 个字母、数字、- 或 _，以字母或数字开头。",
    create: "创建优惠券",
    heading: /^优惠券 减五元/,
  },
  codes: { code: "优惠码", max: "最多使用次数（可选）", add: "添加", taken: "您已有一个相同的有效优惠码。" },
  link: {
    nav: "付款链接",
    newLink: "新建付款链接",
    currency: "币种",
    price: "价格（USD）",
    amountEmpty: "请输入金额，例如 12.50。",
    maxUses: "收满多少笔后停止（可选）",
    whole: "请输入 1 到 1,000,000 之间的整数。",
    returnUrl: "付款后返回此页面（可选）",
    urlRule: "请输入以 https:// 或 http:// 开头的完整网址。",
    create: "创建链接",
    heading: /^付款链接 plk_/,
  },
  webhook: {
    nav: "Webhook",
    url: "端点 URL",
    events: "事件",
    eventsRule: "请输入事件类型（如 payment.succeeded）、前缀（如 payment.*）或 *（全部），用逗号分隔。",
    create: "添加端点",
    secret: "签名密钥",
  },
  evidence: {
    explanation: "您的说明",
    addFile: "添加文件（PDF、PNG 或 JPEG，不超过 5 MB）",
    fileType: "请选择 PDF、PNG 或 JPEG 文件。",
    submit: "提交证据",
    empty: "提交前请填写说明或添加文件。",
    underReview: "您的证据正在由 coffer 审核，裁决后您会收到邮件。",
  },
};

/** The field shows this error: marked invalid, and the text is the one its aria-describedby points to. */
async function assertFieldError(field: Locator, expected: string | RegExp): Promise<void> {
  await field.and(field.page().locator('[aria-invalid="true"]')).waitFor();
  const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
  const texts = await Promise.all(
    describedBy
      .split(" ")
      .filter((id) => id.endsWith("-error"))
      .map((id) => field.page().locator(`[id="${id}"]`).textContent()),
  );
  assert.equal(texts.length, 1, `one error text is tied to the field (aria-describedby "${describedBy}")`);
  if (typeof expected === "string") assert.equal(texts[0], expected);
  else assert.match(texts[0] ?? "", expected);
}

async function assertNoFieldError(field: Locator): Promise<void> {
  assert.equal(await field.getAttribute("aria-invalid"), null);
}

async function assertFocused(field: Locator): Promise<void> {
  await field
    .page()
    .waitForFunction((element) => element?.ownerDocument.activeElement === element, await field.elementHandle());
}

describe("forms with validation in the browser", { timeout: 300_000 }, () => {
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

  /** A signed-in console page, and a count of the POSTs it sends to each API path. */
  async function signIn(owner: TestMerchant, texts: Texts) {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const posts = new Map<string, number>();
    page.on("request", (request) => {
      if (request.method() !== "POST") return;
      const path = new URL(request.url()).pathname;
      posts.set(path, (posts.get(path) ?? 0) + 1);
    });
    await page.goto("/login");
    await page.getByLabel(texts.email).fill(owner.email);
    await page.getByLabel(texts.password, { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: texts.signIn, exact: true }).click();
    await page.getByRole("navigation").first().waitFor();
    return { page, posted: (path: string) => posts.get(path) ?? 0, close: () => context.close() };
  }

  const nav = (page: Page, name: string) =>
    page.getByRole("navigation").getByRole("link", { name, exact: true }).click();

  const asOwner = (owner: TestMerchant) => async (url: string) => {
    const response = await owner.client.get(url);
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  for (const texts of [english, chinese]) {
    it(`the coupon and promotion code forms check their fields, and a taken code shows on its field (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, "Rule Tea");
      const api = asOwner(owner);
      const { page, posted, close } = await signIn(owner, texts);
      const t = texts.coupon;
      try {
        await nav(page, t.nav);
        await page.getByRole("button", { name: t.newCoupon }).click();
        const name = page.getByLabel(t.name, { exact: true });
        // Empty: the name and the discount are required; nothing is sent.
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(name, texts.required);
        await assertFieldError(page.getByLabel(t.percent), t.percentRule);
        await assertFocused(name);
        // Wrong: too many decimals, letters in an amount, zero uses, a code coffer would refuse.
        await name.fill(texts === english ? "Five off" : "减五元");
        await page.getByLabel(t.kind, { exact: true }).selectOption("amount");
        const amount = page.getByLabel(t.amount);
        await amount.fill("5.001");
        await page.getByLabel(t.budget).fill("fifty");
        await page.getByLabel(t.maxRedemptions).fill("0");
        await page.getByLabel(t.code).fill("x!");
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(amount, t.precision);
        await assertFieldError(page.getByLabel(t.budget), t.amountFormat);
        await assertFieldError(page.getByLabel(t.maxRedemptions), t.whole);
        await assertFieldError(page.getByLabel(t.code), t.codeRule);
        await assertNoFieldError(name);
        await assertFocused(amount);
        assert.equal(posted("/v1/coupons"), 0, "a form in error sends nothing");
        // Right: the coupon and its code are made.
        const code = texts === english ? "FIVE-OFF" : "JIAN_WU";
        await amount.fill("5.00");
        await page.getByLabel(t.budget).fill("50");
        await page.getByLabel(t.maxRedemptions).fill("100");
        await page.getByLabel(t.code).fill(code.toLowerCase());
        await page.getByRole("button", { name: t.create }).click();
        await page.getByRole("heading", { level: 1, name: t.heading }).waitFor();
        assert.equal(posted("/v1/coupons"), 1);
        const couponId = /\/promotions\/coupons\/(cpn_[0-9A-Za-z]+)/.exec(page.url())![1]!;
        const coupon = await api(`/v1/coupons/${couponId}`);
        assert.deepEqual(
          [coupon.amount_off, coupon.percent_off_bps, coupon.budget, coupon.max_redemptions],
          ["500", null, "5000", 100],
        );

        // The coupon's page: a code it already has is refused by coffer, on the code's field.
        const c = texts.codes;
        const codeField = page.getByLabel(c.code, { exact: true });
        await page.getByRole("cell", { name: code }).waitFor();
        await page.getByLabel(c.max).fill("-1");
        await page.getByRole("button", { name: c.add, exact: true }).click();
        await assertFieldError(page.getByLabel(c.max), t.whole);
        assert.equal(posted("/v1/promotion_codes"), 1, "only the coupon form's code was sent");
        await page.getByLabel(c.max).fill("");
        await codeField.fill(code);
        await page.getByRole("button", { name: c.add, exact: true }).click();
        await assertFieldError(codeField, c.taken);
        await assertFocused(codeField);
        assert.equal(posted("/v1/promotion_codes"), 2, "the taken code was sent, and refused");
        await codeField.fill(`${code}2`);
        await page.getByLabel(c.max).fill("3");
        await page.getByRole("button", { name: c.add, exact: true }).click();
        await page.getByRole("cell", { name: `${code}2` }).waitFor();
        await assertNoFieldError(codeField);
        const codes = await api(`/v1/promotion_codes?coupon=${couponId}`);
        assert.deepEqual(
          codes.data
            .map((row: { code: string; max_redemptions: number | null }) => [row.code, row.max_redemptions])
            .sort(),
          [
            [code, null],
            [`${code}2`, 3],
          ],
        );
      } finally {
        await close();
      }
    });

    it(`the payment link form checks its fields, and a currency coffer refuses shows on its field (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, "Link Tea");
      const api = asOwner(owner);
      const { page, posted, close } = await signIn(owner, texts);
      const t = texts.link;
      try {
        await nav(page, t.nav);
        await page.getByRole("button", { name: t.newLink }).click();
        const price = page.getByLabel(t.price);
        await page.getByLabel(t.maxUses).fill("0");
        await page.getByLabel(t.returnUrl).fill("ftp://tea.example/thanks");
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(price, t.amountEmpty);
        await assertFieldError(page.getByLabel(t.maxUses), t.whole);
        await assertFieldError(page.getByLabel(t.returnUrl), t.urlRule);
        await assertFocused(price);
        assert.equal(posted("/v1/payment_links"), 0, "a form in error sends nothing");
        // A currency the rules take but coffer does not: its refusal names the currency, and shows there.
        const currency = page.getByLabel(t.currency, { exact: true });
        await currency.fill("chf");
        assert.equal(await currency.inputValue(), "CHF", "a currency code is kept upper-case");
        await page.getByLabel(t.price.replace("USD", "CHF")).fill("12.50");
        await page.getByLabel(t.maxUses).fill("5");
        await page.getByLabel(t.returnUrl).fill("https://tea.example/thanks");
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(currency, /CHF/);
        await assertFocused(currency);
        assert.equal(posted("/v1/payment_links"), 1);
        await currency.fill("USD");
        await page.getByRole("button", { name: t.create }).click();
        await page.getByRole("heading", { level: 1, name: t.heading }).waitFor();
        const linkId = /\/payment-links\/(plk_[0-9A-Za-z]+)/.exec(page.url())![1]!;
        const link = await api(`/v1/payment_links/${linkId}`);
        assert.deepEqual(
          [link.currency, link.unit_amount, link.max_uses, link.return_url],
          ["USD", "1250", 5, "https://tea.example/thanks"],
        );
      } finally {
        await close();
      }
    });

    it(`the webhook endpoint form checks its fields, and an address coffer refuses shows on its field (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, "Hook Tea");
      const api = asOwner(owner);
      const { page, posted, close } = await signIn(owner, texts);
      const t = texts.webhook;
      try {
        await nav(page, t.nav);
        const url = page.getByLabel(t.url);
        const events = page.getByLabel(t.events, { exact: true });
        await events.fill("payments, !");
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(url, texts.required);
        await assertFieldError(events, t.eventsRule);
        await assertFocused(url);
        assert.equal(posted("/v1/webhook_endpoints"), 0, "a form in error sends nothing");
        // An address coffer cannot reach (the name does not resolve) is refused by coffer, on the URL's field.
        await url.fill("http://no-such-host.invalid/hooks");
        await events.fill("payment.succeeded, refund.*");
        await page.getByRole("button", { name: t.create }).click();
        await assertFieldError(url, /no-such-host\.invalid/);
        await assertNoFieldError(events);
        await assertFocused(url);
        assert.equal(posted("/v1/webhook_endpoints"), 1);
        await url.fill("http://127.0.0.1:9/hooks");
        await page.getByRole("button", { name: t.create }).click();
        assert.match(await page.getByLabel(t.secret).inputValue(), /^whsec_/);
        await assertNoFieldError(url);
        const endpoints = await api("/v1/webhook_endpoints");
        assert.deepEqual(
          endpoints.data.map((e: { url: string; enabled_events: string[] }) => [e.url, e.enabled_events]),
          [["http://127.0.0.1:9/hooks", ["payment.succeeded", "refund.*"]]],
        );
      } finally {
        await close();
      }
    });

    it(`the dispute evidence form asks for some evidence and a file it takes before it submits (${texts.locale})`, async () => {
      const owner = await newMerchant(coffer.app, coffer.sink, "Dispute Tea");
      const payer = await newTestPayer(coffer, { fund: "100000" });
      const created = await owner.client.post("/v1/payments", { amount: "5000", currency: "USD", method: "qr" });
      assert.equal(created.statusCode, 201, created.body);
      const { id: paymentId, qr } = created.json();
      assert.equal((await payer.client.post("/v1/wallet/scan", { payload: qr.payload })).statusCode, 200);
      assert.equal((await payer.client.post(`/v1/wallet/payments/${paymentId}/confirm`, {})).statusCode, 200);
      const opened = await payer.client.post(`/v1/wallet/payments/${paymentId}/dispute`, {
        reason: "product_not_received",
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const disputeId = opened.json().id as string;
      const api = asOwner(owner);
      const { page, posted, close } = await signIn(owner, texts);
      const t = texts.evidence;
      const evidencePath = `/v1/disputes/${disputeId}/evidence`;
      try {
        await page.goto(`/disputes/${disputeId}`);
        const explanation = page.getByLabel(t.explanation);
        const file = page.getByLabel(t.addFile);
        await page.getByRole("button", { name: t.submit }).click();
        await assertFieldError(explanation, t.empty);
        await assertFocused(explanation);
        await file.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("notes") });
        await page.getByRole("button", { name: t.submit }).click();
        await assertFieldError(file, t.fileType);
        await assertNoFieldError(explanation);
        await assertFocused(file);
        assert.equal(posted(evidencePath), 0, "a form in error sends nothing");
        const words = texts === english ? "Delivered on the 2nd; the receipt is attached." : "2 日已送达；附上签收单。";
        await explanation.fill(words);
        await file.setInputFiles({ name: "receipt.pdf", mimeType: "application/pdf", buffer: samplePdf });
        await page.getByRole("button", { name: t.submit }).click();
        await page.getByText(t.underReview).waitFor();
        assert.equal(posted(evidencePath), 1);
        const dispute = await api(`/v1/disputes/${disputeId}`);
        assert.deepEqual(
          [
            dispute.status,
            dispute.evidence.explanation,
            dispute.evidence.files.map((f: { filename: string }) => f.filename),
          ],
          ["under_review", words, ["receipt.pdf"]],
        );
      } finally {
        await close();
      }
    });
  }
});
