import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { dateFromUnixSeconds, unixSecondsSchema } from "../../http/timestamps.js";
import { CurrencyCode, TransactionSchema, TransactionTypeSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";

/** The transaction list and monthly statements. */
export const walletHistoryRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.get(
    "/v1/wallet/transactions",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Transactions: top-ups, withdrawals, transfers, payments and refunds, newest first",
        querystring: Type.Object(
          {
            ...listQueryProperties,
            type: Type.Optional(TransactionTypeSchema),
            status: Type.Optional(
              Type.Union(
                ["pending", "processing", "requires_capture", "succeeded", "failed", "canceled", "expired"].map(
                  (status) => Type.Literal(status),
                ),
              ),
            ),
            direction: Type.Optional(Type.Union([Type.Literal("in"), Type.Literal("out")])),
            currency: Type.Optional(CurrencyCode),
            created_gte: Type.Optional(unixSecondsSchema("Created at or after this time.")),
            created_lt: Type.Optional(unixSecondsSchema("Created before this time.")),
          },
          { additionalProperties: false },
        ),
        response: { 200: listOf(TransactionSchema) },
      },
    },
    async (request) => {
      const query = request.query;
      return wallets.transactions.list(authOf(request, "wallet").walletUserId, pageRequest(query), {
        type: query.type,
        status: query.status,
        direction: query.direction,
        currency: query.currency,
        createdGte: dateFromUnixSeconds(query.created_gte),
        createdLt: dateFromUnixSeconds(query.created_lt),
      });
    },
  );

  app.get(
    "/v1/wallet/statements/:month(^\\d{4}-\\d{2}).csv",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "A monthly statement as CSV",
        description:
          "UTF-8 CSV with a header row (date, type, transaction_id, description, amount, currency, balance): per currency an opening balance, each posted movement of the month (UTC) with the balance after it, and a closing balance. Amounts are decimals in the currency's unit.",
        params: Type.Object({ month: Type.String({ pattern: "^[0-9]{4}-[0-9]{2}$", description: "yyyy-mm" }) }),
        querystring: Type.Object({ currency: Type.Optional(CurrencyCode) }, { additionalProperties: false }),
        response: {
          200: {
            description: "The statement.",
            content: { "text/csv": { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      const userId = authOf(request, "wallet").walletUserId;
      const csv = await wallets.statements.statement(userId, request.params.month, request.query.currency);
      const name = `coffer-statement-${request.params.month}${request.query.currency ? `-${request.query.currency}` : ""}.csv`;
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${name}"`)
        .send(csv);
    },
  );
};
