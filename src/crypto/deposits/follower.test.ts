import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { connectTestChain, startTestChain } from "../../../test/helpers/chain.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { createTestServices } from "../../../test/helpers/services.js";
import { testEmail } from "../../../test/helpers/wallets.js";
import { withTransaction } from "../../db/tx.js";
import type { TransferInput } from "../../ledger/model.js";
import { transferIdFor } from "../../ledger/model.js";
import type { LedgerService } from "../../ledger/service.js";
import { verifyLedger } from "../../ledger/verify.js";
import type { Services } from "../../runtime/services.js";
import type { Address, Hex } from "../chain/connector.js";
import type { SandboxChain } from "../chain/sandbox-node.js";
import type { RunningChain } from "../chains.js";
import { sandboxConfirmations } from "../config.js";
import type { CryptoDeps, DepositHandler } from "../deps.js";
import { createBlockFollower } from "./follower.js";
import { createHotWalletDepositHandler, createWalletDepositHandler } from "./handlers.js";

/**
 * The block follower against a real hardhat node: deposits in ETH and the test USDC, dust, confirmations,
 * reorganisations (orphaned, reversed, mined again), a crash in the middle of a block, two followers at once.
 * After each test the books are exact: the ledger verifies, and custody equals what the chain holds.
 */
