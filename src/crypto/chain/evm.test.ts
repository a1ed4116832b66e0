import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  type Address,
  type ChainBlock,
  type ChainConnector,
  ChainError,
  type Hex,
  isChecksumAddress,
  normalizeAddress,
} from "./connector.js";
import { createEvmConnector } from "./evm.js";
import { attachSandboxChain, type SandboxChain, startSandboxChain } from "./sandbox-node.js";

const ether = 10n ** 18n;
const usdc = 10n ** 6n;

/** A fresh key, so each test's addresses start with nothing and no nonce. */
function newWallet(): { privateKey: Hex; address: Address } {
  const privateKey = generatePrivateKey();
  return { privateKey, address: normalizeAddress(privateKeyToAccount(privateKey).address) };
}

function isChainError(code: ChainError["code"]) {
  return (error: unknown) => error instanceof ChainError && error.code === code;
}

describe("EVM connector against the sandbox chain (hardhat node)", () => {
  let chain: SandboxChain;
  let connector: ChainConnector;
  let funder: Address;

  before(async () => {
    chain = await startSandboxChain();
    connector = createEvmConnector({
      name: "sandbox",
      chainId: chain.chainId,
      rpcUrl: chain.rpcUrl,
      assets: chain.assets,
    });
    funder = normalizeAddress(privateKeyToAccount(chain.funderPrivateKey).address);
    await chain.control.mintToken(funder, 1_000_000n * usdc);
  });

  after(async () => {
    await chain?.stop();
  });

  /** The block a mined transaction is in, as the watcher would read it. */
  async function blockOf(hash: Hex): Promise<ChainBlock> {
    const receipt = await connector.receipt(hash);
    assert.ok(receipt, `transaction ${hash} is mined`);
    const block = await connector.block(receipt.blockNumber);
    assert.ok(block);
    assert.equal(block.hash, receipt.blockHash);
    return block;
  }

  /** A key with ETH for gas and, if asked, test USDC. */
  async function fundedWallet(tokens = 0n) {
    const wallet = newWallet();
    await chain.control.setBalance(wallet.address, 10n * ether);
    if (tokens > 0n) await chain.control.mintToken(wallet.address, tokens);
    return wallet;
  }

  async function signed(
    from: { privateKey: Hex; address: Address },
    input: { to: Address; asset: string; amount: bigint; nonce?: number; feeMultiplier?: bigint },
  ) {
    const fees = await connector.feeQuote();
    const multiplier = input.feeMultiplier ?? 1n;
    return connector.signTransfer({
      privateKey: from.privateKey,
      to: input.to,
      asset: input.asset,
      amount: input.amount,
      nonce: input.nonce ?? (await connector.nonceAt(from.address, "pending")),
      fees: {
        maxFeePerGas: fees.maxFeePerGas * multiplier,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas * multiplier,
      },
      gasLimit: await connector.gasLimitFor(input.asset),
    });
  }

  test("checks the node's chain id against the configuration", async () => {
    assert.equal(chain.chainId, 31_337);
    assert.ok((await connector.headNumber()) > 0n);
    const wrong = createEvmConnector({ name: "mainnet", chainId: 1, rpcUrl: chain.rpcUrl, assets: chain.assets });
    await assert.rejects(wrong.headNumber(), (error: unknown) => {
      assert.ok(isChainError("chain_mismatch")(error));
      assert.match((error as Error).message, /serves chain id 31337, configured 1/);
      return true;
    });
    // Every later call fails the same way, without a second check.
    await assert.rejects(wrong.balanceOf(funder, "ETH"), isChainError("chain_mismatch"));
  });

  test("a block past the head is null", async () => {
    assert.equal(await connector.block((await connector.headNumber()) + 100n), null);
  });

  test("finds a native transfer to our address, and nothing for an address that is not ours", async () => {
    const ours = newWallet().address;
    const hash = await chain.control.sendNative(ours, 1_234n);
    const block = await blockOf(hash);
    assert.deepEqual(await connector.transfersIn(block, (address) => address === ours), [
      {
        txHash: hash,
        logIndex: -1,
        blockNumber: block.number,
        blockHash: block.hash,
        from: funder,
        to: ours,
        asset: "ETH",
        amount: 1_234n,
      },
    ]);
    const other = newWallet().address;
    assert.deepEqual(await connector.transfersIn(block, (address) => address === other), []);
    assert.equal(await connector.balanceOf(ours, "ETH"), 1_234n);
  });

  test("finds an ERC-20 Transfer with its log index", async () => {
    const ours = newWallet().address;
    const hash = await chain.control.sendToken(ours, 2_500_000n);
    const block = await blockOf(hash);
    const [transfer, ...rest] = await connector.transfersIn(block, (address) => address === ours);
    assert.deepEqual(rest, []);
    assert.deepEqual(transfer, {
      txHash: hash,
      logIndex: 0,
      blockNumber: block.number,
      blockHash: block.hash,
      from: funder,
      to: ours,
      asset: "USDC",
      amount: 2_500_000n,
    });
    assert.equal(await connector.balanceOf(ours, "USDC"), 2_500_000n);
    // A mint is a Transfer from the zero address: incoming too.
    const minted = await chain.control.mintToken(ours, 7n);
    const [mint] = await connector.transfersIn(await blockOf(minted), (address) => address === ours);
    assert.equal(mint?.from, "0x0000000000000000000000000000000000000000");
    assert.equal(mint?.amount, 7n);
  });

  test("a reverted transaction produces no observed transfer", async () => {
    const ours = newWallet().address;
    const sender = await fundedWallet(); // ETH for gas, no USDC
    // The fixed gas limit of gasLimitFor skips estimation, so the transfer is mined and reverts.
    const tokenTx = await signed(sender, { to: ours, asset: "USDC", amount: 1n });
    assert.equal(await connector.broadcast(tokenTx.raw), "sent");
    assert.equal((await connector.receipt(tokenTx.hash))?.status, "reverted");
    assert.deepEqual(await connector.transfersIn(await blockOf(tokenTx.hash), (address) => address === ours), []);

    // ETH to the token contract, which has no receive function: mined, reverted, value not moved.
    const token = chain.tokenAddress;
    const nativeTx = await connector.signTransfer({
      privateKey: sender.privateKey,
      to: token,
      asset: "ETH",
      amount: ether,
      nonce: tokenTx.nonce + 1,
      fees: await connector.feeQuote(),
      gasLimit: 50_000n,
    });
    assert.equal(await connector.broadcast(nativeTx.raw), "sent");
    assert.equal((await connector.receipt(nativeTx.hash))?.status, "reverted");
    assert.deepEqual(await connector.transfersIn(await blockOf(nativeTx.hash), (address) => address === token), []);
  });

  test("signs and broadcasts native and token transfers with the requested nonces; a resend is known", async () => {
    const ours = newWallet().address;
    const sender = await fundedWallet(50n * usdc);
    assert.equal(await connector.nonceAt(sender.address, "pending"), 0);

    const native = await signed(sender, { to: ours, asset: "ETH", amount: ether / 2n, nonce: 0 });
    assert.equal(await connector.broadcast(native.raw), "sent");
    const token = await signed(sender, { to: ours, asset: "USDC", amount: 20n * usdc, nonce: 1 });
    assert.equal(token.gasLimit, await connector.gasLimitFor("USDC"));
    assert.equal(await connector.broadcast(token.raw), "sent");

    assert.equal((await connector.receipt(native.hash))?.status, "success");
    assert.equal((await connector.receipt(token.hash))?.status, "success");
    assert.equal(await connector.nonceAt(sender.address, "latest"), 2);
    assert.equal(await connector.balanceOf(ours, "ETH"), ether / 2n);
    assert.equal(await connector.balanceOf(ours, "USDC"), 20n * usdc);
    assert.equal(await connector.balanceOf(sender.address, "USDC"), 30n * usdc);
    const [found] = await connector.transfersIn(await blockOf(token.hash), (address) => address === ours);
    assert.equal(found?.txHash, token.hash);

    // The same bytes again (a retry after a lost answer) change nothing.
    assert.equal(await connector.broadcast(native.raw), "known");
    assert.equal(await connector.broadcast(token.raw), "known");
    assert.equal(await connector.nonceAt(sender.address, "latest"), 2);
    assert.equal(await connector.transactionKnown(native.hash), true);
  });

  test("a used nonce is nonce_too_low, an empty sender insufficient_funds", async () => {
    const sender = await fundedWallet();
    const first = await signed(sender, { to: newWallet().address, asset: "ETH", amount: 1n });
    assert.equal(await connector.broadcast(first.raw), "sent");
    const again = await signed(sender, { to: newWallet().address, asset: "ETH", amount: 2n, nonce: first.nonce });
    await assert.rejects(connector.broadcast(again.raw), isChainError("nonce_too_low"));

    const empty = newWallet();
    const unfunded = await signed(empty, { to: newWallet().address, asset: "ETH", amount: 1n });
    await assert.rejects(connector.broadcast(unfunded.raw), isChainError("insufficient_funds"));
    assert.equal(await connector.transactionKnown(unfunded.hash), false);
  });

  test("a pending transaction is replaced by one with higher fees; the old hash is then unknown", async () => {
    const ours = newWallet().address;
    const sender = await fundedWallet();
    await chain.control.setAutomine(false);
    try {
      const first = await signed(sender, { to: ours, asset: "ETH", amount: 100n });
      assert.equal(await connector.broadcast(first.raw), "sent");
      assert.equal(await connector.broadcast(first.raw), "known");
      assert.equal(await connector.transactionKnown(first.hash), true);
      assert.equal(await connector.receipt(first.hash), null);
      assert.equal(await connector.nonceAt(sender.address, "pending"), first.nonce + 1);
      assert.equal(await connector.nonceAt(sender.address, "latest"), first.nonce);

      const sameFees = await signed(sender, { to: ours, asset: "ETH", amount: 101n, nonce: first.nonce });
      await assert.rejects(connector.broadcast(sameFees.raw), isChainError("replacement_underpriced"));

      const replacement = await signed(sender, {
        to: ours,
        asset: "ETH",
        amount: 200n,
        nonce: first.nonce,
        feeMultiplier: 2n,
      });
      assert.equal(await connector.broadcast(replacement.raw), "sent");
      await chain.control.mine();

      assert.equal((await connector.receipt(replacement.hash))?.status, "success");
      assert.equal(await connector.transactionKnown(first.hash), false);
      assert.equal(await connector.receipt(first.hash), null);
      assert.equal(await connector.balanceOf(ours, "ETH"), 200n);
    } finally {
      await chain.control.setAutomine(true);
    }
  });

  test("dropTransaction removes a pending transaction", async () => {
    const sender = await fundedWallet();
    await chain.control.setAutomine(false);
    try {
      const tx = await signed(sender, { to: newWallet().address, asset: "ETH", amount: 1n });
      assert.equal(await connector.broadcast(tx.raw), "sent");
      await chain.control.dropTransaction(tx.hash);
      assert.equal(await connector.transactionKnown(tx.hash), false);
    } finally {
      await chain.control.setAutomine(true);
    }
  });

  test("forkAt replaces the blocks after a snapshot with new ones at the same heights", async () => {
    const ours = newWallet().address;
    const snapshot = await chain.control.snapshot();
    const base = await connector.headNumber();
    const hash = await chain.control.sendNative(ours, 5n);
    await chain.control.mine(2); // empty blocks: their replacements differ only by timestamp
    const before = await Promise.all([1n, 2n, 3n].map((k) => connector.block(base + k)));
    const transferBlock = before[0]!;
    assert.equal(transferBlock.hash, (await connector.receipt(hash))?.blockHash);

    assert.equal(await chain.control.forkAt(snapshot, 3), base + 3n);

    const afterFork = await Promise.all([1n, 2n, 3n].map((k) => connector.block(base + k)));
    for (const [i, block] of afterFork.entries()) {
      assert.ok(block);
      assert.notEqual(block.hash, before[i]!.hash, `height ${block.number} has a new block`);
      assert.equal(block.parentHash, i === 0 ? (await connector.block(base))?.hash : afterFork[i - 1]!.hash);
    }
    assert.equal(await connector.transactionKnown(hash), false);
    assert.equal(await connector.balanceOf(ours, "ETH"), 0n);
    await assert.rejects(
      connector.transfersIn(transferBlock, (address) => address === ours),
      isChainError("block_orphaned"),
    );
    // The snapshot is used up.
    await assert.rejects(chain.control.revert(snapshot), /no snapshot/);
  });

  test("attachSandboxChain finds the token of a running node at its well-known address", async () => {
    const attached = await attachSandboxChain(chain.rpcUrl);
    assert.equal(attached.tokenAddress, chain.tokenAddress);
    assert.equal(attached.chainId, chain.chainId);
    assert.deepEqual(attached.assets, chain.assets);
    await attached.stop(); // not ours: the node keeps running
    assert.ok((await connector.headNumber()) > 0n);
  });
});

