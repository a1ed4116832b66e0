import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { opsBankFileUploadBodyBytesMax, opsBankFileUploadBytesMax } from "../../limits.js";
import { unwrap } from "../../merchants/routes/http.js";
import { bankFileBatchObject } from "../bank-files.js";
import { operatorActor, requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";
import { BankFileBatch } from "./schemas.js";

/**
 * The file bank connector from the operator console (admins): export the instructions waiting for the bank as a
 * CSV file, import the bank's settlement file, and list every file exchanged (also those of `coffer bank`).
 */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;

export const operatorBankFileRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "operators">;
}> = async (app, { services }) => {
  const desk = services.operators.bankFiles;
  const actorOf = (request: Parameters<typeof operatorActor>[0]) => {
    const actor = operatorActor(request);
    return { source: "operator" as const, operatorId: actor.operatorId, ip: actor.ip };
  };

  app.get(
    "/v1/ops/bank_files",
    {
      preHandler: requireOperator("bank_files.manage"),
      schema: {
        tags,
        summary: "Files exchanged with the bank",
        description: "Exports and imports, newest first, from the console and from `coffer bank`.",
        querystring: Type.Object(listQueryProperties, Closed),
        response: { 200: listOf(BankFileBatch) },
      },
    },
    async (request) => {
      const page = await desk.list(pageRequest(request.query));
      return { ...page, data: page.data.map(bankFileBatchObject) };
    },
  );

  app.post(
    "/v1/ops/bank_files/export",
    {
      preHandler: requireOperator("bank_files.manage"),
      schema: {
        tags,
        summary: "Export the instructions waiting for the bank",
        description:
          "Marks them exported, so the next export has only new ones, and answers the CSV file once: it holds full " +
          "account numbers and is not kept. Format in docs/wallets.md.",
        body: Type.Object({}, Closed),
        response: {
          201: Type.Object(
            {
              batch: BankFileBatch,
              file: Type.Object(
                { filename: Type.String(), content_type: Type.Literal("text/csv"), content: Type.String() },
                Closed,
              ),
            },
            Closed,
          ),
        },
      },
    },
    async (request, reply) => {
      const exported = await desk.exportPending(actorOf(request));
      reply.code(201).header("cache-control", "no-store");
      return {
        batch: bankFileBatchObject(exported.batch),
        file: {
          filename: `coffer-bank-${exported.batch.name.replace(/[^0-9A-Za-z_-]/g, "-")}.csv`,
          content_type: "text/csv" as const,
          content: exported.csv,
        },
      };
    },
  );

  app.post(
    "/v1/ops/bank_files/import",
    {
      preHandler: requireOperator("bank_files.manage"),
      bodyLimit: opsBankFileUploadBodyBytesMax,
      schema: {
        tags,
        summary: "Import the bank's settlement file",
        description:
          "Each line confirms or fails its instruction; importing the file again changes nothing. Lines that cannot " +
          "be applied are listed in the answer's problems.",
        body: Type.Object(
          {
            filename: Type.String({ minLength: 1, maxLength: 255 }),
            content: Type.String({ minLength: 1, maxLength: opsBankFileUploadBytesMax, description: "The CSV text." }),
          },
          Closed,
        ),
        response: { 201: BankFileBatch },
      },
    },
    async (request, reply) => {
      const imported = unwrap(
        await desk.importSettlement(actorOf(request), {
          name: request.body.filename,
          content: request.body.content,
        }),
      );
      reply.code(201);
      return bankFileBatchObject(imported.batch);
    },
  );
};
