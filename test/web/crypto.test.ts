import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Address } from "../../src/crypto/chain/connector.js";
import type { SandboxChain } from "../../src/crypto/chain/sandbox-node.js";
import type { RunningChain } from "../../src/crypto/chains.js";
import { seriousAxeViolations } from "../helpers/axe.js";
import { ensureWebBuilt, launchBrowser, newBrowserContext, screenshotDir } from "../helpers/browser.js";
import { connectTestChain, startTestChain } from "../helpers/chain.js";
import { newOperator } from "../helpers/merchant-console.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * The blockchain screens in real Chromium against a real hardhat node (the sandbox chain), in English and Chinese:
 * a test-mode wallet user receives a deposit that goes from pending ("1 of 3 confirmations") to available, sends a
 * withdrawal (a mistyped checksum and a step-up refused on the way) and watches it reach its confirmations; a crypto
 * checkout page goes from waiting to seen to paid after a real transaction to its address, and explains overpaid and
 * late money; the merchant console shows a crypto payment's on-chain details and sends held money back; the
 * operator console shows the hot wallet, pending deposits, an alert to acknowledge and a reserves report run on the
 * spot, which the wallet user then finds their balance in. The chain is driven the way its workers drive it: the
 * block follower's and the signer's passes are called directly. No console error anywhere (an API refusal the test
 * asks for on purpose excepted). Screenshots: docs/screenshots/crypto-*.png.
 */
const ether = 10n ** 18n;
const usdc = 10n ** 6n;
/** An external address, all lowercase (no checksum to check): where the withdrawals and refunds go. */
const outside = "0x8ba1f109551bd432803012645ac136ddd64dba72";
/** The same address with its letters' case changed by hand: its EIP-55 checksum is wrong. */
const mistyped = "0x8BA1f109551bD432803012645Ac136ddd64DBA72";

/** The parts of a crypto payment (the merchant API's answer) the test reads. */
interface CryptoPaymentAnswer {
  id: string;
  status: string;
  currency: string;
  crypto: { address: string; amount: string; uri: string; outcome: string | null };
}

interface Texts {
  tag: "en" | "zh";
  locale: string;
  crypto: string;
  asset: string;
  amountField: string;
  simulate: string;
  deposited: RegExp;
  incoming: string;
  history: string;
  received: string;
  oneOfThree: string;
  confirming: string;
  available: string;
  blocks: string;
  mine: string;
  mined: RegExp;
  send: string;
  sendAsset: string;
  sendAmount: string;
  destination: string;
  review: string;
  fee: string;
  confirm: string;
  created: RegExp;
  broadcast: string;
  confirmed: string;
}

const english: Texts = {
  tag: "en",
  locale: "en-US",
  crypto: "Crypto",
  asset: "ETH",
  amountField: "Amount (ETH)",
  simulate: "Simulate a deposit",
  deposited: /^Sent 0\.50 ETH to your deposit address/,
  incoming: "Incoming, waiting for confirmations: 0.50 ETH",
  history: "Crypto history",
  received: "Received 0.50 ETH",
  oneOfThree: "1 of 3 confirmations",
  confirming: "Confirming",
  available: "Available",
  blocks: "Blocks to mine",
  mine: "Mine blocks",
  mined: /^Mined: the chain is at block \d+\.$/,
  send: "Send",
  sendAsset: "ETH on sandbox",
  sendAmount: "0.1",
  destination: "Destination address",
  review: "Review",
  fee: "Network fee",
  confirm: "Confirm and send",
  created: /Withdrawal of 0\.10 ETH to 0x8ba1f109551bD432803012645Ac136ddd64DBA72 created\./,
  broadcast: "Sent to the network · 1 of 3 confirmations",
  confirmed: "Confirmed",
};

