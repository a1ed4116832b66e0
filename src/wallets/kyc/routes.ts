import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { listOf } from "../../http/pagination.js";
import { walletIdNumberLengthMax, walletLegalNameLengthMax } from "../../limits.js";
import { KycSubmissionSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { kycSubmissionJson } from "./model.js";

/** Identity verification by the wallet user. */
export const walletKycRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.post(
    "/v1/wallet/kyc",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Verify your identity",
        description:
          "Level 1 (full_name, id_number, date_of_birth) raises the wallet to tier 1; level 2 (document_type, document_number, document_country) to tier 2. The answer is approved, rejected, or pending_review (an operator decides).",
        body: Type.Object(
          {
            level: Type.Union([Type.Literal(1), Type.Literal(2)]),
            full_name: Type.Optional(Type.String({ minLength: 1, maxLength: walletLegalNameLengthMax })),
            id_number: Type.Optional(
              Type.String({ pattern: "^[0-9A-Za-z-]{4,64}$", maxLength: walletIdNumberLengthMax }),
            ),
            date_of_birth: Type.Optional(
              Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "yyyy-mm-dd" }),
            ),
            document_type: Type.Optional(
              Type.Union([Type.Literal("passport"), Type.Literal("id_card"), Type.Literal("driving_licence")]),
            ),
            document_number: Type.Optional(
              Type.String({ pattern: "^[0-9A-Za-z-]{4,64}$", maxLength: walletIdNumberLengthMax }),
            ),
            document_country: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: KycSubmissionSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const submission = await wallets.kyc.submit(authOf(request, "wallet").walletUserId, {
        level: body.level,
        fullName: body.full_name,
        idNumber: body.id_number,
        dateOfBirth: body.date_of_birth,
        documentType: body.document_type,
        documentNumber: body.document_number,
        documentCountry: body.document_country,
      });
      reply.code(201);
      return kycSubmissionJson(submission);
    },
  );

  app.get(
    "/v1/wallet/kyc",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Your identity submissions",
        response: { 200: listOf(KycSubmissionSchema) },
      },
    },
    async (request) => {
      const submissions = await wallets.kyc.listForUser(authOf(request, "wallet").walletUserId);
      return { object: "list" as const, data: submissions.map(kycSubmissionJson), has_more: false };
    },
  );
};
