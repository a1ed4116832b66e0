import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import jsqr from "jsqr";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { type OfflineKey, verifyOfflineCode } from "../../sdk/src/index.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { submitCode } from "../helpers/offline.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";

/**
 * Paying offline in real Chromium, in English and in Chinese. An account wallet (from its payment-code page) and a
 * shop's prepaid card (from the card's page) each get an offline certificate: the phone makes a non-extractable
 * key, keeps it with the certificate in IndexedDB, and shows the offline cap left and the certificate's expiry.
 * With the network off (and the page reloaded from the service worker's copy for the account), the phone makes a
 * one-time code and shows it as a QR code; the test reads the code from the page, decodes the QR code to the same
 * string, verifies it with the SDK's verifyOfflineCode against GET /v1/offline_keys as a POS would, and a merchant
 * submits it: the payment succeeds and the page shows less left once it can ask coffer again. Where the browser
 * has Web NFC (stubbed in the English runs, as Chrome on Android has it) the code is written as an NDEF text
 * record; elsewhere the page says NFC is not available. Screenshots: docs/screenshots/offline-codes-*.png.
 */
interface Texts {
  locale: string;
  tag: "en" | "zh";
  /** The stubbed NDEFReader of Chrome on Android, or none (desktop Chromium has no Web NFC). */
  nfc: boolean;
  payOffline: string;
  cap: string;
  getCertificate: string;
  left: string;
  expires: string;
  amount: string;
  makeCode: string;
  newCode: string;
  offline: string;
  nfcSend: string;
  nfcSent: string;
  nfcUnavailable: string;
  refresh: string;
  money: (decimal: string) => string;
  cardTitle: (last4: string) => string;
}

const english: Texts = {
  locale: "en-US",
  tag: "en",
  nfc: true,
  payOffline: "Pay offline",
  cap: "Amount to hold (USD)",
  getCertificate: "Get offline certificate",
  left: "Offline cap left",
  expires: "Certificate expires",
  amount: "Amount (optional) (USD)",
  makeCode: "Show an offline code",
  newCode: "New offline code",
  offline: "No network: codes are still made on this phone.",
  nfcSend: "Send by NFC",
  nfcSent: "Sent by NFC.",
  nfcUnavailable: "NFC is not available here: show the QR code.",
  refresh: "Check what is left",
  money: (decimal) => `$${decimal}`,
  cardTitle: (last4) => `Gift card •••• ${last4}`,
};

const chinese: Texts = {
  locale: "zh-CN",
  tag: "zh",
  nfc: false,
  payOffline: "离线付款",
  cap: "冻结金额 (USD)",
  getCertificate: "获取离线证书",
  left: "剩余离线额度",
  expires: "证书到期",
  amount: "金额（可选） (USD)",
  makeCode: "出示离线付款码",
  newCode: "新的离线付款码",
  offline: "无网络：付款码仍在这部手机上生成。",
  nfcSend: "通过 NFC 发送",
  nfcSent: "已通过 NFC 发送。",
  nfcUnavailable: "此处无法使用 NFC：请出示二维码。",
  refresh: "查询剩余额度",
  money: (decimal) => `US$${decimal}`,
  cardTitle: (last4) => `礼品卡 •••• ${last4}`,
};

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `offline-codes-${name}.png`), fullPage: true });

/** Chrome on Android's Web NFC, as far as the page uses it: writes are kept for the test to read. */
const ndefStub = `
  window.__ndefWrites = [];
  window.NDEFReader = class NDEFReader {
    async write(message) { window.__ndefWrites.push(JSON.parse(JSON.stringify(message))); }
  };
`;

