import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { unwrap } from "../../merchants/routes/http.js";
import { Email, IdParams, NameBody } from "../../merchants/routes/schemas.js";
import { operatorObject } from "../model.js";
import { operatorActor, requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";
import { Operator, OperatorRoleSchema } from "./schemas.js";

/** Admins manage operators: list, create (with a one-time password shown once), change role, disable. */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;

export const operatorAdminRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "operators">;
}> = async (app, { services }) => {
  const accounts = services.operators.accounts;

  app.get(
    "/v1/ops/operators",
    {
      preHandler: requireOperator("operators.manage"),
      schema: {
        tags,
        summary: "List operators",
        querystring: Type.Object(listQueryProperties, Closed),
        response: { 200: listOf(Operator) },
      },
    },
    async (request) => {
      const page = await accounts.list(pageRequest(request.query));
      return { ...page, data: page.data.map(operatorObject) };
    },
  );

  app.post(
    "/v1/ops/operators",
    {
      preHandler: requireOperator("operators.manage"),
      schema: {
        tags,
        summary: "Create an operator",
        description: "Answers a one-time password, shown once; the first sign-in must replace it.",
        body: Type.Object({ email: Email, role: OperatorRoleSchema, name: NameBody }, Closed),
        response: {
          201: Type.Object({ ...Operator.properties, one_time_password: Type.String() }, Closed),
        },
      },
    },
    async (request, reply) => {
      const actor = operatorActor(request);
      const created = unwrap(
        await accounts.create({
          email: request.body.email,
          role: request.body.role,
          name: request.body.name ?? null,
          createdBy: actor.operatorId,
          ip: actor.ip,
        }),
      );
      reply.code(201);
      return { ...operatorObject(created.operator), one_time_password: created.oneTimePassword };
    },
  );

  app.post(
    "/v1/ops/operators/:id",
    {
      preHandler: requireOperator("operators.manage"),
      schema: {
        tags,
        summary: "Change an operator's role, or disable them",
        description: "Disabling ends their sessions at once. Nobody can change their own role or disable themselves.",
        params: IdParams,
        body: Type.Object({ role: Type.Optional(OperatorRoleSchema), disabled: Type.Optional(Type.Boolean()) }, Closed),
        response: { 200: Operator },
      },
    },
    async (request) =>
      operatorObject(unwrap(await accounts.update(operatorActor(request), request.params.id, request.body))),
  );
};
