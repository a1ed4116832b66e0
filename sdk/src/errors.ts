import type { ErrorCode, ErrorType } from "./generated.js";

/** A documented code, or one this SDK does not know yet (a newer coffer); both compare as strings. */
export type CofferErrorCode = ErrorCode | (string & Record<never, never>);

export interface CofferErrorFields {
  type: ErrorType | "connection_error";
  code: CofferErrorCode | null;
  message: string;
  param?: string | null;
  requestId?: string | null;
  statusCode?: number | null;
  cause?: unknown;
}

/**
 * Every error the client throws. `type` and `code` come from coffer's error body (docs/errors.md); `requestId` is
 * the Request-Id to quote when reporting a problem; `statusCode` is null when no response arrived.
 */
export class CofferError extends Error {
  override readonly name: string = "CofferError";
  readonly type: ErrorType | "connection_error";
  readonly code: CofferErrorCode | null;
  readonly param: string | null;
  readonly requestId: string | null;
  readonly statusCode: number | null;

  constructor(fields: CofferErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.type = fields.type;
    this.code = fields.code;
    this.param = fields.param ?? null;
    this.requestId = fields.requestId ?? null;
    this.statusCode = fields.statusCode ?? null;
  }
}

/** The request is wrong (400, 403, 404 …): fix it; retrying the same request fails the same way. */
export class InvalidRequestError extends CofferError {
  override readonly name = "InvalidRequestError";
}
/** No valid API key came with the request (401). */
export class AuthenticationError extends CofferError {
  override readonly name = "AuthenticationError";
}
/** The Idempotency-Key was used for another request, or is still in use (409). */
export class IdempotencyError extends CofferError {
  override readonly name = "IdempotencyError";
}
/** Too many requests (429), still so after the client's retries. */
export class RateLimitError extends CofferError {
  override readonly name = "RateLimitError";
}
/** A problem on coffer's side (5xx), still so after the client's retries. */
export class ApiError extends CofferError {
  override readonly name = "ApiError";
}
/** No response: the network failed or the request timed out (`timedOut`), still so after the client's retries. */
export class ConnectionError extends CofferError {
  override readonly name = "ConnectionError";
  readonly timedOut: boolean;
  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super({ type: "connection_error", code: null, message, cause: options.cause });
    this.timedOut = options.timedOut;
  }
}

// A new error type in coffer's catalog does not compile until it has a class here.
const classByType = {
  invalid_request_error: InvalidRequestError,
  authentication_error: AuthenticationError,
  idempotency_error: IdempotencyError,
  rate_limit_error: RateLimitError,
  api_error: ApiError,
} satisfies Record<ErrorType, typeof CofferError>;

interface ErrorBody {
  error: { type: string; code: string; message: string; param: string | null; request_id: string };
}

/** The typed error for a coffer error response; a body that is not coffer's (a proxy's 502 page) is judged by status. */
export function errorFromResponse(statusCode: number, bodyText: string, requestIdHeader: string | null): CofferError {
  const body = parseErrorBody(bodyText);
  if (body) {
    const { type, code, message, param, request_id } = body.error;
    const ErrorClass = classByType[type as ErrorType] ?? classForStatus(statusCode);
    return new ErrorClass({
      type: type as ErrorType,
      code,
      message,
      param,
      requestId: request_id ?? requestIdHeader,
      statusCode,
    });
  }
  const ErrorClass = classForStatus(statusCode);
  const type = (Object.keys(classByType) as ErrorType[]).find((t) => classByType[t] === ErrorClass) ?? "api_error";
  return new ErrorClass({
    type,
    code: null,
    message: `coffer answered HTTP ${statusCode} without an error body${bodyText ? `: ${bodyText.slice(0, 200)}` : ""}`,
    requestId: requestIdHeader,
    statusCode,
  });
}

function classForStatus(statusCode: number): typeof CofferError {
  if (statusCode === 401) return AuthenticationError;
  if (statusCode === 409) return IdempotencyError;
  if (statusCode === 429) return RateLimitError;
  if (statusCode >= 500) return ApiError;
  return InvalidRequestError;
}

function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody> | null;
    const error = parsed?.error;
    return error && typeof error.type === "string" && typeof error.code === "string"
      ? (parsed as ErrorBody)
      : undefined;
  } catch {
    return undefined;
  }
}
