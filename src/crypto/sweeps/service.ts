import { LeaseBusy, withLease } from "../../db/leases.js";
import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { newId } from "../../ids.js";
import type { Address } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import type { AssetConfig } from "../config.js";
import { hotWalletDerivationIndex } from "../custody/keys.js";
import type { CryptoDeps, LedgerPlan, OutgoingOutcome, OutgoingRequest } from "../deps.js";
import type { Signer } from "../signer/service.js";

/**
 * Sweeps: money on deposit addresses (of wallet users and crypto payments) moves into the hot wallet, which sends
 * every withdrawal and refund. A pass reads the on-chain balance of each deposit address and, for an asset holding at
 * least its sweep threshold:
 *
 * - native coin: sends the balance minus a gas budget from the deposit address;
 * - ERC-20: the address has no coin to pay gas with, so the hot wallet first sends it just enough for one token
 *   transfer (a gas_topup), and once that is confirmed the tokens go to the hot wallet.
 *
 * Money only changes address, so custody in the ledger stays the same; the signer books the gas (network_fee ←
 * custody of the native coin). One sweep at a time per address. A failed step raises sweep_failed; a hot wallet above
 * its limit raises hot_wallet_limit (move the excess to cold storage).
 */
export const sweepPassIntervalMs = 30_000;
/** The pass of a chain holds its lease at most this long. */
export const sweepLeaseTtlMs = 5 * 60_000;
/** Deposit addresses whose balances one pass reads; the next pass goes on from there, round the list. */
export const sweepAddressesPerPassMax = 500;
/**
 * An asset is swept from an address holding at least this many times its dust threshold: below, the gas of the sweep
 * would cost too large a share of what it moves.
 */
export const sweepThresholdDustMultiple = 100n;
/**
 * The gas a sweep may use, as a multiple of gas limit × the quoted max fee: the signer may raise the fee of a stuck
 * transaction (12.5 % a replacement), and a native sweep must still afford it. What is not used stays behind.
 */
export const sweepGasBudgetMultiple = 2n;

export interface SweepOptions {
  /** The sweep threshold of an asset, in its minor units (default: dust × sweepThresholdDustMultiple). */
  thresholdMinor?: (chain: string, asset: AssetConfig) => bigint;
}

export interface SweepPassSummary {
  started: number;
  alerts: number;
}

type SweepStatus = "topping_up" | "sweeping" | "swept" | "failed";

interface SweepRow {
  id: string;
  chain: string;
  livemode: boolean;
  address: string;
  derivation_index: number;
  asset: string;
  amount: bigint;
  gas_topup: bigint;
  status: SweepStatus;
  failure_code: string | null;
}

export type CryptoSweeps = ReturnType<typeof createCryptoSweeps>;

