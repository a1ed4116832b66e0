import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { AmountString, amountSchema } from "../../http/amount.js";
import { authOf, requireAuth } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { requireOperator } from "../../operators/permissions.js";
import {
  CurrencyCode,
  IdParams,
  Nullable,
  operationsTag,
  StepUpBody,
  stepUpProof,
  Timestamp,
  walletTag,
} from "../../wallets/schemas.js";
import { allowlistEntryJson, type CryptoWithdrawal, cryptoWithdrawalJson } from "./model.js";
import type { CryptoWithdrawals } from "./service.js";

const addressDescription =
  "An EVM address, 0x and 40 hexadecimal digits: with its EIP-55 checksum (mixed case), or all lowercase.";

export const CryptoWithdrawalSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("crypto_withdrawal"),
    livemode: Type.Boolean(),
    status: Type.Union(
      [Type.Literal("pending"), Type.Literal("broadcast"), Type.Literal("confirmed"), Type.Literal("failed")],
      {
        description:
          "pending: held, waiting to be signed and sent; broadcast: sent to the network (again when replaced with a higher fee); confirmed: mined with the asset's confirmations, paid out; failed: reverted, dropped or refused, the money is back.",
      },
    ),
    chain: Type.String(),
    asset: Type.String(),
    amount: AmountString,
    fee: Object.assign({}, AmountString, { description: "The withdrawal fee, charged on top of the amount." }),
    to_address: Type.String({ description: "EIP-55 checksummed." }),
    tx_hash: Nullable(Type.String({ description: "The transaction's hash once signed (the mined one, once mined)." })),
    nonce: Nullable(Type.Integer()),
    block_number: Nullable(Type.Integer()),
    confirmations: Nullable(
      Type.Integer({ description: "Blocks on top of the transaction's (its own counts); null when unknown." }),
    ),
    failure_code: Nullable(Type.String({ description: "reverted, dropped or rejected." })),
    created: Timestamp,
    completed: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

const AllowlistEntrySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("crypto_allowlist_entry"),
    address: Type.String({ description: "EIP-55 checksummed." }),
    label: Nullable(Type.String()),
    created: Timestamp,
  },
  { additionalProperties: false },
);

const SettingsSchema = Type.Object(
  {
    object: Type.Literal("crypto_withdrawal_settings"),
    allowlist_only: Type.Boolean({ description: "Withdrawals may go only to addresses on the allowlist." }),
  },
  { additionalProperties: false },
);

