/**
 * How an HTTP operation becomes an SDK method: `POST /v1/webhook_endpoints/{id}/rotate_secret` is
 * `coffer.webhookEndpoints.rotateSecret(id, body)`. docs/sdk.md explains the scheme with examples; the rules are
 * here so a test can pin them down.
 */

/** "webhook_endpoints" → "webhookEndpoints", "rotate-secret" → "rotateSecret". */
export function camelCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  return words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : capitalize(w))).join("");
}

/** "webhook_endpoints" → "WebhookEndpoints". */
export function pascalCase(text: string): string {
  return capitalize(camelCase(text));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Plural → singular for resource names: deliveries → delivery, addresses → address, refunds → refund, status. */
export function singular(word: string): string {
  if (/ies$/.test(word)) return word.replace(/ies$/, "y");
  if (/(ss|x|ch|sh)es$/.test(word)) return word.replace(/es$/, "");
  if (/[^su]s$/.test(word)) return word.slice(0, -1);
  return word;
}

export interface OperationShape {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** The path below the version prefix, e.g. "/webhook_endpoints/{id}/deliveries". */
  path: string;
  /** Whether this operation answers a list ({object: "list", data, has_more}). */
  returnsList: boolean;
  /** What a GET on the same path answers: a list, a single object, or there is no GET. */
  getOnSamePath: "list" | "object" | "none";
  /** The route's own operationId, which overrides the scheme: "rotateSecret" or "webhookEndpoints.rotateSecret". */
  operationId?: string;
}

export interface SdkName {
  /** The property on the client: coffer.<resource>. */
  resource: string;
  /** The method on the resource: coffer.<resource>.<method>(…). */
  method: string;
}

const isParam = (segment: string) => segment.startsWith("{") && segment.endsWith("}");

/**
 * The resource is the first path segment; the method comes from the HTTP method and the rest of the path:
 *
 *   GET    /payments                 list            GET    /account                retrieve
 *   POST   /payments                 create          POST   /account                update (a GET answers one object)
 *   GET    /payments/{id}            retrieve        POST   /payments/{id}          update
 *   DELETE /payments/{id}            delete          POST   /payments/{id}/capture  capture
 *   GET    /payments/{id}/refunds    listRefunds     POST   /payments/{id}/refunds  createRefund (a GET lists them)
 *   GET    /payments/{id}/refunds/{refund}           retrieveRefund
 */
export function sdkName(operation: OperationShape): SdkName {
  const segments = operation.path.split("/").filter((s) => s !== "");
  const [root, ...rest] = segments;
  if (root === undefined || isParam(root)) throw new Error(`${operation.path}: the first segment must name a resource`);
  const resource = camelCase(root);
  if (operation.operationId) {
    const parts = operation.operationId.split(".");
    const method = parts.at(-1) ?? "";
    if (parts.length > 2 || !/^[a-z][A-Za-z0-9]*$/.test(method)) {
      throw new Error(`operationId "${operation.operationId}" must be "method" or "resource.method", in camelCase`);
    }
    return { resource: parts.length === 2 ? (parts[0] ?? resource) : resource, method };
  }

  const statics = rest.filter((s) => !isParam(s));
  const endsWithParam = rest.length > 0 && isParam(rest.at(-1) ?? "");
  // The nouns after the resource, e.g. ["refunds"] in /payments/{id}/refunds; singular when an id follows.
  const noun = (names: string[], one: boolean) =>
    names.map((name, i) => pascalCase(one && i === names.length - 1 ? singular(name) : name)).join("");

  switch (operation.method) {
    case "get":
      return {
        resource,
        method: operation.returnsList ? `list${noun(statics, false)}` : `retrieve${noun(statics, endsWithParam)}`,
      };
    case "delete":
      return { resource, method: `delete${noun(statics, endsWithParam)}` };
    default: {
      if (endsWithParam) return { resource, method: `update${noun(statics, true)}` };
      const last = statics.at(-1);
      if (last === undefined) return { resource, method: operation.getOnSamePath === "object" ? "update" : "create" };
      if (operation.getOnSamePath === "list") return { resource, method: `create${noun(statics, true)}` };
      return { resource, method: camelCase(last) + noun(statics.slice(0, -1), true) };
    }
  }
}
