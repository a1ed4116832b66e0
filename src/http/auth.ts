import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, defineErrors, type ErrorDefinition } from "./errors.js";
import { assertSameOriginWrite } from "./same-origin.js";
import type { ApiVersion } from "./versioning.js";

/**
 * Who is calling. Authentication turns credentials (an API key, a console cookie, a wallet bearer token, an operator
 * session) into one AuthContext; routes then authorize with requireAuth. Each kind of caller has its own
 * authenticator, written beside its domain (merchants: keys, console sessions, operators; wallets: wallet sessions).
 */
export type ApiKeyScope = "none" | "read" | "write";

export type AuthContext =
  | {
      kind: "secret_key";
      merchantId: string;
      livemode: boolean;
      keyId: string;
      /** Restricted keys (rk_…) carry scopes per resource; null means an unrestricted secret key. */
      scopes: Readonly<Record<string, ApiKeyScope>> | null;
      /** The account's default API version, answered when the request names none. */
      accountApiVersion: ApiVersion;
    }
  | { kind: "publishable_key"; merchantId: string; livemode: boolean; keyId: string; accountApiVersion: ApiVersion }
  | {
      kind: "console";
      userId: string;
      merchantId: string;
      role: "owner" | "admin" | "developer" | "support" | "viewer";
      livemode: boolean;
      sessionId: string;
    }
  /** card: a stored-value card's session (src/stored-value), admitted on the card routes only. */
  | { kind: "wallet"; walletUserId: string; sessionId: string; card?: boolean }
  | { kind: "operator"; operatorId: string; role: "admin" | "reviewer" | "support"; sessionId: string };

export type AuthKind = AuthContext["kind"];

/**
 * Looks at a request and returns the caller, or null when the request carries none of this authenticator's
 * credentials. Credentials that are present but wrong (unknown key, expired session) throw an ApiError: a bad key
 * must never silently fall back to anonymous.
 */
export interface Authenticator {
  name: string;
  /** Its credentials are a cookie, which browsers send on their own: its unsafe requests must be same-origin. */
  cookie?: boolean;
  authenticate(request: FastifyRequest): Promise<AuthContext | null>;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const authErrorCodes = ["permission_denied", "livemode_mismatch"] as const;
export type AuthErrorCode = (typeof authErrorCodes)[number];
export const authErrors = defineErrors<AuthErrorCode>({
  permission_denied: {
    status: 403,
    type: "invalid_request_error",
    message: "These credentials may not do this; a key with more scopes or a user with another role may.",
  } satisfies ErrorDefinition,
  livemode_mismatch: {
    status: 403,
    type: "invalid_request_error",
    message: "This object belongs to the other mode (test or live) than your credentials.",
  },
});

/**
 * The idempotency scope of a caller, derived here only: keys never collide across merchants, modes or users. Every
 * caller acting for a merchant (secret, restricted and publishable keys, console users) shares the merchant's key
 * space of its mode, as Stripe does: a key names one operation on the merchant's account, whoever sends it, and a
 * console user who belongs to two merchants has two key spaces. A new kind of caller that carries a merchant falls
 * in here without being listed. (Console routes that act on the user rather than the merchant, such as two-factor
 * enrollment, are not idempotent routes: under this scope another member could replay their answer.)
 */
export function idempotencyScopeOf(auth: AuthContext): string {
  if ("merchantId" in auth) return `merchant:${auth.merchantId}:${auth.livemode ? "live" : "test"}`;
  switch (auth.kind) {
    case "wallet":
      return `wallet:${auth.walletUserId}`;
    case "operator":
      return `operator:${auth.operatorId}`;
  }
}

/** Where the merchant and operator consoles live: their sessions are cookies. */
const cookieSessionPrefixes = ["/v1/console/", "/v1/ops/"];

/**
 * Runs the authenticators in order on every request; the first that recognises the credentials wins. A cookie
 * caller's writes must come from coffer's own pages (./same-origin.ts), checked here once for every cookie kind.
 */
export function registerAuthentication(
  app: FastifyInstance,
  authenticators: readonly Authenticator[],
  options: { publicUrl?: string | undefined } = {},
): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request) => {
    for (const authenticator of authenticators) {
      const auth = await authenticator.authenticate(request);
      if (auth) {
        if (authenticator.cookie) assertSameOriginWrite(request, options.publicUrl);
        request.auth = auth;
        request.idempotencyScope = idempotencyScopeOf(auth);
        return;
      }
    }
    // The consoles' anonymous writes (sign-in, sign-up, password reset) start a cookie session: another site must
    // not be able to sign a browser in to an account of its choosing (login CSRF), so they get the same check.
    if (cookieSessionPrefixes.some((prefix) => request.url.startsWith(prefix))) {
      assertSameOriginWrite(request, options.publicUrl);
    }
  });
}

