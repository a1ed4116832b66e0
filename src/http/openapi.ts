import fastifySwagger from "@fastify/swagger";
import scalarApiReference from "@scalar/fastify-api-reference";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import type { OpenApiDocument } from "../../sdk/codegen/openapi.js";
import { idempotencyKeyLengthMax, idempotencyKeyTtlMs } from "../limits.js";
import { type AuthGuard, type AuthKind, authGuardOf } from "./auth.js";
import { ErrorResponse } from "./errors.js";
import { idempotencyKeyHeader } from "./idempotency.js";
import { csrfScheme, finishApiDocument, securitySchemeOf, securitySchemes } from "./openapi-document.js";
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
      components: { securitySchemes: structuredClone(securitySchemes) as never },
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

  let document: unknown;
  app.get(openApiPath, { schema: { hide: true } }, async () => {
    document ??= apiDocument(app, options.publicUrl);
    return document;
  });
}

/** The finished API document of an app whose routes are all registered (GET /openapi.json, docs/openapi.json). */
export function apiDocument(app: FastifyInstance, publicUrl: string | undefined): OpenApiDocument {
  return finishApiDocument(app.swagger() as unknown as OpenApiDocument, { publicUrl });
}

/**
 * Adds what the route's own options say to the document only (validation and serialization are untouched): who may
 * call it (from its auth guard), the errors each status can carry, descriptions, the Idempotency-Key header.
 */
function documentedSchema(schema: FastifySchema | undefined, route: RouteOptions): FastifySchema {
  if (!schema || schema.hide) return schema ?? { hide: true };
  const guard = authGuardOf(route.onRequest, route.preValidation, route.preHandler);
  const idempotent = route.config?.idempotent === true;
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? "GET";
  const hasPathParams = /[:*]/.test(route.url);
  const response = {
    ...describedSuccesses(schema.response as Record<string, Record<string, unknown>> | undefined),
    ...errorResponses({ secured: guard !== undefined, hasPathParams, idempotent }),
    default: { description: "Any other error; `error.code` is one of docs/errors.md.", $ref: "ErrorResponse" },
  };
  const documented: FastifySchema = {
    ...schema,
    response,
    security: guard ? securityOf(guard, method) : [],
    description: describeOperation(schema.description, guard, idempotent),
  };
  if (!idempotent) return documented;

  const headers = (schema.headers as { properties?: Record<string, unknown>; required?: string[] } | undefined) ?? {};
  return {
    ...documented,
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

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/** Alternatives (any one will do): one requirement per kind of caller; a cookie session writes with its CSRF token. */
function securityOf(guard: AuthGuard, method: string): Record<string, string[]>[] {
  return guard.authKinds.map((kind) => {
    const scheme = securitySchemeOf[kind];
    const cookie = kind === "console" || kind === "operator";
    return cookie && !safeMethods.has(method) ? { [scheme]: [], [csrfScheme]: [] } : { [scheme]: [] };
  });
}

const callerNames: Readonly<Record<AuthKind, string>> = {
  secret_key: "a secret or restricted API key",
  publishable_key: "a publishable key",
  console: "a merchant console session",
  operator: "an operator session",
  wallet: "a wallet user's token",
};

function describeOperation(own: string | undefined, guard: AuthGuard | undefined, idempotent: boolean): string {
  const who = guard
    ? `Called with ${guard.authKinds.map((k) => callerNames[k]).join(" or ")}${
        guard.authRequirement ? ` (${guard.authRequirement})` : ""
      }.`
    : "Needs no credentials.";
  const retry = idempotent ? " Safe to retry with the same `Idempotency-Key`." : "";
  return [own, `${who}${retry}`].filter((part) => part !== undefined && part !== "").join("\n\n");
}

/** Success responses keep their schema and get a description where the route gave none. */
function describedSuccesses(
  responses: Record<string, Record<string, unknown>> | undefined,
): Record<string, Record<string, unknown>> {
  const described: Record<string, Record<string, unknown>> = {};
  for (const [status, schema] of Object.entries(responses ?? {})) {
    const name = typeof schema.$id === "string" ? schema.$id : typeof schema.$ref === "string" ? schema.$ref : null;
    const fallback = status === "204" ? "Done; no body." : name ? `The ${name.replace(/#.*$/, "")}.` : "The answer.";
    described[status] = { ...schema, description: schema.description ?? fallback };
  }
  return described;
}

/** The error responses every operation of its kind can give, each naming its codes (docs/errors.md has them all). */
function errorResponses(route: { secured: boolean; hasPathParams: boolean; idempotent: boolean }) {
  const error = (description: string) => ({ description, $ref: "ErrorResponse" });
  return {
    400: error(
      "The request is not valid: `parameter_invalid`, `parameter_missing`, `parameter_unknown`, `amount_invalid`, " +
        "`invalid_json`, `api_version_invalid`, `request_malformed`, or a code of the operation's domain.",
    ),
    ...(route.secured
      ? {
          401: error("No credentials, or credentials coffer does not accept: `authentication_required`."),
          403: error(
            "These credentials may not do this: `permission_denied`, `livemode_mismatch`, `cross_site_request`.",
          ),
        }
      : {}),
    ...(route.hasPathParams ? { 404: error("No such object for these credentials: `resource_not_found`.") } : {}),
    ...(route.idempotent
      ? {
          409: error(
            "The Idempotency-Key was used for another request (`idempotency_key_reused`) or its first request is still running (`idempotency_key_in_use`).",
          ),
        }
      : {}),
    429: error("Too many requests: `rate_limited`; wait for the seconds in `Retry-After`."),
  };
}
