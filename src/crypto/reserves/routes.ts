import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { listOf, listQueryProperties, mapPage, pageRequest } from "../../http/pagination.js";
import { operatorActor, requireOperator } from "../../operators/permissions.js";
import { Nullable, operationsTag, walletTag } from "../../wallets/schemas.js";
import { ChainError } from "../chain/connector.js";
import { leafHash, type ReservesProof } from "./merkle.js";
import { type ReservesAssetProof, type ReservesReport, storedAssetFigures } from "./model.js";
import type { ReservesService } from "./service.js";

const Closed = { additionalProperties: false } as const;
const Minor = Type.String({ pattern: "^[0-9]+$", description: "Minor units of the asset (wei for ETH)." });
const SignedMinor = Type.String({ pattern: "^-?[0-9]+$", description: "Minor units of the asset; may be negative." });
const Hash = Type.String({ pattern: "^[0-9a-f]{64}$" });
const AssetCode = Type.String({ pattern: "^[A-Z][A-Z0-9]{2,9}$" });

const ReservesAssetSchema = Type.Object(
  {
    asset: AssetCode,
    ok: Type.Boolean({ description: "False when the chain holds less than what is owed (shortfall > 0)." }),
    chains: Type.Array(
      Type.Object(
        {
          chain: Type.String(),
          on_chain: Minor,
          custody: SignedMinor,
        },
        Closed,
      ),
    ),
    on_chain: { ...Minor, description: "Held by every custody address (hot, wallet, payment) on the mode's chains." },
    custody: Type.Object(
      {
        posted: SignedMinor,
        pending_in: Minor,
        pending_out: Minor,
      },
      { ...Closed, description: "The custody ledger accounts of the asset: what the ledger says the chains hold." },
    ),
    custody_gap: { ...SignedMinor, description: "on_chain − custody.posted." },
    custody_gap_unexplained: {
      ...SignedMinor,
      description: "The part of custody_gap pending deposits and withdrawals do not explain.",
    },
    liabilities: Type.Object(
      { wallets: SignedMinor, merchants: SignedMinor, payment_held: SignedMinor, total: SignedMinor },
      { ...Closed, description: "What coffer owes in the asset: posted balances (pending credits are not owed yet)." },
    ),
    shortfall: { ...Minor, description: "liabilities.total − custody.pending_out − on_chain, when positive." },
    merkle: Type.Object(
      { root: Nullable(Hash), total: Minor, leaves: Type.Integer({ minimum: 0 }) },
      { ...Closed, description: "The Merkle sum tree of wallet users' balances (null root: nobody holds the asset)." },
    ),
  },
  Closed,
);

const ReservesReportSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("reserves_report"),
    livemode: Type.Boolean(),
    source: Type.Union([Type.Literal("cli"), Type.Literal("worker"), Type.Literal("operator")]),
    operator: Nullable(Type.String()),
    ok: Type.Boolean(),
    assets: Type.Array(ReservesAssetSchema),
    created_at: Type.Integer({ description: "Unix seconds." }),
  },
  { ...Closed, $id: "ReservesReport", title: "ReservesReport" },
);

const ProofStepSchema = Type.Object(
  {
    side: Type.Union([Type.Literal("left"), Type.Literal("right")], {
      description: "Where the sibling sits: hash it on this side of the node computed so far.",
    }),
    hash: Hash,
    sum: Minor,
  },
  Closed,
);

const AssetProofSchema = Type.Object(
  {
    object: Type.Literal("reserves_asset_proof"),
    report_id: Type.String(),
    asset: AssetCode,
    included: Type.Boolean({ description: "Whether the wallet had a balance of the asset when the report ran." }),
    root: Nullable(Hash),
    total: Minor,
    leaf: Nullable(Type.Object({ wallet_user_id: Type.String(), balance: Minor, nonce: Hash, hash: Hash }, Closed)),
    path: Type.Array(ProofStepSchema),
    note: Nullable(Type.String()),
  },
  Closed,
);

const WalletReservesProofSchema = Type.Object(
  {
    object: Type.Literal("reserves_proof"),
    report: Type.Object(
      { id: Type.String(), livemode: Type.Boolean(), ok: Type.Boolean(), created_at: Type.Integer() },
      Closed,
    ),
    data: Type.Array(AssetProofSchema),
  },
  { ...Closed, $id: "WalletReservesProof", title: "WalletReservesProof" },
);

