import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { apiVersionLatest, apiVersionReleases } from "../http/versioning.js";

/** GET /v1/versions: every dated API version and its breaking changes, for anyone (docs/changelog.md says the same). */
const Closed = { additionalProperties: false } as const;

/** A release as the console's upgrade preview shows it too (inline there: that plugin cannot see this one's $ids). */
export const ApiVersionReleaseObject = Type.Object(
  {
    version: Type.String({ description: "A date: the value of Coffer-Version." }),
    summary: Type.String(),
    changes: Type.Array(
      Type.Object(
        {
          code: Type.String({ description: "A stable name of the change." }),
          summary: Type.String({ description: "What an integration on the version before sees differently." }),
        },
        Closed,
      ),
    ),
  },
  Closed,
);
const ApiVersionReleaseSchema = Type.Object(ApiVersionReleaseObject.properties, {
  ...Closed,
  $id: "ApiVersionRelease",
});

const VersionList = Type.Object(
  {
    object: Type.Literal("api_version_list"),
    latest: Type.String(),
    data: Type.Array(Type.Ref(ApiVersionReleaseSchema), { description: "Oldest first." }),
  },
  Closed,
);

export const versionRoutes: FastifyPluginAsync = async (app) => {
  app.addSchema(ApiVersionReleaseSchema);
  app.get(
    "/v1/versions",
    {
      schema: {
        tags: ["versions"],
        summary: "List API versions",
        description: "Each dated version with the breaking changes it made. Needs no credentials.",
        response: { 200: VersionList },
      },
    },
    async () => ({ object: "api_version_list" as const, latest: apiVersionLatest, data: apiVersionReleases }),
  );
};
