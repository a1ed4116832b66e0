import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import pg from "pg";
import { AnswerLeaseLost } from "../db/deferred-writes.js";
import { LeaseBusy } from "../db/leases.js";
import { isPoolWaitTimeout } from "../db/pool.js";
import { overloadRetryAfterS } from "../limits.js";
import { ApiError, type ErrorCode, errorBody, errorCatalog, schemaErrorCodeKeyword } from "./errors.js";
import { generateRequestId, requestIdHeader } from "./request-id.js";
import type { RouteMethods } from "./route-methods.js";
import { noSniffHeader } from "./security-headers.js";
import { apiVersionHeader, apiVersionLatest } from "./versioning.js";

/**
 * Every failure the API answers goes through here and leaves in the shape of ErrorResponse. Nothing about the
 * internals (stack, SQL, library messages) reaches the client on a 5xx: it is logged with the request id instead.
 */

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
}

type ValidationContext = "body" | "querystring" | "params" | "headers";

interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ValidationIssue[];
  validationContext?: ValidationContext;
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_BODY_TOO_LARGE: "body_too_large",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "request_malformed",
  FST_ERR_BAD_URL: "request_malformed",
  FST_ERR_ASYNC_CONSTRAINT: "request_malformed",
};

/** Turns anything thrown into the ApiError the client sees; undefined means "internal, do not show". */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof AnswerLeaseLost) {
    return new ApiError(
      "idempotency_key_in_use",
      "A retry with this Idempotency-Key took it over; that request answers.",
    );
  }
  if (!(error instanceof Error)) return undefined;
  const framework = error as FrameworkError;
  if (Array.isArray(framework.validation)) {
    return fromValidation(framework.validation, framework.validationContext ?? "body");
  }
  const code = framework.code ? fastifyCodes[framework.code] : undefined;
  if (code === "invalid_json" && framework.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    return new ApiError(code, "The request body is empty but Content-Type says application/json.");
  }
  if (code) return new ApiError(code);
  // Other Fastify client errors carry safe messages; anything else with a status is not ours to trust.
  const status = framework.statusCode ?? 500;
  if (framework.code?.startsWith("FST_") && status >= 400 && status < 500) {
    return new ApiError("request_malformed", framework.message);
  }
  return undefined;
}

function fromValidation(issues: ValidationIssue[], context: ValidationContext): ApiError {
  const first = issues[0];
  if (!first) return new ApiError("parameter_invalid");
  const where = context === "headers" ? "header" : context === "params" ? "path parameter" : "parameter";
  const base = pointerToParam(first.instancePath);

  if (first.keyword === "required" && typeof first.params.missingProperty === "string") {
    const param = joinParam(base, first.params.missingProperty);
    return new ApiError("parameter_missing", `Missing required ${where}: ${param}.`, param);
  }
  if (first.keyword === "additionalProperties" && typeof first.params.additionalProperty === "string") {
    const param = joinParam(base, first.params.additionalProperty);
    return new ApiError("parameter_unknown", `Unknown ${where}: ${param}.`, param);
  }
  const marked = issues.find((issue) => typeof issue.parentSchema?.[schemaErrorCodeKeyword] === "string");
  const markedCode = marked?.parentSchema?.[schemaErrorCodeKeyword] as string | undefined;
  if (marked && markedCode && markedCode in errorCatalog) {
    const param = pointerToParam(marked.instancePath) || null;
    const code = markedCode as ErrorCode;
    return new ApiError(code, `Invalid ${param ?? context}: ${errorCatalog[code].message}`, param);
  }
  if (!base) {
    const what = context === "body" ? "The request body must be a JSON object" : `The request ${where}s are invalid`;
    return new ApiError("parameter_invalid", `${what}${first.message ? ` (${first.message})` : ""}.`);
  }
  const allowed = Array.isArray(first.params.allowedValues) ? `: ${first.params.allowedValues.join(", ")}` : "";
  return new ApiError(
    "parameter_invalid",
    `Invalid ${where} ${base}: ${first.message ?? "not allowed"}${allowed}.`,
    base,
  );
}

/** "/metadata/order_id" → "metadata.order_id"; "/items/0/amount" → "items[0].amount". */
export function pointerToParam(pointer: string): string {
  if (!pointer) return "";
  let param = "";
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    param = /^\d+$/.test(segment) ? `${param}[${segment}]` : joinParam(param, segment);
  }
  return param;
}

