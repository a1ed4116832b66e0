import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestClient, createWalletClient, getContractAddress, http, publicActions, toHex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import type { Address, ChainAsset, Hex } from "./connector.js";
import { testTokenAbi, testTokenBytecode, testTokenDeployedBytecode } from "./test-token-artifact.js";

/**
 * The sandbox chain: a real hardhat 2 node on loopback, with the test token (USDC, 6 decimals) deployed, for
 * development and tests. Hardhat mines each transaction at once (automine) and answers hardhat_* and evm_* calls that
 * SandboxChainControl wraps: mining on demand, snapshots, balances, dropping pending transactions, reorgs.
 *
 * The token lives at one well-known address, the funder's first contract (nonce 0): startSandboxChain deploys it
 * there on its fresh node, attachSandboxChain finds it there (or puts it there) on a node started elsewhere, so every
 * coffer process attached to one node agrees on it.
 */

const sandboxStartTimeoutMs = 30_000; // hardhat node starts in 2–3 s; a loaded CI machine may need much longer
const sandboxPollIntervalMs = 100; // how often eth_chainId is asked while the node starts
const sandboxProbeTimeoutMs = 1_000; // one eth_chainId asked while the node starts
const sandboxStopTimeoutMs = 5_000; // after SIGTERM, then SIGKILL
const sandboxOutputLinesKept = 50; // the node's last lines, quoted when it fails to start
const sandboxRequestTimeoutMs = 10_000;
// The config hardhat loads; a .cjs file beside this module, in src/ and (copied by the build) in dist/.
const sandboxConfigPath = fileURLToPath(new URL("./sandbox-hardhat.config.cjs", import.meta.url));
const listeningLine = /JSON-RPC server at http:\/\/127\.0\.0\.1:(\d+)\//;
const sandboxFunderBalanceWei = 10_000n * 10n ** 18n; // given to the funder of an attached node that has none

export interface SandboxChainControl {
  /** Mines `blocks` empty blocks (hardhat_mine), one second apart. */
  mine(blocks?: number): Promise<void>;
  /** evm_snapshot. An id is used up by revert (hardhat's rule): take a new one to go back again. */
  snapshot(): Promise<Hex>;
  /** evm_revert: the chain goes back to the snapshot's head and state; later blocks are gone. */
  revert(id: Hex): Promise<void>;
  /** Off: transactions wait in the pool until mine(). */
  setAutomine(on: boolean): Promise<void>;
  setBalance(address: Address, wei: bigint): Promise<void>;
  /** Mints test tokens (anyone may). Returns the transaction hash; with automine on it is mined. */
  mintToken(to: Address, amount: bigint): Promise<Hex>;
  /** Sends ETH from the funder. Returns the transaction hash; with automine on it is mined. */
  sendNative(to: Address, amount: bigint): Promise<Hex>;
  /** Sends test tokens from the funder's token balance (mint to the funder first). */
  sendToken(to: Address, amount: bigint): Promise<Hex>;
  /** Removes a pending transaction from the node's pool (hardhat_dropTransaction). */
  dropTransaction(hash: Hex): Promise<void>;
  headNumber(): Promise<bigint>;
  /**
   * A reorg: reverts to `snapshotId` (taken before the blocks to orphan) and mines `blocks` empty blocks, so the
   * heights after the snapshot get new blocks with new hashes; the orphaned blocks' transactions are gone. Returns
   * the new head number. The new blocks are timestamped after the old head, so even a replaced empty block gets a
   * new hash.
   */
  forkAt(snapshotId: Hex, blocks: number): Promise<bigint>;
}

export interface SandboxChain {
  rpcUrl: string;
  chainId: number;
  tokenAddress: Address;
  /** ETH (native) and USDC (the test token), as a connector is configured for this chain. */
  assets: ChainAsset[];
  /** Hardhat account #0 of the public test mnemonic: rich in ETH, deployed the token. */
  funderPrivateKey: Hex;
  control: SandboxChainControl;
  /** SIGTERM, then SIGKILL after a timeout. Does nothing for an attached node: it is not ours to stop. */
  stop(): Promise<void>;
}

interface SandboxHardhatConfig {
  networks: { hardhat: { chainId: number; accounts: { mnemonic: string } } };
}

