import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { unixSecondsSchema } from "../../http/timestamps.js";
import { requireOperator } from "../permissions.js";
import type { PlatformSummary } from "../platform-analytics.js";
import type { OperatorRouteDeps } from "./deps.js";

/** The platform's figures for the operator console's "Platform analytics" page (docs/platform-analytics.md). */
const Closed = { additionalProperties: false } as const;
const Amount = Type.String({ pattern: "^-?[0-9]+$", description: "Minor units of the currency." });
const Count = Type.Integer({ minimum: 0 });

const SummaryQuery = Type.Object(
  {
    livemode: Type.Optional(Type.Boolean({ description: "Live figures (default) or test mode's; never both." })),
    from: Type.Optional(unixSecondsSchema("Start of the range (widened down to a UTC hour); default `to` − 30 days.")),
    to: Type.Optional(unixSecondsSchema("End of the range, exclusive (widened up to a UTC hour); default now.")),
    currency: Type.Optional(
      Type.String({
        pattern: "^[A-Z][A-Z0-9]{2,9}$",
        description: "Only this currency's volume and payments; default every currency, each apart.",
      }),
    ),
  },
  Closed,
);

const PlatformSummarySchema = Type.Object(
  {
    object: Type.Literal("ops_analytics_summary"),
    livemode: Type.Boolean(),
    from: Type.Integer({ description: "Unix seconds, as used (a UTC hour edge)." }),
    to: Type.Integer({ description: "Unix seconds, exclusive." }),
    currency: Type.Union([Type.String(), Type.Null()], { description: "The filter, if one was given." }),
    volume: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          gross_volume: Amount,
          fees: Amount,
          refunded_amount: Amount,
          net_volume: Amount,
          payments_succeeded: Count,
        },
        Closed,
      ),
      { description: "One entry per currency with activity in the range, most gross volume first." },
    ),
    payments: Type.Object(
      { created: Count, succeeded: Count, failed: Count, canceled: Count, expired: Count },
      { ...Closed, description: "All currencies (or the one asked for)." },
    ),
    success_rate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
      description: "succeeded / (succeeded + failed + canceled + expired); null when none finished.",
    }),
    active_merchants: Type.Integer({ minimum: 0, description: "Merchants with a succeeded payment in the range." }),
    kyb: Type.Object(
      {
        submitted: Count,
        approved: Count,
        rejected: Count,
        pending: Type.Integer({ minimum: 0, description: "Waiting for an operator at the end of the range." }),
        action_required: Type.Integer({ minimum: 0, description: "Waiting for the merchant at the end of the range." }),
      },
      { ...Closed, description: "KYB applications (live mode only), whatever livemode says." },
    ),
  },
  Closed,
);

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function summaryJson(s: PlatformSummary) {
  return {
    object: "ops_analytics_summary" as const,
    livemode: s.range.livemode,
    from: seconds(s.range.from),
    to: seconds(s.range.to),
    currency: s.range.currency,
    volume: s.volume.map((v) => ({
      currency: v.currency,
      gross_volume: String(v.grossVolume),
      fees: String(v.fees),
      refunded_amount: String(v.refundedAmount),
      net_volume: String(v.netVolume),
      payments_succeeded: Number(v.succeeded),
    })),
    payments: {
      created: Number(s.payments.created),
      succeeded: Number(s.payments.succeeded),
      failed: Number(s.payments.failed),
      canceled: Number(s.payments.canceled),
      expired: Number(s.payments.expired),
    },
    success_rate: s.successRate,
    active_merchants: s.activeMerchants,
    kyb: {
      submitted: s.kyb.submitted,
      approved: s.kyb.approved,
      rejected: s.kyb.rejected,
      pending: s.kyb.pending,
      action_required: s.kyb.actionRequired,
    },
  };
}

export const operatorAnalyticsRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "operators">;
}> = async (app, { services }) => {
  app.get(
    "/v1/ops/analytics/summary",
    {
      preHandler: requireOperator("platform_analytics.read"),
      schema: {
        tags: ["operators"],
        summary: "Platform analytics",
        description:
          "Volume per currency, payments, success rate and active merchants of one mode from the platform's " +
          "hourly rollup, and the KYB funnel, for a range of whole UTC hours (docs/platform-analytics.md).",
        querystring: SummaryQuery,
        response: { 200: PlatformSummarySchema },
      },
    },
    async (request) => {
      const q = request.query;
      const summary = await services.operators.platformAnalytics.summary({
        livemode: q.livemode ?? true,
        from: q.from,
        to: q.to,
        currency: q.currency,
      });
      return summaryJson(summary);
    },
  );
};
