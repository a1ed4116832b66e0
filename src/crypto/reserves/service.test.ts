import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { connectTestChain, startTestChain } from "../../../test/helpers/chain.js";
import { repoRoot, runCli } from "../../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { createTestServices } from "../../../test/helpers/services.js";
import { testOperatorAuthenticator, WalletClient } from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { withTransaction } from "../../db/tx.js";
import type { Services } from "../../runtime/services.js";
import type { Address } from "../chain/connector.js";
import type { SandboxChain } from "../chain/sandbox-node.js";
import type { RunningChain } from "../chains.js";
import { type ReservesProof, verifyReservesProof } from "./merkle.js";
import { reservesRoutes } from "./routes.js";

const usdc = (whole: number) => BigInt(whole) * 1_000_000n;
const eth = (whole: number) => BigInt(whole) * 10n ** 18n;
const outsider = "0x000000000000000000000000000000000000dead" as Address;

/** The standalone verification script of the docs (docs/crypto.md once merged, docs/crypto-reserves.md before). */
function docsVerifyScript(): string {
  for (const file of ["docs/crypto.md", "docs/crypto-reserves.md"].map((f) => path.join(repoRoot, f))) {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const script = /<!-- reserves-verify-script -->\s*```js\n([\s\S]*?)```/.exec(text)?.[1];
    if (script) {
      const out = path.join(mkdtempSync(path.join(os.tmpdir(), "coffer-reserves-")), "verify-reserves.mjs");
      writeFileSync(out, script);
      return out;
    }
  }
  throw new Error("the docs have no reserves verification script");
}

/**
 * Proof of reserves against a real hardhat node: real deposits to wallet users' addresses, followed by the block
 * follower; a report that passes, inclusion proofs that verify (and stop verifying when altered), and a report that
 * fails — through the service and `coffer verify --reserves` — once a custody address is drained with its own key,
 * behind the ledger's back.
 */
