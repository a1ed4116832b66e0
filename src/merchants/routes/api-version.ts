import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { apiVersions } from "../../http/versioning.js";
import { ApiVersionReleaseObject } from "../../system/versions-routes.js";
import { consoleActor, requireConsole } from "../permissions.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { unwrap } from "./http.js";

/**
 * The account's default API version in the console: what it is, what an upgrade to the latest would change, and the
 * upgrade itself (owner and admins). GET /v1/versions lists every version for anyone.
 */
const tags = ["console"];
const Closed = { additionalProperties: false } as const;
const VersionLiteral = Type.Union(apiVersions.map((version) => Type.Literal(version)));

const ApiVersionSetting = Type.Object(
  {
    object: Type.Literal("api_version_setting"),
    version: Type.String({ description: "The account's default: what its API keys are answered in." }),
    latest: Type.String(),
    upgrade_changes: Type.Array(ApiVersionReleaseObject, {
      description: "The versions after the account's, with what each changes: the preview of an upgrade.",
    }),
  },
  Closed,
);

export const apiVersionRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "merchants">;
}> = async (app, { services }) => {
  const versions = services.merchants.apiVersions;

  app.get(
    "/v1/console/api_version",
    {
      preHandler: requireConsole("api_version.read"),
      schema: {
        tags,
        summary: "The account's API version",
        description: "With the changes an upgrade to the latest version would bring.",
        response: { 200: ApiVersionSetting },
      },
    },
    async (request) => unwrap(await versions.get(consoleActor(request).merchantId)),
  );

  app.post(
    "/v1/console/api_version",
    {
      preHandler: requireConsole("api_version.write"),
      schema: {
        tags,
        summary: "Upgrade the account's API version",
        description:
          "From then on the account's API keys are answered in this version when a request names none (in other " +
          "coffer processes within 5 seconds). Only a newer version is accepted (409 api_version_not_newer).",
        body: Type.Object({ version: VersionLiteral }, Closed),
        response: { 200: ApiVersionSetting },
      },
    },
    async (request) => unwrap(await versions.upgrade(consoleActor(request), request.body.version)),
  );
};
