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
import { manualClock } from "../../clock.js";
import { type ChainConnector, ChainError, type Hex } from "../chain/connector.js";
import { outgoingReplaceAfterMsDefault, outgoingReplacementsMaxDefault } from "./service.js";

/**
 * The signer queue against a real hardhat node: what happens when sending goes wrong. Each case sends one
 * withdrawal from the hot wallet and checks the chain, the queue's row and the books.
 */
const ether = 10n ** 18n;
const amount = ether / 100n;

interface OutgoingState {
  status: string;
  nonce: bigint | null;
  tx_hash: Hex | null;
  replaced_hashes: Hex[];
  max_fee_per_gas: bigint | null;
  max_priority_fee_per_gas: bigint | null;
  attempts: number;
  network_fee: bigint | null;
  failure_code: string | null;
}

describe("signer queue", () => {
  const clock = manualClock(new Date());
  let world: OutgoingWorld;
  let user: TestModeWalletUser;

  before(async () => {
    world = await startOutgoingWorld({ clock });
    user = await testModeWalletUser(world);
    await depositTo(world, [
      { userId: user.id, asset: "ETH", amount: ether },
      { userId: user.id, asset: "USDC", amount: 1_000_000_000n },
    ]);
    await fundHotWallet(world, "ETH", 5n * ether);
  });

  after(async () => {
    await world.sandbox.control.setAutomine(true).catch(() => undefined);
    await world?.close();
  });

  async function withdraw(asset = "ETH", value = amount, to = externalAddress()) {
    const response = await user.client.post("/v1/wallet/crypto/withdrawals", {
      asset,
      amount: String(value),
      to_address: to,
    });
    assert.equal(response.statusCode, 201, response.body);
    return { id: response.json().id as string, to };
  }

  async function outgoingOf(withdrawalId: string): Promise<OutgoingState> {
    const found = await world.db.pool.query<OutgoingState>(
      `SELECT o.* FROM crypto_outgoing_transactions o JOIN crypto_withdrawals w ON w.outgoing_id = o.id
        WHERE w.id = $1`,
      [withdrawalId],
    );
    return found.rows[0]!;
  }

  async function statusOf(withdrawalId: string): Promise<string> {
    const found = await world.db.pool.query("SELECT status FROM crypto_withdrawals WHERE id = $1", [withdrawalId]);
    return found.rows[0].status;
  }

  const settled = (id: string) => async () => ["confirmed", "failed"].includes(await statusOf(id));

  /** The real connector with one call replaced. */
  function connectorWith(change: Partial<ChainConnector>) {
    return () => ({ ...world.chain.connector, ...change });
  }

  it("a failure before signing leaves the row queued with no nonce used", async () => {
    const nonceBefore = await world.chain.connector.nonceAt(world.hot, "latest");
    const { id } = await withdraw();
    const summary = await world.services.crypto.signer.runPass({
      connectorFor: connectorWith({
        feeQuote: async () => {
          throw new ChainError("rpc_unavailable", "the node is down (simulated)");
        },
      }),
    });
    assert.equal(summary.errors, 1);
    const queued = await outgoingOf(id);
    assert.equal(queued.status, "queued");
    assert.equal(queued.nonce, null);
    assert.equal(queued.tx_hash, null);

    await passUntil(world, settled(id));
    const done = await outgoingOf(id);
    assert.equal(done.status, "confirmed");
    assert.equal(done.nonce, BigInt(nonceBefore), "the nonce the failed pass did not use");
  });

  it("a crash after signing and before broadcasting sends the same transaction on the next pass", async () => {
    const nonceBefore = await world.chain.connector.nonceAt(world.hot, "latest");
    const { id, to } = await withdraw();
    const crashed = await world.services.crypto.signer.runPass({
      connectorFor: connectorWith({
        broadcast: async () => {
          throw new Error("the process died right after signing (simulated)");
        },
      }),
    });
    assert.equal(crashed.errors, 1);
    const signed = await outgoingOf(id);
    assert.equal(signed.status, "signed");
    assert.equal(signed.nonce, BigInt(nonceBefore));
    assert.match(signed.tx_hash ?? "", /^0x[0-9a-f]{64}$/);
    assert.equal(await world.chain.connector.transactionKnown(signed.tx_hash!), false, "nothing was sent");

    await passUntil(world, settled(id));
    const done = await outgoingOf(id);
    assert.equal(done.status, "confirmed");
    assert.equal(done.tx_hash, signed.tx_hash, "the stored transaction, not a new one");
    assert.equal(done.nonce, signed.nonce);
    assert.equal(await world.chain.connector.nonceAt(world.hot, "latest"), nonceBefore + 1, "sent once");
    assert.equal(await world.chain.connector.balanceOf(to, "ETH"), amount);
  });

  it("a stuck transaction is replaced with a higher fee and mined once", async () => {
    const { control } = world.sandbox;
    const nonceBefore = await world.chain.connector.nonceAt(world.hot, "latest");
    const hotBefore = await world.chain.connector.balanceOf(world.hot, "ETH");
    await control.setAutomine(false);
    const { id, to } = await withdraw();
    await world.services.crypto.signer.runPass();
    const first = await outgoingOf(id);
    assert.equal(first.status, "sent");
    assert.equal(await statusOf(id), "broadcast");
    assert.equal(await world.chain.connector.receipt(first.tx_hash!), null, "waiting in the pool");

    // Not yet stuck: nothing happens.
    assert.equal((await world.services.crypto.signer.runPass()).replaced, 0);
    clock.advance(outgoingReplaceAfterMsDefault + 1_000);
    assert.equal((await world.services.crypto.signer.runPass()).replaced, 1);
    const second = await outgoingOf(id);
    assert.equal(second.status, "sent");
    assert.equal(second.nonce, first.nonce);
    assert.notEqual(second.tx_hash, first.tx_hash);
    assert.deepEqual(second.replaced_hashes, [first.tx_hash]);
    assert.ok(second.max_fee_per_gas! * 1000n >= first.max_fee_per_gas! * 1125n, "max fee up by 12.5 % or more");
    assert.ok(second.max_priority_fee_per_gas! * 1000n >= first.max_priority_fee_per_gas! * 1125n, "tip too");
    assert.equal(await world.chain.connector.transactionKnown(first.tx_hash!), false, "the node replaced it");

    // Still not mined: replaced again each time, up to the limit; then operators are alerted instead.
    for (let replacements = 2; replacements <= outgoingReplacementsMaxDefault; replacements++) {
      clock.advance(outgoingReplaceAfterMsDefault + 1_000);
      assert.equal((await world.services.crypto.signer.runPass()).replaced, 1);
    }
    clock.advance(outgoingReplaceAfterMsDefault + 1_000);
    assert.equal((await world.services.crypto.signer.runPass()).replaced, 0);
    const last = await outgoingOf(id);
    assert.equal(last.replaced_hashes.length, outgoingReplacementsMaxDefault);
    const stuck = await world.db.pool.query(
      "SELECT details FROM crypto_alerts WHERE kind = 'withdrawal_stuck' AND acknowledged_at IS NULL",
    );
    assert.equal(stuck.rowCount, 1);
    assert.equal(stuck.rows[0].details.tx_hash, last.tx_hash);

    await control.mine(1);
    await control.setAutomine(true);
    await passUntil(world, settled(id));
    const done = await outgoingOf(id);
    assert.equal(done.status, "confirmed");
    assert.equal(done.tx_hash, last.tx_hash, "the last version is the one mined");
    for (const replaced of last.replaced_hashes) assert.equal(await world.chain.connector.receipt(replaced), null);
    const receipt = await world.chain.connector.receipt(last.tx_hash!);
    assert.equal(done.network_fee, receipt!.gasUsed * receipt!.effectiveGasPrice);
    assert.equal(await world.chain.connector.nonceAt(world.hot, "latest"), nonceBefore + 1, "mined once");
    assert.equal(await world.chain.connector.balanceOf(to, "ETH"), amount);
    assert.equal(await world.chain.connector.balanceOf(world.hot, "ETH"), hotBefore - amount - done.network_fee!);
    const broadcasts = await world.db.pool.query(
      "SELECT 1 FROM events WHERE type = 'crypto_withdrawal.broadcast' AND data->'object'->>'id' = $1",
      [id],
    );
    assert.equal(broadcasts.rowCount, 1 + outgoingReplacementsMaxDefault, "broadcast when sent and when replaced");
  });

  it("a transaction the node no longer knows is sent again as it was", async () => {
    const { control } = world.sandbox;
    await control.setAutomine(false);
    const { id } = await withdraw();
    await world.services.crypto.signer.runPass();
    const sent = await outgoingOf(id);
    assert.equal(sent.status, "sent");
    await control.dropTransaction(sent.tx_hash!);
    assert.equal(await world.chain.connector.transactionKnown(sent.tx_hash!), false);

    const summary = await world.services.crypto.signer.runPass();
    assert.equal(summary.resent, 1);
    assert.equal(await world.chain.connector.transactionKnown(sent.tx_hash!), true);
    await control.mine(1);
    await control.setAutomine(true);
    await passUntil(world, settled(id));
    const done = await outgoingOf(id);
    assert.equal(done.status, "confirmed");
    assert.equal(done.tx_hash, sent.tx_hash);
    assert.equal(done.attempts, 2);
  });

  it("a reverted transaction voids the holds, releases the limit, and its gas is still booked", async () => {
    // The user's USDC waits on their deposit address (not swept): the hot wallet holds none, so the transfer reverts.
    const value = 100_000_000n;
    const walletBefore = await walletBalance(world, user.id, "USDC");
    const usdcCustodyBefore = await bookBalance(world, "USDC", "custody");
    const ethCustodyBefore = await bookBalance(world, "ETH", "custody");
    const gasBefore = await bookBalance(world, "ETH", "network_fee");
    const { id, to } = await withdraw("USDC", value);
    assert.equal((await walletBalance(world, user.id, "USDC")).available < walletBefore.available, true, "held");

    await passUntil(world, settled(id));
    assert.equal(await statusOf(id), "failed");
    const done = await outgoingOf(id);
    assert.equal(done.status, "failed");
    assert.equal(done.failure_code, "reverted");
    const receipt = await world.chain.connector.receipt(done.tx_hash!);
    assert.equal(receipt?.status, "reverted");
    const gas = receipt!.gasUsed * receipt!.effectiveGasPrice;
    assert.equal(done.network_fee, gas);

    assert.deepEqual(await walletBalance(world, user.id, "USDC"), walletBefore, "the money is back");
    assert.equal(await bookBalance(world, "USDC", "custody"), usdcCustodyBefore);
    assert.equal(await bookBalance(world, "ETH", "network_fee"), gasBefore + gas);
    assert.equal(await bookBalance(world, "ETH", "custody"), ethCustodyBefore - gas);
    assert.equal(await world.chain.connector.balanceOf(to, "USDC"), 0n);
    const spent = await world.db.pool.query(
      "SELECT coalesce(sum(spent), 0) AS spent FROM wallet_spend_counters WHERE wallet_user_id = $1 AND currency = 'USDC'",
      [user.id],
    );
    assert.equal(BigInt(spent.rows[0].spent), 0n, "the amount no longer counts against the limits");
    const shown = await user.client.get(`/v1/wallet/crypto/withdrawals/${id}`);
    assert.equal(shown.json().status, "failed");
    assert.equal(shown.json().failure_code, "reverted");
    const alert = await world.db.pool.query(
      "SELECT 1 FROM crypto_alerts WHERE kind = 'withdrawal_failed' AND subject = $1",
      [`withdrawal:${id}`],
    );
    assert.equal(alert.rowCount, 1);
    const failed = await world.db.pool.query(
      "SELECT 1 FROM events WHERE type = 'crypto_withdrawal.failed' AND data->'object'->>'id' = $1",
      [id],
    );
    assert.equal(failed.rowCount, 1);
  });

  it("a transaction every node refuses fails, and its nonce goes to the next one: no gap", async () => {
    const nonceBefore = await world.chain.connector.nonceAt(world.hot, "latest");
    const walletBefore = await walletBalance(world, user.id, "ETH");
    const { id } = await withdraw();
    const summary = await world.services.crypto.signer.runPass({
      connectorFor: connectorWith({
        broadcast: async () => {
          throw new ChainError("rejected", "transaction type not supported (simulated)");
        },
      }),
    });
    assert.equal(summary.failed, 1);
    const refusedRow = await outgoingOf(id);
    assert.equal(refusedRow.status, "failed");
    assert.equal(refusedRow.failure_code, "rejected");
    assert.equal(refusedRow.nonce, BigInt(nonceBefore));
    assert.equal(await statusOf(id), "failed");
    assert.deepEqual(await walletBalance(world, user.id, "ETH"), walletBefore, "the hold was voided");

    const next = await withdraw();
    await passUntil(world, settled(next.id));
    const done = await outgoingOf(next.id);
    assert.equal(done.status, "confirmed");
    assert.equal(done.nonce, BigInt(nonceBefore), "the refused transaction's nonce, reused");
    assert.equal(await world.chain.connector.nonceAt(world.hot, "latest"), nonceBefore + 1);
  });

  it("a nonce used by a transaction that is none of ours fails the withdrawal as dropped", async () => {
    const { control } = world.sandbox;
    const walletBefore = await walletBalance(world, user.id, "ETH");
    await control.setAutomine(false);
    const { id, to } = await withdraw();
    await world.services.crypto.signer.runPass();
    const sent = await outgoingOf(id);
    assert.equal(sent.status, "sent");
    // Someone with the hot wallet's key sends another transaction with the same nonce, outbidding ours.
    const key = (await world.services.crypto.keys.hotWallet(false)).privateKey;
    const foreign = await world.chain.connector.signTransfer({
      privateKey: key,
      to: externalAddress(),
      asset: "ETH",
      amount: 1n,
      nonce: Number(sent.nonce),
      fees: { maxFeePerGas: sent.max_fee_per_gas! * 3n, maxPriorityFeePerGas: sent.max_priority_fee_per_gas! * 3n },
      gasLimit: 21_000n,
    });
    await world.chain.connector.broadcast(foreign.raw);
    await control.mine(1);
    await control.setAutomine(true);

    await passUntil(world, settled(id));
    const done = await outgoingOf(id);
    assert.equal(done.status, "failed");
    assert.equal(done.failure_code, "dropped");
    assert.equal(done.network_fee, 0n, "none of our versions was mined: no gas of ours");
    assert.equal(await world.chain.connector.balanceOf(to, "ETH"), 0n);
    assert.deepEqual(await walletBalance(world, user.id, "ETH"), walletBefore, "the hold was voided");
    assert.equal(await statusOf(id), "failed");
  });
});
