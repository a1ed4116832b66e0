import { randomBytes } from "node:crypto";
import { LeaseBusy, withLease } from "../../db/leases.js";
import type { PoolClient } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../../http/pagination.js";
import { newId } from "../../ids.js";
import { appendAudit } from "../../security/audit.js";
import { ledgerOf } from "../../wallets/accounts.js";
import { cryptoAccountPurposes } from "../accounts.js";
import type { Address } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import type { CryptoDeps } from "../deps.js";
import { reservesError } from "./errors.js";
import { buildMerkleSumTree, type MerkleSumTree, proofSteps, reservesNonceBytes } from "./merkle.js";
import {
  assetFiguresFrom,
  type ReservesActor,
  type ReservesAssetFigures,
  type ReservesAssetProof,
  type ReservesReport,
  type StoredAssetFigures,
  storedAssetFigures,
  type WalletReservesProof,
} from "./model.js";

/**
 * Proof of reserves (docs/crypto.md): per mode and asset, what coffer's custody addresses hold on chain against what
 * the ledger says coffer owes, and a Merkle sum tree of the wallet users' balances for their inclusion proofs.
 *
 * A run reads in this order, each step without holding a database connection across the next:
 * 1. the mode's custody addresses (hot, wallet, payment);
 * 2. their balances on every chain of the mode, reservesChainReadsConcurrent at a time;
 * 3. the ledger in one REPEATABLE READ snapshot: custody accounts, liabilities and the wallet users' balances;
 * 4. the report, its trees and any shortfall alert, in one transaction.
 * The chain is read before the ledger, so money moving meanwhile makes the chain look richer, not poorer: a deposit
 * is on chain before it is owed, and a withdrawal is booked (held) before it leaves. A withdrawal mined but not yet
 * booked is still held on the custody account (pending out): it counts as gone (see shortfall).
 */
export const reservesChainReadsConcurrent = 8; // balanceOf calls in flight at once, over all chains of a mode
export const reservesReportIntervalMs = 24 * 60 * 60 * 1000; // the worker's schedule: one report per mode a day
export const reservesWorkerIntervalMs = 60 * 60 * 1000; // how often the worker asks whether a report is due
const reservesRunLeaseMs = 15 * 60 * 1000; // one scheduled run per mode at a time, across processes
export const reservesProofReportsKept = 31; // per mode: reports whose trees are kept for proofs (a month, daily)
const reservesNodeInsertRows = 5_000; // rows per INSERT of a tree's nodes or leaves

/** What coffer owes in an asset: ledger account codes whose posted balances are liabilities. */
const liabilityCodes = {
  wallets: "wallet",
  merchants: "merchant",
  paymentHeld: cryptoAccountPurposes.payment_held.code,
} as const;

interface ReportRow {
  id: string;
  livemode: boolean;
  source: ReservesActor["source"];
  operator_id: string | null;
  ok: boolean;
  assets: StoredAssetFigures[];
  created_at: Date;
}

function reportFromRow(row: ReportRow): ReservesReport {
  return {
    id: row.id,
    livemode: row.livemode,
    source: row.source,
    operatorId: row.operator_id,
    ok: row.ok,
    assets: row.assets.map(assetFiguresFrom),
    createdAt: row.created_at,
  };
}

/** The part of a custody gap outside what pending deposits (up) and pending withdrawals (down) can explain. */
function unexplainedGap(gap: bigint, pendingIn: bigint, pendingOut: bigint): bigint {
  if (gap > pendingIn) return gap - pendingIn;
  if (gap < -pendingOut) return gap + pendingOut;
  return 0n;
}

export type ReservesService = ReturnType<typeof createReservesService>;

