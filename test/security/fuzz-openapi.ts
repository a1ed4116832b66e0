/**
 * The operations of coffer's own OpenAPI document, and well-formed sample values for their schemas, so the fuzzer
 * can start each request from something close to valid and break one thing at a time.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  examples?: unknown[];
  default?: unknown;
}

interface OpenApiParameter {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** The path template, e.g. /v1/payments/{id}/capture. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  headers: { name: string; schema: JsonSchema }[];
  /** The JSON body schema; undefined when the operation takes no body. */
  body: JsonSchema | undefined;
}

const methods = new Set(["get", "post", "put", "delete", "patch"]);

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.has(method)) continue;
      const parameters = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase() as Operation["method"],
        path,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        query: parameters
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        headers: parameters.filter((p) => p.in === "header").map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: operation.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return operations;
}

/** Follows $ref (#/components/schemas/Name or a bare Name) and flattens allOf, once per level. */
export function resolve(document: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema {
  let current = schema ?? {};
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    const name = current.$ref.replace(/^#\/components\/schemas\//, "");
    current = document.components?.schemas?.[name] ?? {};
  }
  if (current.allOf) {
    const merged: JsonSchema = { ...current, allOf: undefined, properties: { ...current.properties } };
    for (const part of current.allOf.map((p) => resolve(document, p))) {
      Object.assign(merged.properties as object, part.properties ?? {});
      merged.required = [...(merged.required ?? []), ...(part.required ?? [])];
      merged.type ??= part.type;
    }
    return merged;
  }
  return current;
}

/** Strings tried, in order, against a pattern whose sample is not known by the field's name. */
const patternCandidates = [
  "USD",
  "1000",
  "1",
  "2026-01",
  "2026-04-01",
  "2026-04-01T08:00:00Z",
  "880000000000000001",
  "+15551234567",
  "123456",
  "abc",
  "ABC123",
  "a-b_c",
  "https://example.com/return",
  "payment.succeeded",
];

/** Samples by field name, where the name says more than the schema (all of them pass coffer's own patterns). */
const samplesByName: Record<string, unknown> = {
  currency: "USD",
  amount: "1000",
  amount_to_capture: "100",
  email: "fuzz@example.com",
  password: "a long and quiet river",
  new_password: "a longer and quieter river",
  current_password: "a long and quiet river",
  url: "https://example.com/webhooks",
  return_url: "https://example.com/return",
  website: "https://example.com",
  payment_code: "880000000000000001",
  country: "CN",
  date_of_birth: "1990-12-10",
  phone: "+15551234567",
  locale: "en",
};

export function sampleOf(document: OpenApiDocument, raw: JsonSchema | undefined, name?: string, depth = 0): unknown {
  const schema = resolve(document, raw);
  if (depth > 6) return undefined;
  if (name && name in samplesByName) return samplesByName[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.examples && schema.examples.length > 0) return schema.examples[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0) return sampleOf(document, branches[0], name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string": {
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        const found = patternCandidates.find((candidate) => pattern.test(candidate));
        if (found) return found;
      }
      if (schema.format === "email") return "fuzz@example.com";
      if (schema.format === "uri") return "https://example.com/";
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    }
    case "integer":
    case "number":
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        sampleOf(document, schema.items, undefined, depth + 1),
      );
    case "object":
    case undefined: {
      if (!schema.properties && type === undefined) return "x";
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (!(schema.required ?? []).includes(key)) continue;
        value[key] = sampleOf(document, property, key, depth + 1);
      }
      return value;
    }
    default:
      return null;
  }
}

/** Every property name of an object schema (required or not), for mutations of optional fields too. */
export function propertiesOf(document: OpenApiDocument, raw: JsonSchema | undefined): Record<string, JsonSchema> {
  const schema = resolve(document, raw);
  return schema.properties ?? {};
}