function joinParam(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

function sendError(reply: FastifyReply, request: FastifyRequest, error: ApiError): FastifyReply {
  // Serialized here so a route's own response schema for this status can never reshape an error.
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(errorBody(error, request.id)));
}

const pathEchoLengthMax = 200; // characters of the unknown path quoted back in a 404 message

/** Lets a browser's GET of a web-app page (the console's client-side routes) be answered with that page. */
export type PageFallback = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | null;

export function registerErrorHandlers(
  app: FastifyInstance,
  routeMethods: RouteMethods,
  pageFallback: PageFallback = () => null,
): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError) {
      request.log.info({ code: apiError.code, param: apiError.param }, "request rejected");
      return sendError(reply, request, apiError);
    }
    if (isDataException(error)) {
      // Input that passed every check and still made PostgreSQL refuse a value: refused and nothing written (the
      // statement failed), but the input rule or the route's schema missed it, so it is logged as a bug.
      request.log.error({ err: error }, "a data exception escaped input validation (a bug): answered 400");
      return sendError(
        reply,
        request,
        new ApiError("parameter_invalid", "A parameter has a value coffer cannot store or compare."),
      );
    }
    if (isOverload(error)) {
      // Shedding load is an answer, not a failure: the client retries after a pause and nothing was written.
      request.log.warn({ err: error }, "request shed: the database is saturated");
      reply.header("Retry-After", String(overloadRetryAfterS));
      return sendError(
        reply,
        request,
        new ApiError("service_unavailable", "coffer is at capacity; retry after the time in Retry-After."),
      );
    }
    request.log.error({ err: error }, "request failed");
    return sendError(reply, request, new ApiError("internal_error"));
  });

  app.setNotFoundHandler((request, reply) => {
    const page = pageFallback(request, reply);
    if (page) return page;
    const allowed = routeMethods.allowedFor(request.url);
    const path = (request.url.split("?", 1)[0] ?? "").slice(0, pathEchoLengthMax);
    if (allowed.length > 0) {
      reply.header("Allow", allowed.join(", "));
      const message = `${request.method} is not allowed on ${path}; use ${allowed.join(", ")}.`;
      return sendError(reply, request, new ApiError("method_not_allowed", message));
    }
    return sendError(reply, request, new ApiError("route_not_found", `No endpoint answers ${request.method} ${path}.`));
  });
}

/**
 * Errors Fastify raises before a route is found (a malformed URL) land here, not in the error handler, and no
 * hooks run for them: the headers every response carries are set here.
 */
/**
 * Overload: the pool's wait for a connection timed out, or PostgreSQL refused more connections (53300) or
 * cancelled a statement that ran past statement_timeout (57014) while queues were long.
 */
function isOverload(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return isPoolWaitTimeout(error) || error instanceof LeaseBusy || code === "53300" || code === "57014";
}

/** PostgreSQL's class 22, data exception: a value it cannot read, store or compare (22021, 22007, 22P02 …). */
function isDataException(error: unknown): boolean {
  return error instanceof pg.DatabaseError && typeof error.code === "string" && error.code.startsWith("22");
}

export function frameworkErrorHandler(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  reply
    .header(requestIdHeader, request.id)
    .header(apiVersionHeader, apiVersionLatest)
    .header(noSniffHeader[0], noSniffHeader[1]);
  sendError(reply, request, toApiError(error) ?? new ApiError("request_malformed"));
}

/**
 * Node's HTTP parser rejected the bytes (bad request line, headers too large) or the request took longer than
 * httpRequestTimeoutMs to arrive. There is no Fastify request yet, so we answer on the socket ourselves.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
  const apiError = new ApiError(timedOut ? "request_timeout" : "request_malformed");
  const requestId = generateRequestId();
  const body = JSON.stringify(errorBody(apiError, requestId));
  socket.end(
    [
      `HTTP/1.1 ${apiError.status} ${timedOut ? "Request Timeout" : "Bad Request"}`,
      "Content-Type: application/json; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      `${requestIdHeader}: ${requestId}`,
      `${apiVersionHeader}: ${apiVersionLatest}`,
      `${noSniffHeader[0]}: ${noSniffHeader[1]}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}
