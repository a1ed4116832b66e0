import {
  BaseError,
  BlockNotFoundError,
  createPublicClient,
  encodeFunctionData,
  erc20Abi,
  getAbiItem,
  HttpRequestError,
  http,
  keccak256,
  SocketClosedError,
  TimeoutError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type Address,
  type ChainAsset,
  type ChainBlock,
  type ChainConnector,
  ChainError,
  type FeeQuote,
  type Hex,
  normalizeAddress,
  type ObservedTransfer,
  type SignedTransaction,
  type TransactionReceiptSummary,
} from "./connector.js";

/**
 * EVM chains (Ethereum and its L2s, any EIP-1559 chain) over a node's JSON-RPC, with viem. Stateless apart from the
 * one chain-id check, so any number of coffer processes can share a node.
 */

export const evmRequestTimeoutMsDefault = 10_000;
const evmRequestRetryCount = 2; // viem retries timeouts, 5xx and rate limits with exponential backoff
const nativeTransferGasLimit = 21_000n; // fixed by the protocol for a plain value transfer to an account
// A token transfer costs 35–65k gas (a first transfer to an address writes a new storage slot; proxied tokens such
// as USDC add a delegatecall). Unused gas is not charged, so generous headroom only asks a little more balance.
const erc20TransferGasLimit = 100_000n;
// maxFeePerGas = 2 × base fee + tip: the base fee rises at most 12.5 % a block, so a transaction stays includable
// through 6 full blocks in a row (1.125^6 ≈ 2.03) without a replacement. Only the actual base fee is paid.
const baseFeeHeadroomMultiplier = 2n;

const transferEvent = getAbiItem({ abi: erc20Abi, name: "Transfer" });

export interface EvmConnectorConfig {
  name: string;
  chainId: number;
  rpcUrl: string;
  assets: ChainAsset[];
  requestTimeoutMs?: number;
}

