import type { FastifyReply, FastifyRequest } from "fastify";
import { authErrors, authOf, guardFor, requireAuth } from "../http/auth.js";
import type { ConsoleActor, ConsoleRole } from "./model.js";

/**
 * What each console role may do. Every console route names one permission and guards itself with
 * requireConsole(permission); a role without it gets 403 permission_denied. Objects of another merchant are never
 * found (404), whatever the role. The owner has every permission; docs/merchants.md shows this table.
 */
export const consolePermissions = {
  /** Who am I, my own two-factor and passkeys, sign out: everyone. */
  "self.manage": ["owner", "admin", "developer", "support", "viewer"],
  "kyb.read": ["owner", "admin"],
  "kyb.write": ["owner", "admin"],
  "api_keys.read": ["owner", "admin", "developer", "viewer"],
  "api_keys.write": ["owner", "admin", "developer"],
  "go_live.read": ["owner", "admin", "developer", "viewer"],
  /** Running the go-live probe sends requests to the merchant's endpoint: the roles that configure integrations. */
  "go_live.write": ["owner", "admin", "developer"],
  "team.read": ["owner", "admin", "developer", "support", "viewer"],
  "team.write": ["owner", "admin"],
  "audit_log.read": ["owner", "admin"],
  /** The account's default API version changes how every integration is answered: the account's managers. */
  "api_version.read": ["owner", "admin", "developer", "viewer"],
  "api_version.write": ["owner", "admin"],
} as const satisfies Record<string, readonly ConsoleRole[]>;

export type ConsolePermission = keyof typeof consolePermissions;

export function roleAllows(role: ConsoleRole, permission: ConsolePermission): boolean {
  return (consolePermissions[permission] as readonly ConsoleRole[]).includes(role);
}

/** A preHandler: a console session whose role has `permission`. */
export function requireConsole(permission: ConsolePermission) {
  const signedIn = requireAuth("console");
  return guardFor(
    signedIn.authKinds,
    async (request: FastifyRequest, reply: FastifyReply) => {
      await signedIn(request, reply);
      const auth = authOf(request, "console");
      if (!roleAllows(auth.role, permission)) {
        throw authErrors.toApiError("permission_denied", `The ${auth.role} role may not do this (${permission}).`);
      }
    },
    `console roles: ${consolePermissions[permission].join(", ")}`,
  );
}

/** The console caller as services take it. */
export function consoleActor(request: FastifyRequest): ConsoleActor & { sessionId: string; livemode: boolean } {
  const auth = authOf(request, "console");
  return {
    userId: auth.userId,
    merchantId: auth.merchantId,
    role: auth.role,
    ip: request.ip,
    sessionId: auth.sessionId,
    livemode: auth.livemode,
  };
}
