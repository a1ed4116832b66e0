import type { FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/**
 * A browser attaches a session cookie to requests that other sites' pages make, so a write authenticated by a
 * cookie must come from coffer's own pages. The CSRF header already proves the page could read a coffer answer;
 * this check refuses, before anything changes, a write the browser itself says came from elsewhere:
 *
 * - `Sec-Fetch-Site: cross-site`;
 * - `Sec-Fetch-Site: same-site` (a sibling subdomain, which SameSite cookies do not stop) unless its Origin is ours;
 * - an `Origin` that is not ours (`null` included: sandboxed frames, opaque redirects).
 *
 * Our origin is COFFER_PUBLIC_URL's, or the request's own scheme and host when it is unset (behind a trusted proxy,
 * X-Forwarded-Proto and -Host). Requests with neither header (curl, old clients) pass on the CSRF token alone; API
 * keys and bearer tokens are not cookies and never reach this check.
 */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

export function assertSameOriginWrite(request: FastifyRequest, publicUrl: string | undefined): void {
  if (safeMethods.has(request.method)) return;
  const site = headerOf(request, "sec-fetch-site")?.toLowerCase();
  const origin = headerOf(request, "origin");
  if (site === undefined && origin === undefined) return;
  const ours = ownOrigin(request, publicUrl);
  const fromUs = origin !== undefined && ours !== null && normalizedOrigin(origin) === ours;
  if (site === "cross-site" || (site === "same-site" && !fromUs) || (origin !== undefined && !fromUs)) {
    throw new ApiError("cross_site_request");
  }
}

/** coffer's own origin for this request, or null when it cannot be told (no Host header). */
export function ownOrigin(request: FastifyRequest, publicUrl: string | undefined): string | null {
  if (publicUrl) return normalizedOrigin(publicUrl);
  return request.host ? normalizedOrigin(`${request.protocol}://${request.host}`) : null;
}

/** The origin as the URL standard serializes it (lower-case host, default port dropped); null when malformed. */
function normalizedOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value.trim() : undefined;
}
