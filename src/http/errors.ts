import { type Static, Type } from "@sinclair/typebox";

/**
 * The error catalog of the HTTP API. Every error coffer answers has one of these codes (or a code of a domain
 * catalog made with defineErrors), the HTTP status and type listed here, and the shape of ErrorResponse.
 * docs/errors.md is generated from this file (`npm run docs`).
 */

export const errorTypes = [
  "invalid_request_error",
  "idempotency_error",
  "authentication_error",
  "rate_limit_error",
  "api_error",
] as const;
export type ErrorType = (typeof errorTypes)[number];

export type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 405 | 408 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 503;

export interface ErrorDefinition {
  status: ErrorStatus;
  type: ErrorType;
  /** Used as the message when the thrower gives none, and in docs/errors.md. */
  message: string;
}

export const errorCodes = [
  "invalid_json",
  "unsupported_media_type",
  "charset_unsupported",
  "body_too_large",
  "request_malformed",
  "request_timeout",
  "parameter_invalid",
  "parameter_missing",
  "parameter_unknown",
  "amount_invalid",
  "api_version_invalid",
  "route_not_found",
  "method_not_allowed",
  "resource_not_found",
  "idempotency_key_invalid",
  "idempotency_key_reused",
  "idempotency_key_in_use",
  "authentication_required",
  "cross_site_request",
  "rate_limited",
  "internal_error",
  "service_unavailable",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** A Record over ErrorCode: a code without a status and type does not compile. */
export const errorCatalog: Readonly<Record<ErrorCode, ErrorDefinition>> = {
  invalid_json: {
    status: 400,
    type: "invalid_request_error",
    message: "The request body is not valid JSON.",
  },
  unsupported_media_type: {
    status: 415,
    type: "invalid_request_error",
    message: "Request bodies must be JSON, sent with Content-Type: application/json.",
  },
  charset_unsupported: {
    status: 415,
    type: "invalid_request_error",
    message: "Request bodies must be UTF-8: send Content-Type: application/json, with no charset or charset=utf-8.",
  },
  body_too_large: {
    status: 413,
    type: "invalid_request_error",
    message: "The request body is larger than coffer accepts.",
  },
  request_malformed: {
    status: 400,
    type: "invalid_request_error",
    message: "The request could not be read: check its URL, headers and Content-Length.",
  },
  request_timeout: {
    status: 408,
    type: "invalid_request_error",
    message: "The request was not received in full in time; send it again.",
  },
  parameter_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "A parameter has a value that is not allowed; `param` names it.",
  },
  parameter_missing: {
    status: 400,
    type: "invalid_request_error",
    message: "A required parameter is missing; `param` names it.",
  },
  parameter_unknown: {
    status: 400,
    type: "invalid_request_error",
    message: "The request has a parameter this endpoint does not know; `param` names it.",
  },
  amount_invalid: {
    status: 400,
    type: "invalid_request_error",
    message:
      'An amount must be a whole number of the currency\'s minor unit, as a string of digits ("1999") or a JSON integer.',
  },
  api_version_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The Coffer-Version header names a version this coffer does not know.",
  },
  route_not_found: {
    status: 404,
    type: "invalid_request_error",
    message: "No endpoint answers at this path.",
  },
  method_not_allowed: {
    status: 405,
    type: "invalid_request_error",
    message: "This endpoint does not accept this HTTP method; the Allow header lists the ones it does.",
  },
  resource_not_found: {
    status: 404,
    type: "invalid_request_error",
    message: "No such object.",
  },
  idempotency_key_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "An Idempotency-Key must be 1 to 255 printable ASCII characters.",
  },
  idempotency_key_reused: {
    status: 409,
    type: "idempotency_error",
    message: "This Idempotency-Key was already used for a different request; use a new key for a new request.",
  },
  idempotency_key_in_use: {
    status: 409,
    type: "idempotency_error",
    message: "A request with this Idempotency-Key is still being processed; retry after it finishes.",
  },
  authentication_required: {
    status: 401,
    type: "authentication_error",
    message: "This endpoint needs a valid API key or session.",
  },
  cross_site_request: {
    status: 403,
    type: "authentication_error",
    message:
      "A request signed in by a session cookie may change something only from coffer's own pages: its Origin or Sec-Fetch-Site header names another site.",
  },
  rate_limited: {
    status: 429,
    type: "rate_limit_error",
    message: "Too many requests; slow down and retry after the time in the Retry-After header.",
  },
  internal_error: {
    status: 500,
    type: "api_error",
    message: "Something went wrong on coffer's side. Quote the request_id when you report it.",
  },
  service_unavailable: {
    status: 503,
    type: "api_error",
    message: "coffer cannot serve this request right now; retry shortly.",
  },
};

/**
 * A schema annotation naming the code its validation failures answer with, instead of parameter_invalid
 * (amountSchema uses it for amount_invalid). Registered as a keyword with the validator in app.ts.
 */
export const schemaErrorCodeKeyword = "x-error-code";

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: string;
  readonly status: ErrorStatus;
  readonly type: ErrorType;
  readonly param: string | null;

  constructor(code: ErrorCode, message?: string, param?: string | null);
  /** For domain catalogs; use defineErrors rather than calling this directly. */
  constructor(code: string, message: string | undefined, param: string | null | undefined, definition: ErrorDefinition);
  constructor(code: string, message?: string, param?: string | null, definition?: ErrorDefinition) {
    const found = definition ?? errorCatalog[code as ErrorCode];
    super(message ?? found.message);
    this.code = code;
    this.status = found.status;
    this.type = found.type;
    this.param = param ?? null;
  }
}

/**
 * A domain module's own catalog: its typed failure codes mapped to HTTP. Name the code union explicitly so a
 * failure without a mapping does not compile:
 *
 *   export const ledgerErrors = defineErrors<LedgerFailure>({ insufficient_funds: { status: 402, … } });
 *   throw ledgerErrors.toApiError(result.code, undefined, "amount");
 */
export interface DomainErrors<C extends string> {
  readonly definitions: Readonly<Record<C, ErrorDefinition>>;
  toApiError(code: C, message?: string, param?: string | null): ApiError;
}

export function defineErrors<C extends string>(definitions: Record<C, ErrorDefinition>): DomainErrors<C> {
  return {
    definitions,
    toApiError: (code, message, param) => new ApiError(code, message, param, definitions[code]),
  };
}

export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        type: Type.Unsafe<ErrorType>({
          type: "string",
          enum: [...errorTypes],
          description: "The family of the error.",
        }),
        code: Type.String({ description: "A stable, machine-readable code from the error catalog." }),
        message: Type.String({ description: "A human-readable explanation; may change, do not parse it." }),
        param: Type.Union([Type.String(), Type.Null()], {
          description: "The parameter the error is about, if any (dotted path for nested fields).",
        }),
        request_id: Type.String({ description: "The id of this request, also in the Request-Id header." }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: "ErrorResponse", title: "ErrorResponse", additionalProperties: false },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

export function errorBody(error: ApiError, requestId: string): ErrorResponse {
  return {
    error: {
      type: error.type,
      code: error.code,
      message: error.message,
      param: error.param,
      request_id: requestId,
    },
  };
}
