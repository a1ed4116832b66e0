import { parseAmount } from "../../http/amount.js";
import { ApiError } from "../../http/errors.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../../http/pagination.js";
import { isId } from "../../ids.js";
import { qrSvg } from "../../payments/qr.js";
import { sandboxError } from "../../sandbox/errors.js";
import { createKeyedQueue } from "../../wallets/limits/serialize.js";
import { unixSeconds, unixSecondsOrNull } from "../../wallets/time.js";
import type { CryptoAlert, CryptoAlertKind } from "../alerts.js";
import { toChecksumAddress as getAddress } from "../chain/address.js";
import type { Address, Hex } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import type { AssetConfig } from "../config.js";
import type { CryptoDeps, DepositHandler } from "../deps.js";
import { cryptoDepositError } from "./errors.js";
import { createBlockFollower, type FollowPass } from "./follower.js";
import { createHotWalletDepositHandler, createWalletDepositHandler } from "./handlers.js";
import { type DepositRow, type DepositStatus, depositFromRow, depositJson, depositOpsJson } from "./model.js";

/**
 * Deposits to coffer's blockchain addresses (docs/crypto.md): the block follower and the handlers that book them,
 * a wallet user's deposit address and deposit list, the operators' views, and the sandbox chain's helpers.
 */
export const sandboxTestDepositWholeUnitsMax = 1_000n; // per test deposit: the sandbox funder starts with 10,000 ETH
export const sandboxMineBlocksMax = 100; // per POST …/test_helpers/crypto/mine
export const sandboxFollowLeaseWaitMs = 5_000; // a helper waits this long for the worker's pass to let go
export const sandboxReorgDepthMax = 32; // per POST …/test_helpers/crypto/reorg, below the follower's 64 kept blocks

export type CryptoDeposits = ReturnType<typeof createCryptoDeposits>;

type DepositListRow = DepositRow & { cursor_number: string | null };

const depositList = `(SELECT d.*, c.block_number AS cursor_number FROM crypto_deposits d
  LEFT JOIN crypto_chain_cursors c ON c.chain = d.chain) AS deposits`;

function cursorOf(row: DepositListRow): bigint | null {
  return row.cursor_number === null ? null : BigInt(row.cursor_number);
}

