import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { App } from "../../../src/app.js";
import { createTestApp } from "../../../test/helpers/app.js";
import { connectTestChain, startTestChain } from "../../../test/helpers/chain.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { newMerchant } from "../../../test/helpers/merchant-console.js";
import { type SmtpSink, startSmtpSink } from "../../../test/helpers/smtp-sink.js";
import { walletTestConfig } from "../../../test/helpers/wallets.js";
import { manualClock } from "../../clock.js";
import { loadConfig } from "../../config.js";
import { ApiError } from "../../http/errors.js";
import { balanceOf } from "../../ledger/model.js";
import { verifyLedger } from "../../ledger/verify.js";
import { createLogger } from "../../logging.js";
import { createServices, type Services } from "../../runtime/services.js";
import type { Address } from "../chain/connector.js";
import type { SandboxChain } from "../chain/sandbox-node.js";
import type { RunningChain } from "../chains.js";
import { sandboxConfirmations } from "../config.js";

/**
 * Crypto payments against a real hardhat node: paid exactly, underpaid, overpaid and late, each with its status,
 * outcome, ledger balances and events; a fiat price at the sandbox's fixed rate; paying from a wallet's USDC; a
 * refund of held money sent on chain and booked; and the input checks.
 */
describe("crypto payments", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let chain: SandboxChain;
  let running: RunningChain;
  let services: Services;
  let app: App;
  let key: string;
  let otherKey: string;
  let merchantId: string;
  const clock = manualClock("2026-04-01T08:00:00Z");

  async function secretKey(name: string) {
    const merchant = await newMerchant(app, sink, name);
    const keys = (await merchant.client.get("/v1/console/api_keys")).json();
    const secret = keys.data.find((k: { type: string }) => k.type === "secret");
    const revealed = await merchant.client.post(`/v1/console/api_keys/${secret.id}/reveal`);
    return { merchantId: merchant.merchantId, key: revealed.json().secret as string };
  }

  before(async () => {
    [db, sink, chain] = await Promise.all([createTestDatabase({ poolSize: 20 }), startSmtpSink(), startTestChain()]);
    services = createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log: createLogger({ level: (process.env.TEST_LOG_LEVEL ?? "silent") as "silent" }),
      masterKey: Buffer.alloc(32, 7),
      clock,
      walletConfig: walletTestConfig(),
    });
    running = connectTestChain(services, chain);
    app = await createTestApp({ pool: db.pool, services });
    const [mine, other] = await Promise.all([secretKey("Crypto Tea"), secretKey("Other Tea")]);
    key = mine.key;
    merchantId = mine.merchantId;
    otherKey = other.key;
  });
  after(async () => {
    await app?.close();
    await services?.close();
    await chain?.stop();
    await sink?.close();
    await db?.drop();
  });

  const send = (method: "GET" | "POST", url: string, body?: object, as = key) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}` },
      ...(body === undefined ? {} : { payload: body }),
    });

  async function create(body: Record<string, unknown>) {
    const response = await send("POST", "/v1/payments", { method: "crypto", ...body });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  async function pay(id: string, body: Record<string, unknown> = {}) {
    const response = await send("POST", `/v1/test_helpers/payments/${id}/crypto_pay`, body);
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }

  async function eventTypes(id: string): Promise<string[]> {
    const found = await db.pool.query<{ type: string }>(
      "SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq",
      [id],
    );
    return found.rows.map((r) => r.type);
  }

  /** Posted balances of the merchant, payment_held and custody in an asset: what each step moves. */
  async function balances(asset: string) {
    const posted = async (id: bigint | undefined) => {
      const account = id === undefined ? undefined : await services.ledger.getAccount(id);
      return account ? balanceOf(account).posted : 0n;
    };
    const crypto = services.crypto.accounts;
    return {
      merchant: await posted(await services.payments.accounts.existingMerchantAccountId(merchantId, false, asset)),
      held: await posted(await crypto.existingAccountId(false, "sandbox", asset, "payment_held")),
      custody: await posted(await crypto.existingAccountId(false, "sandbox", asset, "custody")),
      fee: await posted(await crypto.existingAccountId(false, "sandbox", asset, "withdrawal_fee")),
    };
  }

  const moved = (before: Record<string, bigint>, after: Record<string, bigint>) =>
    Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));

  async function assertBooks() {
    const report = await verifyLedger(db.pool, { ledger: "test" });
    assert.deepEqual(report.violations, []);
  }

  it("is paid exactly: succeeded, the amount less the fee to the merchant, nothing held", async () => {
    const before = await balances("USDC");
    const created = await create({ amount: "2500000", currency: "USDC", asset: "USDC" });
    assert.equal(created.status, "requires_payment");
    assert.equal(created.currency, "USDC");
    const crypto = created.crypto;
    assert.equal(crypto.chain, "sandbox");
    assert.equal(crypto.chain_id, 31_337);
    assert.equal(crypto.amount, "2500000");
    assert.match(crypto.address, /^0x[0-9a-fA-F]{40}$/);
    assert.notEqual(crypto.address, crypto.address.toLowerCase(), "EIP-55 checksummed");
    assert.equal(crypto.uri, `ethereum:${crypto.contract}@31337/transfer?address=${crypto.address}&uint256=2500000`);
    assert.match(crypto.qr.svg, /^<svg/);
    assert.equal(crypto.expires_at, created.created + 15 * 60);
    assert.equal(crypto.outcome, null);
    assert.equal(crypto.price, null);

    const paid = await pay(created.id, { amount: "exact" });
    assert.equal(paid.status, "succeeded");
    assert.equal(paid.crypto.outcome, "paid");
    assert.equal(paid.crypto.paid_with, "chain");
    assert.equal(paid.crypto.amount_received, "2500000");
    assert.equal(paid.crypto.amount_held, "0");
    assert.equal(paid.amount_received, "2500000");
    const fee = BigInt(paid.fee);
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 2_500_000n - fee,
      held: 0n,
      custody: 2_500_000n,
      fee: 0n,
    });
    assert.deepEqual(await eventTypes(created.id), [
      "payment.created",
      "payment.crypto_received",
      "payment.processing",
      "payment.succeeded",
    ]);
    // The checkout page's summary carries the crypto object too.
    const checkout = await app.inject({ method: "GET", url: `/v1/checkout/${created.id}` });
    assert.equal(checkout.statusCode, 200, checkout.body);
    assert.equal(checkout.json().crypto.address, crypto.address);
    // Paid on chain: no coffer wallet to refund to.
    const refund = await send("POST", "/v1/refunds", { payment: created.id });
    assert.equal(refund.statusCode, 409, refund.body);
    assert.equal(refund.json().error.code, "crypto_refund_on_chain_only");
    await assertBooks();
  });

  it("is paid by the block follower alone: the merchant is paid once the money has its confirmations", async () => {
    const created = await create({ amount: "1000000", currency: "USDC", asset: "USDC" });
    const follow = () => services.crypto.deposits.follower.follow(running);
    await follow();
    await chain.control.mintToken(created.crypto.address as Address, 1_000_000n);
    await follow();
    assert.equal((await send("GET", `/v1/payments/${created.id}`)).json().status, "processing");
    await chain.control.mine(sandboxConfirmations);
    await follow();
    // Settled right after the confirming commit, with no expiry pass.
    const deadline = Date.now() + 5_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await send("GET", `/v1/payments/${created.id}`)).json().status;
      if (status === "succeeded") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, "succeeded");
    await assertBooks();
  });

  it("is priced in fiat at the sandbox's fixed rate, and ends underpaid with the money held", async () => {
    const before = await balances("ETH");
    // 30.00 USD at 3000 USD/ETH: 0.01 ETH, locked now.
    const created = await create({ amount: "3000", currency: "USD", asset: "ETH" });
    assert.equal(created.currency, "ETH");
    assert.equal(created.amount, "10000000000000000");
    assert.deepEqual(created.crypto.price, { amount: "3000", currency: "USD", rate: "3000", rate_source: "fixed" });
    assert.equal(created.crypto.uri, `ethereum:${created.crypto.address}@31337?value=10000000000000000`);

    const partly = await pay(created.id, { amount: "under" });
    assert.equal(partly.status, "processing");
    assert.equal(partly.crypto.amount_received, "5000000000000000");
    assert.equal(partly.crypto.amount_due, "5000000000000000");

    clock.advance(16 * 60 * 1000);
    await services.payments.expireDue();
    const ended = (await send("GET", `/v1/payments/${created.id}`)).json();
    assert.equal(ended.status, "expired");
    assert.equal(ended.crypto.outcome, "underpaid");
    assert.equal(ended.crypto.amount_held, "5000000000000000");
    assert.deepEqual(moved(before, await balances("ETH")), {
      merchant: 0n,
      held: 5n * 10n ** 15n,
      custody: 5n * 10n ** 15n,
      fee: 0n,
    });
    assert.deepEqual(await eventTypes(created.id), [
      "payment.created",
      "payment.crypto_received",
      "payment.processing",
      "payment.expired",
      "payment.crypto_underpaid",
    ]);
    await assertBooks();
  });

  it("is overpaid: succeeded, the excess held, and refunded on chain to the payer's address", async () => {
    const before = await balances("USDC");
    const created = await create({ amount: "20000000", currency: "USDC", asset: "USDC" });
    const paid = await pay(created.id, { amount: "22000000" });
    assert.equal(paid.status, "succeeded");
    assert.equal(paid.crypto.outcome, "overpaid");
    assert.equal(paid.crypto.amount_held, "2000000");
    const fee = BigInt(paid.fee);
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 20_000_000n - fee,
      held: 2_000_000n,
      custody: 22_000_000n,
      fee: 0n,
    });
    assert.deepEqual(await eventTypes(created.id), [
      "payment.created",
      "payment.crypto_received",
      "payment.processing",
      "payment.succeeded",
      "payment.crypto_overpaid",
    ]);

    // The hot wallet sends refunds: the operator funds it with gas and USDC, as real deposits to it.
    const hot = (await services.crypto.keys.hotWallet(false)).address;
    await chain.control.sendNative(hot, 10n ** 18n);
    await chain.control.mintToken(hot, 5_000_000n);
    await chain.control.mine(3);
    await services.crypto.deposits.follower.follow(running);

    const badChecksum = await send("POST", `/v1/payments/${created.id}/crypto_refund_address`, {
      address: "0x52908400098527886E0F7030069857D2E4169Ee7",
    });
    assert.equal(badChecksum.statusCode, 400, badChecksum.body);
    assert.equal(badChecksum.json().error.code, "crypto_refund_address_invalid");

    const payer = "0x52908400098527886E0F7030069857D2E4169EE7" as Address;
    const requested = await send("POST", `/v1/payments/${created.id}/crypto_refund_address`, { address: payer });
    assert.equal(requested.statusCode, 200, requested.body);
    assert.equal(requested.json().crypto.refund.status, "pending");
    assert.equal(requested.json().crypto.refund.amount, "1000000"); // 2 USDC held less the 1 USDC network fee
    const again = await send("POST", `/v1/payments/${created.id}/crypto_refund_address`, { address: payer });
    assert.equal(again.json().error.code, "crypto_refund_in_progress");

    const held = await balances("USDC");
    await services.crypto.signer.runPass();
    await chain.control.mine(3);
    await services.crypto.signer.runPass();
    const refunded = (await send("GET", `/v1/payments/${created.id}`)).json();
    assert.equal(refunded.crypto.refund.status, "sent");
    assert.match(refunded.crypto.refund.tx_hash, /^0x[0-9a-f]{64}$/);
    assert.equal(refunded.crypto.amount_held, "0");
    assert.equal(refunded.crypto.amount_refunded, "1000000");
    assert.equal(await running.connector.balanceOf(payer.toLowerCase() as Address, "USDC"), 1_000_000n);
    assert.deepEqual(moved(held, await balances("USDC")), {
      merchant: 0n,
      held: -2_000_000n,
      custody: -1_000_000n,
      fee: 1_000_000n,
    });
    assert.equal((await eventTypes(created.id)).at(-1), "payment.crypto_refund_sent");
    await assertBooks();
  });

  it("is paid late: the payment stays expired and the money is held", async () => {
    const before = await balances("USDC");
    const created = await create({ amount: "3000000", currency: "USDC", asset: "USDC" });
    const late = await pay(created.id, { late: true });
    assert.equal(late.status, "expired");
    assert.equal(late.failure_code, "expired");
    assert.equal(late.crypto.outcome, "paid_late");
    assert.equal(late.crypto.amount_held, "3000000");
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 0n,
      held: 3_000_000n,
      custody: 3_000_000n,
      fee: 0n,
    });
    assert.deepEqual(await eventTypes(created.id), [
      "payment.created",
      "payment.expired",
      "payment.crypto_received",
      "payment.crypto_paid_late",
    ]);
    await assertBooks();
  });

  it("is paid from a wallet's USDC balance, and money sent on chain after it is held", async () => {
    const payerResponse = await send("POST", "/v1/test_helpers/wallet_users", { currency: "USDC", balance: "9000000" });
    assert.equal(payerResponse.statusCode, 201, payerResponse.body);
    const payer = payerResponse.json();
    const before = await balances("USDC");
    const created = await create({ amount: "4000000", currency: "USDC", asset: "USDC" });
    const confirmed = await app.inject({
      method: "POST",
      url: `/v1/wallet/payments/${created.id}/confirm`,
      headers: { authorization: `Bearer ${payer.session_token}` },
      payload: {},
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
    const paid = (await send("GET", `/v1/payments/${created.id}`)).json();
    assert.equal(paid.crypto.paid_with, "wallet");
    const fee = BigInt(paid.fee);
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 4_000_000n - fee,
      held: 0n,
      custody: 0n,
      fee: 0n,
    });

    // The address still takes money: all of it is the payer's, held for refund.
    const sent = await pay(created.id, { amount: "exact" });
    assert.equal(sent.status, "succeeded");
    assert.equal(sent.crypto.outcome, "overpaid");
    assert.equal(sent.crypto.amount_held, "4000000");
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 4_000_000n - fee,
      held: 4_000_000n,
      custody: 4_000_000n,
      fee: 0n,
    });
    assert.deepEqual(await eventTypes(created.id), [
      "payment.created",
      "payment.succeeded",
      "payment.crypto_received",
      "payment.crypto_overpaid",
    ]);
    await assertBooks();
  });

  it("stays succeeded when a reorganisation takes its money away: marked, booked as a loss, operators alerted", async () => {
    const before = await balances("USDC");
    const lossBefore = await reorgLoss();
    const created = await create({ amount: "1500000", currency: "USDC", asset: "USDC" });
    const snapshot = await chain.control.snapshot();
    const paid = await pay(created.id, { amount: "exact" });
    assert.equal(paid.status, "succeeded");
    // The blocks with the payment's money are replaced by empty ones.
    await chain.control.forkAt(snapshot, 4);
    await services.crypto.deposits.follower.follow(running);
    const after = (await send("GET", `/v1/payments/${created.id}`)).json();
    assert.equal(after.status, "succeeded");
    assert.equal(after.crypto.reorg_shortfall, "1500000");
    assert.equal(after.crypto.amount_received, "0");
    const fee = BigInt(paid.fee);
    assert.deepEqual(moved(before, await balances("USDC")), {
      merchant: 1_500_000n - fee,
      held: 0n,
      custody: 0n,
      fee: 0n,
    });
    assert.equal((await reorgLoss()) - lossBefore, 1_500_000n);
    const alerts = await db.pool.query("SELECT details FROM crypto_alerts WHERE kind = 'reorg_reversal'");
    assert.ok(alerts.rows.some((row) => row.details.payment === created.id));
    await assertBooks();
  });

  async function reorgLoss() {
    const id = await services.crypto.accounts.existingAccountId(false, "sandbox", "USDC", "reorg_loss");
    const account = id === undefined ? undefined : await services.ledger.getAccount(id);
    return account ? balanceOf(account).posted : 0n;
  }

  it("refuses bad input before writing anything", async () => {
    const refused = async (body: Record<string, unknown>, status: number, code: string) => {
      const response = await send("POST", "/v1/payments", { method: "crypto", ...body });
      assert.equal(response.statusCode, status, `${JSON.stringify(body)}: ${response.body}`);
      assert.equal(response.json().error.code, code, JSON.stringify(body));
    };
    const count = async () => Number((await db.pool.query("SELECT count(*) FROM payments")).rows[0].count);
    const payments = await count();
    await refused({ amount: "100", currency: "DOGE", asset: "DOGE" }, 400, "crypto_asset_unsupported");
    // USDT is a crypto asset coffer knows, but no chain of test mode carries it.
    await refused({ amount: "100", currency: "USDT", asset: "USDT" }, 400, "crypto_asset_unsupported");
    await refused(
      { amount: "100", currency: "USDC", asset: "USDC", chain: "ethereum" },
      400,
      "crypto_asset_unsupported",
    );
    await refused({ amount: "100", currency: "USDC" }, 400, "parameter_missing");
    await refused({ amount: "100", currency: "XAU", asset: "USDC" }, 400, "crypto_rate_unavailable");
    await refused({ amount: "100", currency: "ETH", asset: "USDC" }, 400, "crypto_rate_unavailable");
    for (const amount of ["0", "-5", "1.5", "1e3", ""]) {
      await refused({ amount, currency: "USDC", asset: "USDC" }, 400, "amount_invalid");
    }
    await refused(
      { amount: "100", currency: "USDC", asset: "USDC", capture_method: "manual" },
      400,
      "parameter_invalid",
    );
    const notCrypto = await send("POST", "/v1/payments", {
      method: "qr",
      amount: "100",
      currency: "USD",
      asset: "USDC",
    });
    assert.equal(notCrypto.json().error.code, "parameter_invalid");
    assert.equal(await count(), payments);

    // Another merchant's crypto payment is as unknown as a made-up one.
    const mine = await create({ amount: "1000000", currency: "USDC", asset: "USDC" });
    for (const [method, url, body] of [
      ["GET", `/v1/payments/${mine.id}`, undefined],
      [
        "POST",
        `/v1/payments/${mine.id}/crypto_refund_address`,
        { address: "0x52908400098527886e0f7030069857d2e4169ee7" },
      ],
      ["POST", `/v1/test_helpers/payments/${mine.id}/crypto_pay`, {}],
    ] as const) {
      const response = await send(method, url, body, otherKey);
      assert.equal(response.statusCode, 404, `${url}: ${response.body}`);
    }
    // Nothing held yet, and it is open: no refund.
    const open = await send("POST", `/v1/payments/${mine.id}/crypto_refund_address`, {
      address: "0x52908400098527886e0f7030069857d2e4169ee7",
    });
    assert.equal(open.json().error.code, "payment_status_invalid");

    // Live mode has no chain in this coffer: crypto is off there, and says so.
    await assert.rejects(
      services.payments.payments.create(
        { merchantId, livemode: true },
        { amount: "100", currency: "USDC", method: "crypto", asset: "USDC" },
      ),
      (error: unknown) => error instanceof ApiError && error.code === "crypto_unavailable",
    );
  });
});