const HotWalletSchema = Type.Object(
  {
    chain: Type.String(),
    livemode: Type.Boolean(),
    asset: Type.String(),
    hot_wallet_address: Nullable(Type.String({ description: "null until the mode's custody seed exists." })),
    on_chain_balance: Nullable(Object.assign({}, AmountString, { description: "null when the node does not answer." })),
    custody_ledger_balance: Object.assign({}, AmountString, {
      description: "What the ledger says coffer holds on this chain, over every custody address.",
    }),
    hot_wallet_limit: AmountString,
    above_limit: Type.Boolean(),
    queued: Type.Integer({ description: "Outgoing transactions of the hot wallet not sent yet." }),
    sent: Type.Integer({ description: "Sent and not yet confirmed." }),
    next_nonce: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

function settingsJson(settings: { allowlistOnly: boolean }) {
  return { object: "crypto_withdrawal_settings" as const, allowlist_only: settings.allowlistOnly };
}

/** Crypto withdrawals, the withdrawal allowlist, and the operators' view of the hot wallet and withdrawals. */
export const cryptoWithdrawalRoutes: FastifyPluginAsyncTypebox<{ withdrawals: CryptoWithdrawals }> = async (
  app,
  { withdrawals },
) => {
  const wallet = { preHandler: requireAuth("wallet") };

  app.post(
    "/v1/wallet/crypto/withdrawals",
    {
      ...wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Withdraw crypto to an external address",
        description:
          "Holds the amount and the asset's withdrawal fee at once; the hot wallet sends the amount, and the hold is paid out when the transaction has its confirmations (crypto_withdrawal.confirmed) or released when it fails (crypto_withdrawal.failed). The address must be a valid EVM address (a wrong EIP-55 checksum is refused), not one of coffer's own, and on the allowlist when the wallet is allowlist-only. Counts against the tier's limits; above the step-up threshold it needs step_up.",
        body: Type.Object(
          {
            asset: CurrencyCode,
            amount: amountSchema(),
            to_address: Type.String({ minLength: 1, maxLength: 100, description: addressDescription }),
            chain: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 32,
                description: "Default: the first chain of the mode carrying the asset.",
              }),
            ),
            step_up: Type.Optional(StepUpBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: CryptoWithdrawalSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, (w: CryptoWithdrawal) => cryptoWithdrawalJson(w));
      const withdrawal = await withdrawals.create(
        authOf(request, "wallet").walletUserId,
        {
          asset: request.body.asset,
          amount: request.body.amount,
          toAddress: request.body.to_address,
          chain: request.body.chain,
          stepUp: request.body.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
        },
        request.ip,
        answer.record,
      );
      return answer.respond(withdrawal);
    },
  );

  app.get(
    "/v1/wallet/crypto/withdrawals",
    {
      ...wallet,
      schema: {
        tags: [walletTag],
        summary: "Crypto withdrawals, newest first",
        querystring: Type.Object(listQueryProperties, { additionalProperties: false }),
        response: { 200: listOf(CryptoWithdrawalSchema) },
      },
    },
    async (request) =>
      withdrawals.pageJson(await withdrawals.list(authOf(request, "wallet").walletUserId, pageRequest(request.query))),
  );

  app.get(
    "/v1/wallet/crypto/withdrawals/:id",
    {
      ...wallet,
      schema: {
        tags: [walletTag],
        summary: "A crypto withdrawal, with its transaction and confirmations",
        params: IdParams,
        response: { 200: CryptoWithdrawalSchema },
      },
    },
    async (request) =>
      withdrawals.toJson(await withdrawals.get(authOf(request, "wallet").walletUserId, request.params.id)),
  );

  app.get(
    "/v1/wallet/crypto/allowlist",
    {
      ...wallet,
      schema: {
        tags: [walletTag],
        summary: "The withdrawal allowlist",
        response: {
          200: Type.Object(
            { object: Type.Literal("list"), data: Type.Array(AllowlistEntrySchema), has_more: Type.Boolean() },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => ({
      object: "list" as const,
      data: (await withdrawals.listAllowlist(authOf(request, "wallet").walletUserId)).map(allowlistEntryJson),
      has_more: false,
    }),
  );

  app.post(
    "/v1/wallet/crypto/allowlist",
    {
      ...wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Add an address to the withdrawal allowlist",
        description:
          "Needs step_up (a second factor) whatever the amount: an allowlist is only as safe as its additions.",
        body: Type.Object(
          {
            address: Type.String({ minLength: 1, maxLength: 100, description: addressDescription }),
            label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            step_up: Type.Optional(StepUpBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: AllowlistEntrySchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, allowlistEntryJson);
      const entry = await withdrawals.addAllowlistEntry(
        authOf(request, "wallet").walletUserId,
        {
          address: request.body.address,
          label: request.body.label,
          stepUp: request.body.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
        },
        request.ip,
        answer.record,
      );
      return answer.respond(entry);
    },
  );

  app.delete(
    "/v1/wallet/crypto/allowlist/:id",
    {
      ...wallet,
      schema: {
        tags: [walletTag],
        summary: "Remove an address from the withdrawal allowlist",
        params: IdParams,
        response: {
          200: Type.Object(
            { id: Type.String(), object: Type.Literal("crypto_allowlist_entry"), deleted: Type.Literal(true) },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      const removed = await withdrawals.removeAllowlistEntry(authOf(request, "wallet").walletUserId, request.params.id);
      return { id: removed.id, object: "crypto_allowlist_entry" as const, deleted: true as const };
    },
  );

  app.get(
    "/v1/wallet/crypto/withdrawal_settings",
    {
      ...wallet,
      schema: { tags: [walletTag], summary: "Crypto withdrawal settings", response: { 200: SettingsSchema } },
    },
    async (request) => settingsJson(await withdrawals.settings(authOf(request, "wallet").walletUserId)),
  );

  app.post(
    "/v1/wallet/crypto/withdrawal_settings",
    {
      ...wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Change crypto withdrawal settings",
        description: "allowlist_only on: withdrawals only to the allowlist. Turning it off needs step_up.",
        body: Type.Object(
          { allowlist_only: Type.Boolean(), step_up: Type.Optional(StepUpBody) },
          { additionalProperties: false },
        ),
        response: { 200: SettingsSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, settingsJson);
      const settings = await withdrawals.updateSettings(
        authOf(request, "wallet").walletUserId,
        {
          allowlistOnly: request.body.allowlist_only,
          stepUp: request.body.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
        },
        request.ip,
        answer.record,
      );
      return answer.respond(settings);
    },
  );

  const ops = { preHandler: requireOperator("crypto.custody") };

  app.get(
    "/v1/ops/crypto/hot_wallet",
    {
      ...ops,
      schema: {
        tags: [operationsTag],
        summary: "The hot wallet of every chain: balances, limit, signer queue, next nonce",
        response: {
          200: Type.Object(
            { object: Type.Literal("list"), data: Type.Array(HotWalletSchema), has_more: Type.Boolean() },
            { additionalProperties: false },
          ),
        },
      },
    },
    async () => ({ object: "list" as const, data: await withdrawals.hotWalletReport(), has_more: false }),
  );

  app.get(
    "/v1/ops/crypto/withdrawals",
    {
      ...ops,
      schema: {
        tags: [operationsTag],
        summary: "Crypto withdrawals of every wallet, newest first",
        querystring: Type.Object(
          {
            ...listQueryProperties,
            status: Type.Optional(
              Type.Union([
                Type.Literal("pending"),
                Type.Literal("broadcast"),
                Type.Literal("confirmed"),
                Type.Literal("failed"),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: listOf(CryptoWithdrawalSchema) },
      },
    },
    async (request) => {
      return withdrawals.pageJson(await withdrawals.listAll(request.query.status, pageRequest(request.query)));
    },
  );
};
