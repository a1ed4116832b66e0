import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { consoleActor, requireConsole } from "../permissions.js";
import type { Invite, Member } from "../team.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { linkBase, unwrap } from "./http.js";
import {
  AssignableRoleSchema,
  ConsoleRoleSchema,
  Email,
  IdParams,
  NameBody,
  Password,
  TeamInvite,
  TeamMember,
  Token,
  TotpCode,
} from "./schemas.js";

/** The team: members and their roles, invites, and accepting an invite (by its emailed link). */
const tags = ["console"];
const Closed = { additionalProperties: false } as const;
const unix = (date: Date) => Math.floor(date.getTime() / 1000);

function memberObject(member: Member) {
  return {
    id: member.userId,
    object: "team_member" as const,
    email: member.email,
    name: member.name,
    role: member.role,
    two_factor: member.twoFactor,
    joined: unix(member.joinedAt),
  };
}

function inviteObject(invite: Invite, now: Date) {
  const status = invite.acceptedAt
    ? "accepted"
    : invite.revokedAt
      ? "revoked"
      : invite.expiresAt.getTime() <= now.getTime()
        ? "expired"
        : "pending";
  return {
    id: invite.id,
    object: "team_invite" as const,
    email: invite.email,
    role: invite.role,
    status: status as "accepted" | "revoked" | "expired" | "pending",
    invited_by: invite.invitedBy,
    created: unix(invite.createdAt),
    expires_at: unix(invite.expiresAt),
  };
}

export const teamRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "clock" | "config" | "merchants">;
}> = async (app, { services }) => {
  const team = services.merchants.team;
  const now = () => services.clock.now();

  app.get(
    "/v1/console/team/members",
    {
      preHandler: requireConsole("team.read"),
      schema: {
        tags,
        summary: "List team members",
        description: "Oldest first; the owner first of all.",
        querystring: Type.Object(listQueryProperties, Closed),
        response: { 200: listOf(TeamMember) },
      },
    },
    async (request) => {
      const page = await team.listMembers(consoleActor(request).merchantId, pageRequest(request.query));
      return { ...page, data: page.data.map(memberObject) };
    },
  );

  app.post(
    "/v1/console/team/members/:id",
    {
      preHandler: requireConsole("team.write"),
      schema: {
        tags,
        summary: "Change a member's role",
        description: "The owner's role cannot change, and nobody can be made owner.",
        params: IdParams,
        body: Type.Object({ role: AssignableRoleSchema }, Closed),
        response: { 200: TeamMember },
      },
    },
    async (request) =>
      memberObject(unwrap(await team.changeRole(consoleActor(request), request.params.id, request.body.role))),
  );

  app.delete(
    "/v1/console/team/members/:id",
    {
      preHandler: requireConsole("team.write"),
      schema: {
        tags,
        summary: "Remove a member",
        description: "Ends their sessions for this merchant at once. The owner cannot be removed.",
        params: IdParams,
        response: {
          200: Type.Object(
            {
              id: Type.String(),
              object: Type.Literal("team_member"),
              role: ConsoleRoleSchema,
              deleted: Type.Literal(true),
            },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      const removed = unwrap(await team.removeMember(consoleActor(request), request.params.id));
      return { id: removed.userId, object: "team_member" as const, role: removed.role, deleted: true as const };
    },
  );

  app.get(
    "/v1/console/team/invites",
    {
      preHandler: requireConsole("team.read"),
      schema: {
        tags,
        summary: "List invites",
        querystring: Type.Object(listQueryProperties, Closed),
        response: { 200: listOf(TeamInvite) },
      },
    },
    async (request) => {
      const page = await team.listInvites(consoleActor(request).merchantId, pageRequest(request.query));
      return { ...page, data: page.data.map((i) => inviteObject(i, now())) };
    },
  );

  app.post(
    "/v1/console/team/invites",
    {
      preHandler: requireConsole("team.write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Invite someone to the team",
        description: "Mails a link that works once, for 7 days. A new invite to the same address replaces the old.",
        body: Type.Object({ email: Email, role: AssignableRoleSchema }, Closed),
        response: { 201: TeamInvite },
      },
    },
    async (request, reply) => {
      const invite = unwrap(await team.invite(consoleActor(request), request.body, linkBase(request, services.config)));
      reply.code(201);
      return inviteObject(invite, now());
    },
  );

  app.delete(
    "/v1/console/team/invites/:id",
    {
      preHandler: requireConsole("team.write"),
      schema: { tags, summary: "Revoke an invite", params: IdParams, response: { 200: TeamInvite } },
    },
    async (request) => inviteObject(unwrap(await team.revokeInvite(consoleActor(request), request.params.id)), now()),
  );

  app.post(
    "/v1/console/team/invites/accept",
    {
      schema: {
        tags,
        summary: "Accept an invite",
        description:
          "With the token of the emailed link. Someone new sets their password (and name) here; someone with a " +
          "console account gives their password (and totp_code when they use TOTP). Then sign in as usual.",
        body: Type.Object(
          { token: Token, password: Password, name: NameBody, totp_code: Type.Optional(TotpCode) },
          Closed,
        ),
        response: {
          200: Type.Object(
            {
              object: Type.Literal("team_membership"),
              merchant: Type.String(),
              business_name: Type.String(),
              role: AssignableRoleSchema,
              email: Email,
            },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      const accepted = unwrap(
        await team.acceptInvite({
          token: request.body.token,
          password: request.body.password,
          name: request.body.name ?? null,
          totpCode: request.body.totp_code,
          ip: request.ip,
        }),
      );
      return {
        object: "team_membership" as const,
        merchant: accepted.merchantId,
        business_name: accepted.businessName,
        role: accepted.role,
        email: accepted.email,
      };
    },
  );
};