describe("crypto deposits: the block follower", () => {
  let db: TestDatabase;
  let services: Services;
  let chain: SandboxChain;
  let running: RunningChain;
  let funder: Address;

  before(async () => {
    [db, chain] = await Promise.all([createTestDatabase({ poolSize: 20 }), startTestChain()]);
    services = createTestServices({ pool: db.pool });
    running = connectTestChain(services, chain);
    // As `coffer start` does: the first data key exists before the custody seed is encrypted.
    await services.secrets.warm();
    funder = privateKeyToAccount(chain.funderPrivateKey).address;
  });
  after(async () => {
    await services?.close();
    await chain?.stop();
    await db?.drop();
  });

  const follow = () => services.crypto.deposits.follower.follow(running);

  /** Back to the snapshot, and as many new blocks: the blocks after it that had transactions get new hashes. */
  async function reorg(snapshot: Hex, blocks: number) {
    await chain.control.revert(snapshot);
    await chain.control.mine(blocks);
  }

  /** A test-mode wallet user (as the sandbox makes its test payers) and its deposit address. */
  async function newWallet() {
    const { user } = await withTransaction(db.pool, (tx) =>
      services.wallets.users.createTestModeUser(
        tx,
        { email: testEmail("crypto"), displayName: "Crypto tester", tier: 1, frozen: false },
        null,
      ),
    );
    const address = await services.crypto.addresses.forWalletUser(user);
    return { id: user.id, address: address.address };
  }

  async function walletBalance(userId: string, asset: string) {
    const account = await services.wallets.accounts.existingWalletAccountId(userId, asset);
    const balance = account === undefined ? undefined : await services.ledger.getBalance(account);
    return { posted: balance?.posted ?? 0n, pending: balance?.pending ?? 0n, available: balance?.available ?? 0n };
  }

  async function deposit(txHash: Hex) {
    const found = await db.pool.query(
      "SELECT id, status, inclusion, amount, block_number FROM crypto_deposits WHERE tx_hash = $1",
      [txHash],
    );
    return found.rows[0] as { id: string; status: string; inclusion: number; amount: string } | undefined;
  }

  async function events(userId: string): Promise<string[]> {
    const found = await db.pool.query("SELECT type FROM events WHERE wallet_user_id = $1 ORDER BY seq", [userId]);
    return found.rows.map((row) => row.type as string).filter((type) => type.startsWith("crypto_deposit."));
  }

  /** The ledger proves itself, and custody (posted and pending) equals the chain's balances less dust. */
  async function assertBooksExact() {
    const report = await verifyLedger(db.pool, { ledger: "test" });
    assert.deepEqual(report.violations, []);
    const addresses = await services.crypto.addresses.list(false);
    for (const asset of running.config.assets) {
      let onChain = 0n;
      for (const { address } of addresses) onChain += await running.connector.balanceOf(address, asset.code);
      const dust = await db.pool.query(
        "SELECT coalesce(sum(amount), 0) AS total FROM crypto_deposits WHERE status = 'dust' AND asset = $1",
        [asset.code],
      );
      const custodyId = await services.crypto.accounts.existingAccountId(
        false,
        running.config.name,
        asset.code,
        "custody",
      );
      const custody = custodyId === undefined ? undefined : await services.ledger.getBalance(custodyId);
      const booked = (custody?.posted ?? 0n) + (custody?.pending ?? 0n);
      assert.equal(booked, onChain - BigInt(dust.rows[0].total), `custody of ${asset.code} equals the chain`);
    }
  }

  /** The funder signs a transfer itself, so the same signed transaction can be sent again after a reorg. */
  async function signedTransfer(to: Address, value: bigint) {
    const wallet = createWalletClient({
      account: privateKeyToAccount(chain.funderPrivateKey),
      transport: http(chain.rpcUrl),
    });
    const request = await wallet.prepareTransactionRequest({ chain: null, to, value });
    const raw = await wallet.signTransaction({ ...request, chain: null } as never);
    const send = async () =>
      (await fetch(chain.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] }),
      }).then((r) => r.json())) as { result?: Hex; error?: unknown };
    return { send };
  }

  it("credits an ETH deposit as pending at first sight and available after its confirmations", async () => {
    const user = await newWallet();
    // The first pass anchors the cursor below the head.
    await follow();
    const amount = parseEther("1.5");
    const txHash = await chain.control.sendNative(user.address, amount);

    await follow();
    assert.equal((await deposit(txHash))?.status, "pending");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: amount, available: 0n });

    for (let block = 2; block < sandboxConfirmations; block++) {
      await chain.control.mine(1);
      await follow();
      assert.equal((await deposit(txHash))?.status, "pending", `${block} confirmations are not enough`);
    }
    await chain.control.mine(1);
    await follow();
    assert.equal((await deposit(txHash))?.status, "available");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: amount, pending: 0n, available: amount });
    assert.deepEqual(await events(user.id), ["crypto_deposit.pending", "crypto_deposit.available"]);
    // Following again changes nothing.
    await follow();
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: amount, pending: 0n, available: amount });
    await assertBooksExact();
  });

  it("credits ERC-20 deposits (minted and sent), and records dust without crediting it", async () => {
    const user = await newWallet();
    await chain.control.mintToken(funder, 5_000_000n);
    // All in one block.
    await chain.control.setAutomine(false);
    const minted = await chain.control.mintToken(user.address, 25_000_000n);
    const sent = await chain.control.sendToken(user.address, 4_000_000n);
    const dust = await chain.control.sendNative(user.address, 10n ** 11n);
    const tokenDust = await chain.control.mintToken(user.address, 9_999n);
    await chain.control.mine(1);
    await chain.control.setAutomine(true);
    await follow();
    assert.equal((await deposit(minted))?.status, "pending");
    assert.equal((await deposit(sent))?.status, "pending");
    assert.equal((await deposit(dust))?.status, "dust");
    assert.equal((await deposit(tokenDust))?.status, "dust");
    assert.deepEqual(await walletBalance(user.id, "USDC"), { posted: 0n, pending: 29_000_000n, available: 0n });

    await chain.control.mine(sandboxConfirmations - 1);
    await follow();
    assert.equal((await deposit(minted))?.status, "available");
    assert.equal((await deposit(dust))?.status, "dust");
    assert.deepEqual(await walletBalance(user.id, "USDC"), {
      posted: 29_000_000n,
      pending: 0n,
      available: 29_000_000n,
    });
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: 0n, available: 0n });
    const types = await events(user.id);
    assert.equal(types.filter((t) => t === "crypto_deposit.dust").length, 2);
    assert.equal(types.filter((t) => t === "crypto_deposit.available").length, 2);
    await assertBooksExact();
  });

  it("voids a pending deposit whose block a reorg drops, and keeps the books exact", async () => {
    const user = await newWallet();
    await follow();
    const snapshot = await chain.control.snapshot();
    const txHash = await chain.control.sendNative(user.address, parseEther("2"));
    await follow();
    assert.equal((await deposit(txHash))?.status, "pending");

    await reorg(snapshot, 2);
    await follow();
    assert.equal((await deposit(txHash))?.status, "orphaned");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: 0n, available: 0n });
    assert.deepEqual(await events(user.id), ["crypto_deposit.pending", "crypto_deposit.orphaned"]);
    await chain.control.mine(sandboxConfirmations);
    await follow();
    assert.equal((await deposit(txHash))?.status, "orphaned");
    await assertBooksExact();
  });

  it("credits a transaction mined again after a reorg once", async () => {
    const user = await newWallet();
    await follow();
    const amount = parseEther("0.75");
    const snapshot = await chain.control.snapshot();
    const transfer = await signedTransfer(user.address, amount);
    const txHash = (await transfer.send()).result!;
    await follow();
    assert.equal((await deposit(txHash))?.status, "pending");

    await reorg(snapshot, 1);
    await follow();
    assert.equal((await deposit(txHash))?.status, "orphaned");
    // The same signed transaction, in a new block.
    assert.equal((await transfer.send()).result, txHash);
    await chain.control.mine(sandboxConfirmations);
    await follow();
    const again = await deposit(txHash);
    assert.equal(again?.status, "available");
    assert.equal(again?.inclusion, 2);
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: amount, pending: 0n, available: amount });
    assert.deepEqual(await events(user.id), [
      "crypto_deposit.pending",
      "crypto_deposit.orphaned",
      "crypto_deposit.pending",
      "crypto_deposit.available",
    ]);
    await assertBooksExact();
  });

  it("reverses an available deposit a reorg drops, alerts operators, and credits it once when mined again", async () => {
    const user = await newWallet();
    const other = await newWallet();
    await follow();
    const amount = parseEther("3");
    const spent = parseEther("1");
    const snapshot = await chain.control.snapshot();
    const transfer = await signedTransfer(user.address, amount);
    const txHash = (await transfer.send()).result!;
    await chain.control.mine(sandboxConfirmations - 1);
    await follow();
    const credited = await deposit(txHash);
    assert.equal(credited?.status, "available");

    // The user spends part of it inside coffer before the reorg.
    const from = await services.wallets.accounts.walletAccountId({ id: user.id, livemode: false }, "ETH");
    const to = await services.wallets.accounts.walletAccountId({ id: other.id, livemode: false }, "ETH");
    const [moved] = await services.ledger.createTransfers([
      {
        id: transferIdFor(user.id, "test_spend"),
        debitAccountId: from,
        creditAccountId: to,
        amount: spent,
        code: "wallet_transfer",
      },
    ]);
    assert.equal(moved?.code, "ok");

    await reorg(snapshot, sandboxConfirmations + 1);
    await follow();
    assert.equal((await deposit(txHash))?.status, "reversed");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: 0n, available: 0n });
    const loss = await services.crypto.accounts.existingAccountId(false, running.config.name, "ETH", "reorg_loss");
    assert.equal((await services.ledger.getBalance(loss!))?.posted, spent);
    const alerts = await services.crypto.alerts.list({ open: true, limit: 100 });
    const alert = alerts.find((a) => a.subject === credited!.id);
    assert.equal(alert?.kind, "reorg_reversal");
    assert.equal(alert?.details.reorg_loss, spent.toString());
    await assertBooksExact();

    // Mined again: the loss is recovered first, the rest credited, so the user has the amount once in all.
    assert.equal((await transfer.send()).result, txHash);
    await chain.control.mine(sandboxConfirmations);
    await follow();
    assert.equal((await deposit(txHash))?.status, "available");
    assert.deepEqual(await walletBalance(user.id, "ETH"), {
      posted: amount - spent,
      pending: 0n,
      available: amount - spent,
    });
    assert.equal((await services.ledger.getBalance(loss!))?.posted, 0n);
    assert.deepEqual((await events(user.id)).slice(-3), [
      "crypto_deposit.reversed",
      "crypto_deposit.pending",
      "crypto_deposit.available",
    ]);
    await assertBooksExact();
  });

  it("reverses two available deposits of one wallet that spent part of them, each from what is left", async () => {
    const user = await newWallet();
    const other = await newWallet();
    await follow();
    const snapshot = await chain.control.snapshot();
    const first = await chain.control.sendNative(user.address, parseEther("1"));
    const second = await chain.control.sendNative(user.address, parseEther("1"));
    await chain.control.mine(sandboxConfirmations);
    await follow();
    const from = await services.wallets.accounts.walletAccountId({ id: user.id, livemode: false }, "ETH");
    const to = await services.wallets.accounts.walletAccountId({ id: other.id, livemode: false }, "ETH");
    const lossBefore = await reorgLoss();
    const [moved] = await services.ledger.createTransfers([
      {
        id: transferIdFor(user.id, "test_spend"),
        debitAccountId: from,
        creditAccountId: to,
        amount: parseEther("1.5"),
        code: "wallet_transfer",
      },
    ]);
    assert.equal(moved?.code, "ok");

    await reorg(snapshot, sandboxConfirmations + 2);
    await follow();
    assert.equal((await deposit(first))?.status, "reversed");
    assert.equal((await deposit(second))?.status, "reversed");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: 0n, available: 0n });
    assert.equal((await reorgLoss()) - lossBefore, parseEther("1.5"));
    await assertBooksExact();
  });

  async function reorgLoss(): Promise<bigint> {
    const loss = await services.crypto.accounts.existingAccountId(false, running.config.name, "ETH", "reorg_loss");
    return loss === undefined ? 0n : ((await services.ledger.getBalance(loss))?.posted ?? 0n);
  }

  /** A follower of its own over the same database, as another process would be; `ledger` may be a faulty one. */
  function otherFollower(ledger: LedgerService = services.ledger, submissionTransfersMax?: number) {
    const deps: CryptoDeps = { ...services.crypto, ledger };
    const handlers = new Map<string, DepositHandler>([
      ["wallet", createWalletDepositHandler(deps)],
      ["hot", createHotWalletDepositHandler(deps)],
    ]);
    return createBlockFollower({ ...deps, handlerFor: (kind) => handlers.get(kind), submissionTransfersMax });
  }

  it("takes a block larger than one submission in parts, the cursor moving with the last, and resumes after a crash", async () => {
    const user = await newWallet();
    await follow();
    const amount = parseEther("0.1");
    await chain.control.setAutomine(false);
    const txHashes = [
      await chain.control.sendNative(user.address, amount),
      await chain.control.sendNative(user.address, amount),
      await chain.control.sendNative(user.address, amount),
    ];
    await chain.control.mine(1);
    await chain.control.setAutomine(true);
    const cursorBefore = await services.crypto.deposits.follower.readCursor(running);

    // One transfer per submission; the process dies before its second.
    let submissions = 0;
    const diesAfterOnePart: LedgerService = {
      ...services.ledger,
      createTransfers: (transfers, hook) => {
        submissions++;
        if (submissions > 1) return Promise.reject(new Error("killed between parts"));
        return services.ledger.createTransfers(transfers, hook);
      },
    };
    await assert.rejects(otherFollower(diesAfterOnePart, 1).step(running), /killed between parts/);
    const statuses = await Promise.all(txHashes.map(async (hash) => (await deposit(hash))?.status));
    assert.deepEqual(statuses, ["pending", undefined, undefined]);
    assert.deepEqual(await services.crypto.deposits.follower.readCursor(running), cursorBefore);

    // A fresh follower, still splitting, reads the block again and writes only what is missing.
    await otherFollower(services.ledger, 1).follow(running);
    await chain.control.mine(sandboxConfirmations - 1);
    await follow();
    for (const hash of txHashes) assert.equal((await deposit(hash))?.status, "available");
    assert.deepEqual(await walletBalance(user.id, "ETH"), {
      posted: amount * 3n,
      pending: 0n,
      available: amount * 3n,
    });
    await assertBooksExact();
  });

  it("neither misses nor double-credits a deposit when following crashes in the middle of a block", async () => {
    const user = await newWallet();
    await follow();
    const amount = parseEther("0.4");
    const txHash = await chain.control.sendNative(user.address, amount);

    // Dies between reading the block and committing: the submission never reaches the database.
    const diesBeforeCommit: LedgerService = {
      ...services.ledger,
      createTransfers: async () => {
        throw new Error("killed before commit");
      },
    };
    await assert.rejects(otherFollower(diesBeforeCommit).step(running), /killed before commit/);
    assert.equal(await deposit(txHash), undefined);

    // Dies inside the batch, after the transfers and the deposit's rows were written: all of it rolls back.
    const diesInHook: LedgerService = {
      ...services.ledger,
      createTransfers: (transfers: readonly TransferInput[], hook) =>
        services.ledger.createTransfers(transfers, async (tx, results) => {
          await hook?.(tx, results);
          throw new Error("killed in the hook");
        }),
    };
    await assert.rejects(otherFollower(diesInHook).step(running), /killed in the hook/);
    assert.equal(await deposit(txHash), undefined);
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: 0n, pending: 0n, available: 0n });

    // A fresh follower (a restarted process) takes the block in once.
    const restarted = otherFollower();
    await restarted.follow(running);
    await chain.control.mine(sandboxConfirmations);
    await restarted.follow(running);
    await otherFollower().follow(running);
    assert.equal((await deposit(txHash))?.status, "available");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: amount, pending: 0n, available: amount });
    assert.deepEqual(await events(user.id), ["crypto_deposit.pending", "crypto_deposit.available"]);
    await assertBooksExact();
  });

  it("credits once when two followers race on one chain, with and without the lease", async () => {
    const user = await newWallet();
    await follow();
    const amount = parseEther("0.2");
    const txHashes = [
      await chain.control.sendNative(user.address, amount),
      await chain.control.sendNative(user.address, amount),
    ];
    const [a, b] = [otherFollower(), otherFollower()];
    // Without the lease: step by step at once, the cursor's compare-and-set lets one of them take each block.
    const stepped = await Promise.all([a.step(running), b.step(running), a.step(running), b.step(running)]);
    assert.ok(stepped.some((s) => s.kind === "block"));
    // With the lease: passes at once; one follows, the others find the chain busy or nothing left.
    await chain.control.mine(sandboxConfirmations);
    const passes = await Promise.all([a.follow(running), b.follow(running), follow()]);
    assert.ok(passes.some((p) => p.busy || p.blocks === 0));
    await follow();
    for (const txHash of txHashes) assert.equal((await deposit(txHash))?.status, "available");
    assert.deepEqual(await walletBalance(user.id, "ETH"), { posted: amount * 2n, pending: 0n, available: amount * 2n });
    assert.equal((await events(user.id)).filter((t) => t === "crypto_deposit.available").length, 2);
    await assertBooksExact();
  });

  it("books the operator's funding of the hot wallet as platform funds", async () => {
    const hot = await services.crypto.keys.hotWallet(false);
    await follow();
    const txHash = await chain.control.sendNative(hot.address as Address, parseEther("5"));
    await chain.control.mine(sandboxConfirmations);
    await follow();
    assert.equal((await deposit(txHash))?.status, "available");
    const funds = await services.crypto.accounts.existingAccountId(false, running.config.name, "ETH", "platform_funds");
    assert.equal((await services.ledger.getBalance(funds!))?.posted, parseEther("5"));
    await assertBooksExact();
  });
});