export function createCryptoSweeps(deps: CryptoDeps & { signer: Signer }, options: SweepOptions = {}) {
  const { pool, clock, log } = deps;
  const thresholdOf =
    options.thresholdMinor ?? ((_chain: string, asset: AssetConfig) => asset.dustMinor * sweepThresholdDustMultiple);
  // Where each chain's pass goes on from (a derivation index), in this process.
  const cursors = new Map<string, number>();

  async function runPass(passOptions: { signal?: AbortSignal; chain?: string } = {}): Promise<SweepPassSummary> {
    const summary: SweepPassSummary = { started: 0, alerts: 0 };
    for (const chain of deps.chains.all()) {
      if (passOptions.signal?.aborted) break;
      if (passOptions.chain !== undefined && chain.config.name !== passOptions.chain) continue;
      try {
        await withLease(pool, `crypto_sweep:${chain.config.name}`, { ttlMs: sweepLeaseTtlMs, waitMs: 0 }, async () => {
          await sweepChain(chain, summary, passOptions.signal);
          await checkHotWallet(chain, summary);
        });
      } catch (error) {
        if (!(error instanceof LeaseBusy)) throw error;
      }
    }
    return summary;
  }

  async function sweepChain(chain: RunningChain, summary: SweepPassSummary, signal?: AbortSignal): Promise<void> {
    const name = chain.config.name;
    const after = cursors.get(name) ?? 0;
    const found = await pool.query<{ address: string; derivation_index: number }>(
      `SELECT a.address, a.derivation_index FROM crypto_addresses a
        WHERE a.livemode = $1 AND a.kind IN ('wallet', 'payment') AND a.derivation_index > $2
          AND NOT EXISTS (SELECT 1 FROM crypto_sweeps s
                           WHERE s.chain = $3 AND s.address = a.address AND s.status IN ('topping_up', 'sweeping'))
          -- money still waiting for its confirmations could vanish in a reorganisation: swept once it counts
          AND NOT EXISTS (SELECT 1 FROM crypto_deposits d
                           WHERE d.chain = $3 AND d.address = a.address AND d.status = 'pending')
        ORDER BY a.derivation_index LIMIT $4`,
      [chain.livemode, after, name, sweepAddressesPerPassMax],
    );
    const last = found.rows.at(-1);
    cursors.set(name, found.rows.length < sweepAddressesPerPassMax || !last ? 0 : last.derivation_index);
    const native = chain.config.assets.find((asset) => asset.contract === null);
    if (!native) return;
    // Tokens first: their sweep needs the address's coin for gas, which a native sweep would take away.
    const assets = [...chain.config.assets.filter((asset) => asset.contract !== null), native];
    for (const row of found.rows) {
      if (signal?.aborted) return;
      const address = row.address as Address;
      for (const asset of assets) {
        const balance = await chain.connector.balanceOf(address, asset.code);
        if (balance < thresholdOf(name, asset)) continue;
        const started =
          asset === native
            ? await sweepNative(chain, address, row.derivation_index, native, balance)
            : await sweepToken(chain, address, row.derivation_index, asset, native, balance);
        if (started) {
          summary.started++;
          break;
        }
      }
    }
  }

  async function sweepNative(
    chain: RunningChain,
    address: Address,
    index: number,
    native: AssetConfig,
    balance: bigint,
  ): Promise<boolean> {
    const [fees, gasLimit] = await Promise.all([chain.connector.feeQuote(), chain.connector.gasLimitFor(native.code)]);
    const amount = balance - gasLimit * fees.maxFeePerGas * sweepGasBudgetMultiple;
    if (amount <= 0n) return false;
    return start(chain, { address, index, asset: native.code, amount, gasTopup: 0n });
  }

  async function sweepToken(
    chain: RunningChain,
    address: Address,
    index: number,
    token: AssetConfig,
    native: AssetConfig,
    balance: bigint,
  ): Promise<boolean> {
    const [fees, gasLimit, coin] = await Promise.all([
      chain.connector.feeQuote(),
      chain.connector.gasLimitFor(token.code),
      chain.connector.balanceOf(address, native.code),
    ]);
    const needed = gasLimit * fees.maxFeePerGas * sweepGasBudgetMultiple;
    return start(chain, {
      address,
      index,
      asset: token.code,
      amount: balance,
      gasTopup: coin >= needed ? 0n : needed - coin,
      native: native.code,
    });
  }

  /** Records the sweep and queues its first transaction, together. */
  async function start(
    chain: RunningChain,
    sweep: { address: Address; index: number; asset: string; amount: bigint; gasTopup: bigint; native?: string },
  ): Promise<boolean> {
    await deps.keys.warm(chain.livemode);
    const hot = await deps.keys.addressAt(chain.livemode, hotWalletDerivationIndex);
    const id = newId("csw");
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO crypto_sweeps (id, chain, livemode, address, derivation_index, asset, amount, gas_topup, status,
                                    created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT DO NOTHING`,
        [
          id,
          chain.config.name,
          chain.livemode,
          sweep.address,
          sweep.index,
          sweep.asset,
          String(sweep.amount),
          String(sweep.gasTopup),
          sweep.gasTopup > 0n ? "topping_up" : "sweeping",
          now,
        ],
      );
      if (inserted.rowCount !== 1) return false;
      const base = { chain: chain.config.name, livemode: chain.livemode, purposeId: id };
      if (sweep.gasTopup > 0n) {
        await deps.signer.enqueue(tx, {
          ...base,
          fromIndex: hotWalletDerivationIndex,
          to: sweep.address,
          asset: sweep.native!,
          amount: sweep.gasTopup,
          purpose: "gas_topup",
        });
      } else {
        await deps.signer.enqueue(tx, {
          ...base,
          fromIndex: sweep.index,
          to: hot,
          asset: sweep.asset,
          amount: sweep.amount,
          purpose: "sweep",
        });
      }
      log.info(
        { sweep: id, address: sweep.address, asset: sweep.asset, amount: String(sweep.amount) },
        "sweep started",
      );
      return true;
    });
  }

  async function checkHotWallet(chain: RunningChain, summary: SweepPassSummary): Promise<void> {
    const hot = await deps.keys.addressAt(chain.livemode, hotWalletDerivationIndex);
    for (const asset of chain.config.assets) {
      const balance = await chain.connector.balanceOf(hot, asset.code);
      if (balance <= asset.hotWalletLimitMinor) continue;
      await deps.alerts.raise(pool, {
        livemode: chain.livemode,
        chain: chain.config.name,
        kind: "hot_wallet_limit",
        subject: `hot_wallet:${chain.config.name}:${asset.code}`,
        details: {
          address: hot,
          asset: asset.code,
          balance: String(balance),
          limit: String(asset.hotWalletLimitMinor),
          excess: String(balance - asset.hotWalletLimitMinor),
        },
      });
      summary.alerts++;
    }
  }

  async function readSweep(db: Queryable, id: string): Promise<SweepRow> {
    const found = await db.query<SweepRow>("SELECT * FROM crypto_sweeps WHERE id = $1", [id]);
    if (!found.rows[0]) throw new Error(`sweep ${id} is missing`);
    return found.rows[0];
  }

  /** A failed step ends the sweep and tells operators; the next pass may start a new one. */
  async function fail(tx: Queryable, sweep: SweepRow, outcome: OutgoingOutcome, step: string): Promise<void> {
    const now = clock.now();
    const code = outcome.failureCode ?? "rejected";
    const updated = await tx.query(
      `UPDATE crypto_sweeps SET status = 'failed', failure_code = $2, updated_at = $3, completed_at = $3
        WHERE id = $1 AND status IN ('topping_up', 'sweeping')`,
      [sweep.id, `${step}_${code}`, now],
    );
    if (updated.rowCount !== 1) throw new Error(`sweep ${sweep.id} is no longer open`);
    await deps.alerts.raise(tx, {
      livemode: sweep.livemode,
      chain: sweep.chain,
      kind: "sweep_failed",
      subject: `sweep:${sweep.id}`,
      details: {
        sweep: sweep.id,
        address: sweep.address,
        asset: sweep.asset,
        amount: String(sweep.amount),
        step,
        failure_code: code,
        outgoing: outcome.outgoingId,
        tx_hash: outcome.txHash,
      },
    });
  }

  /** The gas top-up's outcome: confirmed, the token transfer is queued in the same transaction. */
  async function gasTopupSettled(outcome: OutgoingOutcome, request: OutgoingRequest): Promise<LedgerPlan> {
    // The token transfer is queued inside the ledger's transaction: the seed is decrypted before, not there.
    await deps.keys.warm(request.livemode);
    return {
      transfers: [],
      async write(tx) {
        const sweep = await readSweep(tx, request.purposeId);
        if (outcome.status === "failed") return fail(tx, sweep, outcome, "gas_topup");
        const updated = await tx.query(
          "UPDATE crypto_sweeps SET status = 'sweeping', updated_at = $2 WHERE id = $1 AND status = 'topping_up'",
          [sweep.id, clock.now()],
        );
        if (updated.rowCount !== 1) throw new Error(`sweep ${sweep.id} is not topping up`);
        await deps.signer.enqueue(tx, {
          chain: sweep.chain,
          livemode: sweep.livemode,
          fromIndex: sweep.derivation_index,
          to: await deps.keys.addressAt(sweep.livemode, hotWalletDerivationIndex, tx),
          asset: sweep.asset,
          amount: BigInt(sweep.amount),
          purpose: "sweep",
          purposeId: sweep.id,
        });
      },
    };
  }

  async function sweepSettled(outcome: OutgoingOutcome, request: OutgoingRequest): Promise<LedgerPlan> {
    return {
      transfers: [],
      async write(tx) {
        const sweep = await readSweep(tx, request.purposeId);
        if (outcome.status === "failed") return fail(tx, sweep, outcome, "sweep");
        const now = clock.now();
        const updated = await tx.query(
          `UPDATE crypto_sweeps SET status = 'swept', updated_at = $2, completed_at = $2
            WHERE id = $1 AND status = 'sweeping'`,
          [sweep.id, now],
        );
        if (updated.rowCount !== 1) throw new Error(`sweep ${sweep.id} is not sweeping`);
      },
    };
  }

  deps.signer.registerHandler("gas_topup", { settled: gasTopupSettled });
  deps.signer.registerHandler("sweep", { settled: sweepSettled });

  async function list(limit: number) {
    const found = await pool.query<SweepRow & { created_at: Date; completed_at: Date | null }>(
      "SELECT * FROM crypto_sweeps ORDER BY created_at DESC, id DESC LIMIT $1",
      [limit],
    );
    return found.rows;
  }

  return { runPass, list };
}
