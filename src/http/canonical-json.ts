import { ApiError } from "./errors.js";

/**
 * JSON with object keys sorted at every depth, so two requests that differ only in key order or whitespace have
 * the same fingerprint. Arrays keep their order: it is meaningful.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, 0)) ?? "null";
}

/**
 * No request body coffer takes is nested this deep. A body that is (JSON.parse takes any depth) would otherwise
 * overflow the stack here, in a route that reads no body at all, and answer 500 instead of 400.
 */
export const canonicalJsonDepthMax = 64;

function sortKeys(value: unknown, depth: number): unknown {
  if (value !== null && typeof value === "object" && depth >= canonicalJsonDepthMax) {
    throw new ApiError("invalid_json", `The request body is nested more than ${canonicalJsonDepthMax} levels deep.`);
  }
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key], depth + 1);
    }
    return sorted;
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}
