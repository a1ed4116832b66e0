import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TProperties, type TSchema, Type } from "@sinclair/typebox";
import type { Pool } from "../db/pool.js";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { unixSecondsSchema } from "../http/timestamps.js";
import { consoleActor, requireConsole } from "../merchants/permissions.js";
import { paymentMethods } from "../payments/model.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { WalletServices } from "../wallets/service.js";
import { settlementCodes, whoCanPayCodes } from "./methods.js";
import { analyticsIntervals, analyticsMetrics } from "./model.js";
import { type AnalyticsService, createAnalyticsService } from "./service.js";

/**
 * GET /v1/analytics/…: a merchant's figures from the rollups (docs/analytics.md), one mode per caller (the key's,
 * or the console session's). Secret keys, restricted keys with analytics: read and console users of any role.
 * PATCH /v1/console/merchant sets the time zone the figures are bucketed in by default.
 */
const Closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Amount = Type.String({ pattern: "^-?[0-9]+$", description: "Minor units of `currency`." });
const Rate = Nullable(Type.Number({ description: "0 to 1; null when there is nothing to divide by." }));

const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "An IANA time zone name, e.g. Asia/Shanghai.",
});
const rangeProperties = {
  from: Type.Optional(
    unixSecondsSchema("Start of the range (widened down to a 15-minute edge); default `to` − 30 days."),
  ),
  to: Type.Optional(unixSecondsSchema("End of the range, exclusive (widened up to a 15-minute edge); default now.")),
  time_zone: Type.Optional({ ...TimeZone, description: "Default: the merchant's time_zone setting (UTC unless set)." }),
  currency: Type.Optional(
    Type.String({
      pattern: "^[A-Z][A-Z0-9]{2,9}$",
      description:
        "Default: the currency with the most volume in the range. Amounts are never summed across currencies.",
    }),
  ),
};
const RangeQuery = Type.Object(rangeProperties, Closed);
const TimeseriesQuery = Type.Object(
  {
    ...rangeProperties,
    metric: Type.Unsafe<(typeof analyticsMetrics)[number]>({ type: "string", enum: [...analyticsMetrics] }),
    interval: Type.Unsafe<(typeof analyticsIntervals)[number]>({ type: "string", enum: [...analyticsIntervals] }),
  },
  Closed,
);

const headerProperties = {
  livemode: Type.Boolean(),
  from: Type.Integer({ description: "Unix seconds, as used (15-minute edges)." }),
  to: Type.Integer({ description: "Unix seconds, exclusive." }),
  time_zone: Type.String(),
  currency: Type.String(),
};

const Customers = {
  new: Type.Integer({ description: "Payers whose first succeeded payment here (this mode) is in the range." }),
  returning_payments: Type.Integer({ description: "Succeeded payments whose payer paid before within the window." }),
  identified_payments: Type.Integer({ description: "Succeeded payments with a payer." }),
  returning_rate: Rate,
};

const figureProperties = {
  gross_volume: Amount,
  net_volume: Amount,
  fees: Amount,
  refunded_amount: Amount,
  payments: Type.Object(
    {
      created: Type.Integer(),
      opened: Type.Integer(),
      succeeded: Type.Integer(),
      failed: Type.Integer(),
      canceled: Type.Integer(),
      expired: Type.Integer(),
    },
    Closed,
  ),
  success_rate: Rate,
  conversion_rate: Rate,
  time_to_pay: Type.Object({ median_ms: Nullable(Type.Integer()), p90_ms: Nullable(Type.Integer()) }, Closed),
  refunds: Type.Object({ count: Type.Integer(), amount: Amount }, Closed),
  refund_rate: Rate,
  average_ticket: Nullable(Amount),
  customers: Type.Object(Customers, Closed),
};

const object = <N extends string, P extends TProperties>(name: N, properties: P) =>
  Type.Object({ object: Type.Literal(name), ...properties }, Closed);

const Summary = object("analytics_summary", {
  ...headerProperties,
  ...figureProperties,
  previous: Type.Object({ from: Type.Integer(), to: Type.Integer(), ...figureProperties }, Closed),
});
const Timeseries = object("analytics_timeseries", {
  metric: Type.String(),
  interval: Type.String(),
  ...headerProperties,
  data: Type.Array(
    Type.Object(
      {
        start: Type.Integer(),
        end: Type.Integer(),
        value: Type.Union([Type.String(), Type.Number(), Type.Null()]),
      },
      Closed,
    ),
  ),
});
const Failures = object("analytics_failures", {
  ...headerProperties,
  total: Type.Integer({ description: "Failed and expired payments of the range." }),
  data: Type.Array(
    Type.Object(
      { failure_code: Type.String(), method: Type.String(), count: Type.Integer(), share: Type.Number() },
      Closed,
    ),
  ),
});
const CustomersObject = object("analytics_customers", {
  ...headerProperties,
  ...Customers,
  returning_window_days: Type.Integer(),
});
const Methods = object("analytics_methods", {
  ...headerProperties,
  data: Type.Array(
    Type.Object(
      {
        method: Type.Unsafe<(typeof paymentMethods)[number]>({ type: "string", enum: [...paymentMethods] }),
        source: Type.Unsafe<"merchant" | "platform">({ type: "string", enum: ["merchant", "platform"] }),
        fee_schedule: Type.Object({ percent_bps: Type.Integer(), fixed: Amount, currency: Type.String() }, Closed),
        success_rate: Rate,
        median_time_to_pay_ms: Nullable(Type.Integer()),
        refund_rate: Rate,
        payments: Type.Integer({ description: "Finished payments the figures come from." }),
        currencies: Type.Array(Type.String()),
        who_can_pay: Type.Unsafe<(typeof whoCanPayCodes)[number]>({
          type: "string",
          enum: [...whoCanPayCodes],
          description:
            "Who can pay with the method: any coffer wallet user who scans the merchant's QR code (wallet_scans_qr), shows the payment code from the wallet app at the till (wallet_shows_code), or opens the hosted checkout page and signs in to the wallet (wallet_signs_in_checkout).",
        }),
        settlement: Type.Unsafe<(typeof settlementCodes)[number]>({
          type: "string",
          enum: [...settlementCodes],
          description:
            "When the money settles: in the coffer balance at once, then paid out to the bank once a day, UTC (balance_now_daily_payout), or when the merchant requests a payout (balance_now_payout_on_request).",
        }),
      },
      Closed,
    ),
  ),
});
const Settings = object("merchant_settings", {
  time_zone: Type.String(),
  now: Type.Integer({
    description: "Unix seconds: now in the session's mode (the merchant's test clock in test mode), for date presets.",
  }),
});

