import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { consoleActor, requireConsole } from "../permissions.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";

/** GET /v1/console/go_live: the checklist for live keys, computed for the merchant and the signed-in user. */
const Closed = { additionalProperties: false } as const;

export const GoLiveChecklist = Type.Object(
  {
    object: Type.Literal("go_live_checklist"),
    ready: Type.Boolean({ description: "Every item passes: live keys can be created." }),
    items: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          title: Type.String(),
          passed: Type.Boolean(),
          fix: Type.Union([Type.String(), Type.Null()], { description: "How to make this item pass." }),
          detail: Type.Union([Type.String(), Type.Null()], {
            description: "What the check saw, when it has more to say than pass or fail (e.g. the failing probe step).",
          }),
        },
        Closed,
      ),
    ),
  },
  Closed,
);

export const goLiveRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "merchants" | "pool">;
}> = async (app, { services }) => {
  app.get(
    "/v1/console/go_live",
    {
      preHandler: requireConsole("go_live.read"),
      schema: {
        tags: ["console"],
        summary: "The go-live checklist",
        description: "What must be true before live keys can be created (some items are about you, e.g. two-factor).",
        response: { 200: GoLiveChecklist },
      },
    },
    async (request) => {
      const actor = consoleActor(request);
      const report = await services.merchants.goLive.evaluate({
        db: services.pool,
        merchantId: actor.merchantId,
        userId: actor.userId,
      });
      return { object: "go_live_checklist" as const, ...report };
    },
  );
};
