import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * coffer serves its own web app (web/, built by Vite into web/dist): the merchant console at /, the operator console
 * at /ops, the wallet app at /wallet and the hosted checkout at /checkout/{id}. Each is its own HTML page so each
 * audience downloads only its code. Hashed assets are cached forever; pages never, so a new build shows at once.
 */
export type WebPage = "console" | "ops" | "wallet" | "checkout";

const pageFiles: Record<WebPage, string> = {
  console: "index.html",
  ops: "ops.html",
  wallet: "wallet.html",
  checkout: "checkout.html",
};

/** Scripts and styles only from coffer itself; the camera stream and QR images are blobs and data URLs. */
export const webPageContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

/** web/dist, found from this file whether it runs from src/ (tsx) or dist/src/ (the build). */
export function findWebDistDir(start = path.dirname(fileURLToPath(import.meta.url))): string | null {
  let directory = start;
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = path.join(directory, "web", "dist");
    if (existsSync(path.join(candidate, pageFiles.console))) return candidate;
    directory = path.dirname(directory);
  }
  return null;
}

export interface WebApp {
  /** True when web/dist holds a build. */
  available: boolean;
  sendPage(reply: FastifyReply, page: WebPage): Promise<FastifyReply>;
  /** For the not-found handler: a browser asking for a console page (any GET outside the API) gets the console. */
  wantsConsolePage(request: FastifyRequest): boolean;
}

const apiPrefixes = ["/v1/", "/v1", "/q/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"];

export async function registerWebApp(app: FastifyInstance, distDir: string | null = findWebDistDir()): Promise<WebApp> {
  const pageCache = new Map<WebPage, string>();
  const readPage = async (page: WebPage): Promise<string | null> => {
    if (!distDir) return null;
    const cached = pageCache.get(page);
    if (cached) return cached;
    try {
      const html = await readFile(path.join(distDir, pageFiles[page]), "utf8");
      pageCache.set(page, html);
      return html;
    } catch {
      return null;
    }
  };

  const sendPage = async (reply: FastifyReply, page: WebPage) => {
    const html = await readPage(page);
    reply
      // A checkout page shows one payment's live status: never kept, not even for revalidation.
      .header("cache-control", page === "checkout" ? "no-store" : "no-cache")
      .header("content-security-policy", webPageContentSecurityPolicy)
      .header("referrer-policy", "same-origin")
      .header("x-content-type-options", "nosniff")
      .header("permissions-policy", page === "wallet" ? "camera=(self)" : "camera=()");
    if (html === null) {
      return reply
        .code(503)
        .type("text/html; charset=utf-8")
        .send(
          "<!doctype html><title>coffer</title><p>The web app is not built. Run <code>npm run build</code> and restart coffer.</p>",
        );
    }
    return reply.type("text/html; charset=utf-8").send(html);
  };

  if (distDir) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: "/",
      index: false,
      wildcard: false,
      decorateReply: false,
      // Hashed file names change with their content, so they can be kept for a year.
      setHeaders(response, filePath) {
        const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
        response.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
        response.setHeader("x-content-type-options", "nosniff");
      },
      cacheControl: false, // setHeaders decides
      // Pages are served by their routes below, each at one address, with the page headers.
      globIgnore: ["**/*.html"],
      schemaHide: true,
    });
  }

  const pageRoute = (url: string, page: WebPage) =>
    app.get(url, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, page));
  pageRoute("/ops", "ops");
  pageRoute("/ops/*", "ops");
  pageRoute("/wallet", "wallet");
  pageRoute("/wallet/*", "wallet");
  pageRoute("/checkout/:id", "checkout");
  pageRoute("/pay/:slug", "checkout"); // a payment link's page, in the checkout's bundle
  pageRoute("/feedback/:token", "checkout"); // a payment's feedback link (the receipt's), in the checkout's bundle

  return {
    available: distDir !== null,
    sendPage,
    wantsConsolePage(request) {
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      const pathName = request.url.split("?", 1)[0] ?? "";
      if (apiPrefixes.some((prefix) => pathName === prefix || pathName.startsWith(prefix))) return false;
      if (pathName.includes(".")) return false; // a missing file, not a page
      return (request.headers.accept ?? "").includes("text/html");
    },
  };
}