const chinese: Texts = {
  tag: "zh",
  locale: "zh-CN",
  crypto: "加密资产",
  asset: "USDC",
  amountField: "金额（USDC）",
  simulate: "模拟充值",
  deposited: /^已向您的充值地址发送 25\.00 USDC/,
  incoming: "到账中，等待确认：25.00 USDC",
  history: "加密资产记录",
  received: "收到 25.00 USDC",
  oneOfThree: "1/3 个确认",
  confirming: "确认中",
  available: "已到账",
  blocks: "要挖的区块数",
  mine: "挖出区块",
  mined: /^已挖出：链高度为 \d+。$/,
  send: "转出",
  sendAsset: "sandbox 上的 USDC",
  sendAmount: "10",
  destination: "目标地址",
  review: "核对",
  fee: "网络手续费",
  confirm: "确认转出",
  created: /已创建向 0x8ba1f109551bD432803012645Ac136ddd64DBA72 转出 10\.00 USDC 的提币。/,
  broadcast: "已广播 · 1/3 个确认",
  confirmed: "已确认",
};

describe("crypto screens (browser)", { timeout: 300_000 }, () => {
  let coffer: PaymentsCoffer;
  let chain: SandboxChain;
  let running: RunningChain;
  let browser: Browser;
  let shop: TestPaymentsMerchant;
  const payers: Partial<Record<Texts["tag"], TestWalletUser>> = {};
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  /** While a step asks coffer for a refusal on purpose, the browser's "Failed to load resource" line is expected. */
  let refusalsExpected = false;
  const timings: string[] = [];

  /** Every screenshotted state is also checked by axe (as test/web/accessibility.test.ts does, with data here). */
  const axeFindings: string[] = [];
  const shot = async (page: Page, name: string) => {
    for (const violation of await seriousAxeViolations(page)) axeFindings.push(`${name}: ${violation}`);
    await page.screenshot({ path: path.join(screenshotDir, `crypto-${name}.png`), fullPage: true });
  };

  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      if (
        refusalsExpected &&
        /Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
      ) {
        return;
      }
      consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => consoleErrors.push(`${page.url()}: page error: ${error.message}`));
  };

  const openPage = async (options: { locale: string; mobile?: boolean; cookie?: { name: string; value: string } }) => {
    const context = await newBrowserContext(browser, {
      baseURL: coffer.baseUrl,
      locale: options.locale,
      mobile: options.mobile,
    });
    contexts.push(context);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: coffer.baseUrl });
    if (options.cookie) await context.addCookies([{ ...options.cookie, url: coffer.baseUrl }]);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    watch(page);
    return page;
  };

  /** The block follower's pass, as its worker runs it. */
  const follow = () => coffer.services.crypto.deposits.follower.follow(running);
  /**
   * The follower's pass, then the expiry pass, which pays the merchant of a payment with its confirmations: the
   * settling that runs right after the follower's commit does too, but the test need not wait for it.
   */
  const followAndSettle = async () => {
    await follow();
    await coffer.services.payments.expireDue();
  };
  /** The signer queue's pass, as its worker runs it. */
  const sign = () => coffer.services.crypto.signer.runPass();

  const api = async <T = CryptoPaymentAnswer>(method: "GET" | "POST", url: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${coffer.baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${shop.secretKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    assert.ok(response.ok, JSON.stringify(json));
    return json;
  };
  const cryptoPayment = (body: Record<string, unknown>) =>
    api("POST", "/v1/payments", { method: "crypto", description: "Oolong tea, 100 g", ...body });

  before(async () => {
    const started = Date.now();
    await ensureWebBuilt();
    [coffer, chain] = await Promise.all([startPaymentsCoffer({ start: new Date().toISOString() }), startTestChain()]);
    running = connectTestChain(coffer.services, chain);
    shop = await newPaymentsMerchant(coffer, "Lotus Leaf Tea");
    payers.en = await newTestPayer(coffer, { displayName: "Ada" });
    payers.zh = await newTestPayer(coffer, { displayName: "李雷" });
    // The operator funds the test-mode hot wallet: ETH for withdrawals and gas, test USDC for USDC withdrawals.
    const hot = await coffer.services.crypto.keys.hotWallet(false);
    await chain.control.sendNative(hot.address, 5n * ether);
    await chain.control.mintToken(hot.address, 1_000n * usdc);
    await chain.control.mine(3);
    await follow();
    browser = await launchBrowser();
    timings.push(`setup ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  // coffer's clock stands still in tests: a second between steps keeps "newest first" meaningful.
  beforeEach(() => coffer.clock.advance(1_000));
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await coffer?.close();
    await chain?.stop();
    if (timings.length > 0) console.log(`crypto screens: ${timings.join(", ")}`);
  });

  const timed = async (name: string, step: () => Promise<void>) => {
    const started = Date.now();
    await step();
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  for (const texts of [english, chinese]) {
    it(`a wallet user receives a deposit, then sends a withdrawal to its confirmations (${texts.tag})`, () =>
      timed(`wallet ${texts.tag}`, async () => {
        const payer = payers[texts.tag]!;
        const page = await openPage({ locale: texts.locale, mobile: true });
        await page.goto(`/wallet/#sign_in=${encodeURIComponent(payer.token)}`);
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        await page.getByRole("link", { name: texts.crypto, exact: true }).click();
        await page.getByRole("heading", { name: texts.crypto, exact: true, level: 1 }).waitFor();

        // A deposit from the sandbox chain: pending at once, with its first confirmation.
        const amount = texts.tag === "en" ? "0.5" : "25";
        if (texts.tag === "zh") await page.getByLabel("资产", { exact: true }).selectOption("USDC");
        await page.getByLabel(texts.amountField).fill(amount);
        await page.getByRole("button", { name: texts.simulate }).click();
        await page.getByText(texts.deposited).waitFor();
        await page.getByText(texts.incoming).waitFor();
        await shot(page, `wallet-incoming-${texts.tag}`);
        await page.getByRole("navigation", { name: texts.crypto }).getByRole("link", { name: texts.history }).click();
        const deposit = page.getByRole("listitem").filter({ hasText: texts.received });
        await deposit.getByText(texts.oneOfThree).waitFor();
        await deposit.getByText(texts.confirming, { exact: true }).waitFor();
        await shot(page, `wallet-history-pending-${texts.tag}`);

        // Two more blocks: three confirmations, the deposit is available.
        await page
          .getByRole("navigation", { name: texts.crypto })
          .getByRole("link", { name: texts.crypto, exact: true })
          .click();
        await page.getByLabel(texts.blocks).fill("2");
        await page.getByRole("button", { name: texts.mine }).click();
        await page.getByText(texts.mined).waitFor();
        await page.getByText(texts.incoming).waitFor({ state: "detached" });
        await page.getByRole("navigation", { name: texts.crypto }).getByRole("link", { name: texts.history }).click();
        await deposit.getByText(texts.available, { exact: true }).waitFor();

        // Receiving: the address in EIP-55 form, its QR code, the chain's rule (English only: one look is enough).
        if (texts.tag === "en") {
          const address = (await payer.client.get("/v1/wallet/crypto/address")).json();
          await page.getByRole("navigation", { name: "Crypto" }).getByRole("link", { name: "Receive" }).click();
          await page.getByText("Send only ETH or USDC on the sandbox network (chain id 31337)").waitFor();
          await page.getByText(address.address, { exact: true }).waitFor();
          assert.match(address.address, /[A-F]/, "shown with its checksum");
          await page.getByRole("img", { name: "QR code of your deposit address for ETH" }).waitFor();
          assert.match(
            (await page.getByRole("link", { name: "Open in a wallet app" }).getAttribute("href")) ?? "",
            /^ethereum:0x/,
          );
          await page.getByRole("button", { name: "Copy address" }).click();
          await page.getByText("Address copied.").waitFor();
          await page.getByRole("radio", { name: "USDC" }).check();
          await page.getByRole("img", { name: "QR code of your deposit address for USDC" }).waitFor();
          await shot(page, "wallet-receive-en");
        }

        // Sending: a mistyped checksum is refused under the field, a large amount asks for a second factor.
        await page
          .getByRole("navigation", { name: texts.crypto })
          .getByRole("link", { name: texts.send, exact: true })
          .click();
        await page
          .getByLabel(texts.tag === "en" ? "Asset" : "资产", { exact: true })
          .selectOption({ label: texts.sendAsset });
        if (texts.tag === "en") {
          refusalsExpected = true;
          await page.getByLabel("Amount (ETH)").fill("1.5");
          await page.getByLabel("Destination address").fill(mistyped);
          await page.getByRole("button", { name: "Review" }).click();
          await page.getByRole("button", { name: "Confirm and send" }).click();
          await page.getByText("This address's checksum is wrong").waitFor();
          await page.getByLabel("Destination address").fill(outside);
          await page.getByRole("button", { name: "Review" }).click();
          await page.getByRole("button", { name: "Confirm and send" }).click();
          await page
            .getByText("This amount needs a second factor. Turn on an authenticator app in Security first.")
            .waitFor();
          await page.getByRole("alert").getByText("step_up_required").waitFor();
          refusalsExpected = false;
          await page.getByRole("button", { name: "Change" }).click();
        }
        await page.getByLabel(texts.tag === "en" ? "Amount (ETH)" : texts.amountField).fill(texts.sendAmount);
        await page.getByLabel(texts.destination).fill(outside);
        await page.getByRole("button", { name: texts.review }).click();
        await page.getByText(texts.fee, { exact: true }).waitFor();
        await shot(page, `wallet-send-review-${texts.tag}`);
        await page.getByRole("button", { name: texts.confirm }).click();
        await page.getByText(texts.created).waitFor();

        // The signer sends it (the node mines it at once), then two more blocks confirm it.
        await sign();
        await page.getByText(texts.broadcast).waitFor();
        await chain.control.mine(2);
        await sign();
        await page.getByRole("status").getByText(texts.confirmed).waitFor();
        await shot(page, `wallet-send-confirmed-${texts.tag}`);
        const withdrawals = (await payer.client.get("/v1/wallet/crypto/withdrawals")).json();
        assert.equal(withdrawals.data[0].status, "confirmed");
        assert.equal(withdrawals.data[0].to_address.toLowerCase(), outside);
        await page.getByRole("navigation", { name: texts.crypto }).getByRole("link", { name: texts.history }).click();
        await page
          .getByRole("listitem")
          .filter({ hasText: texts.tag === "en" ? "Sent 0.10 ETH" : "转出 10.00 USDC" })
          .waitFor();
        await shot(page, `wallet-history-${texts.tag}`);
        if (texts.tag === "en") {
          await page
            .getByRole("navigation", { name: "Crypto" })
            .getByRole("link", { name: "Withdrawal allowlist" })
            .click();
          await page.getByText("No address on the allowlist yet.").waitFor();
          await page.getByText("Adding an address needs the code from your authenticator app.").waitFor();
          await shot(page, "wallet-allowlist-en");
        }
        await page
          .getByRole("navigation", { name: texts.crypto })
          .getByRole("link", { name: texts.crypto, exact: true })
          .click();
        await page.getByText(texts.tag === "en" ? "0.399 ETH" : "14.00 USDC", { exact: true }).waitFor();
        await shot(page, `wallet-balances-${texts.tag}`);
      }));
  }

  it("a crypto checkout goes from waiting to seen to paid after a real transaction (en, zh)", () =>
    timed("checkout", async () => {
      // English: priced in dollars, paid in ETH at the sandbox's fixed rate.
      const priced = await cryptoPayment({ amount: "1500", currency: "USD", asset: "ETH" });
      assert.equal(priced.crypto.amount, String(5n * 10n ** 15n));
      const page = await openPage({ locale: "en-US", mobile: true });
      await page.goto(`/checkout/${priced.id}`);
      await page.getByRole("heading", { name: "Lotus Leaf Tea" }).waitFor();
      await page.getByText("Waiting for your payment").waitFor();
      await page.getByText("Price $15.00, at 3000 USD per ETH").waitFor();
      await page.getByText("Send exactly 0.005 ETH").waitFor();
      await page.getByText(priced.crypto.address, { exact: true }).waitFor();
      await page.getByRole("img", { name: "QR code of this payment: 0.005 ETH to its address" }).waitFor();
      assert.equal(
        await page.getByRole("link", { name: "Open in wallet app" }).getAttribute("href"),
        priced.crypto.uri,
      );
      await page.getByText(/^Send it within \d+:\d\d$/).waitFor();
      await shot(page, "checkout-waiting-en");

      // A real transaction to the payment's address: seen at once, paid at its confirmations.
      await chain.control.sendNative(priced.crypto.address.toLowerCase() as Address, BigInt(priced.crypto.amount));
      await follow();
      await page.getByText("Payment seen").waitFor();
      await shot(page, "checkout-seen-en");
      await chain.control.mine(2);
      await followAndSettle();
      await page.getByText("Paid. Thank you!").waitFor();
      await page.getByText("0.005 ETH was paid to Lotus Leaf Tea.").waitFor();
      await shot(page, "checkout-paid-en");
      assert.equal((await api("GET", `/v1/payments/${priced.id}`)).status, "succeeded");

      // Overpaid and late money: explained, and held for the payer.
      const over = await cryptoPayment({ amount: String(5n * 10n ** 15n), currency: "ETH", asset: "ETH" });
      await api("POST", `/v1/test_helpers/payments/${over.id}/crypto_pay`, {
        // 0.002 ETH too much: more than the network fee a refund keeps (0.001 ETH).
        amount: String(7n * 10n ** 15n),
      });
      await page.goto(`/checkout/${over.id}`);
      await page.getByText("You sent 0.002 ETH more than asked.").waitFor();
      await page.getByText("0.002 ETH of yours is held by Lotus Leaf Tea.").waitFor();
      await shot(page, "checkout-overpaid-en");
      const late = await cryptoPayment({ amount: String(5n * 10n ** 15n), currency: "ETH", asset: "ETH" });
      await api("POST", `/v1/test_helpers/payments/${late.id}/crypto_pay`, { late: true });
      await page.goto(`/checkout/${late.id}`);
      await page.getByText("Your money arrived after the payment ended").waitFor();
      await page.getByText("0.005 ETH of yours is held by Lotus Leaf Tea.").waitFor();

      // Chinese: priced in USDC, paid by a token transfer.
      const tokens = await cryptoPayment({ amount: String(12n * usdc), currency: "USDC", asset: "USDC" });
      const zh = await openPage({ locale: "zh-CN", mobile: true });
      await zh.goto(`/checkout/${tokens.id}`);
      await zh.getByText("等待您付款").waitFor();
      await zh.getByText("请准确发送 12.00 USDC").waitFor();
      await zh.getByText(/USDC 是代币：请从其合约 0x/).waitFor();
      await shot(zh, "checkout-waiting-zh");
      await chain.control.mintToken(tokens.crypto.address.toLowerCase() as Address, 12n * usdc);
      await follow();
      await zh.getByText("已收到付款").waitFor();
      await chain.control.mine(2);
      await followAndSettle();
      await zh.getByText("付款成功，谢谢！").waitFor();
      await shot(zh, "checkout-paid-zh");
    }));

  it("the merchant console shows a crypto payment's on-chain details and sends held money back (en, zh)", () =>
    timed("console", async () => {
      const cookie = { name: "coffer_console", value: shop.console.cookie! };
      const list = await api<{ data: CryptoPaymentAnswer[] }>("GET", "/v1/payments?method=crypto&limit=10");
      const overpaid = list.data.find((p) => p.crypto.outcome === "overpaid");
      const paidUsdc = list.data.find((p) => p.currency === "USDC" && p.status === "succeeded");
      assert.ok(overpaid && paidUsdc);

      const page = await openPage({ locale: "en-US", cookie });
      await page.goto("/payments?method=crypto");
      await page.getByRole("heading", { name: "Payments", exact: true }).waitFor();
      await page.getByRole("cell", { name: "Crypto" }).first().waitFor();
      await page.getByRole("link", { name: /12\.00 USDC/ }).waitFor();
      await shot(page, "console-payments-en");
      await page.goto(`/payments/${overpaid.id}`);
      await page.getByRole("heading", { name: "On-chain details" }).waitFor();
      await page.getByText("sandbox (chain id 31337)").waitFor();
      await page.getByText("Overpaid: the excess is held for the payer", { exact: true }).waitFor();
      await page.getByText(overpaid.crypto.address, { exact: true }).waitFor();
      await page.getByText("Paid on chain, this payment cannot be refunded to a coffer wallet").waitFor();
      assert.equal(
        await page.getByRole("heading", { name: "Refund", exact: true }).count(),
        0,
        "no wallet refund form",
      );
      await page.getByLabel("Payer's address").fill(outside);
      await page.getByRole("button", { name: "Send it back" }).click();
      await page.getByRole("heading", { name: "Refund of held money" }).waitFor();
      await page.getByText("On its way").waitFor();
      await page.getByText("0.001 ETH", { exact: true }).first().waitFor();
      await shot(page, "console-payment-en");

      const zh = await openPage({ locale: "zh-CN", cookie });
      await zh.goto(`/payments/${paidUsdc.id}`);
      await zh.getByRole("heading", { name: "链上详情" }).waitFor();
      await zh.getByText("金额准确").waitFor();
      await zh.getByText("链上交易").waitFor();
      await shot(zh, "console-payment-zh");
    }));

  it("the operator console shows the hot wallet, a pending deposit, alerts and a reserves report (en, zh)", () =>
    timed("ops", async () => {
      // A deposit left pending, and an alert to acknowledge.
      const pending = await payers.en!.client.post("/v1/wallet/test_helpers/crypto/deposit", {
        asset: "ETH",
        amount: String(ether / 4n),
      });
      assert.equal(pending.statusCode, 201, pending.body);
      await coffer.services.crypto.alerts.raise(coffer.db.pool, {
        livemode: false,
        chain: "sandbox",
        kind: "hot_wallet_limit",
        subject: "sandbox:ETH",
        details: { asset: "ETH", limit: "100000000000000000000" },
      });
      const operator = await newOperator(coffer.app, coffer.services, "admin");
      const cookie = { name: "coffer_ops", value: operator.cookie! };

      const page = await openPage({ locale: "en-US", cookie });
      await page.goto("/ops/kyb");
      await page
        .getByRole("navigation", { name: "Operator console" })
        .getByRole("link", { name: "Crypto custody" })
        .click();
      await page.getByRole("heading", { name: "Crypto custody", level: 1 }).waitFor();
      const hot = page.getByRole("table", { name: "Hot wallets" });
      await hot.getByRole("rowheader", { name: "ETH" }).waitFor();
      await hot.getByRole("rowheader", { name: "USDC" }).waitFor();
      const deposits = page.getByRole("table", { name: "Pending deposits" });
      await deposits.getByRole("row").filter({ hasText: "0.25 ETH" }).getByText("1 of 3").waitFor();
      const alerts = page.getByRole("table", { name: "Custody alerts" });
      await alerts.getByText("Hot wallet above its limit").waitFor();
      await alerts.getByRole("button", { name: /^Acknowledge alert calr_/ }).click();
      await page.getByText("No open alerts", { exact: true }).waitFor();
      await page.getByLabel("Mode").selectOption("test");
      await page.getByRole("button", { name: "Run now" }).click();
      await page.getByText(/^Report rsv_\w+ made\.$/).waitFor();
      const report = page.getByRole("table", { name: /^Report rsv_/ }).first();
      await report.getByRole("rowheader", { name: "ETH" }).waitFor();
      await shot(page, "ops-en");

      const zh = await openPage({ locale: "zh-CN", cookie });
      await zh.goto("/ops/crypto");
      await zh.getByRole("heading", { name: "加密资产托管", level: 1 }).waitFor();
      await zh.getByRole("table", { name: "热钱包" }).getByRole("rowheader", { name: "ETH" }).waitFor();
      await zh
        .getByRole("table", { name: /^报告 rsv_/ })
        .first()
        .getByRole("rowheader", { name: "USDC" })
        .waitFor();
      await shot(zh, "ops-zh");

      // The wallet user finds their balance in the report's Merkle tree.
      const wallet = await openPage({ locale: "en-US", mobile: true });
      await wallet.goto(`/wallet/#sign_in=${encodeURIComponent(payers.en!.token)}`);
      await wallet.getByRole("heading", { level: 1 }).first().waitFor();
      await wallet.goto("/wallet/crypto");
      await wallet.getByRole("button", { name: "Show my proof" }).click();
      const proof = wallet
        .getByRole("list", { name: "Proof of reserves" })
        .getByRole("listitem")
        .filter({ hasText: "ETH" });
      // The wallet's leaf (its balance: 0.5 in, 0.1 and the 0.001 fee out) is the tree's only ETH leaf.
      await proof
        .getByRole("definition")
        .filter({ hasText: /^0\.399 ETH$/ })
        .first()
        .waitFor();
      await shot(wallet, "wallet-proof-en");
    }));

  it("logs no console error on any of these pages", () => {
    assert.deepEqual(consoleErrors, []);
  });

  it("has no serious or critical accessibility violation on any of these pages", () => {
    assert.deepEqual(axeFindings, []);
  });
});
