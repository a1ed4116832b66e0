import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors.js";
import { apiVersionAtLeast, apiVersionUniformLists } from "./versioning.js";

/**
 * From API version 2026-12-07, a /v1 route refuses query parameters it does not declare, as lists always did (their
 * querystring schemas are closed): a typo such as `?expnad=` or a parameter another API has must not be silently
 * ignored. Routes that declare a querystring schema are checked by it; this covers those that declare none.
 * Older versions keep ignoring them.
 */
export function registerUnknownQueryRule(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    if (request.routeOptions.schema?.querystring) return;
    if (!request.routeOptions.url?.startsWith("/v1/")) return;
    if (!apiVersionAtLeast(request.apiVersion, apiVersionUniformLists)) return;
    const query = request.query as Record<string, unknown> | undefined;
    const first = query ? Object.keys(query)[0] : undefined;
    if (first === undefined) return;
    if (first === "expand" || first.startsWith("expand[")) {
      throw new ApiError(
        "parameter_unknown",
        "expand is not offered: retrieve the linked object by its id (a refund's payment, a payment's refunds through " +
          "GET /v1/refunds?payment=).",
        first,
      );
    }
    throw new ApiError("parameter_unknown", `Unknown query parameter: ${first.slice(0, 64)}.`, first.slice(0, 64));
  });
}
