import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { operatorErrors } from "../errors.js";
import { operatorActor, requireOperator } from "../permissions.js";
import { verifyRunObject } from "../verify-runs.js";
import type { OperatorRouteDeps } from "./deps.js";
import { VerifyRun } from "./schemas.js";

/** `coffer verify` from the operator console: run it now (admins) and read the latest run, whoever ran it. */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;

export const operatorVerifyRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "operators">;
}> = async (app, { services }) => {
  const runs = services.operators.verifyRuns;

  app.post(
    "/v1/ops/verify",
    {
      preHandler: requireOperator("verify.run"),
      schema: {
        tags,
        summary: "Run coffer verify now",
        description:
          "Proves the books from the database rows, as `coffer verify` does, and keeps the report. A failing check " +
          "is an answer, not an error: look at ok and checks.",
        body: Type.Object({ ledger: Type.Optional(Type.Union([Type.Literal("test"), Type.Literal("live")])) }, Closed),
        response: { 201: VerifyRun },
      },
    },
    async (request, reply) => {
      const actor = operatorActor(request);
      const result = await runs.run(
        { source: "operator", operatorId: actor.operatorId, ip: actor.ip },
        { ledger: request.body.ledger },
      );
      reply.code(201);
      return verifyRunObject(result.run);
    },
  );

  app.get(
    "/v1/ops/verify/latest",
    {
      preHandler: requireOperator("verify.read"),
      schema: { tags, summary: "The latest verify run", response: { 200: VerifyRun } },
    },
    async () => {
      const latest = await runs.latest();
      if (!latest) throw operatorErrors.toApiError("verify_never_run");
      return verifyRunObject(latest);
    },
  );
};
