import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ApiError } from "../../http/errors.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { kybReasonLengthMax, kybReasonsMax } from "../../limits.js";
import { kybStates } from "../../merchants/model.js";
import { linkBase, unwrap } from "../../merchants/routes/http.js";
import { IdParams, KybApplicationReview, KybDocument } from "../../merchants/routes/schemas.js";
import type { ReviewDecision } from "../kyb-review.js";
import { operatorActor, operatorRoleAllows, requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";

/**
 * The KYB review queue for operators: list by state, open an application (reviewers see the numbers in full) and
 * its documents, and decide: start_review, approve, reject or request_info (the last two need reasons, which the
 * merchant reads in the mail and in the application's history).
 */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;

const KybSummary = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("kyb_application_summary"),
    merchant: Type.String(),
    business_name: Type.String(),
    state: Type.Union(kybStates.map((s) => Type.Literal(s))),
    legal_name: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    submitted_at: Type.Union([Type.Integer(), Type.Null()]),
    updated: Type.Integer(),
  },
  Closed,
);

const Reasons = Type.Array(Type.String({ minLength: 1, maxLength: kybReasonLengthMax }), {
  maxItems: kybReasonsMax,
  description: "Why, in words the merchant will read.",
});

const decisions: { path: string; decision: ReviewDecision; summary: string; reasonsRequired: boolean }[] = [
  {
    path: "start_review",
    decision: "start_review",
    summary: "Start reviewing (submitted → in_review)",
    reasonsRequired: false,
  },
  { path: "approve", decision: "approve", summary: "Approve", reasonsRequired: false },
  { path: "reject", decision: "reject", summary: "Reject, with reasons", reasonsRequired: true },
  {
    path: "request_info",
    decision: "request_info",
    summary: "Ask the merchant for more information",
    reasonsRequired: true,
  },
];

export const operatorKybRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "config" | "operators">;
}> = async (app, { services }) => {
  const review = services.operators.kybReview;
  const sensitive = (role: Parameters<typeof operatorRoleAllows>[0]) => operatorRoleAllows(role, "kyb.read_sensitive");

  app.get(
    "/v1/ops/kyb_applications",
    {
      preHandler: requireOperator("kyb.read"),
      schema: {
        tags,
        summary: "The KYB review queue",
        description: "Oldest change first; filter by state (e.g. submitted).",
        querystring: Type.Object(
          { ...listQueryProperties, state: Type.Optional(Type.Union(kybStates.map((s) => Type.Literal(s)))) },
          Closed,
        ),
        response: { 200: listOf(KybSummary) },
      },
    },
    async (request) => review.list({ state: request.query.state }, pageRequest(request.query)),
  );

  app.get(
    "/v1/ops/kyb_applications/:id",
    {
      preHandler: requireOperator("kyb.read"),
      schema: { tags, summary: "Open an application", params: IdParams, response: { 200: KybApplicationReview } },
    },
    async (request) => {
      const application = await review.open(request.params.id, {
        sensitive: sensitive(operatorActor(request).role),
      });
      if (!application) throw new ApiError("resource_not_found");
      return application;
    },
  );

  app.get(
    "/v1/ops/kyb_applications/:id/documents/:document",
    {
      preHandler: requireOperator("kyb.read_sensitive"),
      schema: {
        tags,
        summary: "Download a document",
        description: "The file as base64, with its metadata.",
        params: Type.Object({ id: Type.String({ maxLength: 255 }), document: Type.String({ maxLength: 255 }) }, Closed),
        response: {
          200: Type.Object({ ...KybDocument.properties, content_base64: Type.String() }, Closed),
        },
      },
    },
    async (request) => {
      const found = await review.document(request.params.id, request.params.document);
      if (!found) throw new ApiError("resource_not_found");
      return { ...found.document, content_base64: found.content.toString("base64") };
    },
  );

  for (const { path, decision, summary, reasonsRequired } of decisions) {
    const body = reasonsRequired
      ? Type.Object({ reasons: Type.Array(Reasons.items, { ...Reasons, minItems: 1 }) }, Closed)
      : Type.Object({ reasons: Type.Optional(Reasons) }, Closed);
    app.post(
      `/v1/ops/kyb_applications/:id/${path}`,
      {
        preHandler: requireOperator("kyb.decide"),
        schema: { tags, summary, params: IdParams, body, response: { 200: KybApplicationReview } },
      },
      async (request) => {
        const actor = operatorActor(request);
        const reasons = (request.body as { reasons?: string[] } | undefined)?.reasons ?? [];
        return unwrap(
          await review.decide(
            { operatorId: actor.operatorId, ip: actor.ip, sensitive: sensitive(actor.role) },
            request.params.id,
            decision,
            reasons.map((r) => r.trim()).filter((r) => r.length > 0),
            linkBase(request, services.config),
          ),
        );
      },
    );
  }
};