interface AlertRow {
  id: string;
  livemode: boolean;
  chain: string;
  kind: CryptoAlertKind;
  subject: string;
  details: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

export function alertJson(alert: CryptoAlert) {
  return {
    id: alert.id,
    object: "crypto_alert" as const,
    livemode: alert.livemode,
    chain: alert.chain,
    kind: alert.kind,
    subject: alert.subject,
    details: alert.details,
    created: unixSeconds(alert.createdAt),
    updated: unixSeconds(alert.updatedAt),
    acknowledged_at: unixSecondsOrNull(alert.acknowledgedAt),
    acknowledged_by: alert.acknowledgedBy,
  };
}

function alertFromRow(row: AlertRow): CryptoAlert {
  return {
    id: row.id,
    livemode: row.livemode,
    chain: row.chain,
    kind: row.kind,
    subject: row.subject,
    details: row.details,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
  };
}

/** EIP-681 payment request for an asset to an address (no amount: a deposit address takes any). */
export function eip681Uri(chainId: number, asset: Pick<AssetConfig, "contract">, address: Address): string {
  const to = getAddress(address);
  if (asset.contract === null) return `ethereum:${to}@${chainId}`;
  return `ethereum:${getAddress(asset.contract)}@${chainId}/transfer?address=${to}`;
}

export function createCryptoDeposits(deps: CryptoDeps) {
  const { pool, chains, log } = deps;
  const handlers = new Map<string, DepositHandler>([
    ["wallet", createWalletDepositHandler(deps)],
    ["hot", createHotWalletDepositHandler(deps)],
  ]);
  const follower = createBlockFollower({ ...deps, handlerFor: (kind) => handlers.get(kind) });
  const lastPassAt = new Map<string, number>();

  /** The payments engineer's handler of deposits to crypto payments' addresses (src/payments). */
  function registerHandler(kind: "payment", handler: DepositHandler): void {
    if (handlers.has(kind)) throw new Error(`a ${kind} deposit handler is registered already`);
    handlers.set(kind, handler);
  }

  /**
   * One pass over every registered chain whose poll interval has passed. A chain that fails (its node down) is
   * logged and does not keep the others from being followed; the pass then throws its first failure.
   */
  async function followAll(signal?: AbortSignal): Promise<Map<string, FollowPass>> {
    const passes = new Map<string, FollowPass>();
    let failure: unknown;
    for (const chain of chains.all()) {
      if (signal?.aborted) break;
      const last = lastPassAt.get(chain.config.name) ?? 0;
      if (Date.now() - last < chain.config.pollIntervalMs) continue;
      lastPassAt.set(chain.config.name, Date.now());
      try {
        const pass = await follower.follow(chain, { signal });
        passes.set(chain.config.name, pass);
        if (pass.blocks > 0 || pass.reorgs > 0 || pass.confirmed > 0) {
          log.debug({ chain: chain.config.name, ...pass }, "chain followed");
        }
      } catch (error) {
        log.error({ err: error, chain: chain.config.name }, "following the chain failed");
        failure ??= error;
      }
    }
    if (failure) throw failure;
    return passes;
  }

  function chainsOf(livemode: boolean): RunningChain[] {
    const found = chains.forMode(livemode);
    if (found.length === 0) throw cryptoDepositError("crypto_unavailable");
    return found;
  }

  /** The wallet user's deposit address, with per chain and asset what a sender needs (and a QR code of it). */
  async function depositAddress(userId: string) {
    const user = await deps.wallets.users.get(userId);
    const running = chainsOf(user.livemode);
    const address = await deps.addresses.forWalletUser(user);
    return {
      object: "crypto_address" as const,
      livemode: user.livemode,
      address: getAddress(address.address),
      assets: running.flatMap((chain) =>
        chain.config.assets.map((asset) => {
          const uri = eip681Uri(chain.config.chainId, asset, address.address);
          return {
            chain: chain.config.name,
            chain_id: chain.config.chainId,
            asset: asset.code,
            contract: asset.contract === null ? null : getAddress(asset.contract),
            decimals: asset.decimals,
            confirmations_required: asset.confirmations,
            minimum_deposit: asset.dustMinor.toString(),
            withdrawal_fee: asset.withdrawalFeeMinor.toString(),
            uri,
            qr_svg: qrSvg(uri, `${asset.code} deposit address`),
          };
        }),
      ),
    };
  }

  async function listForWallet(userId: string, page: PageRequest) {
    const found = await keysetPage<DepositListRow>(pool, page, {
      from: depositList,
      scope: "wallet_user_id = $1",
      params: [userId],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(found, (row) => depositJson(depositFromRow(row), cursorOf(row)));
  }

  async function listForOps(filter: { status?: DepositStatus; livemode?: boolean }, page: PageRequest) {
    const found = await keysetPage<DepositListRow>(pool, page, {
      from: depositList,
      scope: "TRUE",
      filter: "($1::text IS NULL OR status = $1) AND ($2::boolean IS NULL OR livemode = $2)",
      params: [filter.status ?? null, filter.livemode ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(found, (row) => depositOpsJson(depositFromRow(row), cursorOf(row)));
  }

  async function listAlerts(filter: { open?: boolean }, page: PageRequest): Promise<ListPage<CryptoAlert>> {
    const found = await keysetPage<AlertRow>(pool, page, {
      from: "crypto_alerts",
      scope: "TRUE",
      filter: "($1::boolean IS NULL OR (acknowledged_at IS NULL) = $1)",
      params: [filter.open ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(found, alertFromRow);
  }

  /** Acknowledging twice answers the alert as it was acknowledged the first time. */
  async function acknowledgeAlert(id: string, operatorId: string): Promise<CryptoAlert> {
    if (!isId(id, "calr")) throw new ApiError("resource_not_found", "No such alert.", "id");
    const acknowledged = await deps.alerts.acknowledge(id, operatorId);
    if (acknowledged) return acknowledged;
    const found = await pool.query<AlertRow>("SELECT * FROM crypto_alerts WHERE id = $1", [id]);
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such alert.", "id");
    return alertFromRow(found.rows[0]);
  }

  // The sandbox chain's helpers. Each block they make is preceded by a snapshot of the node (a checkpoint at the
  // height before it), so a reorg of the last `depth` blocks can go back to exactly that height.
  const checkpoints = new Map<string, Map<bigint, Hex>>();
  const sandboxQueue = createKeyedQueue();

  async function sandboxChainFor(userId: string) {
    const user = await deps.wallets.users.get(userId);
    if (user.livemode) {
      throw sandboxError("test_mode_only", "Crypto test helpers work for test-mode wallets only.");
    }
    const chain = chainsOf(false).find((c) => c.sandbox !== undefined);
    if (!chain?.sandbox) throw cryptoDepositError("sandbox_chain_required");
    return { user, chain, control: chain.sandbox };
  }

  async function checkpoint(chain: RunningChain): Promise<void> {
    const control = chain.sandbox!;
    const height = await control.headNumber();
    const id = await control.snapshot();
    let byHeight = checkpoints.get(chain.config.name);
    if (!byHeight) {
      byHeight = new Map();
      checkpoints.set(chain.config.name, byHeight);
    }
    byHeight.set(height, id);
  }

  /**
   * Follows the chain once after a helper changed it, so the answer already shows the change. A failure is left
   * to the worker's next pass: the chain did change, and the helper's answer says how.
   */
  async function followNow(chain: RunningChain): Promise<void> {
    try {
      await follower.follow(chain, { leaseWaitMs: sandboxFollowLeaseWaitMs });
    } catch (error) {
      log.error({ err: error, chain: chain.config.name }, "following the sandbox chain after a test helper failed");
    }
  }

  async function findDeposit(chain: RunningChain, txHash: Hex) {
    const found = await pool.query<DepositListRow>(
      `SELECT d.*, c.block_number AS cursor_number FROM crypto_deposits d
         LEFT JOIN crypto_chain_cursors c ON c.chain = d.chain
        WHERE d.chain = $1 AND d.tx_hash = $2 ORDER BY d.log_index LIMIT 1`,
      [chain.config.name, txHash],
    );
    const row = found.rows[0];
    return row ? depositJson(depositFromRow(row), cursorOf(row)) : null;
  }

  /** Sends the user real sandbox money: ETH from the funder, or freshly minted test USDC. */
  async function sandboxDeposit(userId: string, input: { asset: string; amount: unknown }) {
    const { user, chain, control } = await sandboxChainFor(userId);
    const asset = chain.config.assets.find((a) => a.code === input.asset);
    if (!asset) throw cryptoDepositError("crypto_asset_unsupported", undefined, "asset");
    const amount = parseAmount(input.amount, { max: sandboxTestDepositWholeUnitsMax * 10n ** BigInt(asset.decimals) });
    const address = await deps.addresses.forWalletUser(user);
    const txHash = await sandboxQueue.run(chain.config.name, async () => {
      await checkpoint(chain);
      return asset.contract === null
        ? control.sendNative(address.address, amount)
        : control.mintToken(address.address, amount);
    });
    await followNow(chain);
    return {
      object: "crypto_test_deposit" as const,
      tx_hash: txHash,
      address: getAddress(address.address),
      asset: asset.code,
      amount: amount.toString(),
      deposit: await findDeposit(chain, txHash),
    };
  }

  async function sandboxMine(userId: string, blocks: number) {
    const { chain, control } = await sandboxChainFor(userId);
    await sandboxQueue.run(chain.config.name, async () => {
      for (let i = 0; i < blocks; i++) {
        await checkpoint(chain);
        await control.mine(1);
      }
    });
    await followNow(chain);
    return { object: "crypto_test_chain" as const, chain: chain.config.name, head: Number(await control.headNumber()) };
  }

  /** Replaces the last `depth` blocks with empty ones: their transactions are gone from the chain. */
  async function sandboxReorg(userId: string, depth: number) {
    const { chain, control } = await sandboxChainFor(userId);
    await sandboxQueue.run(chain.config.name, async () => {
      const head = await control.headNumber();
      const target = head - BigInt(depth);
      const byHeight = checkpoints.get(chain.config.name);
      const snapshot = byHeight?.get(target);
      if (!byHeight || snapshot === undefined) throw cryptoDepositError("sandbox_reorg_too_deep", undefined, "depth");
      // A revert uses its snapshot up and discards every later one (hardhat's rule).
      for (const height of [...byHeight.keys()]) if (height >= target) byHeight.delete(height);
      // The node goes back to the snapshot and mines as many blocks anew. A replaced block that had transactions
      // gets a new hash; an empty one may come back identical, and then it simply was not reorganised.
      await control.revert(snapshot);
      for (let i = 0; i < depth; i++) {
        await checkpoint(chain);
        await control.mine(1);
      }
    });
    await followNow(chain);
    return { object: "crypto_test_chain" as const, chain: chain.config.name, head: Number(await control.headNumber()) };
  }

  return {
    registerHandler,
    follower,
    followAll,
    depositAddress,
    listForWallet,
    listForOps,
    listAlerts,
    acknowledgeAlert,
    sandbox: { deposit: sandboxDeposit, mine: sandboxMine, reorg: sandboxReorg },
  };
}
