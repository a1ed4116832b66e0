import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { AmountString } from "../http/amount.js";
import { authOf, requireAuth } from "../http/auth.js";
import { listOf } from "../http/pagination.js";
import { spendPeriods, spendUsage } from "./limits/spend.js";
import { walletTag } from "./schemas.js";
import type { WalletServices } from "./service.js";

const BalanceSchema = Type.Object(
  {
    object: Type.Literal("balance"),
    currency: Type.String(),
    available: Object.assign({}, AmountString, { description: "What can be spent now." }),
    held: Object.assign({}, AmountString, { description: "Reserved for withdrawals the bank has not paid out yet." }),
    incoming: Object.assign({}, AmountString, {
      description: "Top-ups the bank has not confirmed yet, and blockchain deposits waiting for their confirmations.",
    }),
  },
  { additionalProperties: false },
);

const LimitsSchema = Type.Object(
  {
    object: Type.Literal("wallet_limits"),
    currency: Type.String(),
    tier: Type.Integer(),
    balance_cap: AmountString,
    per_payment: AmountString,
    daily: AmountString,
    monthly: AmountString,
    spent_today: AmountString,
    spent_this_month: AmountString,
    step_up_above: AmountString,
  },
  { additionalProperties: false },
);

/** Balances per currency, and the limits of the wallet's tier with what is used of them. */
export const walletBalanceRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.get(
    "/v1/wallet/balances",
    {
      preHandler: requireAuth("wallet"),
      schema: { tags: [walletTag], summary: "The wallet's balances", response: { 200: listOf(BalanceSchema) } },
    },
    async (request) => {
      const userId = authOf(request, "wallet").walletUserId;
      const [balances, incoming] = await Promise.all([
        wallets.accounts.balances(userId),
        wallets.topUps.pendingTotals(userId),
      ]);
      const currencies = new Set([...balances.map((b) => b.currency), ...incoming.keys()]);
      return {
        object: "list" as const,
        data: [...currencies].sort().map((currency) => {
          const balance = balances.find((b) => b.currency === currency);
          return {
            object: "balance" as const,
            currency,
            available: String(balance?.available ?? 0n),
            held: String(balance?.debitsPending ?? 0n),
            // Deposits on chain are pending credits of the wallet account until confirmed (src/crypto/deposits).
            incoming: String((incoming.get(currency) ?? 0n) + (balance?.creditsPending ?? 0n)),
          };
        }),
        has_more: false,
      };
    },
  );

  app.get(
    "/v1/wallet/limits",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "The wallet's limits and what is used of them",
        description: "Days and months are UTC.",
        response: { 200: listOf(LimitsSchema) },
      },
    },
    async (request) => {
      const user = await wallets.users.get(authOf(request, "wallet").walletUserId);
      const periods = spendPeriods(wallets.clock.now());
      const data = await Promise.all(
        [...wallets.config.tiers.entries()].map(async ([currency, tiers]) => {
          const limits = tiers[user.tier];
          const used = await spendUsage(wallets.pool, user.id, currency, periods);
          return {
            object: "wallet_limits" as const,
            currency,
            tier: user.tier,
            balance_cap: String(limits.balanceCap),
            per_payment: String(limits.perPayment),
            daily: String(limits.daily),
            monthly: String(limits.monthly),
            spent_today: String(used.day),
            spent_this_month: String(used.month),
            step_up_above: String(wallets.config.stepUpAbove.get(currency) ?? 0n),
          };
        }),
      );
      return { object: "list" as const, data, has_more: false };
    },
  );
};
