import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { authErrors, authOf, requireAuth } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { listOf, listQueryProperties } from "../../http/pagination.js";
import { walletFreezeReasonLengthMax } from "../../limits.js";
import { kycSubmissionJson } from "../kyc/model.js";
import { IdParams, KycSubmissionSchema, Nullable, operationsTag, WalletUserSchema } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { walletUserJson } from "../users/model.js";

type OperatorRole = "admin" | "reviewer" | "support";

/** The operator of a request, if their role may do this (operators sign in through the merchant platform). */
function operator(request: FastifyRequest, roles: OperatorRole[]) {
  const auth = authOf(request, "operator");
  if (!roles.includes(auth.role)) {
    throw authErrors.toApiError("permission_denied", `The ${auth.role} role cannot do this.`);
  }
  return { operatorId: auth.operatorId, ip: request.ip };
}

const ReviewItem = Type.Object(
  {
    submission: KycSubmissionSchema,
    id_number: Nullable(Type.String()),
    date_of_birth: Nullable(Type.String()),
    document_number: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** Operator actions on wallets: freezing, and the identity review queue. */
export const walletOpsRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  const guard = { preHandler: requireAuth("operator") };

  app.get(
    "/v1/ops/wallet_users/:id",
    {
      ...guard,
      schema: {
        tags: [operationsTag],
        summary: "A wallet user",
        params: IdParams,
        response: { 200: WalletUserSchema },
      },
    },
    async (request) => {
      operator(request, ["admin", "reviewer", "support"]);
      return walletUserJson(await wallets.users.get(request.params.id));
    },
  );

  app.post(
    "/v1/ops/wallet_users/:id/freeze",
    {
      ...guard,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Freeze a wallet",
        description: "No money moves in or out until it is unfrozen; the user can still log in and read. Audited.",
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: walletFreezeReasonLengthMax }) },
          { additionalProperties: false },
        ),
        response: { 200: WalletUserSchema },
      },
    },
    async (request) =>
      walletUserJson(
        await wallets.users.freeze(operator(request, ["admin", "support"]), request.params.id, request.body.reason),
      ),
  );

  app.post(
    "/v1/ops/wallet_users/:id/unfreeze",
    {
      ...guard,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Unfreeze a wallet",
        params: IdParams,
        response: { 200: WalletUserSchema },
      },
    },
    async (request) =>
      walletUserJson(await wallets.users.unfreeze(operator(request, ["admin", "support"]), request.params.id)),
  );

  app.get(
    "/v1/ops/kyc_submissions",
    {
      ...guard,
      schema: {
        tags: [operationsTag],
        summary: "The identity review queue, oldest first",
        querystring: Type.Object(
          { limit: listQueryProperties.limit, starting_after: listQueryProperties.starting_after },
          { additionalProperties: false },
        ),
        response: { 200: listOf(ReviewItem) },
      },
    },
    async (request) => {
      operator(request, ["admin", "reviewer"]);
      const { items, hasMore } = await wallets.kyc.reviewQueue({
        limit: request.query.limit ?? 10,
        startingAfter: request.query.starting_after,
      });
      return {
        object: "list" as const,
        data: items.map((item) => ({
          submission: kycSubmissionJson(item.submission),
          id_number: item.idNumber,
          date_of_birth: item.dateOfBirth,
          document_number: item.documentNumber,
        })),
        has_more: hasMore,
      };
    },
  );

  for (const decision of ["approve", "reject"] as const) {
    app.post(
      `/v1/ops/kyc_submissions/:id/${decision}`,
      {
        ...guard,
        config: { idempotent: true },
        schema: {
          tags: [operationsTag],
          summary: decision === "approve" ? "Approve an identity submission" : "Reject an identity submission",
          params: IdParams,
          body: Type.Object(
            { reason: Type.Optional(Type.String({ minLength: 1, maxLength: walletFreezeReasonLengthMax })) },
            { additionalProperties: false },
          ),
          response: { 200: KycSubmissionSchema },
        },
      },
      async (request) => {
        const actor = operator(request, ["admin", "reviewer"]);
        const reason = request.body.reason ?? null;
        if (decision === "reject" && reason === null) {
          throw new ApiError("parameter_missing", "Missing required parameter: reason.", "reason");
        }
        return kycSubmissionJson(await wallets.kyc.decide(actor, request.params.id, decision === "approve", reason));
      },
    );
  }
};
