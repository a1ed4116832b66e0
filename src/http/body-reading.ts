import { Transform } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { httpBodyIdleTimeoutMs } from "../limits.js";
import { ApiError } from "./errors.js";

/**
 * How coffer reads request bodies, before any parser sees them:
 *   - JSON is UTF-8. A body declared in another charset (`application/json; charset=utf-16`) is refused with 415
 *     charset_unsupported rather than read as UTF-8 and misunderstood; no charset means UTF-8.
 *   - A body must keep arriving: when no byte of it comes for httpBodyIdleTimeoutMs the request is answered 408
 *     request_timeout and the connection closed, instead of holding the socket until the server-wide request
 *     timeout. A slow but steady upload is not cut off (the whole request still has httpRequestTimeoutMs).
 */

/** The charset parameter of a JSON Content-Type, lower-cased and unquoted; undefined when absent or not JSON. */
export function jsonCharsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [mediaType, ...parameters] = contentType.split(";");
  if (mediaType?.trim().toLowerCase() !== "application/json") return undefined;
  for (const parameter of parameters) {
    const index = parameter.indexOf("=");
    const name = (index < 0 ? parameter : parameter.slice(0, index)).trim().toLowerCase();
    if (name !== "charset") continue;
    return parameter
      .slice(index + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
  }
  return undefined;
}

function refuseForeignCharset(request: FastifyRequest): void {
  const charset = jsonCharsetOf(request.headers["content-type"]);
  if (charset === undefined || charset === "utf-8") return;
  throw new ApiError(
    "charset_unsupported",
    `Request bodies are read as UTF-8; this one says charset=${charset.slice(0, 40)}. Send UTF-8, with Content-Type: application/json.`,
  );
}

/** Whether Fastify will read a body for this request: never for GET and HEAD, else when one is announced. */
function hasBody(request: FastifyRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Passes the body through, failing it with 408 when nothing arrives for idleMs. */
function idleLimited(source: NodeJS.ReadableStream, reply: FastifyReply, idleMs: number): Transform {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // The rest of the body will not come: answer, then close rather than wait for bytes to skip.
      reply.header("connection", "close");
      limited.destroy(
        new ApiError("request_timeout", `No part of the request body arrived for ${idleMs / 1000} seconds.`),
      );
    }, idleMs);
  };
  const limited = new Transform({
    transform(chunk, _encoding, done) {
      arm();
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  limited.on("close", () => clearTimeout(timer));
  // Nobody may be listening once the request is answered another way; the error is the reply's business then.
  limited.on("error", () => clearTimeout(timer));
  reply.raw.on("close", () => clearTimeout(timer));
  source.on("error", (error) => limited.destroy(error));
  source.pipe(limited);
  arm();
  return limited;
}

export function registerBodyReading(app: FastifyInstance): void {
  app.addHook("preParsing", async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    refuseForeignCharset(request);
    return idleLimited(payload, reply, httpBodyIdleTimeoutMs);
  });
}
