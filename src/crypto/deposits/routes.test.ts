import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../../test/helpers/app.js";
import { connectTestChain, startTestChain } from "../../../test/helpers/chain.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { createTestServices } from "../../../test/helpers/services.js";
import { signUpWallet, testEmail, testOperatorAuthenticator, WalletClient } from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { withTransaction } from "../../db/tx.js";
import { verifyLedger } from "../../ledger/verify.js";
import type { Services } from "../../runtime/services.js";
import { isChecksumAddress } from "../chain/connector.js";
import type { SandboxChain } from "../chain/sandbox-node.js";
import { sandboxConfirmations } from "../config.js";
import { cryptoDepositRoutes } from "./routes.js";

/** The deposit routes over HTTP on a real hardhat node: address, deposits, sandbox helpers, operators, bad input. */
describe("crypto deposits: routes", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let chain: SandboxChain;
  const operator = (role = "admin") => ({ "x-test-operator": role });

  before(async () => {
    [db, chain] = await Promise.all([createTestDatabase({ poolSize: 20 }), startTestChain()]);
    services = createTestServices({ pool: db.pool });
    services.authenticators.push(testOperatorAuthenticator);
    connectTestChain(services, chain);
    // Until src/app.ts registers them, the test registers the routes itself.
    const routes: FastifyPluginAsync = async (instance) => {
      if (instance.hasRoute({ method: "GET", url: "/v1/wallet/crypto/address" })) return;
      await instance.register(cryptoDepositRoutes, { deposits: services.crypto.deposits, wallets: services.wallets });
    };
    app = await createTestApp({ pool: db.pool, services, routes });
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { ledger: "test" });
    assert.deepEqual(report.violations, []);
    await app?.close();
    await services?.close();
    await chain?.stop();
    await db?.drop();
  });

  /** A test-mode wallet user with a session, as the sandbox makes test payers. */
  async function testWallet(): Promise<{ id: string; client: WalletClient }> {
    const { user, token } = await withTransaction(db.pool, (tx) =>
      services.wallets.users.createTestModeUser(
        tx,
        { email: testEmail("crypto"), displayName: "Crypto tester", tier: 1, frozen: false },
        { userAgent: "crypto-tests", ip: null },
      ),
    );
    return { id: user.id, client: new WalletClient(app, token!) };
  }

  async function walletPending(userId: string, asset: string): Promise<bigint> {
    const account = await services.wallets.accounts.existingWalletAccountId(userId, asset);
    return account === undefined ? 0n : ((await services.ledger.getBalance(account))?.pending ?? 0n);
  }

  async function available(client: WalletClient, asset: string): Promise<string> {
    const response = await client.get("/v1/wallet/balances");
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data.find((b: { currency: string }) => b.currency === asset)?.available ?? "0";
  }

  it("shows the deposit address, EIP-55 checksummed, with an EIP-681 URI and QR code per asset", async () => {
    const user = await testWallet();
    const response = await user.client.get("/v1/wallet/crypto/address");
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.ok(isChecksumAddress(body.address) && body.address !== body.address.toLowerCase(), body.address);
    assert.equal(body.livemode, false);
    const eth = body.assets.find((a: { asset: string }) => a.asset === "ETH");
    const usdc = body.assets.find((a: { asset: string }) => a.asset === "USDC");
    assert.equal(eth.uri, `ethereum:${body.address}@31337`);
    assert.equal(eth.contract, null);
    assert.equal(usdc.contract.toLowerCase(), chain.tokenAddress);
    assert.equal(usdc.uri, `ethereum:${usdc.contract}@31337/transfer?address=${body.address}`);
    assert.equal(usdc.confirmations_required, sandboxConfirmations);
    assert.match(usdc.qr_svg, /^<svg /);
    // The same address every time.
    assert.equal((await user.client.get("/v1/wallet/crypto/address")).json().address, body.address);
  });

  it("answers crypto_unavailable to a live wallet when no live chain is configured, and refuses it the helpers", async () => {
    const live = await signUpWallet(app, db.pool);
    const address = await live.client.get("/v1/wallet/crypto/address");
    assert.equal(address.statusCode, 409, address.body);
    assert.equal(address.json().error.code, "crypto_unavailable");
    for (const [url, body] of [
      ["/v1/wallet/test_helpers/crypto/deposit", { asset: "ETH", amount: "1000" }],
      ["/v1/wallet/test_helpers/crypto/deposit", { asset: "ETH", amount: "-1" }],
      ["/v1/wallet/test_helpers/crypto/mine", { blocks: 1 }],
      ["/v1/wallet/test_helpers/crypto/reorg", { depth: 1 }],
    ] as const) {
      const refused = await live.client.post(url, body);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().error.code, "test_mode_only");
    }
  });

  it("takes a sandbox deposit from pending to available, with confirmations in the list and the balance", async () => {
    const user = await testWallet();
    const sent = await user.client.post("/v1/wallet/test_helpers/crypto/deposit", {
      asset: "USDC",
      amount: "12500000",
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const deposit = sent.json().deposit;
    assert.equal(deposit.status, "pending");
    assert.equal(deposit.confirmations, 1);
    assert.equal(deposit.confirmations_required, sandboxConfirmations);
    assert.equal(deposit.amount, "12500000");
    assert.equal(deposit.tx_hash, sent.json().tx_hash);
    assert.equal(await walletPending(user.id, "USDC"), 12_500_000n);
    assert.equal(await available(user.client, "USDC"), "0");

    const mined = await user.client.post("/v1/wallet/test_helpers/crypto/mine", { blocks: sandboxConfirmations - 1 });
    assert.equal(mined.statusCode, 200, mined.body);
    const listed = await user.client.get("/v1/wallet/crypto/deposits");
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.json().data.length, 1);
    assert.equal(listed.json().data[0].status, "available");
    assert.equal(listed.json().data[0].confirmations, sandboxConfirmations);
    assert.equal(await available(user.client, "USDC"), "12500000");
    assert.equal(await walletPending(user.id, "USDC"), 0n);

    const eth = await user.client.post("/v1/wallet/test_helpers/crypto/deposit", { asset: "ETH", amount: 1e3 });
    assert.equal(eth.statusCode, 201, eth.body);
    assert.equal(eth.json().deposit.status, "dust", "1000 wei is below the dust threshold");
    const newest = await user.client.get("/v1/wallet/crypto/deposits?limit=1");
    assert.equal(newest.json().data[0].id, eth.json().deposit.id);
    assert.equal(newest.json().has_more, true);
    const older = await user.client.get(`/v1/wallet/crypto/deposits?limit=1&starting_after=${eth.json().deposit.id}`);
    assert.equal(older.json().data[0].id, deposit.id);
    assert.equal(older.json().has_more, false);
  });

  it("orphans a pending deposit and reverses an available one on a sandbox reorg, with an alert operators acknowledge", async () => {
    const user = await testWallet();
    const pending = await user.client.post("/v1/wallet/test_helpers/crypto/deposit", {
      asset: "ETH",
      amount: "2000000000000000000",
    });
    assert.equal(pending.statusCode, 201, pending.body);
    const reorged = await user.client.post("/v1/wallet/test_helpers/crypto/reorg", { depth: 1 });
    assert.equal(reorged.statusCode, 200, reorged.body);
    const [orphaned] = (await user.client.get("/v1/wallet/crypto/deposits")).json().data;
    assert.equal(orphaned.status, "orphaned");
    assert.equal(orphaned.confirmations, 0);
    assert.equal(await walletPending(user.id, "ETH"), 0n);

    const credited = await user.client.post("/v1/wallet/test_helpers/crypto/deposit", {
      asset: "ETH",
      amount: "3000000000000000000",
    });
    await user.client.post("/v1/wallet/test_helpers/crypto/mine", { blocks: sandboxConfirmations - 1 });
    assert.equal(await available(user.client, "ETH"), "3000000000000000000");
    const reversed = await user.client.post("/v1/wallet/test_helpers/crypto/reorg", { depth: sandboxConfirmations });
    assert.equal(reversed.statusCode, 200, reversed.body);
    assert.equal(await available(user.client, "ETH"), "0");
    const deposits = (await user.client.get("/v1/wallet/crypto/deposits")).json().data;
    assert.equal(deposits.find((d: { id: string }) => d.id === credited.json().deposit.id).status, "reversed");

    // Deeper than the helpers' checkpoints since the last reorg: refused, nothing changes.
    const tooDeep = await user.client.post("/v1/wallet/test_helpers/crypto/reorg", { depth: 32 });
    assert.equal(tooDeep.statusCode, 409, tooDeep.body);
    assert.equal(tooDeep.json().error.code, "sandbox_reorg_too_deep");

    const alerts = await app.inject({
      method: "GET",
      url: "/v1/ops/crypto/alerts?open=true",
      headers: operator("support"),
    });
    assert.equal(alerts.statusCode, 200, alerts.body);
    const alert = alerts.json().data.find((a: { subject: string }) => a.subject === credited.json().deposit.id);
    assert.equal(alert.kind, "reorg_reversal");
    assert.equal(alert.details.taken_from_wallet, "3000000000000000000");

    const reviewer = await app.inject({
      method: "POST",
      url: `/v1/ops/crypto/alerts/${alert.id}/acknowledge`,
      headers: operator("reviewer"),
    });
    assert.equal(reviewer.statusCode, 403, reviewer.body);
    const acknowledged = await app.inject({
      method: "POST",
      url: `/v1/ops/crypto/alerts/${alert.id}/acknowledge`,
      headers: operator("admin"),
    });
    assert.equal(acknowledged.statusCode, 200, acknowledged.body);
    assert.equal(acknowledged.json().acknowledged_by, "op_test_admin");
    const again = await app.inject({
      method: "POST",
      url: `/v1/ops/crypto/alerts/${alert.id}/acknowledge`,
      headers: operator("support"),
    });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().acknowledged_by, "op_test_admin");
    const open = await app.inject({ method: "GET", url: "/v1/ops/crypto/alerts?open=true", headers: operator() });
    assert.ok(!open.json().data.some((a: { id: string }) => a.id === alert.id));
    const unknown = await app.inject({
      method: "POST",
      url: "/v1/ops/crypto/alerts/calr_0000000000000000000000/acknowledge",
      headers: operator(),
    });
    assert.equal(unknown.statusCode, 404, unknown.body);
  });

  it("lists pending deposits to operators only", async () => {
    const user = await testWallet();
    const sent = await user.client.post("/v1/wallet/test_helpers/crypto/deposit", { asset: "USDC", amount: "700000" });
    const pending = await app.inject({
      method: "GET",
      url: "/v1/ops/crypto/deposits?status=pending&livemode=false",
      headers: operator("reviewer"),
    });
    assert.equal(pending.statusCode, 200, pending.body);
    const found = pending.json().data.find((d: { id: string }) => d.id === sent.json().deposit.id);
    assert.equal(found.wallet_user, user.id);
    assert.equal(found.address_kind, "wallet");
    assert.ok(pending.json().data.every((d: { status: string }) => d.status === "pending"));
    const asWallet = await user.client.get("/v1/ops/crypto/deposits");
    assert.equal(asWallet.statusCode, 403, asWallet.body);
    const badStatus = await app.inject({
      method: "GET",
      url: "/v1/ops/crypto/deposits?status=lost",
      headers: operator(),
    });
    assert.equal(badStatus.statusCode, 400, badStatus.body);
  });

  it("keeps each wallet to its own deposits and refuses bad helper input without moving anything", async () => {
    const alice = await testWallet();
    const bob = await testWallet();
    const sent = await alice.client.post("/v1/wallet/test_helpers/crypto/deposit", {
      asset: "USDC",
      amount: "1000000",
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const aliceDeposit = sent.json().deposit.id;
    assert.equal((await bob.client.get("/v1/wallet/crypto/deposits")).json().data.length, 0);
    for (const cursor of [aliceDeposit, "cdep_0000000000000000000000", "x".repeat(64)]) {
      const page = await bob.client.get(`/v1/wallet/crypto/deposits?starting_after=${cursor}`);
      assert.equal(page.statusCode, 400, page.body);
      assert.equal(page.json().error.code, "parameter_invalid");
    }

    const head = await chain.control.headNumber();
    const countDeposits = async () => (await db.pool.query("SELECT count(*)::int AS n FROM crypto_deposits")).rows[0].n;
    const before = await countDeposits();
    const deposit = (body: unknown) => bob.client.post("/v1/wallet/test_helpers/crypto/deposit", body);
    for (const amount of [
      -1,
      0,
      1.5,
      "1.5",
      "1e3",
      "-1",
      "0",
      "",
      "01",
      `1${"0".repeat(40)}`,
      "1001000000",
      null,
      true,
    ]) {
      const refused = await deposit({ asset: "USDC", amount });
      assert.equal(refused.statusCode, 400, `${JSON.stringify(amount)}: ${refused.body}`);
      assert.equal(refused.json().error.code, "amount_invalid", JSON.stringify(amount));
    }
    const overMax = await deposit({ asset: "ETH", amount: `1${"0".repeat(22)}` });
    assert.equal(overMax.statusCode, 400, overMax.body);
    assert.equal(overMax.json().error.code, "amount_invalid");
    const unknownAsset = await deposit({ asset: "DOGE", amount: "1" });
    assert.equal(unknownAsset.statusCode, 400, unknownAsset.body);
    assert.equal(unknownAsset.json().error.code, "crypto_asset_unsupported");
    const badAsset = await deposit({ asset: "usdc", amount: "1" });
    assert.equal(badAsset.statusCode, 400, badAsset.body);
    const extra = await deposit({ asset: "USDC", amount: "1", to: "0x0000000000000000000000000000000000000001" });
    assert.equal(extra.statusCode, 400, extra.body);
    for (const blocks of [0, -1, 1.5, 101, "2", 1e9]) {
      const refused = await bob.client.post("/v1/wallet/test_helpers/crypto/mine", { blocks });
      assert.equal(refused.statusCode, 400, `${blocks}: ${refused.body}`);
    }
    for (const depth of [0, -1, 33, 2.5]) {
      const refused = await bob.client.post("/v1/wallet/test_helpers/crypto/reorg", { depth });
      assert.equal(refused.statusCode, 400, `${depth}: ${refused.body}`);
    }
    assert.equal(await chain.control.headNumber(), head, "no refused helper touched the chain");
    assert.equal(await countDeposits(), before);

    const anonymous = new WalletClient(app);
    assert.equal((await anonymous.get("/v1/wallet/crypto/address")).statusCode, 401);
    assert.equal((await anonymous.post("/v1/wallet/test_helpers/crypto/mine", { blocks: 1 })).statusCode, 401);
  });
});
