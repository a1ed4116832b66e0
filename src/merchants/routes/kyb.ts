import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { documentUploadBodyBytesMax } from "../../limits.js";
import { kybApplicationObject, kybDocumentObject } from "../kyb-records.js";
import { documentTypes } from "../model.js";
import { consoleActor, requireConsole } from "../permissions.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { linkBase, unwrap } from "./http.js";
import { EmptyBody, IdParams, KybApplication, KybDocument, KybPatchBody } from "./schemas.js";

/**
 * The merchant's KYB application: read it, fill it in (PUT merges: absent fields stay, null clears), upload and
 * delete documents, submit it. Only the document upload route accepts a large body.
 */
const tags = ["console"];
const Closed = { additionalProperties: false } as const;

export const kybRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "config" | "merchants" | "notifications">;
}> = async (app, { services }) => {
  const kyb = services.merchants.kyb;

  app.get(
    "/v1/console/kyb",
    {
      preHandler: requireConsole("kyb.read"),
      schema: { tags, summary: "The KYB application", response: { 200: KybApplication } },
    },
    async (request) => kybApplicationObject(await kyb.get(consoleActor(request).merchantId)),
  );

  app.put(
    "/v1/console/kyb",
    {
      preHandler: requireConsole("kyb.write"),
      schema: {
        tags,
        summary: "Fill in the KYB application",
        description:
          "Allowed in draft and action_required. The bank account number and the representative's ID number are " +
          "encrypted at rest and shown as their last four characters from then on.",
        body: KybPatchBody,
        response: { 200: KybApplication },
      },
    },
    async (request) => kybApplicationObject(unwrap(await kyb.update(consoleActor(request), request.body))),
  );

  app.post(
    "/v1/console/kyb/documents",
    {
      preHandler: requireConsole("kyb.write"),
      bodyLimit: documentUploadBodyBytesMax,
      schema: {
        tags,
        summary: "Upload a KYB document",
        description:
          "The file as standard base64 in JSON. PDF, PNG or JPEG, at most 5 MiB; the content must match " +
          "content_type. Stored encrypted.",
        body: Type.Object(
          {
            type: Type.Union(documentTypes.map((t) => Type.Literal(t))),
            content_type: Type.String({ maxLength: 100, description: "application/pdf, image/png or image/jpeg." }),
            filename: Type.Optional(Type.String({ maxLength: 255 })),
            content_base64: Type.String({ maxLength: documentUploadBodyBytesMax }),
          },
          Closed,
        ),
        response: { 201: KybDocument },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const document = unwrap(
        await kyb.addDocument(consoleActor(request), {
          type: body.type,
          contentType: body.content_type,
          filename: body.filename?.trim() || null,
          contentBase64: body.content_base64,
        }),
      );
      reply.code(201);
      return kybDocumentObject(document);
    },
  );

  app.delete(
    "/v1/console/kyb/documents/:id",
    {
      preHandler: requireConsole("kyb.write"),
      schema: {
        tags,
        summary: "Delete a KYB document",
        params: IdParams,
        response: {
          200: Type.Object(
            { id: Type.String(), object: Type.Literal("kyb_document"), deleted: Type.Literal(true) },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      unwrap(await kyb.removeDocument(consoleActor(request), request.params.id));
      return { id: request.params.id, object: "kyb_document" as const, deleted: true as const };
    },
  );

  app.post(
    "/v1/console/kyb/submit",
    {
      preHandler: requireConsole("kyb.write"),
      schema: {
        tags,
        summary: "Submit the KYB application for review",
        description: "Needs every required field and document (requirements.missing lists what is left).",
        body: EmptyBody,
        response: { 200: KybApplication },
      },
    },
    async (request) => {
      const submitted = unwrap(await kyb.submit(consoleActor(request), linkBase(request, services.config)));
      services.notifications.kick();
      return kybApplicationObject(submitted);
    },
  );
};