export function createReservesService(
  deps: Pick<CryptoDeps, "pool" | "clock" | "log" | "chains" | "alerts" | "currencies">,
) {
  const { pool, clock } = deps;

  /** Modes with at least one chain connected: the ones a report can be made for. */
  function modes(): boolean[] {
    return [false, true].filter((livemode) => deps.chains.forMode(livemode).length > 0);
  }

  /** Σ balanceOf per chain and asset over the addresses, at most reservesChainReadsConcurrent calls at once. */
  async function readChains(chains: RunningChain[], addresses: Address[]): Promise<Map<string, bigint>> {
    const sums = new Map<string, bigint>();
    const reads = chains.flatMap((chain) =>
      chain.config.assets.flatMap((asset) => addresses.map((address) => ({ chain, asset: asset.code, address }))),
    );
    for (const chain of chains)
      for (const asset of chain.config.assets) sums.set(`${chain.config.name}|${asset.code}`, 0n);
    let next = 0;
    const lane = async () => {
      while (next < reads.length) {
        const read = reads[next++]!;
        const balance = await read.chain.connector.balanceOf(read.address, read.asset);
        const key = `${read.chain.config.name}|${read.asset}`;
        sums.set(key, sums.get(key)! + balance);
      }
    };
    await Promise.all(Array.from({ length: Math.min(reservesChainReadsConcurrent, reads.length) }, lane));
    return sums;
  }

  interface LedgerSnapshot {
    custody: Map<string, { posted: bigint; pendingIn: bigint; pendingOut: bigint }>;
    liabilities: Map<string, { wallets: bigint; merchants: bigint; paymentHeld: bigint }>;
    leaves: Map<string, { walletUserId: string; balance: bigint }[]>;
  }

  /** The ledger's side, all from one snapshot so the figures and the trees describe the same moment. */
  async function readLedger(livemode: boolean, assets: string[]): Promise<LedgerSnapshot> {
    const ledger = ledgerOf(livemode);
    const crypto = deps.currencies
      .all()
      .filter((c) => c.kind === "crypto")
      .map((c) => c.code);
    return withTransaction(
      pool,
      async (tx) => {
        // Balances are kept on the account rows, so each figure is one pass over accounts, never over transfers.
        // The custody account is debit-normal: debits are money in.
        const custody = await tx.query<{
          chain: string;
          asset: string;
          posted: bigint;
          pending_in: bigint;
          pending_out: bigint;
        }>(
          `SELECT c.chain, c.asset, a.debits_posted - a.credits_posted AS posted,
                  a.debits_pending AS pending_in, a.credits_pending AS pending_out
             FROM crypto_ledger_accounts c JOIN ledger_accounts a ON a.id = c.ledger_account_id
            WHERE c.livemode = $1 AND c.purpose = 'custody'`,
          [livemode],
        );
        const owed = await tx.query<{ currency: string; code: string; posted: bigint }>(
          `SELECT currency, code, sum(credits_posted - debits_posted) AS posted FROM ledger_accounts
            WHERE ledger = $1 AND currency = ANY($2::text[]) AND code = ANY($3::text[])
            GROUP BY currency, code`,
          [ledger, [...new Set([...assets, ...crypto])], Object.values(liabilityCodes)],
        );
        const holders = await tx.query<{ currency: string; wallet_user_id: string; balance: bigint }>(
          `SELECT w.currency, w.wallet_user_id, a.credits_posted - a.debits_posted AS balance
             FROM wallet_accounts w JOIN ledger_accounts a ON a.id = w.ledger_account_id
            WHERE a.ledger = $1 AND w.currency = ANY($2::text[]) AND a.code = $3
              AND a.credits_posted > a.debits_posted`,
          [ledger, [...new Set([...assets, ...crypto])], liabilityCodes.wallets],
        );
        const snapshot: LedgerSnapshot = { custody: new Map(), liabilities: new Map(), leaves: new Map() };
        for (const row of custody.rows) {
          snapshot.custody.set(`${row.chain}|${row.asset}`, {
            posted: row.posted,
            pendingIn: row.pending_in,
            pendingOut: row.pending_out,
          });
        }
        for (const row of owed.rows) {
          const figures = snapshot.liabilities.get(row.currency) ?? { wallets: 0n, merchants: 0n, paymentHeld: 0n };
          const kind = (Object.keys(liabilityCodes) as (keyof typeof liabilityCodes)[]).find(
            (k) => liabilityCodes[k] === row.code,
          )!;
          figures[kind] += row.posted;
          snapshot.liabilities.set(row.currency, figures);
        }
        for (const row of holders.rows) {
          const list = snapshot.leaves.get(row.currency) ?? [];
          list.push({ walletUserId: row.wallet_user_id, balance: row.balance });
          snapshot.leaves.set(row.currency, list);
        }
        return snapshot;
      },
      { isolation: "repeatable read" },
    );
  }

  /** Makes and keeps a report of one mode now; raises a reserves_shortfall alert per asset that falls short. */
  async function run(livemode: boolean, actor: ReservesActor): Promise<ReservesReport> {
    const chains = deps.chains.forMode(livemode);
    if (chains.length === 0) throw reservesError("reserves_unavailable");
    const id = newId("rsv");

    const addressRows = await pool.query<{ address: Address }>(
      "SELECT address FROM crypto_addresses WHERE livemode = $1 ORDER BY derivation_index",
      [livemode],
    );
    const onChain = await readChains(
      chains,
      addressRows.rows.map((r) => r.address),
    );
    const chainAssets = [...new Set(chains.flatMap((c) => c.config.assets.map((a) => a.code)))];
    const ledger = await readLedger(livemode, chainAssets);

    // Assets of the mode's chains, and any crypto currency owed with no chain to hold it (all of it is short).
    const owedElsewhere = [...ledger.liabilities.entries()]
      .filter(([asset, l]) => !chainAssets.includes(asset) && l.wallets + l.merchants + l.paymentHeld > 0n)
      .map(([asset]) => asset);
    const trees = new Map<string, MerkleSumTree>();
    const assets: ReservesAssetFigures[] = [...chainAssets, ...owedElsewhere].sort().map((asset) => {
      const perChain = chains
        .filter((c) => c.config.assets.some((a) => a.code === asset))
        .map((c) => ({
          chain: c.config.name,
          onChain: onChain.get(`${c.config.name}|${asset}`) ?? 0n,
          custody: ledger.custody.get(`${c.config.name}|${asset}`)?.posted ?? 0n,
        }));
      const custody = { posted: 0n, pendingIn: 0n, pendingOut: 0n };
      for (const c of chains) {
        const account = ledger.custody.get(`${c.config.name}|${asset}`);
        if (!account) continue;
        custody.posted += account.posted;
        custody.pendingIn += account.pendingIn;
        custody.pendingOut += account.pendingOut;
      }
      const held = perChain.reduce((sum, c) => sum + c.onChain, 0n);
      const owed = ledger.liabilities.get(asset) ?? { wallets: 0n, merchants: 0n, paymentHeld: 0n };
      const total = owed.wallets + owed.merchants + owed.paymentHeld;
      const missing = total - custody.pendingOut - held;
      const tree = buildMerkleSumTree(
        (ledger.leaves.get(asset) ?? []).map((leaf) => ({
          reportId: id,
          asset,
          walletUserId: leaf.walletUserId,
          balance: leaf.balance,
          nonce: randomBytes(reservesNonceBytes).toString("hex"),
        })),
      );
      trees.set(asset, tree);
      const gap = held - custody.posted;
      return {
        asset,
        chains: perChain,
        onChain: held,
        custody,
        custodyGap: gap,
        custodyGapUnexplained: unexplainedGap(gap, custody.pendingIn, custody.pendingOut),
        liabilities: { ...owed, total },
        shortfall: missing > 0n ? missing : 0n,
        ok: missing <= 0n,
        merkle: { root: tree.root?.hash ?? null, total: tree.root?.sum ?? 0n, leaves: tree.leaves.length },
      };
    });

    const report: ReservesReport = {
      id,
      livemode,
      source: actor.source,
      operatorId: actor.source === "operator" ? actor.operatorId : null,
      ok: assets.every((a) => a.ok),
      assets,
      createdAt: clock.now(),
    };
    await withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO crypto_reserves_reports (id, livemode, source, operator_id, ok, assets, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          livemode,
          report.source,
          report.operatorId,
          report.ok,
          JSON.stringify(assets.map(storedAssetFigures)),
          report.createdAt,
        ],
      );
      for (const [asset, tree] of trees) await insertTree(tx, id, asset, tree);
      const mode = livemode ? "live" : "test";
      for (const figures of assets.filter((a) => !a.ok)) {
        await deps.alerts.raise(tx, {
          livemode,
          chain: figures.chains.map((c) => c.chain).join(",") || "none",
          kind: "reserves_shortfall",
          subject: `reserves:${mode}:${figures.asset}`,
          details: {
            report: id,
            asset: figures.asset,
            shortfall: String(figures.shortfall),
            on_chain: String(figures.onChain),
            liabilities: String(figures.liabilities.total),
          },
        });
      }
      await appendAudit(
        tx,
        {
          actorType: actor.source === "operator" ? "operator" : "system",
          actorId: report.operatorId,
          merchantId: null,
          action: "crypto.reserves_reported",
          targetType: "reserves_report",
          targetId: id,
          ip: actor.source === "operator" ? actor.ip : null,
          details: { livemode, ok: report.ok, short: assets.filter((a) => !a.ok).map((a) => a.asset) },
        },
        clock.now(),
      );
    });
    if (!report.ok) {
      deps.log.error(
        { report: id, livemode, short: assets.filter((a) => !a.ok).map((a) => a.asset) },
        "reserves shortfall",
      );
    }
    await pruneTrees(livemode).catch((error: unknown) =>
      deps.log.warn({ err: error, livemode }, "old reserves trees were not pruned; the next run tries again"),
    );
    return report;
  }

  async function insertTree(tx: PoolClient, reportId: string, asset: string, tree: MerkleSumTree) {
    for (let start = 0; start < tree.leaves.length; start += reservesNodeInsertRows) {
      const chunk = tree.leaves.slice(start, start + reservesNodeInsertRows);
      await tx.query(
        `INSERT INTO crypto_reserves_leaves (report_id, asset, wallet_user_id, position, balance, nonce)
         SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::numeric[], $6::text[])`,
        [
          reportId,
          asset,
          chunk.map((l) => l.walletUserId),
          chunk.map((_, i) => start + i),
          chunk.map((l) => String(l.balance)),
          chunk.map((l) => l.nonce),
        ],
      );
    }
    const nodes = tree.levels.flatMap((nodesOfLevel, level) =>
      nodesOfLevel.map((node, position) => ({ level, position, ...node })),
    );
    for (let start = 0; start < nodes.length; start += reservesNodeInsertRows) {
      const chunk = nodes.slice(start, start + reservesNodeInsertRows);
      await tx.query(
        `INSERT INTO crypto_reserves_nodes (report_id, asset, level, position, hash, sum)
         SELECT $1, $2, * FROM unnest($3::smallint[], $4::int[], $5::text[], $6::numeric[])`,
        [
          reportId,
          asset,
          chunk.map((n) => n.level),
          chunk.map((n) => n.position),
          chunk.map((n) => n.hash),
          chunk.map((n) => String(n.sum)),
        ],
      );
    }
  }

  /** Drops the trees of a mode's reports older than the newest reservesProofReportsKept; their roots stay. */
  async function pruneTrees(livemode: boolean): Promise<void> {
    const old = `SELECT id FROM crypto_reserves_reports WHERE livemode = $1 ORDER BY seq DESC OFFSET $2`;
    await pool.query(`DELETE FROM crypto_reserves_nodes WHERE report_id IN (${old})`, [
      livemode,
      reservesProofReportsKept,
    ]);
    await pool.query(`DELETE FROM crypto_reserves_leaves WHERE report_id IN (${old})`, [
      livemode,
      reservesProofReportsKept,
    ]);
  }

  /**
   * The worker's pass: a report for each mode with a chain whose latest report is older than
   * reservesReportIntervalMs. A lease per mode keeps two processes from making the same day's report twice.
   */
  async function runDue(): Promise<ReservesReport[]> {
    const made: ReservesReport[] = [];
    let failure: unknown;
    for (const livemode of modes()) {
      const mode = livemode ? "live" : "test";
      try {
        await withLease(pool, `crypto-reserves:${mode}`, { ttlMs: reservesRunLeaseMs, waitMs: 0 }, async () => {
          const last = await latest(livemode);
          if (last && clock.now().getTime() - last.createdAt.getTime() < reservesReportIntervalMs) return;
          made.push(await run(livemode, { source: "worker" }));
        });
      } catch (error) {
        if (error instanceof LeaseBusy) continue;
        // One mode's chain being down must not keep the other mode from its report.
        deps.log.error({ err: error, mode }, "reserves report failed; the next pass tries again");
        failure ??= error;
      }
    }
    if (failure) throw failure;
    return made;
  }

  async function latest(livemode: boolean): Promise<ReservesReport | undefined> {
    const found = await pool.query<ReportRow>(
      "SELECT * FROM crypto_reserves_reports WHERE livemode = $1 ORDER BY seq DESC LIMIT 1",
      [livemode],
    );
    return found.rows[0] && reportFromRow(found.rows[0]);
  }

  async function get(id: string): Promise<ReservesReport | undefined> {
    const found = await pool.query<ReportRow>("SELECT * FROM crypto_reserves_reports WHERE id = $1", [id]);
    return found.rows[0] && reportFromRow(found.rows[0]);
  }

  /** Reports, newest first; both modes unless one is asked for (operators see both). */
  async function list(page: PageRequest, filter: { livemode?: boolean }): Promise<ListPage<ReservesReport>> {
    const rows = await keysetPage<ReportRow>(pool, page, {
      from: "crypto_reserves_reports",
      scope: "TRUE",
      filter: "$1::boolean IS NULL OR livemode = $1",
      params: [filter.livemode ?? null],
      idColumn: "id",
      sortColumns: ["seq"],
      order: "desc",
    });
    return mapPage(rows, reportFromRow);
  }

  /**
   * A wallet user's inclusion proofs in the latest report of their mode: for one asset, or every asset of the
   * report. An asset they held none of answers included: false.
   */
  async function proof(walletUserId: string, asset?: string): Promise<WalletReservesProof> {
    const user = await pool.query<{ livemode: boolean }>("SELECT livemode FROM wallet_users WHERE id = $1", [
      walletUserId,
    ]);
    const livemode = user.rows[0]?.livemode;
    if (livemode === undefined) throw new Error(`wallet user ${walletUserId} not found`);
    const report = await latest(livemode);
    if (!report) throw reservesError("reserves_report_missing");
    const assets = report.assets.filter((a) => asset === undefined || a.asset === asset);
    if (asset !== undefined && assets.length === 0) {
      throw reservesError(
        "reserves_report_missing",
        `The latest reserves report (${report.id}) has no ${asset}: it covers ${report.assets.map((a) => a.asset).join(", ") || "no asset"}.`,
        "asset",
      );
    }
    const leaves = await pool.query<{ asset: string; position: number; balance: bigint; nonce: string }>(
      `SELECT asset, position, balance, nonce FROM crypto_reserves_leaves
        WHERE report_id = $1 AND wallet_user_id = $2 AND asset = ANY($3::text[])`,
      [report.id, walletUserId, assets.map((a) => a.asset)],
    );
    const wanted = leaves.rows.flatMap((leaf) => {
      const leafCount = report.assets.find((a) => a.asset === leaf.asset)!.merkle.leaves;
      return proofSteps(leaf.position, leafCount).map((step) => ({ asset: leaf.asset, ...step }));
    });
    const siblings = await pool.query<{ asset: string; level: number; position: number; hash: string; sum: bigint }>(
      `SELECT n.asset, n.level, n.position, n.hash, n.sum
         FROM crypto_reserves_nodes n
         JOIN unnest($2::text[], $3::smallint[], $4::int[]) AS s(asset, level, position)
           ON n.asset = s.asset AND n.level = s.level AND n.position = s.position
        WHERE n.report_id = $1`,
      [report.id, wanted.map((w) => w.asset), wanted.map((w) => w.level), wanted.map((w) => w.position)],
    );
    const node = new Map(siblings.rows.map((n) => [`${n.asset}|${n.level}|${n.position}`, n]));
    return {
      report,
      assets: assets.map((figures): ReservesAssetProof => {
        const leaf = leaves.rows.find((l) => l.asset === figures.asset);
        const base = { asset: figures.asset, root: figures.merkle.root, total: figures.merkle.total };
        if (!leaf || figures.merkle.root === null) return { ...base, included: false, proof: null };
        return {
          ...base,
          included: true,
          proof: {
            report_id: report.id,
            asset: figures.asset,
            root: figures.merkle.root,
            total: String(figures.merkle.total),
            leaf: { wallet_user_id: walletUserId, balance: String(leaf.balance), nonce: leaf.nonce },
            path: proofSteps(leaf.position, figures.merkle.leaves).map((step) => {
              const sibling = node.get(`${figures.asset}|${step.level}|${step.position}`);
              if (!sibling)
                throw new Error(`reserves report ${report.id}: tree node ${step.level}/${step.position} is missing`);
              return { side: step.side, hash: sibling.hash, sum: String(sibling.sum) };
            }),
          },
        };
      }),
    };
  }

  return { modes, run, runDue, latest, get, list, proof };
}
