import { sdkName } from "./naming.js";
import {
  type HttpMethod,
  httpMethods,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type PathItem,
  refName,
  resolve,
} from "./openapi.js";

/** One API operation as the SDK exposes it. */
export interface SdkOperation {
  resource: string;
  method: string;
  httpMethod: HttpMethod;
  /** The full path with {params}, e.g. "/v1/webhook_endpoints/{id}". */
  path: string;
  summary: string | undefined;
  description: string | undefined;
  /** Path parameters, in path order; each becomes a positional string argument. */
  pathParams: string[];
  /** The query parameters as one object schema, or undefined when there are none. */
  query: JsonSchema | undefined;
  body: JsonSchema | undefined;
  /** Whether the caller must pass query or body (some property is required). */
  queryRequired: boolean;
  bodyRequired: boolean;
  /** The schema of the success response; undefined when it has no body. */
  response: JsonSchema | undefined;
  /** For lists: the item schema, and whether items have ids to page with. */
  list: { item: JsonSchema; pageable: boolean } | undefined;
  /** The route honours Idempotency-Key, so retrying it is safe. */
  idempotent: boolean;
  /** Every schema the operation mentions (parameters, body, all responses), to find the components it uses. */
  schemas: JsonSchema[];
}

export interface OperationFilter {
  /** Only paths below this prefix are merchant API. */
  prefix: string;
  /** Paths below these prefixes are left out (another kind of caller: console, operators, wallet users). */
  excluded: readonly string[];
}

const idempotencyHeader = "idempotency-key";

export function sdkOperations(document: OpenApiDocument, filter: OperationFilter): SdkOperation[] {
  const operations: SdkOperation[] = [];
  const paths = Object.keys(document.paths).sort();
  for (const path of paths) {
    if (!isBelow(path, filter.prefix) || filter.excluded.some((prefix) => isBelow(path, prefix))) continue;
    const item = document.paths[path] ?? {};
    for (const httpMethod of httpMethods) {
      const operation = item[httpMethod];
      // A download (an image, a PDF) is fetched by its URL, not through the SDK's JSON methods.
      if (operation && !isDownload(operation)) {
        operations.push(toSdkOperation(document, filter.prefix, path, httpMethod, operation, item));
      }
    }
  }
  const seen = new Map<string, string>();
  for (const op of operations) {
    const name = `${op.resource}.${op.method}`;
    const other = seen.get(name);
    if (other) {
      throw new Error(
        `${op.httpMethod.toUpperCase()} ${op.path} and ${other} would both be ${name}(); give one route schema an operationId`,
      );
    }
    seen.set(name, `${op.httpMethod.toUpperCase()} ${op.path}`);
  }
  return operations;
}

/** "/v1/wallet" covers "/v1/wallet" and "/v1/wallet/…", not "/v1/wallets". */
function isBelow(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function toSdkOperation(
  document: OpenApiDocument,
  prefix: string,
  path: string,
  httpMethod: HttpMethod,
  operation: Operation,
  pathItem: PathItem,
): SdkOperation {
  const response = successSchema(operation);
  const list = response ? listItem(document, response) : undefined;
  const sameGet = pathItem.get && successSchema(pathItem.get);
  const name = sdkName({
    method: httpMethod,
    path: path.slice(prefix.length),
    returnsList: list !== undefined,
    getOnSamePath: !sameGet ? "none" : listItem(document, sameGet) ? "list" : "object",
    operationId: operation.operationId,
  });
  const parameters = operation.parameters ?? [];
  const queryParams = parameters.filter((p) => p.in === "query");
  const query: JsonSchema | undefined =
    queryParams.length === 0
      ? undefined
      : {
          type: "object",
          properties: Object.fromEntries(
            queryParams.map((p) => [p.name, { ...p.schema, description: p.description ?? p.schema?.description }]),
          ),
          required: queryParams.filter((p) => p.required).map((p) => p.name),
        };
  const body = operation.requestBody?.content?.["application/json"]?.schema;
  return {
    ...name,
    httpMethod,
    path,
    summary: operation.summary,
    description: operation.description,
    pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? ""),
    query,
    body,
    queryRequired: (query?.required?.length ?? 0) > 0,
    bodyRequired: body !== undefined && (resolve(document, body).required?.length ?? 0) > 0,
    response,
    list,
    idempotent: parameters.some((p) => p.in === "header" && p.name.toLowerCase() === idempotencyHeader),
    schemas: [
      ...parameters.flatMap((p) => (p.schema ? [p.schema] : [])),
      ...(body ? [body] : []),
      ...Object.values(operation.responses ?? {}).flatMap((r) => {
        const schema = r.content?.["application/json"]?.schema;
        return schema ? [schema] : [];
      }),
    ],
  };
}

/** The component schemas the operations use, directly or through other components, in document order. */
export function usedComponents(document: OpenApiDocument, operations: SdkOperation[]): string[] {
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    const ref = (value as JsonSchema).$ref;
    if (typeof ref === "string" && !used.has(refName(ref))) {
      used.add(refName(ref));
      visit(document.components?.schemas?.[refName(ref)]);
    }
    for (const item of Object.values(value)) visit(item);
  };
  for (const op of operations) visit(op.schemas);
  return Object.keys(document.components?.schemas ?? {}).filter((name) => used.has(name));
}

/** Whether the lowest 2xx response is a file, not JSON (a till's poster). */
export function isDownload(operation: Operation): boolean {
  const status = Object.keys(operation.responses ?? {})
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
  const content = status === undefined ? undefined : operation.responses?.[status]?.content;
  return content !== undefined && !("application/json" in content);
}

/** The JSON schema of the lowest 2xx response. */
export function successSchema(operation: Operation): JsonSchema | undefined {
  const statuses = Object.keys(operation.responses ?? {})
    .filter((status) => /^2\d\d$/.test(status))
    .sort();
  const first = statuses[0];
  return first === undefined ? undefined : operation.responses?.[first]?.content?.["application/json"]?.schema;
}

/** The item schema when the response is a list ({object: "list", data: [...], has_more}). */
export function listItem(document: OpenApiDocument, schema: JsonSchema): SdkOperation["list"] {
  const resolved = resolve(document, schema);
  const object = resolved.properties?.object;
  const data = resolved.properties?.data;
  const isList = object?.const === "list" || (object?.enum?.length === 1 && object.enum[0] === "list");
  if (!isList || data?.type !== "array" || !data.items) return undefined;
  const item = resolve(document, data.items);
  return { item: data.items, pageable: item.required?.includes("id") === true && item.properties?.id !== undefined };
}
