import type { ReservesProof } from "./merkle.js";

/** The figures of a proof-of-reserves report (src/crypto/reserves/service.ts), free of database and chain code. */
export interface ReservesChainFigures {
  chain: string;
  /** Sum of balanceOf over every custody address of the mode on this chain. */
  onChain: bigint;
  /** The custody account's posted balance on this chain (what the ledger says the chain holds). */
  custody: bigint;
}

export interface ReservesAssetFigures {
  asset: string;
  /** Chains of the mode that carry the asset; none for a crypto currency owed with no chain to hold it. */
  chains: ReservesChainFigures[];
  onChain: bigint;
  custody: {
    posted: bigint;
    /** Deposits seen but not yet confirmed: on chain already, not owed yet. */
    pendingIn: bigint;
    /** Withdrawals and refunds held, whose transaction may be mined already. */
    pendingOut: bigint;
  };
  /** onChain − custody.posted: positive is money not booked, negative is money gone that the ledger still counts. */
  custodyGap: bigint;
  /** The part of custodyGap that pending deposits and withdrawals do not explain. */
  custodyGapUnexplained: bigint;
  liabilities: { wallets: bigint; merchants: bigint; paymentHeld: bigint; total: bigint };
  /** liabilities.total − custody.pendingOut − onChain when positive: owed money the chain does not hold. */
  shortfall: bigint;
  ok: boolean;
  /** The Merkle sum tree of wallet users' balances; its total is the wallet users' part of liabilities.wallets. */
  merkle: { root: string | null; total: bigint; leaves: number };
}

export type ReservesActor =
  | { source: "cli" }
  | { source: "worker" }
  | { source: "operator"; operatorId: string; ip: string | null };

export interface ReservesReport {
  id: string;
  livemode: boolean;
  source: ReservesActor["source"];
  operatorId: string | null;
  ok: boolean;
  assets: ReservesAssetFigures[];
  createdAt: Date;
}

/** A wallet user's proof for one asset of the latest report. */
export interface ReservesAssetProof {
  asset: string;
  included: boolean;
  root: string | null;
  total: bigint;
  /** Null when the user held none of the asset when the report ran. */
  proof: ReservesProof | null;
}

export interface WalletReservesProof {
  report: ReservesReport;
  assets: ReservesAssetProof[];
}

/** The JSON kept in crypto_reserves_reports.assets: the figures with amounts as decimal strings. */
export interface StoredAssetFigures {
  asset: string;
  chains: { chain: string; on_chain: string; custody: string }[];
  on_chain: string;
  custody: { posted: string; pending_in: string; pending_out: string };
  custody_gap: string;
  custody_gap_unexplained: string;
  liabilities: { wallets: string; merchants: string; payment_held: string; total: string };
  shortfall: string;
  ok: boolean;
  merkle: { root: string | null; total: string; leaves: number };
}

export function storedAssetFigures(a: ReservesAssetFigures): StoredAssetFigures {
  return {
    asset: a.asset,
    chains: a.chains.map((c) => ({ chain: c.chain, on_chain: String(c.onChain), custody: String(c.custody) })),
    on_chain: String(a.onChain),
    custody: {
      posted: String(a.custody.posted),
      pending_in: String(a.custody.pendingIn),
      pending_out: String(a.custody.pendingOut),
    },
    custody_gap: String(a.custodyGap),
    custody_gap_unexplained: String(a.custodyGapUnexplained),
    liabilities: {
      wallets: String(a.liabilities.wallets),
      merchants: String(a.liabilities.merchants),
      payment_held: String(a.liabilities.paymentHeld),
      total: String(a.liabilities.total),
    },
    shortfall: String(a.shortfall),
    ok: a.ok,
    merkle: { root: a.merkle.root, total: String(a.merkle.total), leaves: a.merkle.leaves },
  };
}

export function assetFiguresFrom(s: StoredAssetFigures): ReservesAssetFigures {
  return {
    asset: s.asset,
    chains: s.chains.map((c) => ({ chain: c.chain, onChain: BigInt(c.on_chain), custody: BigInt(c.custody) })),
    onChain: BigInt(s.on_chain),
    custody: {
      posted: BigInt(s.custody.posted),
      pendingIn: BigInt(s.custody.pending_in),
      pendingOut: BigInt(s.custody.pending_out),
    },
    custodyGap: BigInt(s.custody_gap),
    custodyGapUnexplained: BigInt(s.custody_gap_unexplained),
    liabilities: {
      wallets: BigInt(s.liabilities.wallets),
      merchants: BigInt(s.liabilities.merchants),
      paymentHeld: BigInt(s.liabilities.payment_held),
      total: BigInt(s.liabilities.total),
    },
    shortfall: BigInt(s.shortfall),
    ok: s.ok,
    merkle: { root: s.merkle.root, total: BigInt(s.merkle.total), leaves: s.merkle.leaves },
  };
}