describe("proof of reserves", () => {
  const masterKey = randomBytes(32);
  let db: TestDatabase;
  let services: Services;
  let chain: SandboxChain;
  let running: RunningChain;
  let app: App;
  const users: Record<"ada" | "bob" | "cyd", { id: string; client: WalletClient }> = {} as never;

  before(async () => {
    [db, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    services = createTestServices({ pool: db.pool, masterKey });
    services.authenticators.push(testOperatorAuthenticator);
    running = connectTestChain(services, chain);
    const reserves = services.crypto.reserves;
    app = await createTestApp({
      pool: db.pool,
      services,
      // Until src/app.ts registers them (then this is a no-op).
      routes: async (instance) => {
        if (!instance.hasRoute({ method: "GET", url: "/v1/wallet/reserves_proof" })) {
          await instance.register(reservesRoutes, { reserves });
        }
      },
    });
    for (const name of ["ada", "bob", "cyd"] as const) {
      const made = await withTransaction(db.pool, (tx) =>
        services.wallets.users.createTestModeUser(
          tx,
          { email: `${name}.${randomBytes(3).toString("hex")}@example.com`, displayName: name, tier: 2, frozen: false },
          { userAgent: null, ip: null },
        ),
      );
      users[name] = { id: made.user.id, client: new WalletClient(app, made.token!) };
    }
  });
  after(async () => {
    await app?.close();
    await services?.close();
    await chain?.stop();
    await db?.drop();
  });

  const ops = (role: string, method: "GET" | "POST", url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { "x-test-operator": role, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });

  async function verifyCli() {
    const cli = runCli(["verify", "--ledger", "test", "--reserves"], {
      DATABASE_URL: db.url,
      COFFER_MASTER_KEY: masterKey.toString("hex"),
      COFFER_SANDBOX_CHAIN: chain.rpcUrl,
      COFFER_CHAINS: undefined,
    });
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  it("has no proof before the first report, and the worker makes one a day", async () => {
    const none = await users.ada.client.get("/v1/wallet/reserves_proof");
    assert.equal(none.statusCode, 404, none.body);
    assert.equal(none.json().error.code, "reserves_report_missing");

    const made = await services.crypto.reserves.runDue();
    assert.deepEqual(
      made.map((r) => [r.livemode, r.source, r.ok]),
      [[false, "worker", true]],
    );
    assert.deepEqual(await services.crypto.reserves.runDue(), [], "not due again within the day");
  });

  it("passes after real deposits, pending first (on chain, not owed yet), then available", async () => {
    const deposits = services.crypto.deposits.sandbox;
    await deposits.deposit(users.ada.id, { asset: "ETH", amount: String(eth(2)) });
    await deposits.deposit(users.ada.id, { asset: "USDC", amount: String(usdc(100)) });
    await deposits.deposit(users.bob.id, { asset: "USDC", amount: String(usdc(40)) });

    const pending = await services.crypto.reserves.run(false, { source: "cli" });
    assert.equal(pending.ok, true);
    const pendingUsdc = pending.assets.find((a) => a.asset === "USDC")!;
    assert.equal(pendingUsdc.onChain, usdc(140));
    assert.equal(pendingUsdc.custody.pendingIn, usdc(140));
    assert.equal(pendingUsdc.liabilities.total, 0n, "pending credits are not owed yet");
    assert.equal(pendingUsdc.custodyGap, usdc(140));
    assert.equal(pendingUsdc.custodyGapUnexplained, 0n);

    await deposits.mine(users.ada.id, 3);
    const report = await services.crypto.reserves.run(false, { source: "cli" });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.assets.map((a) => a.asset),
      ["ETH", "USDC"],
    );
    const [ethFigures, usdcFigures] = report.assets;
    assert.deepEqual(
      {
        onChain: usdcFigures!.onChain,
        custody: usdcFigures!.custody.posted,
        owed: usdcFigures!.liabilities,
        gap: usdcFigures!.custodyGap,
        shortfall: usdcFigures!.shortfall,
        tree: [usdcFigures!.merkle.total, usdcFigures!.merkle.leaves],
        chains: usdcFigures!.chains.map((c) => c.chain),
      },
      {
        onChain: usdc(140),
        custody: usdc(140),
        owed: { wallets: usdc(140), merchants: 0n, paymentHeld: 0n, total: usdc(140) },
        gap: 0n,
        shortfall: 0n,
        tree: [usdc(140), 2],
        chains: [running.config.name],
      },
    );
    assert.equal(ethFigures!.onChain, eth(2));
    assert.equal(ethFigures!.liabilities.total, eth(2));
    assert.equal(ethFigures!.merkle.leaves, 1);

    const cli = await verifyCli();
    assert.equal(cli.code, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /OK: the books balance/);
    assert.match(cli.stdout, /Reserves, test mode \(report rsv_\w+\): OK/);
    assert.match(cli.stdout, /USDC \(sandbox\): ok\n\s+on chain\s+140\.000000\n\s+custody ledger\s+140\.000000/);
    const latest = await services.crypto.reserves.latest(false);
    assert.equal(latest?.source, "cli");
    assert.ok(cli.stdout.includes(`merkle root      ${latest!.assets[1]!.merkle.root}`), cli.stdout);
  });

  it("gives each wallet user a proof that verifies, reveals no one else, and fails when altered", async () => {
    const all = await users.ada.client.get("/v1/wallet/reserves_proof");
    assert.equal(all.statusCode, 200, all.body);
    const body = all.json();
    assert.deepEqual(
      body.data.map((p: { asset: string; included: boolean }) => [p.asset, p.included]),
      [
        ["ETH", true],
        ["USDC", true],
      ],
    );
    for (const proof of body.data as ReservesProof[]) assert.deepEqual(verifyReservesProof(proof), { ok: true });
    const adaUsdc = body.data[1] as ReservesProof;
    assert.equal(adaUsdc.leaf.balance, String(usdc(100)));
    assert.equal(adaUsdc.total, String(usdc(140)));
    assert.equal(adaUsdc.path.length, 1);
    assert.equal(adaUsdc.path[0]!.sum, String(usdc(40)), "the sibling leaf's sum, without its owner");
    assert.ok(!all.body.includes(users.bob.id) && !all.body.includes(users.cyd.id), "no other user's id");

    const bob = await users.bob.client.get("/v1/wallet/reserves_proof?asset=USDC");
    assert.equal(bob.statusCode, 200, bob.body);
    const bobProof = bob.json().data[0] as ReservesProof;
    assert.deepEqual(verifyReservesProof(bobProof), { ok: true });
    assert.equal(bobProof.root, adaUsdc.root);
    assert.ok(!bob.body.includes(users.ada.id), "no other user's id");

    // The docs' standalone script (node:crypto only) agrees, on the API's answer as it comes.
    const script = docsVerifyScript();
    const checked = spawnSync(process.execPath, [script], { input: all.body, encoding: "utf8" });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /^USDC: INCLUDED — balance 100000000 /m);
    const tampered = JSON.parse(bob.body);
    tampered.data[0].leaf.balance = String(usdc(41));
    const refused = spawnSync(process.execPath, [script], { input: JSON.stringify(tampered), encoding: "utf8" });
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /^USDC: FAILED/m);

    const richer = structuredClone(bobProof);
    richer.leaf.balance = String(usdc(41));
    assert.equal(verifyReservesProof(richer).ok, false);
    const otherSibling = structuredClone(bobProof);
    otherSibling.path[0]!.hash = otherSibling.path[0]!.hash.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    assert.equal(verifyReservesProof(otherSibling).ok, false);
    const smallerSibling = structuredClone(bobProof);
    smallerSibling.path[0]!.sum = String(usdc(1));
    assert.equal(verifyReservesProof(smallerSibling).ok, false);

    const bobEth = await users.bob.client.get("/v1/wallet/reserves_proof?asset=ETH");
    assert.equal(bobEth.statusCode, 200, bobEth.body);
    assert.equal(bobEth.json().data[0].included, false);
    assert.equal(bobEth.json().data[0].leaf, null);
    assert.match(bobEth.json().data[0].note, /You held no ETH/);

    const cyd = await users.cyd.client.get("/v1/wallet/reserves_proof");
    assert.equal(cyd.statusCode, 200, cyd.body);
    assert.deepEqual(
      cyd.json().data.map((p: { included: boolean }) => p.included),
      [false, false],
    );
    const unknown = await users.cyd.client.get("/v1/wallet/reserves_proof?asset=DAI");
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json().error.param, "asset");
    assert.equal((await new WalletClient(app).get("/v1/wallet/reserves_proof")).statusCode, 401);
  });

  it("lets operators run a report now and list them newest first", async () => {
    assert.equal((await ops("reviewer", "POST", "/v1/ops/crypto/reserves_reports", { mode: "test" })).statusCode, 403);
    const live = await ops("admin", "POST", "/v1/ops/crypto/reserves_reports", { mode: "live" });
    assert.equal(live.statusCode, 409, live.body);
    assert.equal(live.json().error.code, "reserves_unavailable");
    const made = await ops("admin", "POST", "/v1/ops/crypto/reserves_reports", { mode: "test" });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().source, "operator");
    assert.equal(made.json().operator, "op_test_admin");
    assert.equal(made.json().ok, true);

    const listed = await ops("support", "GET", "/v1/ops/crypto/reserves_reports?mode=test&limit=2");
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.json().data[0].id, made.json().id);
    assert.equal(listed.json().has_more, true);
    const next = await ops(
      "support",
      "GET",
      `/v1/ops/crypto/reserves_reports?starting_after=${listed.json().data[1].id}`,
    );
    assert.equal(next.statusCode, 200, next.body);
    assert.ok(next.json().data.length >= 1);
  });

  it("fails, with an alert, when a custody address is drained behind coffer's back", async () => {
    const address = await services.crypto.addresses.findWalletAddress(db.pool, users.ada.id);
    const privateKey = await services.crypto.keys.privateKeyAt(false, address!.derivationIndex);
    const { connector } = running;
    const signed = await connector.signTransfer({
      privateKey,
      to: outsider,
      asset: "USDC",
      amount: usdc(50),
      nonce: await connector.nonceAt(address!.address, "pending"),
      fees: await connector.feeQuote(),
      gasLimit: await connector.gasLimitFor("USDC"),
    });
    await connector.broadcast(signed.raw);
    for (let i = 0; i < 50 && !(await connector.receipt(signed.hash)); i++) await chain.control.mine(1);
    assert.equal((await connector.receipt(signed.hash))?.status, "success");

    const report = await services.crypto.reserves.run(false, { source: "cli" });
    assert.equal(report.ok, false);
    const usdcFigures = report.assets.find((a) => a.asset === "USDC")!;
    assert.equal(usdcFigures.ok, false);
    assert.equal(usdcFigures.onChain, usdc(90));
    assert.equal(usdcFigures.liabilities.total, usdc(140));
    assert.equal(usdcFigures.shortfall, usdc(50));
    assert.equal(usdcFigures.custodyGapUnexplained, -usdc(50), "money gone that the ledger does not know of");
    // The gas came out of the same address: ETH that is owed to Ada.
    const ethFigures = report.assets.find((a) => a.asset === "ETH")!;
    assert.equal(ethFigures.ok, false);
    assert.ok(ethFigures.shortfall > 0n && ethFigures.shortfall < eth(1) / 100n);

    const alerts = await db.pool.query(
      "SELECT subject, details FROM crypto_alerts WHERE kind = 'reserves_shortfall' AND acknowledged_at IS NULL ORDER BY subject",
    );
    assert.deepEqual(
      alerts.rows.map((r) => r.subject),
      ["reserves:test:ETH", "reserves:test:USDC"],
    );
    assert.equal(alerts.rows[1].details.shortfall, String(usdc(50)));

    const cli = await verifyCli();
    assert.equal(cli.code, 1, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /OK: the books balance/, "the ledger itself is still consistent");
    assert.match(cli.stdout, /Reserves, test mode \(report rsv_\w+\): SHORTFALL/);
    assert.match(cli.stdout, /USDC \(sandbox\): SHORT by 50\.000000/);
    assert.match(cli.stdout, /custody gap\s+-50\.000000 \(unexplained -50\.000000\)/);
  });
});
