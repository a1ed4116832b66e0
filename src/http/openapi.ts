import fastifySwagger from "@fastify/swagger";
import scalarApiReference from "@scalar/fastify-api-reference";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import { idempotencyKeyLengthMax, idempotencyKeyTtlMs } from "../limits.js";
import { ErrorResponse } from "./errors.js";
import { idempotencyKeyHeader } from "./idempotency.js";
import { requestIdHeader } from "./request-id.js";
import { apiVersionHeader, apiVersionLatest } from "./versioning.js";

/**
 * The OpenAPI 3.1 document is generated from the routes' TypeBox schemas (GET /openapi.json); the Scalar API
 * reference renders it at GET /docs (which redirects to /docs/). Register this before any route: the generator
 * collects routes as they are added.
 */
export interface OpenApiOptions {
  version: string;
  publicUrl: string | undefined;
}

export const docsPath = "/docs";
export const openApiPath = "/openapi.json";

const description = [
  "The coffer HTTP API. Amounts are strings of digits in the currency's minor unit.",
  `Every response carries a \`${requestIdHeader}\` header; quote it when you report a problem.`,
  `Send \`${apiVersionHeader}: ${apiVersionLatest}\` to pin the API version; responses name the version used.`,
  `POST endpoints marked idempotent accept an \`${idempotencyKeyHeader}\` header, kept for ${idempotencyKeyTtlMs / 3_600_000} hours.`,
  "Errors have the shape of ErrorResponse; the codes are listed in docs/errors.md.",
].join("\n\n");

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  app.addSchema(ErrorResponse);

  await app.register(fastifySwagger, {
    mode: "dynamic",
    openapi: {
      openapi: "3.1.0",
      info: { title: "coffer API", version: options.version, description },
      servers: options.publicUrl ? [{ url: options.publicUrl }] : [],
      tags: [{ name: "system", description: "Liveness and readiness of this coffer process." }],
    },
    exposeHeadRoutes: false,
    // Shared schemas keep their $id as their component name (#/components/schemas/ErrorResponse).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
    transform: ({ schema, url, route }) => ({ schema: documentedSchema(schema, route), url }),
  });

  await app.register(scalarApiReference, {
    routePrefix: docsPath,
    // No web fonts from Scalar's servers: the page loads nothing from elsewhere (see its Content-Security-Policy).
    configuration: { pageTitle: "coffer API reference", withDefaultFonts: false },
  });

  app.get(openApiPath, { schema: { hide: true } }, async () => app.swagger());
}

/** Adds what every operation shares to the document only (validation and serialization are untouched). */
function documentedSchema(schema: FastifySchema | undefined, route: RouteOptions): FastifySchema {
  if (!schema || schema.hide) return schema ?? { hide: true };
  const response = {
    ...((schema.response as Record<string, unknown> | undefined) ?? {}),
    default: { description: "An error; `error.code` is one of the documented codes.", $ref: "ErrorResponse" },
  };
  if (route.config?.idempotent !== true) return { ...schema, response };

  const headers = (schema.headers as { properties?: Record<string, unknown>; required?: string[] } | undefined) ?? {};
  return {
    ...schema,
    response,
    headers: {
      type: "object",
      ...headers,
      properties: {
        ...headers.properties,
        [idempotencyKeyHeader]: {
          type: "string",
          minLength: 1,
          maxLength: idempotencyKeyLengthMax,
          description:
            "Makes the request safe to retry: the same key with the same request returns the first response.",
        },
      },
    },
  };
}
