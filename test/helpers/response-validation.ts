import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { FastifyInstance } from "fastify";
import { apiDocument } from "../../src/http/openapi.js";

/**
 * Every JSON answer a test app gives is checked against the API document's schema for its operation and status,
 * with a strict JSON Schema 2020-12 validator: a field the document does not declare, a wrong type or a missing
 * required field fails the request (500 response_schema_mismatch, logged with the path of the mismatch). So the whole
 * suite proves the document tells the truth about real answers, not a sample of them.
 */
const componentBase = "https://coffer.invalid/components/schemas/";

interface ResponseDoc {
  content?: { "application/json"?: { schema?: unknown } };
}
type Operations = Record<string, Record<string, { responses?: Record<string, ResponseDoc> }>>;

export class ResponseSchemaMismatch extends Error {}

/** Rewrites the document's local refs to absolute ones the validator can resolve across schemas. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === "$ref" && typeof inner === "string" && inner.startsWith("#/components/schemas/")
        ? componentBase + inner.slice("#/components/schemas/".length)
        : absoluteRefs(inner);
  }
  return out;
}

/**
 * One validator per set of component schemas in this process: test apps of one process share them, and taking
 * hundreds of schemas in costs a second. Schemas are not checked against the meta-schema here (Redocly and
 * Spectral lint the document); strict mode still refuses unknown keywords when a response schema is compiled.
 */
const validatorsOfComponents = new Map<string, Ajv2020>();

function validatorOfComponents(schemas: Record<string, unknown>): Ajv2020 {
  const key = JSON.stringify(schemas);
  let ajv = validatorsOfComponents.get(key);
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false, validateSchema: false });
    ajv.addKeyword("x-error-code");
    for (const [name, schema] of Object.entries(schemas)) {
      ajv.addSchema({ ...(absoluteRefs(schema) as object), $id: componentBase + name });
    }
    validatorsOfComponents.set(key, ajv);
  }
  return ajv;
}

export function registerResponseValidation(app: FastifyInstance): void {
  let validators: Map<string, ValidateFunction | null> | undefined;
  let ajv: Ajv2020 | undefined;
  let paths: Operations = {};

  function validatorFor(method: string, url: string, status: number): ValidateFunction | null {
    if (!ajv) {
      const document = apiDocument(app, undefined) as unknown as {
        paths: Operations;
        components?: { schemas?: Record<string, unknown> };
      };
      ajv = validatorOfComponents(document.components?.schemas ?? {});
      paths = document.paths;
      validators = new Map();
    }
    const key = `${method} ${url} ${status}`;
    const known = validators!.get(key);
    if (known !== undefined) return known;
    const openApiPath = url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const responses = paths[openApiPath]?.[method.toLowerCase()]?.responses;
    const schema = (responses?.[String(status)] ?? responses?.default)?.content?.["application/json"]?.schema;
    const compiled = schema === undefined ? null : ajv.compile(absoluteRefs(schema) as object);
    validators!.set(key, compiled);
    return compiled;
  }

  app.addHook("onSend", async (request, reply, payload) => {
    const url = request.routeOptions.url;
    const contentType = String(reply.getHeader("content-type") ?? "");
    if (!url || typeof payload !== "string" || !contentType.startsWith("application/json")) return payload;
    if (request.routeOptions.schema?.hide || !url.startsWith("/v1")) return payload;
    const validate = validatorFor(request.method, url, reply.statusCode);
    if (!validate) return payload;
    if (validate(JSON.parse(payload))) return payload;
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`)
      .join("; ");
    const mismatch = new ResponseSchemaMismatch(
      `${request.method} ${url} answered ${reply.statusCode} outside its documented schema: ${problems}`,
    );
    console.error(mismatch.message); // the test sees a 500; this says why
    throw mismatch;
  });
}
