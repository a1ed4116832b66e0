import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  bookBalance,
  depositTo,
  externalAddress,
  fundHotWallet,
  type OutgoingWorld,
  passUntil,
  startOutgoingWorld,
  type TestModeWalletUser,
  testModeWalletUser,
  walletBalance,
} from "../../../test/helpers/crypto-outgoing.js";
import type { Address } from "../chain/connector.js";

/**
 * Sweeps against a real hardhat node, end to end: an ERC-20 deposit is credited, swept into the hot wallet (gas
 * top-up first, then the token transfer) and withdrawn from there; a native deposit is swept directly. The chain's
 * balances of every custody address equal the ledger's custody at the end.
 */
const ether = 10n ** 18n;
const usdc = 1_000_000n;

describe("sweeps", () => {
  let world: OutgoingWorld;
  let tokenHolder: TestModeWalletUser;
  let coinHolder: TestModeWalletUser;
  const addressOf = async (user: TestModeWalletUser) =>
    (await world.services.crypto.addresses.forWalletUser({ id: user.id, livemode: false })).address;

  before(async () => {
    world = await startOutgoingWorld();
    tokenHolder = await testModeWalletUser(world);
    coinHolder = await testModeWalletUser(world);
    await depositTo(world, [
      { userId: tokenHolder.id, asset: "USDC", amount: 500n * usdc },
      { userId: coinHolder.id, asset: "ETH", amount: ether / 2n },
    ]);
    // Above the sandbox hot wallet's 100 ETH limit: the sweep pass alerts operators.
    await fundHotWallet(world, "ETH", 120n * ether);
  });

  after(async () => {
    await world?.close();
  });

  async function sweepsOf(address: Address) {
    const found = await world.db.pool.query<{ id: string; asset: string; status: string; gas_topup: bigint }>(
      "SELECT id, asset, status, gas_topup FROM crypto_sweeps WHERE address = $1 ORDER BY created_at",
      [address],
    );
    return found.rows;
  }

  async function custodyOnChain(asset: string, addresses: Address[]): Promise<bigint> {
    let total = 0n;
    for (const address of addresses) total += await world.chain.connector.balanceOf(address, asset);
    return total;
  }

  it("sweeps an ERC-20 deposit (gas top-up, then the tokens) and a native one, then withdraws from the hot wallet", async () => {
    const { connector } = world.chain;
    const tokenAddress = await addressOf(tokenHolder);
    const coinAddress = await addressOf(coinHolder);
    const custody = [world.hot, tokenAddress, coinAddress];
    const usdcCustodyBefore = await bookBalance(world, "USDC", "custody");
    const ethCustodyBefore = await bookBalance(world, "ETH", "custody");
    const walletsBefore = {
      usdc: await walletBalance(world, tokenHolder.id, "USDC"),
      eth: await walletBalance(world, coinHolder.id, "ETH"),
    };

    const pass = await world.services.crypto.sweeps.runPass();
    assert.equal(pass.started, 2);
    assert.equal(pass.alerts, 1, "the hot wallet is above its ETH limit");
    const limitAlert = await world.db.pool.query(
      "SELECT details FROM crypto_alerts WHERE kind = 'hot_wallet_limit' AND acknowledged_at IS NULL",
    );
    assert.equal(limitAlert.rows[0].details.asset, "ETH");
    const [tokenSweep] = await sweepsOf(tokenAddress);
    assert.equal(tokenSweep?.asset, "USDC");
    assert.equal(tokenSweep?.status, "topping_up");
    assert.ok(tokenSweep!.gas_topup > 0n);
    const [coinSweep] = await sweepsOf(coinAddress);
    assert.equal(coinSweep?.status, "sweeping");
    assert.equal((await world.services.crypto.sweeps.runPass()).started, 0, "one sweep at a time per address");

    const swept = async () => {
      const open = await world.db.pool.query("SELECT 1 FROM crypto_sweeps WHERE id = ANY($1) AND status <> 'swept'", [
        [tokenSweep!.id, coinSweep!.id],
      ]);
      return open.rowCount === 0;
    };
    await passUntil(world, swept, { passes: 20 });

    assert.equal(await connector.balanceOf(tokenAddress, "USDC"), 0n);
    assert.equal(await connector.balanceOf(world.hot, "USDC"), 500n * usdc);
    const steps = await world.db.pool.query<{ purpose: string; from_address: string; network_fee: bigint }>(
      `SELECT purpose, from_address, network_fee FROM crypto_outgoing_transactions
        WHERE purpose_id = ANY($1) ORDER BY seq`,
      [[tokenSweep!.id, coinSweep!.id]],
    );
    assert.deepEqual(steps.rows.map((row) => row.purpose).sort(), ["gas_topup", "sweep", "sweep"]);
    const topup = steps.rows.find((row) => row.purpose === "gas_topup")!;
    assert.equal(topup.from_address, world.hot, "the hot wallet pays the gas");
    const gas = steps.rows.reduce((sum, row) => sum + row.network_fee, 0n);
    assert.ok(gas > 0n);

    // Money only changed address: custody and the wallets are as before, except the gas, booked as network fee.
    assert.equal(await bookBalance(world, "USDC", "custody"), usdcCustodyBefore);
    assert.equal(await bookBalance(world, "ETH", "custody"), ethCustodyBefore - gas);
    assert.equal(await bookBalance(world, "ETH", "network_fee"), gas);
    assert.deepEqual(await walletBalance(world, tokenHolder.id, "USDC"), walletsBefore.usdc);
    assert.deepEqual(await walletBalance(world, coinHolder.id, "ETH"), walletsBefore.eth);
    // The follower does not take our own transfers for deposits.
    await world.services.crypto.deposits.follower.follow(world.chain, { leaseWaitMs: 5_000 });
    assert.equal(await bookBalance(world, "USDC", "custody"), usdcCustodyBefore);

    // The swept tokens leave through a withdrawal.
    const to = externalAddress();
    const withdrawal = await tokenHolder.client.post("/v1/wallet/crypto/withdrawals", {
      asset: "USDC",
      amount: String(200n * usdc),
      to_address: to,
    });
    assert.equal(withdrawal.statusCode, 201, withdrawal.body);
    const id = withdrawal.json().id as string;
    await passUntil(world, async () => {
      const found = await world.db.pool.query("SELECT status FROM crypto_withdrawals WHERE id = $1", [id]);
      return found.rows[0].status === "confirmed";
    });
    const fee = world.chain.config.assets.find((a) => a.code === "USDC")!.withdrawalFeeMinor;
    assert.equal(await connector.balanceOf(to, "USDC"), 200n * usdc);
    assert.equal(await connector.balanceOf(world.hot, "USDC"), 300n * usdc);
    assert.equal((await walletBalance(world, tokenHolder.id, "USDC")).posted, 500n * usdc - 200n * usdc - fee);

    // The books and the chain agree on what coffer holds, to the smallest unit.
    assert.equal(await bookBalance(world, "USDC", "custody"), await custodyOnChain("USDC", custody));
    assert.equal(await bookBalance(world, "ETH", "custody"), await custodyOnChain("ETH", custody));
  });

  it("a sweep whose transfer fails alerts operators (sweep_failed)", async () => {
    const holder = await testModeWalletUser(world);
    await depositTo(world, [{ userId: holder.id, asset: "USDC", amount: 50n * usdc }]);
    const address = await addressOf(holder);
    await world.services.crypto.sweeps.runPass();
    const [sweep] = await sweepsOf(address);
    assert.equal(sweep?.status, "topping_up");
    await passUntil(world, async () => (await sweepsOf(address))[0]?.status === "sweeping");

    // Before the token transfer is signed, the tokens leave the address behind coffer's back: the sweep reverts.
    const index = (await world.services.crypto.addresses.get(address))!.derivationIndex;
    const key = await world.services.crypto.keys.privateKeyAt(false, index);
    const { connector } = world.chain;
    const fees = await connector.feeQuote();
    const elsewhere = await connector.signTransfer({
      privateKey: key,
      to: world.hot,
      asset: "USDC",
      amount: 50n * usdc,
      nonce: await connector.nonceAt(address, "pending"),
      fees,
      gasLimit: await connector.gasLimitFor("USDC"),
    });
    await connector.broadcast(elsewhere.raw);

    await passUntil(world, async () => (await sweepsOf(address))[0]?.status === "failed");
    const alert = await world.db.pool.query(
      "SELECT details FROM crypto_alerts WHERE kind = 'sweep_failed' AND subject = $1",
      [`sweep:${sweep!.id}`],
    );
    assert.equal(alert.rowCount, 1);
    assert.equal(alert.rows[0].details.step, "sweep");
  });
});