/** What the analytics routes build their service from; app.ts passes the platform's services. */
export interface AnalyticsRouteDeps {
  pool: Pool;
  testClocks: TestClocks;
  wallets: { config: Pick<WalletServices["config"], "tiers"> };
}

/** The analytics service from the app's services: wallet currencies say what payers can pay in. */
export function analyticsServiceOf(services: AnalyticsRouteDeps): AnalyticsService {
  const walletCurrencies = () => [...services.wallets.config.tiers.keys()];
  return createAnalyticsService({
    pool: services.pool,
    testClocks: services.testClocks,
    walletCurrencies,
    // Shown for a merchant without payments in the range: USD when wallets hold it, else their first currency.
    defaultCurrency: walletCurrencies().includes("USD") ? "USD" : (walletCurrencies().sort()[0] ?? "USD"),
  });
}

export const analyticsRoutes: FastifyPluginAsyncTypebox<{ services: AnalyticsRouteDeps }> = async (
  app,
  { services },
) => {
  const analytics = analyticsServiceOf(services);
  const tags = ["analytics"];
  const auth = "Secret keys, restricted keys with analytics: read, and console users of any role.";
  const read = (request: Parameters<typeof merchantScope>[0]) => merchantScope(request, "analytics", "read");

  app.get(
    "/v1/analytics/summary",
    {
      preHandler: requireMerchant("analytics", "read"),
      schema: {
        tags,
        summary: "Key figures of a range, with the period just before it",
        description: auth,
        querystring: RangeQuery,
        response: { 200: Summary },
      },
    },
    async (request) => analytics.summary(read(request), request.query),
  );

  app.get(
    "/v1/analytics/timeseries",
    {
      preHandler: requireMerchant("analytics", "read"),
      schema: {
        tags,
        summary: "One figure per hour, day, week or month in the time zone",
        description: `${auth} Every bucket of the range is present (zero-filled), clipped to from and to.`,
        querystring: TimeseriesQuery,
        response: { 200: Timeseries },
      },
    },
    async (request) => analytics.timeseries(read(request), request.query),
  );

  app.get(
    "/v1/analytics/failures",
    {
      preHandler: requireMerchant("analytics", "read"),
      schema: {
        tags,
        summary: "Failed and expired payments by failure code and method",
        description: auth,
        querystring: RangeQuery,
        response: { 200: Failures },
      },
    },
    async (request) => analytics.failures(read(request), request.query),
  );

  app.get(
    "/v1/analytics/customers",
    {
      preHandler: requireMerchant("analytics", "read"),
      schema: {
        tags,
        summary: "New and returning payers",
        description: `${auth} No payer is named.`,
        querystring: RangeQuery,
        response: { 200: CustomersObject },
      },
    },
    async (request) => analytics.customers(read(request), request.query),
  );

  app.get(
    "/v1/analytics/methods",
    {
      preHandler: requireMerchant("analytics", "read"),
      schema: {
        tags,
        summary: "Every payment method side by side",
        description: `${auth} The merchant's own figures for a method once it has enough finished payments in the range, else the platform's (source says which).`,
        querystring: RangeQuery,
        response: { 200: Methods },
      },
    },
    async (request) => analytics.methods(read(request), request.query),
  );

  app.get(
    "/v1/console/merchant",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "The merchant's settings",
        querystring: Type.Object({}, Closed),
        response: { 200: Settings },
      },
    },
    async (request) => {
      const actor = consoleActor(request);
      return analytics.settings(actor.merchantId, actor.livemode);
    },
  );

  app.patch(
    "/v1/console/merchant",
    {
      preHandler: requireConsole("team.write"),
      schema: {
        tags,
        summary: "Change the merchant's settings",
        description: "Owners and admins. time_zone: the zone analytics are bucketed in by default (both modes).",
        body: Type.Object({ time_zone: TimeZone }, Closed),
        response: { 200: Settings },
      },
    },
    async (request) => {
      const actor = consoleActor(request);
      return analytics.setTimeZone(actor.merchantId, actor.livemode, request.body.time_zone);
    },
  );
};