export function createEvmConnector(config: EvmConnectorConfig): ChainConnector {
  const { name, chainId } = config;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error(`chain ${name}: invalid chain id ${chainId}`);
  const assets = validateAssets(name, config.assets);
  const byCode = new Map(assets.map((asset) => [asset.code, asset]));
  const native = assets.find((asset) => asset.contract === null) ?? null;
  const tokens = assets.filter((asset) => asset.contract !== null);
  const tokenByContract = new Map(tokens.map((asset) => [asset.contract as Address, asset]));

  const client = createPublicClient({
    transport: http(config.rpcUrl, {
      timeout: config.requestTimeoutMs ?? evmRequestTimeoutMsDefault,
      retryCount: evmRequestRetryCount,
    }),
    // viem caches eth_blockNumber for the polling interval by default; a watcher must see the head as it is.
    cacheTime: 0,
  });

  function assetOf(code: string): ChainAsset {
    const asset = byCode.get(code);
    if (!asset) throw new Error(`chain ${name}: unknown asset ${code}`);
    return asset;
  }

  // Checked on first use rather than at construction, so a process starts while its node is down. A mismatch is
  // kept and thrown by every call; a failed check (node unreachable) is tried again on the next call.
  let chainChecked: Promise<void> | null = null;
  function ready(): Promise<void> {
    chainChecked ??= (async () => {
      const actual = await client.getChainId();
      if (actual !== chainId) {
        throw new ChainError(
          "chain_mismatch",
          `chain ${name}: the node at ${rpcOrigin(config.rpcUrl)} serves chain id ${actual}, configured ${chainId}`,
        );
      }
    })().catch((error: unknown) => {
      if (!(error instanceof ChainError && error.code === "chain_mismatch")) chainChecked = null;
      throw asChainError(name, "eth_chainId", error);
    });
    return chainChecked;
  }

  /** Runs a read after the chain check; a failure of the node becomes ChainError("rpc_unavailable"). */
  async function read<T>(what: string, run: () => Promise<T>): Promise<T> {
    await ready();
    try {
      return await run();
    } catch (error) {
      throw asChainError(name, what, error);
    }
  }

  async function transactionKnown(hash: Hex): Promise<boolean> {
    return read("eth_getTransactionByHash", async () => {
      try {
        await client.getTransaction({ hash });
        return true;
      } catch (error) {
        if (error instanceof TransactionNotFoundError) return false;
        throw error;
      }
    });
  }

  return {
    name,
    chainId,
    assets,

    headNumber: () => read("eth_blockNumber", () => client.getBlockNumber()),

    block: (number) =>
      read("eth_getBlockByNumber", async () => {
        try {
          return toChainBlock(await client.getBlock({ blockNumber: number }));
        } catch (error) {
          if (error instanceof BlockNotFoundError) return null;
          throw error;
        }
      }),

    async transfersIn(block, isOurs) {
      const found: { transactionIndex: number; transfer: ObservedTransfer }[] = [];
      const orphaned = () =>
        new ChainError(
          "block_orphaned",
          `chain ${name}: block ${block.number} ${block.hash} is no longer on the chain`,
        );

      const nativeTransfers = async () => {
        if (!native) return;
        const full = await read("eth_getBlockByHash", async () => {
          try {
            return await client.getBlock({ blockHash: block.hash, includeTransactions: true });
          } catch (error) {
            if (error instanceof BlockNotFoundError) return null;
            throw error;
          }
        });
        if (!full) throw orphaned();
        const candidates = full.transactions.filter((tx) => tx.to && tx.value > 0n && isOurs(lower(tx.to)));
        // Receipts only for the few transactions to our addresses: a reverted one moved no value.
        const receipts = await Promise.all(
          candidates.map((tx) => read("eth_getTransactionReceipt", () => client.getTransactionReceipt(tx))),
        );
        candidates.forEach((tx, i) => {
          const receipt = receipts[i]!;
          if (receipt.blockHash !== block.hash) throw orphaned();
          if (receipt.status !== "success") return;
          found.push({
            transactionIndex: tx.transactionIndex ?? 0,
            transfer: {
              txHash: tx.hash,
              logIndex: -1,
              blockNumber: block.number,
              blockHash: block.hash,
              from: lower(tx.from),
              to: lower(tx.to!),
              asset: native.code,
              amount: tx.value,
            },
          });
        });
      };

      const tokenTransfers = async () => {
        if (tokens.length === 0) return;
        // Logs exist only for successful transactions, so no receipt is needed here. strict drops a log that does
        // not decode as a standard Transfer (a non-standard token under a configured address).
        const logs = await read("eth_getLogs", () =>
          client.getLogs({
            blockHash: block.hash,
            address: tokens.map((asset) => asset.contract as Address),
            event: transferEvent,
            strict: true,
          }),
        );
        for (const log of logs) {
          if (log.removed) continue;
          if (log.blockHash !== block.hash) throw orphaned();
          const to = lower(log.args.to);
          const asset = tokenByContract.get(lower(log.address));
          if (!asset || !isOurs(to)) continue;
          found.push({
            transactionIndex: log.transactionIndex,
            transfer: {
              txHash: log.transactionHash,
              logIndex: log.logIndex,
              blockNumber: block.number,
              blockHash: block.hash,
              from: lower(log.args.from),
              to,
              asset: asset.code,
              amount: log.args.value,
            },
          });
        }
      };

      await Promise.all([nativeTransfers(), tokenTransfers()]);
      // Chain order: by transaction, a native value (logIndex -1) before the transaction's logs.
      found.sort((a, b) => a.transactionIndex - b.transactionIndex || a.transfer.logIndex - b.transfer.logIndex);
      return found.map((entry) => entry.transfer);
    },

    balanceOf(address, code) {
      const asset = assetOf(code);
      if (asset.contract === null) return read("eth_getBalance", () => client.getBalance({ address }));
      const contract = asset.contract;
      return read("eth_call balanceOf", () =>
        client.readContract({ address: contract, abi: erc20Abi, functionName: "balanceOf", args: [address] }),
      );
    },

    nonceAt: (address, blockTag) =>
      read("eth_getTransactionCount", () => client.getTransactionCount({ address, blockTag })),

    feeQuote: () =>
      read("fee quote", async (): Promise<FeeQuote> => {
        const [latest, maxPriorityFeePerGas] = await Promise.all([
          client.getBlock({ blockTag: "latest" }),
          client.estimateMaxPriorityFeePerGas(),
        ]);
        if (latest.baseFeePerGas === null) throw new Error(`chain ${name}: no base fee, the chain is not EIP-1559`);
        return {
          maxFeePerGas: latest.baseFeePerGas * baseFeeHeadroomMultiplier + maxPriorityFeePerGas,
          maxPriorityFeePerGas,
        };
      }),

    async gasLimitFor(code) {
      return assetOf(code).contract === null ? nativeTransferGasLimit : erc20TransferGasLimit;
    },

    async signTransfer(input): Promise<SignedTransaction> {
      const asset = assetOf(input.asset);
      if (input.amount <= 0n) throw new Error(`chain ${name}: a transfer amount must be positive`);
      const to = normalizeAddress(input.to);
      const call =
        asset.contract === null
          ? { to, value: input.amount }
          : {
              to: asset.contract,
              value: 0n,
              data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, input.amount] }),
            };
      const raw = await privateKeyToAccount(input.privateKey).signTransaction({
        type: "eip1559",
        chainId,
        nonce: input.nonce,
        gas: input.gasLimit,
        maxFeePerGas: input.fees.maxFeePerGas,
        maxPriorityFeePerGas: input.fees.maxPriorityFeePerGas,
        ...call,
      });
      return {
        raw,
        hash: keccak256(raw),
        nonce: input.nonce,
        maxFeePerGas: input.fees.maxFeePerGas,
        maxPriorityFeePerGas: input.fees.maxPriorityFeePerGas,
        gasLimit: input.gasLimit,
      };
    },

    async broadcast(raw) {
      await ready();
      try {
        await client.sendRawTransaction({ serializedTransaction: raw });
        return "sent";
      } catch (error) {
        const failure = classifyBroadcastError(name, error);
        if (failure === "known") return "known";
        // A resend of a transaction already mined is refused as "nonce too low" by most nodes; a node that has the
        // transaction makes the resend harmless whatever it answered.
        if (failure.code !== "rpc_unavailable" && (await transactionKnown(keccak256(raw)).catch(() => false))) {
          return "known";
        }
        throw failure;
      }
    },

    receipt: (hash) =>
      read("eth_getTransactionReceipt", async (): Promise<TransactionReceiptSummary | null> => {
        try {
          const receipt = await client.getTransactionReceipt({ hash });
          return {
            status: receipt.status,
            blockNumber: receipt.blockNumber,
            blockHash: receipt.blockHash,
            gasUsed: receipt.gasUsed,
            effectiveGasPrice: receipt.effectiveGasPrice,
          };
        } catch (error) {
          if (error instanceof TransactionReceiptNotFoundError) return null;
          throw error;
        }
      }),

    transactionKnown,
  };
}