export async function startSandboxChain(
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<SandboxChain> {
  const cli = createRequire(import.meta.url).resolve("hardhat/internal/cli/cli.js");
  const { chainId, funderPrivateKey } = sandboxSettings();

  const child = spawn(
    process.execPath,
    [cli, "--config", sandboxConfigPath, "node", "--hostname", "127.0.0.1", "--port", String(options.port ?? 0)],
    {
      // Hardhat accepts a config only from a folder where it is installed; the project is one.
      cwd: path.dirname(sandboxConfigPath),
      env: {
        ...process.env,
        HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
        // Hardhat 2 has no telemetry switch; CI turns off its analytics, Sentry reports and banner fetch even where
        // the user once consented.
        CI: "true",
        // Read by the config: the node exits when our end of its stdin closes, even if we die by SIGKILL.
        COFFER_SANDBOX_EXIT_WITH_PARENT: "1",
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);

  const output: string[] = [];
  // Learnt from the node's own line even for a fixed port: another node already there must not be taken for ours.
  let port: number | null = null;
  const onLine = (line: string) => {
    if (line.trim() === "") return;
    output.push(line);
    if (output.length > sandboxOutputLinesKept) output.shift();
    options.log?.(line);
    const listening = listeningLine.exec(line);
    if (listening) port = Number(listening[1]);
  };
  forEachLine(child.stdout!, onLine);
  forEachLine(child.stderr!, onLine);

  const stop = () => stopChild(child).finally(() => process.off("exit", killOnExit));
  try {
    const rpcUrl = await waitForNode(child, () => port, chainId, output);
    const tokenAddress = await deployTestToken(rpcUrl, funderPrivateKey);
    // Running, the node must not keep a finished test process alive; the exit handler still ends it.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    return {
      rpcUrl,
      chainId,
      tokenAddress,
      assets: sandboxAssets(tokenAddress),
      funderPrivateKey,
      control: createSandboxChainControl(rpcUrl, tokenAddress, funderPrivateKey),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The sandbox chain on a hardhat (or anvil) node started elsewhere, e.g. by `npx hardhat node` for several coffer
 * processes: the test token is used at its well-known address, put there if the node has none yet (hardhat_setCode,
 * which any number of processes may do at once), and the funder gets ETH if it has none.
 */
export async function attachSandboxChain(rpcUrl: string): Promise<SandboxChain> {
  const { chainId: expectedChainId, funderPrivateKey } = sandboxSettings();
  const transport = http(rpcUrl, { timeout: sandboxRequestTimeoutMs });
  const client = createTestClient({ mode: "hardhat", transport, cacheTime: 0 }).extend(publicActions);
  const funder = privateKeyToAccount(funderPrivateKey).address;
  const tokenAddress = sandboxTokenAddress(funderPrivateKey);
  const [chainId, code, funderBalance] = await Promise.all([
    client.getChainId(),
    client.getCode({ address: tokenAddress }),
    client.getBalance({ address: funder }),
  ]);
  if (chainId !== expectedChainId) {
    throw new Error(
      `sandbox chain at ${rpcUrl}: the node serves chain id ${chainId}, the sandbox is ${expectedChainId}`,
    );
  }
  if (code === undefined || code === "0x") {
    await client.setCode({ address: tokenAddress, bytecode: testTokenDeployedBytecode });
  } else if (code.toLowerCase() !== testTokenDeployedBytecode.toLowerCase()) {
    throw new Error(
      `sandbox chain at ${rpcUrl}: ${tokenAddress} holds another contract than this coffer's test token (an older ` +
        "version, or another project's deploy): restart the node",
    );
  }
  if (funderBalance === 0n) await client.setBalance({ address: funder, value: sandboxFunderBalanceWei });
  return {
    rpcUrl,
    chainId,
    tokenAddress,
    assets: sandboxAssets(tokenAddress),
    funderPrivateKey,
    control: createSandboxChainControl(rpcUrl, tokenAddress, funderPrivateKey),
    stop: async () => {},
  };
}

/** The chain id and funder key, from the hardhat config so the two cannot drift apart. */
function sandboxSettings(): { chainId: number; funderPrivateKey: Hex } {
  if (!existsSync(sandboxConfigPath)) {
    throw new Error(`sandbox chain: ${sandboxConfigPath} is missing (the build must copy it beside sandbox-node.js)`);
  }
  const config = createRequire(import.meta.url)(sandboxConfigPath) as SandboxHardhatConfig;
  const { chainId, accounts } = config.networks.hardhat;
  const funderPrivateKey = toHex(mnemonicToAccount(accounts.mnemonic, { addressIndex: 0 }).getHdKey().privateKey!);
  return { chainId, funderPrivateKey };
}

function sandboxTokenAddress(funderPrivateKey: Hex): Address {
  const from = privateKeyToAccount(funderPrivateKey).address;
  return getContractAddress({ from, nonce: 0n }).toLowerCase() as Address;
}

function sandboxAssets(tokenAddress: Address): ChainAsset[] {
  return [
    { code: "ETH", decimals: 18, contract: null },
    { code: "USDC", decimals: 6, contract: tokenAddress },
  ];
}

/** Control of any hardhat node; `tokenAddress` is the test token (or a contract with the same mint/transfer). */
export function createSandboxChainControl(
  rpcUrl: string,
  tokenAddress: Address,
  funderPrivateKey: Hex,
): SandboxChainControl {
  const transport = http(rpcUrl, { timeout: sandboxRequestTimeoutMs, retryCount: 0 });
  const client = createTestClient({ mode: "hardhat", transport, cacheTime: 0 }).extend(publicActions);
  const funder = createWalletClient({ account: privateKeyToAccount(funderPrivateKey), transport, cacheTime: 0 });

  // The funder's sends through this control go one at a time: two at once would read the same pending nonce.
  let funderQueue: Promise<unknown> = Promise.resolve();
  function fromFunder(send: () => Promise<Hex>): Promise<Hex> {
    const sent = funderQueue.then(send);
    funderQueue = sent.catch(() => undefined);
    return sent;
  }

  const control: SandboxChainControl = {
    mine: (blocks = 1) => client.mine({ blocks }),
    snapshot: () => client.snapshot(),
    async revert(id) {
      // viem types evm_revert as void; hardhat answers false for an unknown (or already used) snapshot.
      const reverted = (await client.request({ method: "evm_revert", params: [id] })) as unknown as boolean;
      if (!reverted) throw new Error(`sandbox chain: no snapshot ${id} (a snapshot is used up by a revert)`);
    },
    setAutomine: (on) => client.setAutomine(on),
    setBalance: (address, wei) => client.setBalance({ address, value: wei }),
    mintToken: (to, amount) =>
      fromFunder(() =>
        funder.writeContract({
          chain: null,
          address: tokenAddress,
          abi: testTokenAbi,
          functionName: "mint",
          args: [to, amount],
        }),
      ),
    sendNative: (to, amount) => fromFunder(() => funder.sendTransaction({ chain: null, to, value: amount })),
    sendToken: (to, amount) =>
      fromFunder(() =>
        funder.writeContract({
          chain: null,
          address: tokenAddress,
          abi: testTokenAbi,
          functionName: "transfer",
          args: [to, amount],
        }),
      ),
    dropTransaction: (hash) => client.dropTransaction({ hash }),
    headNumber: () => client.getBlockNumber(),
    async forkAt(snapshotId, blocks) {
      if (!Number.isInteger(blocks) || blocks < 1) throw new Error("sandbox chain: forkAt mines at least one block");
      const oldHead = await client.getBlock({ blockTag: "latest" });
      await control.revert(snapshotId);
      // After every orphaned block: an empty replacement of an empty block would otherwise hash the same when it
      // falls in the same second. Hardhat's timestamps may run ahead of the clock (hardhat_mine, earlier forks), so
      // the later of both heads counts.
      const revertedHead = await client.getBlock({ blockTag: "latest" });
      // biome-ignore lint/complexity/useMathMinMax: timestamps are bigints, which Math.max does not take
      const after = oldHead.timestamp > revertedHead.timestamp ? oldHead.timestamp : revertedHead.timestamp;
      await client.setNextBlockTimestamp({ timestamp: after + 1n });
      await client.mine({ blocks });
      return client.getBlockNumber();
    },
  };
  return control;
}

async function deployTestToken(rpcUrl: string, funderPrivateKey: Hex): Promise<Address> {
  const transport = http(rpcUrl, { timeout: sandboxRequestTimeoutMs });
  const funder = createWalletClient({ account: privateKeyToAccount(funderPrivateKey), transport }).extend(
    publicActions,
  );
  // Nonce 0 on the fresh node: the token lands at the address attachSandboxChain expects.
  const hash = await funder.deployContract({ chain: null, abi: testTokenAbi, bytecode: testTokenBytecode, nonce: 0 });
  const receipt = await funder.waitForTransactionReceipt({ hash, pollingInterval: sandboxPollIntervalMs });
  const address = receipt.contractAddress?.toLowerCase();
  if (receipt.status !== "success" || address !== sandboxTokenAddress(funderPrivateKey)) {
    throw new Error(`sandbox chain: the token deploy failed (${receipt.status}, at ${address})`);
  }
  return address;
}

/** Resolves with the RPC URL once the node answers eth_chainId; rejects with its output when it does not. */
async function waitForNode(
  child: ChildProcess,
  port: () => number | null,
  chainId: number,
  output: string[],
): Promise<string> {
  const deadline = Date.now() + sandboxStartTimeoutMs;
  const failure = (reason: string) => new Error(`sandbox chain: ${reason}; its output:\n${output.join("\n")}`);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw failure(`hardhat node exited (${child.exitCode ?? child.signalCode}) while starting`);
    }
    const known = port();
    if (known !== null) {
      const rpcUrl = `http://127.0.0.1:${known}`;
      const answered = await rpcChainId(rpcUrl).catch(() => null);
      if (answered === chainId) return rpcUrl;
      if (answered !== null) throw failure(`the node on port ${known} serves chain ${answered}, not ${chainId}`);
    }
    if (Date.now() > deadline) throw failure(`hardhat node did not answer within ${sandboxStartTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, sandboxPollIntervalMs));
  }
}

async function rpcChainId(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(sandboxProbeTimeoutMs),
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== "string") throw new Error("no chain id");
  return Number(body.result);
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), sandboxStopTimeoutMs);
  await exited;
  clearTimeout(timer);
}