describe("EVM connector without a node", () => {
  test("a node that does not answer is rpc_unavailable, for reads and broadcasts", async () => {
    // Port 9 (discard) is closed on loopback: the connection is refused at once.
    const connector = createEvmConnector({
      name: "down",
      chainId: 31_337,
      rpcUrl: "http://127.0.0.1:9",
      assets: [{ code: "ETH", decimals: 18, contract: null }],
      requestTimeoutMs: 1_000,
    });
    await assert.rejects(connector.headNumber(), isChainError("rpc_unavailable"));
    const signed = await connector.signTransfer({
      privateKey: generatePrivateKey(),
      to: newWallet().address,
      asset: "ETH",
      amount: 1n,
      nonce: 0,
      fees: { maxFeePerGas: 2n, maxPriorityFeePerGas: 1n },
      gasLimit: await connector.gasLimitFor("ETH"),
    });
    await assert.rejects(connector.broadcast(signed.raw), isChainError("rpc_unavailable"));
  });
});

describe("addresses", () => {
  const checksummed = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

  test("isChecksumAddress accepts EIP-55 checksums and lowercase, refuses a wrong checksum", () => {
    assert.equal(isChecksumAddress(checksummed), true);
    assert.equal(isChecksumAddress(checksummed.toLowerCase()), true);
    assert.equal(isChecksumAddress(checksummed.replace("f39Fd6", "f39fd6")), false);
    assert.equal(isChecksumAddress(checksummed.slice(0, -1)), false);
    assert.equal(isChecksumAddress(checksummed.slice(2)), false);
  });

  test("normalizeAddress lowercases, and refuses a wrong checksum", () => {
    assert.equal(normalizeAddress(checksummed), checksummed.toLowerCase());
    assert.throws(() => normalizeAddress(checksummed.replace("f39Fd6", "f39fd6")), /checksum/);
  });
});
