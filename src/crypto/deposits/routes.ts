import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { AmountString, amountSchema } from "../../http/amount.js";
import { authErrors, authOf, guardFor, requireAuth } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { listOf, listQueryProperties, mapPage, pageRequest } from "../../http/pagination.js";
import { operatorActor, requireOperator } from "../../operators/permissions.js";
import { sandboxError } from "../../sandbox/errors.js";
import { IdParams, Nullable, operationsTag, Timestamp, walletTag } from "../../wallets/schemas.js";
import type { WalletServices } from "../../wallets/service.js";
import {
  alertJson,
  type CryptoDeposits,
  sandboxMineBlocksMax,
  sandboxReorgDepthMax,
  sandboxTestDepositWholeUnitsMax,
} from "./service.js";

/**
 * Crypto deposits over HTTP: a wallet user's deposit address and deposits, the operators' pending deposits and
 * alerts, and the sandbox chain's test helpers for test-mode wallets.
 */
const testHelpersTag = "test_helpers";

const Hash = Type.String({ pattern: "^0x[0-9a-f]{64}$" });
const ChecksumAddress = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "EIP-55 checksummed." });
const DepositStatus = Type.Union(
  ["pending", "available", "orphaned", "reversed", "dust"].map((status) => Type.Literal(status)),
  {
    description:
      "pending: seen in a block, waiting for confirmations; available: credited; orphaned: its block left the chain before that; reversed: its block left the chain after that (taken back); dust: below the asset's minimum, not credited.",
  },
);

