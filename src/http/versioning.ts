import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/**
 * Dated API versions, Stripe-style. A request may pin one with `Coffer-Version: 2026-12-07`; without it, a merchant's
 * API keys are answered in the account's default version (set at sign-up, upgraded in the console), and everyone
 * else (console, wallet, public pages: coffer's own apps, built against the newest) in the latest. Every response
 * says which version answered it. A breaking change adds a new date here, with its changes in apiVersionReleases,
 * and keeps the old behaviour for the older dates (`apiVersionAtLeast` at the place that differs).
 */
export const apiVersionHeader = "Coffer-Version";
export const apiVersions = ["2026-11-01", "2026-12-07", "2026-12-14"] as const;
export type ApiVersion = (typeof apiVersions)[number];
/** What accounts and webhook endpoints made before versions could be chosen were given (the API versions migration). */
export const apiVersionFirst: ApiVersion = "2026-11-01";
/** The last of apiVersions (a test checks); new accounts and endpoints get it. */
export const apiVersionLatest: ApiVersion = "2026-12-14";
/** One list style, 201 on every create, unknown query parameters refused everywhere. */
export const apiVersionUniformLists: ApiVersion = "2026-12-07";
/** Checkout payments let their payer pay again after a failure or expiry unless created with allow_retries false. */
export const apiVersionPaymentRetries: ApiVersion = "2026-12-14";

export interface ApiVersionChange {
  /** Stable name of the change, for code that asks whether a version has it. */
  code: string;
  /** What an integration on the previous version sees differently, in a sentence. */
  summary: string;
}

export interface ApiVersionRelease {
  version: ApiVersion;
  summary: string;
  /** The breaking changes against the version before; additions that break nothing are in every version. */
  changes: ApiVersionChange[];
}

/** docs/changelog.md and GET /v1/versions are written from this list. */
export const apiVersionReleases: readonly ApiVersionRelease[] = [
  { version: "2026-11-01", summary: "The first dated version.", changes: [] },
  {
    version: "2026-12-07",
    summary: "One API style: the same creation-time filters on every list, 201 on every create, no silent query.",
    changes: [
      {
        code: "webhook_endpoint_create_201",
        summary: "POST /v1/webhook_endpoints answers 201 Created, like every other create (it answered 200).",
      },
      {
        code: "payments_created_filters",
        summary:
          "The payments list takes created[gte], created[gt], created[lte] and created[lt], like every list; its " +
          "created_gte and created_lt are refused with 400 parameter_unknown.",
      },
      {
        code: "unknown_query_refused",
        summary:
          "Every route refuses a query parameter it does not know with 400 parameter_unknown (routes other than " +
          "lists ignored them). expand is not offered: it is refused the same way, so nobody relies on it doing nothing.",
      },
    ],
  },
  {
    version: "2026-12-14",
    summary:
      "A failed or expired checkout payment can be paid again by its payer, as a new attempt of the same payment.",
    changes: [
      {
        code: "payment_retries_by_default",
        summary:
          "POST /v1/payments with method checkout defaults to allow_retries true: for 24 hours after its expires_at, a " +
          "failed or expired payment can still be paid by its payer (payment.succeeded then follows payment.failed or " +
          "payment.expired; retryable_until says until when). Send allow_retries false for the old behaviour; every " +
          "version may ask for retries with allow_retries true.",
      },
    ],
  },
];

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === "string" && (apiVersions as readonly string[]).includes(value);
}

/** A version stored by coffer (an account's, an endpoint's): one this coffer does not know is a broken invariant. */
export function storedApiVersion(value: string): ApiVersion {
  if (!isApiVersion(value)) throw new Error(`stored API version ${value} is not one this coffer knows`);
  return value;
}

/** Whether `version` has the behaviour introduced in `since`. */
export function apiVersionAtLeast(version: ApiVersion, since: ApiVersion): boolean {
  return apiVersions.indexOf(version) >= apiVersions.indexOf(since);
}

/** The releases an account on `version` would take on by upgrading to `target`, oldest first. */
export function releasesBetween(version: ApiVersion, target: ApiVersion): ApiVersionRelease[] {
  const from = apiVersions.indexOf(version);
  const to = apiVersions.indexOf(target);
  return apiVersionReleases.filter((release) => {
    const at = apiVersions.indexOf(release.version);
    return at > from && at <= to;
  });
}

declare module "fastify" {
  interface FastifyRequest {
    /** The API version this request is answered in. */
    apiVersion: ApiVersion;
    /** Whether the request named its version (Coffer-Version); if not, its caller's default may apply. */
    apiVersionNamed: boolean;
  }
}

export function parseApiVersion(raw: string | string[] | undefined): ApiVersion {
  if (raw === undefined) return apiVersionLatest;
  const value = Array.isArray(raw) ? raw : [raw];
  const known = value.length === 1 ? apiVersions.find((v) => v === value[0]?.trim()) : undefined;
  if (!known) {
    throw new ApiError(
      "api_version_invalid",
      `Unknown ${apiVersionHeader} "${String(value).slice(0, 40)}"; known versions: ${apiVersions.join(", ")}.`,
    );
  }
  return known;
}

export function registerVersioning(app: FastifyInstance): void {
  app.decorateRequest("apiVersion", apiVersionLatest);
  app.decorateRequest("apiVersionNamed", false);
  app.addHook("onRequest", async (request) => {
    const header = request.headers["coffer-version"];
    request.apiVersion = parseApiVersion(header);
    request.apiVersionNamed = header !== undefined;
  });
  // onSend covers errors too; a rejected version is answered in the latest one.
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header(apiVersionHeader, request.apiVersion);
    return payload;
  });
}

/**
 * After authentication: a request that named no version is answered in its caller's default, when the caller has
 * one (a merchant's API key carries its account's). Registered after registerAuthentication.
 */
export function registerCallerApiVersion(
  app: FastifyInstance,
  defaultOf: (request: FastifyRequest) => ApiVersion | undefined,
): void {
  app.addHook("onRequest", async (request) => {
    if (request.apiVersionNamed) return;
    const version = defaultOf(request);
    if (version !== undefined) request.apiVersion = version;
  });
}
