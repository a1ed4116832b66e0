import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { connectTestChain, startTestChain } from "../../test/helpers/chain.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import { testEmail } from "../../test/helpers/wallets.js";
import { withTransaction } from "../db/tx.js";
import { verifyLedger } from "../ledger/verify.js";
import { createLogger } from "../logging.js";
import type { Services } from "../runtime/services.js";
import type { SandboxChain } from "./chain/sandbox-node.js";
import { sandboxConfirmations } from "./config.js";
import { restoreOnNewSandboxChain } from "./sandbox-restart.js";

/**
 * `coffer start` in development runs a new sandbox chain each time (a hardhat node keeps its state in memory).
 * The test books of the last chain are put back on the new one, and following goes on from its head.
 */
describe("the sandbox chain after a restart", () => {
  let db: TestDatabase;
  let services: Services;
  const chains: SandboxChain[] = [];
  const log = createLogger({ level: "silent" });

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    services = createTestServices({ pool: db.pool });
    await services.secrets.warm();
  });
  after(async () => {
    await services?.close();
    await Promise.all(chains.map((chain) => chain.stop()));
    await db?.drop();
  });

  async function newWallet() {
    const { user } = await withTransaction(db.pool, (tx) =>
      services.wallets.users.createTestModeUser(
        tx,
        { email: testEmail("restart"), displayName: "Restart tester", tier: 1, frozen: false },
        null,
      ),
    );
    return { user, address: (await services.crypto.addresses.forWalletUser(user)).address };
  }

  async function balanceOf(userId: string, asset: string) {
    const account = await services.wallets.accounts.existingWalletAccountId(userId, asset);
    const balance = account === undefined ? undefined : await services.ledger.getBalance(account);
    return { posted: balance?.posted ?? 0n, pending: balance?.pending ?? 0n };
  }

  it("puts the test custody back on a new chain, voids deposits whose blocks are gone, and follows on", async () => {
    const first = await startTestChain();
    chains.push(first);
    let running = connectTestChain(services, first);
    assert.deepEqual(await restoreOnNewSandboxChain(services.crypto, running, log), { restored: false });
    const follow = () => services.crypto.deposits.follower.follow(running);
    await follow();

    const { user, address } = await newWallet();
    await first.control.sendNative(address, parseEther("2"));
    await first.control.mintToken(address, 30_000_000n);
    await first.control.mine(sandboxConfirmations);
    await follow();
    await follow();
    const late = await first.control.sendNative(address, parseEther("0.5"));
    await follow();
    assert.deepEqual(await balanceOf(user.id, "ETH"), { posted: parseEther("2"), pending: parseEther("0.5") });
    assert.deepEqual(await balanceOf(user.id, "USDC"), { posted: 30_000_000n, pending: 0n });

    // The restart: the first chain is gone, a new one runs under the same name.
    await first.stop();
    services.crypto.chains.unregister(running.config.name);
    const second = await startTestChain();
    chains.push(second);
    running = connectTestChain(services, second);
    assert.deepEqual(await restoreOnNewSandboxChain(services.crypto, running, log), { restored: true });
    // Once is enough: the cursor is on the new chain now.
    assert.deepEqual(await restoreOnNewSandboxChain(services.crypto, running, log), { restored: false });

    const lost = await db.pool.query("SELECT status FROM crypto_deposits WHERE tx_hash = $1", [late]);
    assert.equal(lost.rows[0]?.status, "orphaned", "the deposit still waiting for confirmations lost its block");
    assert.deepEqual(await balanceOf(user.id, "ETH"), { posted: parseEther("2"), pending: 0n });
    assert.deepEqual(await balanceOf(user.id, "USDC"), { posted: 30_000_000n, pending: 0n });

    // Custody is on the new chain, in the hot wallet: the books equal the chain again.
    const hot = await services.crypto.keys.hotWallet(false);
    assert.equal(await running.connector.balanceOf(hot.address, "ETH"), parseEther("2"));
    assert.equal(await running.connector.balanceOf(hot.address, "USDC"), 30_000_000n);
    assert.deepEqual((await verifyLedger(db.pool, { ledger: "test" })).violations, []);

    // The restoring mint is not a deposit; a new deposit on the new chain is.
    await follow();
    assert.deepEqual(await balanceOf(user.id, "USDC"), { posted: 30_000_000n, pending: 0n });
    await second.control.mintToken(address, 5_000_000n);
    await second.control.mine(sandboxConfirmations);
    await follow();
    await follow();
    assert.deepEqual(await balanceOf(user.id, "USDC"), { posted: 35_000_000n, pending: 0n });
  });
});
