import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { hstsMaxAgeS } from "../limits.js";
import { docsPath } from "./openapi.js";

/**
 * The browser-facing security headers of every response, set in one place (onSend runs for answers, errors and
 * 404s alike). Routes that set their own (the web app's pages) keep theirs.
 *
 * - `X-Content-Type-Options: nosniff` everywhere: a browser never reads a JSON answer or an upload as script.
 * - `Referrer-Policy: no-referrer` unless the route chose one: API URLs carry ids that are nobody else's business.
 * - `Strict-Transport-Security` when COFFER_PUBLIC_URL is https: browsers then never try plain http again.
 * - A Content-Security-Policy on the API reference page (/docs) and, as `default-src 'none'`, on JSON answers.
 */
export const noSniffHeader = ["X-Content-Type-Options", "nosniff"] as const;

/** JSON is data: opened as a page, nothing in it may load or run, nor may it be framed. */
const jsonContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The API reference (Scalar) runs its bundle from /docs/js and one inline script that starts it, allowed by its
 * hash; it injects its styles at run time, which only 'unsafe-inline' permits for styles. It fetches the OpenAPI
 * document and, in its request client, calls this coffer: connect-src 'self'. Its web fonts are turned off
 * (src/http/openapi.ts), so nothing is loaded from elsewhere.
 */
export function docsContentSecurityPolicy(html: string): string {
  const hashes = inlineScripts(html).map(
    (script) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`,
  );
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(" ")}`.trimEnd(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** The bodies of the page's <script> elements without a src attribute. */
function inlineScripts(html: string): string[] {
  const scripts: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc\s*=/i.test(match[1] ?? "")) scripts.push(match[2] ?? "");
  }
  return scripts;
}

function isDocsPage(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === docsPath || route?.startsWith(`${docsPath}/`) === true;
}

export function registerSecurityHeaders(app: FastifyInstance, options: { publicUrl: string | undefined }): void {
  const hsts = options.publicUrl?.startsWith("https:") ? `max-age=${hstsMaxAgeS}; includeSubDomains` : undefined;
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header(noSniffHeader[0], noSniffHeader[1]);
    if (!reply.hasHeader("referrer-policy")) reply.header("Referrer-Policy", "no-referrer");
    if (hsts) reply.header("Strict-Transport-Security", hsts);
    if (!reply.hasHeader("content-security-policy")) {
      const type = String(reply.getHeader("content-type") ?? "");
      if (type.startsWith("text/html") && typeof payload === "string" && isDocsPage(request)) {
        reply.header("Content-Security-Policy", docsContentSecurityPolicy(payload));
      } else if (type.startsWith("application/json")) {
        reply.header("Content-Security-Policy", jsonContentSecurityPolicy);
      }
    }
    return payload;
  });
}