function validateAssets(chain: string, assets: ChainAsset[]): ChainAsset[] {
  const codes = new Set<string>();
  const contracts = new Set<string>();
  let natives = 0;
  return assets.map((asset) => {
    if (codes.has(asset.code)) throw new Error(`chain ${chain}: asset ${asset.code} configured twice`);
    codes.add(asset.code);
    if (!Number.isInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > 77) {
      throw new Error(`chain ${chain}: asset ${asset.code} has invalid decimals ${asset.decimals}`);
    }
    if (asset.contract === null) {
      if (++natives > 1) throw new Error(`chain ${chain}: more than one native asset`);
      return { ...asset };
    }
    const contract = normalizeAddress(asset.contract);
    if (contracts.has(contract)) throw new Error(`chain ${chain}: contract ${contract} configured twice`);
    contracts.add(contract);
    return { ...asset, contract };
  });
}

function toChainBlock(block: {
  number: bigint | null;
  hash: Hex | null;
  parentHash: Hex;
  timestamp: bigint;
}): ChainBlock {
  // Only pending blocks lack a number or hash, and they are never asked for.
  return { number: block.number!, hash: block.hash!, parentHash: block.parentHash, timestamp: block.timestamp };
}

function lower(address: string): Address {
  return address.toLowerCase() as Address;
}

/** Only scheme, host and port: providers put API keys in the path or user info, which errors must not show. */
function rpcOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "(invalid URL)";
  }
}

function isTransportFailure(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    Boolean(
      error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof SocketClosedError),
    )
  );
}

function asChainError(chain: string, what: string, error: unknown): unknown {
  if (error instanceof ChainError) return error;
  if (error instanceof BaseError)
    return new ChainError("rpc_unavailable", `chain ${chain}: ${what}: ${error.shortMessage}`);
  return error;
}

/** The node's words for each outcome, as geth, erigon, nethermind, besu, reth and hardhat put them. */
const broadcastPatterns: [RegExp, "known" | "nonce_too_low" | "replacement_underpriced" | "insufficient_funds"][] = [
  [/already known|alreadyknown|known[ _]transaction|already imported|already in (the )?(mem)?pool/, "known"],
  [/nonce[ _]too[ _]low|nonce has already been used|nonce expired|oldnonce/, "nonce_too_low"],
  [
    /replacement[ _](transaction[ _])?underpriced|replacement fee too low|replacementnotallowed/,
    "replacement_underpriced",
  ],
  [/insufficient[ _]?funds|enough funds|upfront[ _]cost[ _]exceeds[ _]balance/, "insufficient_funds"],
];

function classifyBroadcastError(chain: string, error: unknown): "known" | ChainError {
  if (isTransportFailure(error) || !(error instanceof BaseError)) {
    return new ChainError("rpc_unavailable", `chain ${chain}: eth_sendRawTransaction: ${errorText(error)}`);
  }
  const text = errorText(error);
  const lowered = text.toLowerCase();
  for (const [pattern, outcome] of broadcastPatterns) {
    if (!pattern.test(lowered)) continue;
    return outcome === "known" ? "known" : new ChainError(outcome, `chain ${chain}: ${text}`);
  }
  return new ChainError("rejected", `chain ${chain}: ${text}`);
}

/** The innermost message: the node's own words, without viem's request dump. */
function errorText(error: unknown): string {
  if (!(error instanceof BaseError)) return error instanceof Error ? error.message : String(error);
  const details = error.walk((e) => e instanceof BaseError && e.details !== "" && e.details !== undefined);
  return (details as BaseError | null)?.details || error.shortMessage;
}
