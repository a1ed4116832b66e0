import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ApiError } from "../../http/errors.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { merchantErrors } from "../../merchants/errors.js";
import { consoleActor, requireConsole } from "../../merchants/permissions.js";
import type { EndpointProbe } from "../endpoint-probe.js";
import { probeStepNames } from "../endpoint-probe.js";

/**
 * The go-live probe in the console: run it against a test-mode webhook endpoint, and list past runs. The checklist
 * itself (GET /v1/console/go_live) reads the newest run through the endpoint_probe_passed item.
 */
const Closed = { additionalProperties: false } as const;

const ProbeStepSchema = Type.Object(
  {
    step: Type.Unsafe<(typeof probeStepNames)[number]>({
      type: "string",
      enum: [...probeStepNames],
      description:
        "signed: a correctly signed event; bad_signature: the same event badly signed; duplicate: the signed event again, same webhook-id.",
    }),
    expected: Type.Unsafe<"2xx" | "4xx">({ type: "string", enum: ["2xx", "4xx"] }),
    status_code: Type.Union([Type.Integer(), Type.Null()], { description: "null: no answer (see error)." }),
    latency_ms: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
    passed: Type.Boolean(),
  },
  Closed,
);

export const GoLiveProbeSchema = Type.Object(
  {
    id: Type.String({ description: "glp_…" }),
    object: Type.Literal("go_live_probe"),
    livemode: Type.Literal(false, { description: "Always false: the probe sends to a test-mode endpoint." }),
    webhook_endpoint: Type.String({ description: "The test-mode endpoint probed (we_…)." }),
    url: Type.String({ description: "Its URL at the time: the checklist needs a new run after the URL changes." }),
    event_id: Type.String({ description: "The webhook-id of the probe event, the same in all three requests." }),
    passed: Type.Boolean(),
    steps: Type.Array(ProbeStepSchema),
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "GoLiveProbe", ...Closed },
);

const ProbeBody = Type.Object(
  {
    webhook_endpoint: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "A test-mode endpoint (we_…); default: the newest enabled one.",
      }),
    ),
  },
  Closed,
);

const ListQuery = Type.Object(listQueryProperties, Closed);

export const goLiveProbeRoutes: FastifyPluginAsyncTypebox<{ probe: EndpointProbe }> = async (app, { probe }) => {
  app.addSchema(GoLiveProbeSchema);
  const probeRef = Type.Ref(GoLiveProbeSchema);

  app.post(
    "/v1/console/go_live/probe",
    {
      preHandler: requireConsole("go_live.write"),
      schema: {
        tags: ["console"],
        summary: "Probe your webhook handler",
        description:
          "Sends a test-mode endpoint three requests: a correctly signed webhook_endpoint.probe event (must answer 2xx), the same event badly signed (must answer 4xx) and the signed event again with the same webhook-id (must answer 2xx). Test mode whatever the session's mode; the same URL policy as test-mode deliveries. The run is stored; the go-live checklist reads the newest.",
        body: ProbeBody,
        response: { 201: probeRef },
      },
    },
    async (request, reply) => {
      const actor = consoleActor(request);
      const outcome = await probe.run(actor.merchantId, actor.userId, request.body.webhook_endpoint);
      if (!outcome.ok) {
        if (outcome.reason === "endpoint_not_found")
          throw new ApiError("resource_not_found", "No such test-mode webhook endpoint.", "webhook_endpoint");
        throw merchantErrors.toApiError("go_live_probe_endpoint_missing");
      }
      reply.code(201);
      return outcome.probe;
    },
  );

  app.get(
    "/v1/console/go_live/probes",
    {
      preHandler: requireConsole("go_live.read"),
      schema: {
        tags: ["console"],
        summary: "List go-live probe runs",
        description: "Newest first, with each step's status code and latency.",
        querystring: ListQuery,
        response: { 200: listOf(probeRef) },
      },
    },
    async (request) => probe.list(consoleActor(request).merchantId, pageRequest(request.query)),
  );
};
