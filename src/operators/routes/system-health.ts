import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { readSystemHealth } from "../../monitoring/system-health.js";
import { requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";

/** GET /v1/ops/system/health: workers, backlogs, pool, ledger batches, last verify and audit (docs/monitoring.md). */
const Closed = { additionalProperties: false } as const;
const Time = Type.Integer({ description: "Unix time, seconds." });
const MaybeTime = Type.Union([Time, Type.Null()]);
const MaybeNumber = Type.Union([Type.Number(), Type.Null()]);

const SystemHealth = Type.Object(
  {
    object: Type.Literal("system_health"),
    checked_at: Time,
    workers: Type.Array(
      Type.Object(
        {
          worker: Type.String(),
          instance: Type.String({ description: "host:pid of the process running the loop." }),
          started_at: Time,
          last_pass_at: MaybeTime,
          last_success_at: MaybeTime,
          passes: Type.Integer(),
          failures: Type.Integer(),
          last_failure_at: MaybeTime,
          last_error: Type.Union([Type.String(), Type.Null()]),
          reported_at: Time,
        },
        Closed,
      ),
    ),
    stalled_workers: Type.Array(Type.String(), {
      description: "Loops no process has passed well for five minutes.",
    }),
    outbox: Type.Object({ lag_seconds: Type.Number(), events: Type.Integer() }, Closed),
    webhooks: Type.Object({ backlog: Type.Integer(), oldest_due_seconds: Type.Number() }, Closed),
    pool: Type.Object(
      { size: Type.Integer(), total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() },
      { ...Closed, description: "The database pool of the process that answered." },
    ),
    ledger_batches: Type.Object(
      {
        batches: Type.Integer(),
        transfers: Type.Integer(),
        retries: Type.Integer(),
        mean_transfers: MaybeNumber,
        mean_seconds: MaybeNumber,
      },
      { ...Closed, description: "Ledger batches committed by the process that answered, since it started." },
    ),
    verify: Type.Union([
      Type.Object(
        { ok: Type.Boolean(), ledger: Type.String(), checked_at: Time },
        { ...Closed, description: "The last coffer verify." },
      ),
      Type.Null(),
    ]),
    audit_report: Type.Union([
      Type.Object(
        { ok: Type.Boolean(), high: Type.Integer(), checked_at: Time },
        { ...Closed, description: "The last coffer audit." },
      ),
      Type.Null(),
    ]),
  },
  Closed,
);

export const operatorSystemHealthRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "clock" | "config" | "ledgerBatches" | "operators" | "pool" | "securityAudit">;
}> = async (app, { services }) => {
  app.get(
    "/v1/ops/system/health",
    {
      preHandler: requireOperator("system_health.read"),
      schema: {
        tags: ["operators"],
        summary: "System health",
        description:
          "Background loops of every process (from their heartbeats), the outbox lag and webhook backlog, the " +
          "database pool and ledger batches of this process, and the last verify and security audit.",
        response: { 200: SystemHealth },
      },
    },
    async () => readSystemHealth(services),
  );
};
