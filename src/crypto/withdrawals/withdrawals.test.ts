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
import type { Hex } from "../chain/connector.js";

/**
 * Crypto withdrawals against a real hardhat node: many at once through the API, all mined from the hot wallet with
 * consecutive nonces, and the books exact to the wei.
 */
const ether = 10n ** 18n;
const usersCount = 5;
const withdrawalsPerUser = 10;
const amount = ether / 100n; // 0.01 ETH each

describe("crypto withdrawals", () => {
  let world: OutgoingWorld;
  const users: TestModeWalletUser[] = [];

  before(async () => {
    world = await startOutgoingWorld();
    for (let i = 0; i < usersCount; i++) users.push(await testModeWalletUser(world));
    await depositTo(
      world,
      users.map((user) => ({ userId: user.id, asset: "ETH" as const, amount: ether })),
    );
    await fundHotWallet(world, "ETH", 5n * ether);
  });

  after(async () => {
    await world?.close();
  });

  it("50 concurrent withdrawals are all mined with consecutive nonces, no gaps, and the books are exact", async () => {
    const fee = world.chain.config.assets.find((a) => a.code === "ETH")!.withdrawalFeeMinor;
    const walletsBefore = await Promise.all(users.map((user) => walletBalance(world, user.id, "ETH")));
    const custodyBefore = await bookBalance(world, "ETH", "custody");
    const hotBefore = await world.chain.connector.balanceOf(world.hot, "ETH");

    const requests = users.flatMap((user) =>
      Array.from({ length: withdrawalsPerUser }, () => ({ user, to: externalAddress() })),
    );
    const answers = await Promise.all(
      requests.map(({ user, to }) =>
        user.client.post("/v1/wallet/crypto/withdrawals", { asset: "ETH", amount: String(amount), to_address: to }),
      ),
    );
    for (const answer of answers) assert.equal(answer.statusCode, 201, answer.body);
    const ids = answers.map((answer) => answer.json().id as string);
    assert.equal(new Set(ids).size, requests.length);
    for (const answer of answers) {
      assert.equal(answer.json().status, "pending");
      assert.equal(answer.json().fee, String(fee));
    }
    // Held at once: each wallet's available balance is down by amount + fee per withdrawal.
    for (const [i, user] of users.entries()) {
      const now = await walletBalance(world, user.id, "ETH");
      assert.equal(now.available, walletsBefore[i]!.available - BigInt(withdrawalsPerUser) * (amount + fee));
    }

    const confirmedAll = async () => {
      const open = await world.db.pool.query(
        "SELECT 1 FROM crypto_withdrawals WHERE status <> 'confirmed' AND id = ANY($1)",
        [ids],
      );
      return open.rowCount === 0;
    };
    await passUntil(world, confirmedAll);

    const rows = await world.db.pool.query<{ nonce: bigint; tx_hash: Hex; to_address: string; network_fee: bigint }>(
      `SELECT o.nonce, o.tx_hash, o.to_address, o.network_fee FROM crypto_withdrawals w
         JOIN crypto_outgoing_transactions o ON o.id = w.outgoing_id WHERE w.id = ANY($1) ORDER BY o.nonce`,
      [ids],
    );
    assert.deepEqual(
      rows.rows.map((row) => Number(row.nonce)),
      Array.from({ length: requests.length }, (_, i) => i),
      "nonces 0…49, each once",
    );
    assert.equal(await world.chain.connector.nonceAt(world.hot, "latest"), requests.length);
    let gas = 0n;
    for (const row of rows.rows) {
      const receipt = await world.chain.connector.receipt(row.tx_hash);
      assert.equal(receipt?.status, "success");
      assert.equal(row.network_fee, receipt!.gasUsed * receipt!.effectiveGasPrice);
      gas += row.network_fee;
      assert.equal(await world.chain.connector.balanceOf(row.to_address as Hex, "ETH"), amount);
    }

    const total = BigInt(requests.length) * amount;
    for (const [i, user] of users.entries()) {
      const now = await walletBalance(world, user.id, "ETH");
      const debited = BigInt(withdrawalsPerUser) * (amount + fee);
      assert.equal(now.posted, walletsBefore[i]!.posted - debited, "wallet debited amount + fee per withdrawal");
      assert.equal(now.available, now.posted, "no hold is left");
    }
    assert.equal(await bookBalance(world, "ETH", "custody"), custodyBefore - total - gas, "custody: amounts + gas");
    assert.equal(await bookBalance(world, "ETH", "network_fee"), gas);
    assert.equal(await bookBalance(world, "ETH", "withdrawal_fee"), BigInt(requests.length) * fee);
    assert.equal(await world.chain.connector.balanceOf(world.hot, "ETH"), hotBefore - total - gas, "the chain agrees");

    // Through the API: the transaction, its nonce and its confirmations; the events of its life.
    const user = users[0]!;
    const shown = await user.client.get(`/v1/wallet/crypto/withdrawals/${ids[0]}`);
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().status, "confirmed");
    assert.match(shown.json().tx_hash, /^0x[0-9a-f]{64}$/);
    assert.equal(typeof shown.json().nonce, "number");
    assert.ok(shown.json().confirmations >= 3);
    const listed = await user.client.get("/v1/wallet/crypto/withdrawals?limit=100");
    assert.equal(listed.json().data.length, withdrawalsPerUser);
    const events = await world.db.pool.query<{ type: string }>(
      "SELECT type FROM events WHERE wallet_user_id = $1 AND type LIKE 'crypto_withdrawal.%'",
      [user.id],
    );
    const count = (type: string) => events.rows.filter((row) => row.type === type).length;
    assert.equal(count("crypto_withdrawal.created"), withdrawalsPerUser);
    assert.equal(count("crypto_withdrawal.broadcast"), withdrawalsPerUser);
    assert.equal(count("crypto_withdrawal.confirmed"), withdrawalsPerUser);

    // Operators: the hot wallet as the chain and the books see it.
    const ops = await world.app.inject({
      method: "GET",
      url: "/v1/ops/crypto/hot_wallet",
      headers: { "x-test-operator": "admin" },
    });
    assert.equal(ops.statusCode, 200, ops.body);
    const eth = ops.json().data.find((row: { asset: string }) => row.asset === "ETH");
    assert.equal(eth.hot_wallet_address, world.hot);
    assert.equal(eth.on_chain_balance, String(hotBefore - total - gas));
    assert.equal(eth.next_nonce, requests.length);
    assert.equal(eth.queued + eth.sent, 0);
    const confirmedList = await world.app.inject({
      method: "GET",
      url: "/v1/ops/crypto/withdrawals?status=confirmed&limit=100",
      headers: { "x-test-operator": "support" },
    });
    assert.equal(confirmedList.json().data.length, requests.length);
  });
});