describe("offline payment codes in the browser", { timeout: 300_000 }, () => {
  let coffer: PaymentsCoffer;
  let browser: Browser;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;

  before(async () => {
    await ensureWebBuilt();
    // The phone makes codes at real time: coffer's clock is set to it before each settlement.
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    shop = await newPaymentsMerchant(coffer, "Night Market");
    other = await newPaymentsMerchant(coffer, "Other Stall");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await coffer?.close();
  });

  const offlineKeys = async () => {
    const response = await fetch(`${coffer.baseUrl}/v1/offline_keys`);
    assert.equal(response.status, 200);
    return (await response.json()) as { keys: OfflineKey[] };
  };

  async function phone(texts: Texts): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newBrowserContext(browser, { baseURL: coffer.baseUrl, locale: texts.locale, mobile: true });
    if (texts.nfc) await context.addInitScript(ndefStub);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { context, page };
  }

  /** Gets a certificate on the offline page (the cap typed, or the default), and checks what the page shows. */
  async function getCertificate(page: Page, texts: Texts, walletUserId: string, cap?: string) {
    if (cap) await page.getByLabel(texts.cap).fill(cap);
    await page.getByRole("button", { name: texts.getCertificate }).click();
    await page.getByRole("button", { name: texts.makeCode }).waitFor();
    const row = await coffer.db.pool.query<{ id: string; cap: string; expires_at: Date }>(
      "SELECT id, cap::text AS cap, expires_at FROM offline_certificates WHERE wallet_user_id = $1 ORDER BY issued_at DESC LIMIT 1",
      [walletUserId],
    );
    const certificate = row.rows[0]!;
    // The cap left and the expiry, as coffer issued them.
    const left = page.locator("[data-offline-left]");
    assert.equal(await left.getAttribute("data-offline-left"), certificate.cap);
    assert.equal(await page.locator("time").first().getAttribute("datetime"), certificate.expires_at.toISOString());
    await page.getByText(texts.left, { exact: true }).waitFor();
    await page.getByText(texts.expires, { exact: true }).waitFor();
    return certificate;
  }

  /** Makes a code with the network off: no request leaves the page; the code is read from the page and its QR. */
  async function makeCodeOffline(page: Page, texts: Texts, amount?: string): Promise<string> {
    const requests: string[] = [];
    const record = (request: { url(): string }) => requests.push(request.url());
    page.on("request", record);
    const before = await page
      .locator("[data-offline-code]")
      .getAttribute("data-offline-code")
      .catch(() => null);
    if (amount) await page.getByLabel(texts.amount).fill(amount);
    await page
      .getByRole("button", { name: before ? texts.newCode : texts.makeCode })
      .first()
      .click();
    const figure = page.locator("figure[data-offline-code]");
    // A new code replaces the one shown (waited for by selector: the page's CSP allows no evaluated predicate).
    await page
      .locator(before ? `figure[data-offline-code]:not([data-offline-code="${before}"])` : "figure[data-offline-code]")
      .waitFor();
    const code = (await figure.getAttribute("data-offline-code"))!;
    page.off("request", record);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith("data:")),
      [],
      "making a code asks nothing of the network",
    );
    assert.match(code, /^cof1\.[A-Za-z0-9_-]+$/);
    // The text under the QR code is the code; the QR code decodes to it.
    assert.equal(await page.locator(".offline-code-text output").textContent(), code);
    // In the middle of the screen, clear of the bottom navigation, as a phone held up to a scanner shows it.
    await page.evaluate(`document.querySelector("figure[data-offline-code] img").scrollIntoView({ block: "center" })`);
    const image = PNG.sync.read(await figure.locator("img").screenshot());
    // jsqr is CommonJS: NodeNext types see its function as .default only.
    assert.equal(jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data, code);
    // NFC where the browser has it; else the page says so and the QR code is the way.
    if (texts.nfc) {
      await page.getByRole("button", { name: texts.nfcSend }).click();
      await page.getByText(texts.nfcSent).waitFor();
      const writes = await page.evaluate<{ records: { recordType: string; data: string }[] }[]>("window.__ndefWrites");
      assert.deepEqual(writes.at(-1)?.records, [{ recordType: "text", data: code, lang: "en" }]);
    } else {
      await page.getByText(texts.nfcUnavailable).waitFor();
      assert.equal(await page.getByRole("button", { name: texts.nfcSend }).count(), 0);
    }
    return code;
  }

  for (const texts of [english, chinese]) {
    it(`an account wallet pays offline from its payment-code page (${texts.locale})`, async () => {
      const payer = await newTestPayer(coffer, { fund: "20000" });
      const { context, page } = await phone(texts);
      await page.goto(`/wallet/code#sign_in=${encodeURIComponent(payer.token)}`);
      // The service worker keeps the app (and, once fetched, the offline page's chunk) for use with no network.
      const scope = await page.evaluate<string>(`Promise.race([
        navigator.serviceWorker.ready.then((registration) => registration.scope),
        new Promise((resolve) => setTimeout(() => resolve("no service worker after 10 s"), 10000)),
      ])`);
      assert.equal(scope, `${coffer.baseUrl}/wallet/`);
      await page.reload();
      await page.getByRole("link", { name: texts.payOffline, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: texts.payOffline }).waitFor();
      const certificate = await getCertificate(page, texts, payer.id, "30");
      await page.getByText(texts.money("30.00")).first().waitFor();

      // No network from here: the page comes back from the service worker, the certificate from IndexedDB.
      await context.setOffline(true);
      await page.reload();
      await page.getByText(texts.offline).waitFor();
      await page.getByRole("button", { name: texts.makeCode }).waitFor();
      const code = await makeCodeOffline(page, texts, "4.50");
      await shot(page, `account-${texts.tag}`);

      // The POS: coffer's keys fetched while online, then the code checked with no network.
      await context.setOffline(false);
      const keys = await offlineKeys();
      const now = new Date();
      const verified = await verifyOfflineCode(code, {
        keys,
        now,
        amount: "450",
        currency: "USD",
        merchant: shop.merchantId,
      });
      assert.ok(verified.ok, verified.ok ? "" : verified.message);
      assert.deepEqual(
        [verified.certificate.id, verified.certificate.walletUserId, verified.certificate.merchant, verified.amount],
        [certificate.id, payer.id, null, 450n],
      );
      const overAmount = await verifyOfflineCode(code, { keys, now, amount: "451" });
      assert.equal(overAmount.ok ? "accepted" : overAmount.code, "offline_amount_exceeded");

      coffer.clock.set(new Date());
      const paid = await submitCode(coffer, shop, code, "450");
      assert.equal(paid.statusCode, 201, paid.body);
      assert.deepEqual([paid.json().status, paid.json().method], ["succeeded", "payment_code"]);
      const seen = await payer.client.get(`/v1/wallet/payments/${paid.json().id}`);
      assert.equal(seen.statusCode, 200, seen.body);

      // Online again, the page asks what is left.
      await page.getByRole("button", { name: texts.refresh }).click();
      await page.locator('[data-offline-left="2550"]').waitFor();
      await page.getByText(texts.money("25.50")).first().waitFor();
      await context.close();
    });

    it(`a shop's prepaid card pays offline from the card's page, at that shop only (${texts.locale})`, async () => {
      // The shop's balance pays for the card it issues.
      const buyer = await newTestPayer(coffer, { fund: "20000" });
      const sale = await coffer.app.inject({
        method: "POST",
        url: "/v1/payments",
        headers: { authorization: `Bearer ${shop.secretKey}`, "idempotency-key": crypto.randomUUID() },
        payload: { amount: "10000", currency: "USD", method: "qr" },
      });
      assert.equal(sale.statusCode, 201, sale.body);
      const scanned = await buyer.client.post("/v1/wallet/scan", { payload: sale.json().qr.payload });
      const confirmed = await buyer.client.post(
        `/v1/wallet/payments/${scanned.json().id}/confirm`,
        {},
        { "idempotency-key": crypto.randomUUID() },
      );
      assert.equal(confirmed.json().status, "succeeded", confirmed.body);
      const issued = await coffer.app.inject({
        method: "POST",
        url: "/v1/stored_value/cards",
        headers: { authorization: `Bearer ${shop.secretKey}`, "idempotency-key": crypto.randomUUID() },
        payload: { currency: "USD", amount: "4000" },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const card = issued.json() as { id: string; number: string; secret: string; last4: string };
      const cardUser = await coffer.db.pool.query<{ wallet_user_id: string }>(
        "SELECT wallet_user_id FROM stored_value_cards WHERE id = $1",
        [card.id],
      );
      const walletUserId = cardUser.rows[0]!.wallet_user_id;

      const { context, page } = await phone(texts);
      await page.goto(`/wallet/card#number=${card.number}&secret=${encodeURIComponent(card.secret)}`);
      await page.getByRole("heading", { level: 1, name: texts.cardTitle(card.last4) }).waitFor();
      await page.getByRole("link", { name: texts.payOffline, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: texts.payOffline }).waitFor();
      // No cap typed: a fifth of the card's per-payment limit (USD 50.00), held from the card.
      const certificate = await getCertificate(page, texts, walletUserId);
      assert.equal(certificate.cap, "1000");
      await page.getByText(texts.money("10.00")).first().waitFor();

      await context.setOffline(true);
      await page.getByText(texts.offline).waitFor();
      const code = await makeCodeOffline(page, texts);
      await shot(page, `card-${texts.tag}`);
      await context.setOffline(false);

      const keys = await offlineKeys();
      const now = new Date();
      const atShop = await verifyOfflineCode(code, { keys, now, amount: "800", merchant: shop.merchantId });
      assert.ok(atShop.ok, atShop.ok ? "" : atShop.message);
      assert.deepEqual([atShop.certificate.walletUserId, atShop.certificate.merchant], [walletUserId, shop.merchantId]);
      const elsewhere = await verifyOfflineCode(code, { keys, now, amount: "800", merchant: other.merchantId });
      assert.equal(elsewhere.ok ? "accepted" : elsewhere.code, "card_not_accepted");

      coffer.clock.set(new Date());
      const refused = await submitCode(coffer, other, code, "800");
      assert.equal(refused.statusCode, 402, refused.body);
      assert.equal(refused.json().error.code, "card_not_accepted");
      const paid = await submitCode(coffer, shop, code, "800");
      assert.equal(paid.statusCode, 201, paid.body);
      assert.equal(paid.json().status, "succeeded");

      await page.getByRole("button", { name: texts.refresh }).click();
      await page.locator('[data-offline-left="200"]').waitFor();
      await context.close();
    });
  }
});
