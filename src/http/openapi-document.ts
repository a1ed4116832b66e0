import { sdkName } from "../../sdk/codegen/naming.js";
import { httpMethods, type OpenApiDocument, type Operation } from "../../sdk/codegen/openapi.js";
import { listItem, successSchema } from "../../sdk/codegen/operations.js";
import type { AuthKind } from "./auth.js";
import { apiTags } from "./openapi-tags.js";
import { requestIdHeader } from "./request-id.js";
import { apiVersionHeader, apiVersionLatest } from "./versioning.js";

/**
 * What the API document says about the whole API, added once the routes are known: an operationId per operation
 * (the SDK's own `resource.method` name, so a generated client and the SDK call things alike), the security schemes
 * of every kind of caller, the declared tags, the headers every request may send and every response carries, a
 * licence and the server. Route by route facts (security, error responses, descriptions) come from the routes
 * themselves in src/http/openapi.ts.
 */

/** The security scheme of each kind of caller, by the name operations refer to. */
export const securitySchemeOf: Readonly<Record<AuthKind, string>> = {
  secret_key: "secretKey",
  publishable_key: "publishableKey",
  console: "consoleSession",
  operator: "operatorSession",
  wallet: "walletToken",
};

/** Cookie sessions also need the CSRF header on writes: the two go together in one requirement. */
export const csrfScheme = "csrfToken";

export const securitySchemes = {
  secretKey: {
    type: "http",
    scheme: "bearer",
    description:
      "A secret key (`sk_test_…`, `sk_live_…`) or a restricted key (`rk_test_…`, `rk_live_…`) from the console, " +
      "as `Authorization: Bearer <key>`. Keep it on your server.",
  },
  publishableKey: {
    type: "http",
    scheme: "bearer",
    description:
      "A publishable key (`pk_test_…`, `pk_live_…`): safe in a browser or an app, for the few calls that take it.",
  },
  consoleSession: {
    type: "apiKey",
    in: "cookie",
    name: "coffer_console",
    description: "The merchant console's session cookie, set by console sign-in.",
  },
  operatorSession: {
    type: "apiKey",
    in: "cookie",
    name: "coffer_ops",
    description: "The operator console's session cookie, set by operator sign-in.",
  },
  csrfToken: {
    type: "apiKey",
    in: "header",
    name: "X-CSRF-Token",
    description: "The CSRF token of a cookie session, answered at sign-in; required on every write by cookie.",
  },
  walletToken: {
    type: "http",
    scheme: "bearer",
    description: "A wallet user's access token, answered by wallet sign-in.",
  },
} as const;

const versionParameterName = "CofferVersion";
const requestIdHeaderName = "RequestId";
const versionHeaderName = "CofferVersion";

interface ResponseObject {
  description?: string;
  headers?: Record<string, unknown>;
  content?: unknown;
  $ref?: string;
}

type DocumentOperation = Omit<Operation, "parameters" | "responses"> & {
  parameters?: unknown[];
  responses?: Record<string, ResponseObject>;
  security?: unknown[];
};

export function finishApiDocument(
  document: OpenApiDocument,
  options: { publicUrl: string | undefined },
): OpenApiDocument {
  const finished = structuredClone(document) as OpenApiDocument & Record<string, unknown>;
  const usedTags = new Set<string>();
  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries(finished.paths)) {
    for (const method of httpMethods) {
      const operation = item[method] as DocumentOperation | undefined;
      if (!operation) continue;
      const id = operationIdOf(finished, path, method, operation as Operation, item);
      const other = operationIds.get(id);
      if (other) throw new Error(`${method.toUpperCase()} ${path} and ${other} would both be ${id}`);
      operationIds.set(id, `${method.toUpperCase()} ${path}`);
      operation.operationId = id;
      for (const tag of operation.tags ?? []) usedTags.add(tag);
      operation.parameters = [
        ...(operation.parameters ?? []),
        { $ref: `#/components/parameters/${versionParameterName}` },
      ];
      for (const response of Object.values(operation.responses ?? {})) addCommonHeaders(response);
    }
  }
  finished.tags = [...usedTags].sort().map((name) => ({ name, description: apiTags[name] ?? "" }));
  finished.servers = [
    options.publicUrl
      ? { url: options.publicUrl, description: "This coffer." }
      : { url: "/", description: "The coffer that serves this document." },
  ];
  finished.info = {
    ...finished.info,
    // biome-ignore lint/suspicious/noExplicitAny: OpenApiDocument models only what the SDK reads
    ...({ license: { name: "Apache-2.0", identifier: "Apache-2.0" }, contact: { name: "coffer" } } as any),
  };
  const components = (finished.components ?? {}) as Record<string, unknown>;
  // Only the schemes some operation uses (publishable keys, say, may have no route yet).
  const usedSchemes = new Set(
    Object.values(finished.paths).flatMap((item) =>
      httpMethods.flatMap((m) =>
        ((item[m] as DocumentOperation | undefined)?.security ?? []).flatMap((r) => Object.keys(r as object)),
      ),
    ),
  );
  const declared = (components.securitySchemes ?? {}) as Record<string, unknown>;
  components.securitySchemes = Object.fromEntries(Object.entries(declared).filter(([name]) => usedSchemes.has(name)));
  finished.components = {
    ...components,
    parameters: {
      [versionParameterName]: {
        name: apiVersionHeader,
        in: "header",
        required: false,
        description: `The API version to use (${apiVersionLatest} is the latest); without it, your account's version.`,
        schema: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      },
    },
    headers: {
      [requestIdHeaderName]: {
        description: "This request's id: quote it when you report a problem.",
        schema: { type: "string" },
      },
      [versionHeaderName]: {
        description: "The API version this answer was made with.",
        schema: { type: "string" },
      },
    },
  } as OpenApiDocument["components"];
  return finished;
}

function addCommonHeaders(response: ResponseObject): void {
  if (response.$ref) return;
  response.headers = {
    ...response.headers,
    [requestIdHeader]: { $ref: `#/components/headers/${requestIdHeaderName}` },
    [apiVersionHeader]: { $ref: `#/components/headers/${versionHeaderName}` },
  };
}

/** `resource.method` as the SDK names it (sdk/codegen/naming.ts); paths outside /v1 are named from their own root. */
function operationIdOf(
  document: OpenApiDocument,
  path: string,
  method: (typeof httpMethods)[number],
  operation: Operation,
  item: OpenApiDocument["paths"][string],
): string {
  if (operation.operationId) return operation.operationId;
  const response = successSchema(operation);
  const sameGet = item.get && successSchema(item.get);
  const name = sdkName({
    method,
    path: path.startsWith("/v1/") ? path.slice("/v1".length) : path,
    returnsList: response !== undefined && listItem(document, response) !== undefined,
    getOnSamePath: !sameGet ? "none" : listItem(document, sameGet) ? "list" : "object",
  });
  return `${name.resource}.${name.method}`;
}