/**
 * A preHandler allowing only the given kinds of caller. No credentials: 401 authentication_required; another kind
 * of caller (a wallet token on a merchant route): 403 permission_denied.
 */
export function requireAuth(...kinds: AuthKind[]): AuthGuard {
  return guardFor(kinds, async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.auth) throw new ApiError("authentication_required");
    if (!kinds.includes(request.auth.kind)) throw authErrors.toApiError("permission_denied");
  });
}

/**
 * A preHandler that says which kinds of caller it admits (and, for documents, what it checks beyond the kind), so
 * the API document states each operation's security from the guard the route really runs, not from a second list.
 */
export type AuthGuard = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  readonly authKinds: readonly AuthKind[];
  /** Said in the operation's description, e.g. "API key scope payments: write" or "console permission refunds". */
  readonly authRequirement?: string;
};

export function guardFor(
  kinds: readonly AuthKind[],
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
  requirement?: string,
): AuthGuard {
  return Object.assign(handler, { authKinds: kinds, authRequirement: requirement });
}

/** The guard among a route's hooks (onRequest, preValidation, preHandler), if any. */
export function authGuardOf(...hooks: unknown[]): AuthGuard | undefined {
  const handlers = hooks.flatMap((hook) => (Array.isArray(hook) ? hook : [hook]));
  return handlers.find((h): h is AuthGuard => typeof h === "function" && Array.isArray((h as AuthGuard).authKinds));
}

/** Narrows request.auth after requireAuth; throws if a route forgot the guard (a bug, never a user error). */
export function authOf<K extends AuthKind>(request: FastifyRequest, ...kinds: K[]): Extract<AuthContext, { kind: K }> {
  const auth = request.auth;
  if (!auth || !(kinds as AuthKind[]).includes(auth.kind)) {
    if (!auth) throw new ApiError("authentication_required");
    throw authErrors.toApiError("permission_denied");
  }
  return auth as Extract<AuthContext, { kind: K }>;
}

/**
 * The guard of a merchant-side route: merchantScope's check before the handler runs, declared on the route so the
 * API document states who may call it. The handler still calls merchantScope for the merchant and mode.
 */
export function requireMerchant(resource: string, access: "read" | "write"): AuthGuard {
  return guardFor(
    merchantCallers,
    async (request: FastifyRequest) => {
      merchantScope(request, resource, access);
    },
    `a restricted key needs ${resource}: ${access}${access === "write" ? "; console roles owner, admin, developer" : ""}`,
  );
}

const merchantCallers: readonly AuthKind[] = ["secret_key", "console"];

/** The merchant and mode a request acts for, once it may act on `resource` with `access`. */
export interface MerchantScope {
  merchantId: string;
  livemode: boolean;
}

const consoleWriters = new Set(["owner", "admin", "developer"]);

/**
 * Authorizes a merchant-side request on one API resource ("payments", "webhook_endpoints", "events" …) and returns
 * the merchant and mode it acts for. Secret keys may do everything; restricted keys what their scope for the
 * resource allows (write implies read); console users by role: owner, admin and developer write, support and
 * viewer read. Anything else: 401 or 403.
 */
export function merchantScope(request: FastifyRequest, resource: string, access: "read" | "write"): MerchantScope {
  const auth = request.auth;
  if (!auth) throw new ApiError("authentication_required");
  if (auth.kind === "secret_key") {
    if (auth.scopes !== null) {
      const granted = auth.scopes[resource] ?? "none";
      const allowed = access === "read" ? granted === "read" || granted === "write" : granted === "write";
      if (!allowed) {
        throw authErrors.toApiError("permission_denied", `This restricted key has no ${access} access to ${resource}.`);
      }
    }
    return { merchantId: auth.merchantId, livemode: auth.livemode };
  }
  if (auth.kind === "console") {
    if (access === "write" && !consoleWriters.has(auth.role)) {
      throw authErrors.toApiError("permission_denied", `The ${auth.role} role cannot change ${resource}.`);
    }
    return { merchantId: auth.merchantId, livemode: auth.livemode };
  }
  throw authErrors.toApiError("permission_denied");
}