const depositProperties = {
  id: Type.String(),
  object: Type.Literal("crypto_deposit"),
  livemode: Type.Boolean(),
  status: DepositStatus,
  chain: Type.String(),
  asset: Type.String(),
  amount: AmountString,
  address: ChecksumAddress,
  from_address: ChecksumAddress,
  tx_hash: Hash,
  log_index: Type.Integer({ minimum: -1, description: "-1 for a native transfer, else the ERC-20 log's index." }),
  block_number: Type.Integer({ minimum: 0 }),
  confirmations: Type.Integer({
    minimum: 0,
    description: "Blocks coffer has followed on top of it, its own included.",
  }),
  confirmations_required: Type.Integer({ minimum: 1 }),
  inclusion: Type.Integer({ minimum: 1, description: "How many times it was mined (a reorg may mine it again)." }),
  created: Timestamp,
  available_at: Nullable(Timestamp),
};
const CryptoDepositSchema = Type.Object(depositProperties, { additionalProperties: false, $id: "CryptoDeposit" });
const CryptoDepositOpsSchema = Type.Object(
  {
    ...depositProperties,
    address_kind: Type.Union([Type.Literal("hot"), Type.Literal("wallet"), Type.Literal("payment")]),
    wallet_user: Nullable(Type.String()),
    payment: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

const CryptoAddressSchema = Type.Object(
  {
    object: Type.Literal("crypto_address"),
    livemode: Type.Boolean(),
    address: ChecksumAddress,
    assets: Type.Array(
      Type.Object(
        {
          chain: Type.String(),
          chain_id: Type.Integer(),
          asset: Type.String(),
          contract: Nullable(ChecksumAddress),
          decimals: Type.Integer(),
          confirmations_required: Type.Integer({ minimum: 1 }),
          minimum_deposit: Object.assign({}, AmountString, {
            description: "Deposits below this (minor units) are dust: recorded, not credited.",
          }),
          withdrawal_fee: Object.assign({}, AmountString, {
            description:
              "What a withdrawal of this asset is charged for the network (minor units), on top of the amount.",
          }),
          uri: Type.String({ description: "EIP-681 payment request for this asset to the address." }),
          qr_svg: Type.String({ description: "The URI as a QR code (SVG)." }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const CryptoAlertSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("crypto_alert"),
    livemode: Type.Boolean(),
    chain: Type.String(),
    kind: Type.String(),
    subject: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    created: Timestamp,
    updated: Timestamp,
    acknowledged_at: Nullable(Timestamp),
    acknowledged_by: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

const TestChainSchema = Type.Object(
  { object: Type.Literal("crypto_test_chain"), chain: Type.String(), head: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const cryptoDepositRoutes: FastifyPluginAsyncTypebox<{
  deposits: CryptoDeposits;
  wallets: WalletServices;
}> = async (app, { deposits, wallets }) => {
  app.addSchema(CryptoDepositSchema);
  const depositRef = Type.Ref(CryptoDepositSchema);
  const walletGuard = { preHandler: requireAuth("wallet") };

  /** Test helpers: a test-mode wallet only, checked before the body so a live wallet always hears why. */
  const requireTestWallet = guardFor(
    ["wallet"],
    async (request: FastifyRequest) => {
      if (!request.auth) throw new ApiError("authentication_required");
      if (request.auth.kind !== "wallet") throw authErrors.toApiError("permission_denied");
      const user = await wallets.users.get(request.auth.walletUserId);
      if (user.livemode) throw sandboxError("test_mode_only", "Crypto test helpers work for test-mode wallets only.");
    },
    "test-mode wallet users only",
  );
  const testGuard = { preValidation: requireTestWallet, preHandler: requireAuth("wallet") };

  app.get(
    "/v1/wallet/crypto/address",
    {
      ...walletGuard,
      schema: {
        tags: [walletTag],
        summary: "The wallet's deposit address",
        description:
          "One address for every chain and asset of the wallet's mode; per asset, what a sender needs and an EIP-681 QR code. A deposit is pending once mined and available after the asset's confirmations. Answers crypto_unavailable when this mode has no chain.",
        response: { 200: CryptoAddressSchema },
      },
    },
    async (request) => deposits.depositAddress(authOf(request, "wallet").walletUserId),
  );

  app.get(
    "/v1/wallet/crypto/deposits",
    {
      ...walletGuard,
      schema: {
        tags: [walletTag],
        summary: "The wallet's crypto deposits, newest first",
        querystring: Type.Object(listQueryProperties, { additionalProperties: false }),
        response: { 200: listOf(depositRef) },
      },
    },
    async (request) => deposits.listForWallet(authOf(request, "wallet").walletUserId, pageRequest(request.query)),
  );

  app.get(
    "/v1/ops/crypto/deposits",
    {
      preHandler: requireOperator("crypto.read"),
      schema: {
        tags: [operationsTag],
        summary: "Crypto deposits of every wallet, payment and the hot wallet, newest first",
        querystring: Type.Object(
          {
            ...listQueryProperties,
            status: Type.Optional(DepositStatus),
            livemode: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: listOf(CryptoDepositOpsSchema) },
      },
    },
    async (request) => {
      const { status, livemode } = request.query;
      return deposits.listForOps({ status: status as never, livemode }, pageRequest(request.query));
    },
  );

  app.get(
    "/v1/ops/crypto/alerts",
    {
      preHandler: requireOperator("crypto.read"),
      schema: {
        tags: [operationsTag],
        summary: "Custody alerts, newest first",
        description:
          "Reorganisations that reversed credits, hot wallets above their limit, stuck withdrawals, reserve shortfalls. open=true lists those not yet acknowledged.",
        querystring: Type.Object(
          { ...listQueryProperties, open: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: listOf(CryptoAlertSchema) },
      },
    },
    async (request) => {
      const page = await deposits.listAlerts({ open: request.query.open }, pageRequest(request.query));
      return mapPage(page, alertJson);
    },
  );

  app.post(
    "/v1/ops/crypto/alerts/:id/acknowledge",
    {
      preHandler: requireOperator("crypto.custody"),
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Acknowledge a custody alert",
        description: "It leaves the open list; the same problem found again raises a new alert.",
        params: IdParams,
        response: { 200: CryptoAlertSchema },
      },
    },
    async (request) => {
      return alertJson(await deposits.acknowledgeAlert(request.params.id, operatorActor(request).operatorId));
    },
  );

  app.post(
    "/v1/wallet/test_helpers/crypto/deposit",
    {
      ...testGuard,
      config: { idempotent: true },
      schema: {
        tags: [testHelpersTag],
        summary: "Send the wallet a sandbox deposit",
        description: `A real transaction on the sandbox chain to the wallet's deposit address: ETH from the sandbox funder, or freshly minted test USDC. At most ${sandboxTestDepositWholeUnitsMax} whole units per call. The answer's deposit is the follower's record of it (pending), or null if the follower has not seen it yet.`,
        body: Type.Object(
          {
            asset: Type.String({ pattern: "^[A-Z][A-Z0-9]{2,9}$" }),
            amount: amountSchema(),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object(
            {
              object: Type.Literal("crypto_test_deposit"),
              tx_hash: Hash,
              address: ChecksumAddress,
              asset: Type.String(),
              amount: AmountString,
              deposit: Type.Union([depositRef, Type.Null()]),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request, reply) => {
      const sent = await deposits.sandbox.deposit(authOf(request, "wallet").walletUserId, request.body);
      reply.code(201);
      return sent;
    },
  );

  app.post(
    "/v1/wallet/test_helpers/crypto/mine",
    {
      ...testGuard,
      config: { idempotent: true },
      schema: {
        tags: [testHelpersTag],
        summary: "Mine empty blocks on the sandbox chain",
        description: "Pending deposits gain a confirmation per block.",
        body: Type.Object(
          { blocks: Type.Integer({ minimum: 1, maximum: sandboxMineBlocksMax }) },
          { additionalProperties: false },
        ),
        response: { 200: TestChainSchema },
      },
    },
    async (request) => deposits.sandbox.mine(authOf(request, "wallet").walletUserId, request.body.blocks),
  );

  app.post(
    "/v1/wallet/test_helpers/crypto/reorg",
    {
      ...testGuard,
      config: { idempotent: true },
      schema: {
        tags: [testHelpersTag],
        summary: "Reorganise the sandbox chain",
        description:
          "The last `depth` blocks are replaced by as many empty ones: their transactions leave the chain (an empty block may come back identical). Pending deposits in them are orphaned; available ones are reversed and alerted. Only blocks made through these test helpers since the last reorganisation can be replaced.",
        body: Type.Object(
          { depth: Type.Integer({ minimum: 1, maximum: sandboxReorgDepthMax }) },
          { additionalProperties: false },
        ),
        response: { 200: TestChainSchema },
      },
    },
    async (request) => deposits.sandbox.reorg(authOf(request, "wallet").walletUserId, request.body.depth),
  );
};
