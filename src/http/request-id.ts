import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";
import { upstreamRequestIdLengthMax } from "../limits.js";

/**
 * Every response carries `Request-Id: req_…`, the same id is in every log line of the request (`request_id`) and in
 * every error body.
 *
 * Decision: coffer always issues its own id and never adopts one sent by the client or a proxy. Support looks
 * requests up by this id, so it must be unique and ours; a client-chosen id could collide with another request or
 * point an investigation at the wrong log lines. A sane incoming `Request-Id` or `X-Request-Id` (a proxy's trace id)
 * is kept in the logs as `upstream_request_id`, so the two can still be joined.
 */
export const requestIdHeader = "Request-Id";

export function generateRequestId(): string {
  return `req_${randomBytes(12).toString("hex")}`;
}

const saneUpstreamId = new RegExp(`^[A-Za-z0-9._:/+=-]{1,${upstreamRequestIdLengthMax}}$`);

export function upstreamRequestId(raw: IncomingMessage): string | undefined {
  const value = raw.headers["request-id"] ?? raw.headers["x-request-id"];
  return typeof value === "string" && saneUpstreamId.test(value) ? value : undefined;
}

/** Fastify's childLoggerFactory: the request's logger also carries the upstream id when there is one. */
export function requestChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
  raw: IncomingMessage,
): FastifyBaseLogger {
  const upstream = upstreamRequestId(raw);
  return logger.child(upstream ? { ...bindings, upstream_request_id: upstream } : bindings, options);
}

/** onSend runs for every reply, errors and 404s included, so no response leaves without the header. */
export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header(requestIdHeader, request.id);
    return payload;
  });
}