export function reservesReportJson(report: ReservesReport) {
  return {
    id: report.id,
    object: "reserves_report" as const,
    livemode: report.livemode,
    source: report.source,
    operator: report.operatorId,
    ok: report.ok,
    assets: report.assets.map((figures) => {
      const { asset, ok, ...rest } = storedAssetFigures(figures);
      return { asset, ok, ...rest };
    }),
    created_at: Math.floor(report.createdAt.getTime() / 1000),
  };
}

function assetProofJson(report: ReservesReport, entry: ReservesAssetProof) {
  const { proof } = entry;
  return {
    object: "reserves_asset_proof" as const,
    report_id: report.id,
    asset: entry.asset,
    included: entry.included,
    root: entry.root,
    total: String(entry.total),
    leaf: proof ? { ...proof.leaf, hash: leafHashOf(proof) } : null,
    path: proof?.path ?? [],
    note: proof
      ? null
      : `You held no ${entry.asset} when report ${report.id} ran, so no leaf of yours is in its tree; ` +
        "its total counts only wallets that held some.",
  };
}

function leafHashOf(proof: ReservesProof): string {
  return leafHash({
    reportId: proof.report_id,
    asset: proof.asset,
    walletUserId: proof.leaf.wallet_user_id,
    balance: BigInt(proof.leaf.balance),
    nonce: proof.leaf.nonce,
  });
}

/** A chain that did not answer while a report ran: nothing was kept, try again shortly. */
function chainUnavailable(error: unknown): never {
  if (error instanceof ChainError) {
    throw new ApiError("service_unavailable", `A chain did not answer while reading balances: ${error.message}`);
  }
  throw error;
}

/**
 * Proof of reserves over HTTP: a wallet user's inclusion proof, and operators' reports (run now, list).
 * Register with `app.register(reservesRoutes, { reserves })`.
 */
export const reservesRoutes: FastifyPluginAsyncTypebox<{ reserves: ReservesService }> = async (app, { reserves }) => {
  app.get(
    "/v1/wallet/reserves_proof",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Your inclusion proof in the latest proof of reserves",
        description:
          "For each asset of the latest reserves report of your mode (or the one asked for): the Merkle sum tree's " +
          "root and total, your leaf (balance and nonce) and the path of sibling hashes and sums up to the root. " +
          "docs/crypto.md says how to check it yourself; an asset you held none of answers included: false.",
        querystring: Type.Object({ asset: Type.Optional(AssetCode) }, Closed),
        response: { 200: WalletReservesProofSchema },
      },
    },
    async (request) => {
      const userId = authOf(request, "wallet").walletUserId;
      const { report, assets } = await reserves.proof(userId, request.query.asset);
      return {
        object: "reserves_proof" as const,
        report: {
          id: report.id,
          livemode: report.livemode,
          ok: report.ok,
          created_at: Math.floor(report.createdAt.getTime() / 1000),
        },
        data: assets.map((entry) => assetProofJson(report, entry)),
      };
    },
  );

  const Mode = Type.Union([Type.Literal("test"), Type.Literal("live")]);

  app.post(
    "/v1/ops/crypto/reserves_reports",
    {
      preHandler: requireOperator("crypto.reserves_run"),
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Run a proof-of-reserves report now",
        description:
          "Reads every custody address's balance on the mode's chains and the ledger's liabilities, keeps the report " +
          "with its Merkle trees and raises a reserves_shortfall alert for an asset that falls short. A shortfall is " +
          "an answer (ok: false), not an error.",
        body: Type.Object({ mode: Mode }, Closed),
        response: { 201: ReservesReportSchema },
      },
    },
    async (request, reply) => {
      const { operatorId, ip } = operatorActor(request);
      const report = await reserves
        .run(request.body.mode === "live", { source: "operator", operatorId, ip })
        .catch(chainUnavailable);
      reply.code(201);
      return reservesReportJson(report);
    },
  );

  app.get(
    "/v1/ops/crypto/reserves_reports",
    {
      preHandler: requireOperator("crypto.read"),
      schema: {
        tags: [operationsTag],
        summary: "Proof-of-reserves reports, newest first",
        querystring: Type.Object({ mode: Type.Optional(Mode), ...listQueryProperties }, Closed),
        response: { 200: listOf(ReservesReportSchema) },
      },
    },
    async (request) => {
      const { mode, ...page } = request.query;
      const listed = await reserves.list(pageRequest(page), {
        livemode: mode === undefined ? undefined : mode === "live",
      });
      return mapPage(listed, reservesReportJson);
    },
  );
};
