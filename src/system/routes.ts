import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { migrationsApplied } from "../db/migrate.js";
import type { Pool } from "../db/pool.js";
import { ApiError, ErrorResponse } from "../http/errors.js";
import { readinessCheckTimeoutMs } from "../limits.js";

/**
 * GET /healthz: the process is alive (no database: a slow database must not get a healthy process restarted).
 * GET /readyz: the process can serve: the database answers within readinessCheckTimeoutMs and every migration
 * this build knows is applied. Load balancers route to ready processes only.
 */
export interface SystemRoutesOptions {
  pool: Pool;
  /** The newest migration this build ships. */
  expectedMigrationVersion: number;
}

const Status = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false });

export const systemRoutes: FastifyPluginAsync<SystemRoutesOptions> = async (app, options) => {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["system"],
        summary: "Liveness",
        description: "Answers 200 while the process runs. Does not touch the database.",
        response: { 200: Status },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["system"],
        summary: "Readiness",
        description: "Answers 200 when the database is reachable and fully migrated, 503 otherwise.",
        response: { 200: Status, 503: Type.Ref(ErrorResponse) },
      },
    },
    async (request) => {
      let ready: boolean;
      try {
        ready = await withTimeout(
          migrationsApplied(options.pool, options.expectedMigrationVersion),
          readinessCheckTimeoutMs,
        );
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        throw new ApiError("service_unavailable", "The database is not reachable.");
      }
      if (!ready) throw new ApiError("service_unavailable", "The database is not fully migrated yet.");
      return { status: "ok" as const };
    },
  );
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
