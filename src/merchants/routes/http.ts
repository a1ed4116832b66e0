import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../../config.js";
import { ApiError, type ErrorCode } from "../../http/errors.js";
import { userAgentLengthMax } from "../../limits.js";
import { type OperatorErrorCode, operatorErrors } from "../../operators/errors.js";
import { clearCookie, isSecureRequest, serializeCookie } from "../cookies.js";
import { type MerchantErrorCode, merchantErrors } from "../errors.js";
import { linkBaseUrl } from "../links.js";
import type { Failure, Result } from "../model.js";

/** What the merchant and operator routes share: turning typed results into HTTP, links, session cookies. */

/** Every code a service of the platform may fail with; a code outside these catalogs does not compile. */
export type PlatformFailureCode = MerchantErrorCode | OperatorErrorCode | ErrorCode;

export function failureToApiError(failure: Failure<PlatformFailureCode>): ApiError {
  const code = failure.code;
  if (Object.hasOwn(merchantErrors.definitions, code)) {
    return merchantErrors.toApiError(code as MerchantErrorCode, failure.message, failure.param);
  }
  if (Object.hasOwn(operatorErrors.definitions, code)) {
    return operatorErrors.toApiError(code as OperatorErrorCode, failure.message, failure.param);
  }
  return new ApiError(code as ErrorCode, failure.message, failure.param);
}

/** The value of an ok result; a failure is thrown as its API error (with Retry-After for rate limits). */
export function unwrap<T>(result: Result<T, PlatformFailureCode>, reply?: FastifyReply): T {
  if (result.ok) return result.value;
  if (result.retryAfterS !== undefined) reply?.header("Retry-After", String(result.retryAfterS));
  throw failureToApiError(result);
}

export function linkBase(request: FastifyRequest, config: Config): string {
  return linkBaseUrl(config.publicUrl, request.headers.host, config.port);
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
  cookie: { name: string; path: string },
  session: { token: string; expiresAt: Date },
  now: Date,
): void {
  reply.header(
    "set-cookie",
    serializeCookie(cookie.name, session.token, {
      path: cookie.path,
      maxAgeS: (session.expiresAt.getTime() - now.getTime()) / 1000,
      secure: isSecureRequest(request.protocol, config.publicUrl),
    }),
  );
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
  cookie: { name: string; path: string },
): void {
  reply.header(
    "set-cookie",
    clearCookie(cookie.name, { path: cookie.path, secure: isSecureRequest(request.protocol, config.publicUrl) }),
  );
}

export function userAgentOf(request: FastifyRequest): string | null {
  const agent = request.headers["user-agent"];
  return typeof agent === "string" ? agent.slice(0, userAgentLengthMax) : null;
}
