/**
 * The parts of an OpenAPI 3.1 document the SDK generator reads, and the canonical form the document is stored in
 * (docs/openapi.json). Only what coffer's routes produce is modelled; anything else is carried along untouched.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  pattern?: string;
  description?: string;
  title?: string;
  "x-error-code"?: string;
}

export interface Parameter {
  name: string;
  in: "query" | "path" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

export interface MediaTypes {
  "application/json"?: { schema?: JsonSchema };
}

export interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: MediaTypes };
  responses?: Record<string, { description?: string; content?: MediaTypes }>;
}

export const httpMethods = ["get", "post", "put", "patch", "delete"] as const;
export type HttpMethod = (typeof httpMethods)[number];

export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/**
 * The document with every object's keys sorted, so the stored file only changes when the API does (not when two
 * routes are registered in another order). A schema's `properties` keep their order: it is the author's, and
 * it is the order fields appear in the docs and in the SDK's types.
 */
export function canonicalDocument<T>(document: T): T {
  return sortKeys(JSON.parse(JSON.stringify(document)), false) as T;
}

function sortKeys(value: unknown, keepOrder: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, false));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!keepOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item, key === "properties" && !keepOrder)]));
}

/** The component a local `$ref` points at ("#/components/schemas/Event" → "Event"). */
export function refName(ref: string): string {
  const prefix = "#/components/schemas/";
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref}: only ${prefix}… is generated`);
  return ref.slice(prefix.length);
}

/** Follows `$ref`s to the schema they name. */
export function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref !== undefined; depth++) {
    if (depth > 20) throw new Error(`$ref cycle at ${schema.$ref}`);
    const found = document.components?.schemas?.[refName(current.$ref)];
    if (!found) throw new Error(`$ref ${current.$ref} names no component`);
    current = found;
  }
  return current;
}
