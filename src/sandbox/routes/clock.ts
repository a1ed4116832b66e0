import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { type MerchantScope, merchantScope, requireMerchant } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { testClockAdvanceSecondsMax } from "../../limits.js";
import { type MerchantDueWorkDeps, merchantDueSteps, runMerchantDueWork } from "../clock-due-work.js";
import { sandboxError } from "../errors.js";
import type { TestClockState, TestClocks } from "../test-clock.js";

/**
 * The test clock over HTTP: read it, move it forward. Moving it runs the merchant's due work before answering, so a
 * script that advances 16 minutes and then reads its payment sees it expired. Test mode only; the clock belongs to
 * the merchant (every test key and the console in test mode share it). Advancing touches payments, so it takes the
 * payments scope of a restricted key.
 */
const Closed = { additionalProperties: false } as const;

export const TestClockSchema = Type.Object(
  {
    object: Type.Literal("test_clock"),
    livemode: Type.Literal(false, { description: "Always false: this belongs to test mode." }),
    now: Type.String({ description: "The merchant's test-mode time (ISO 8601, UTC)." }),
    offset_seconds: Type.Integer({ description: "How far the test clock runs ahead of real time, in whole seconds." }),
  },
  { $id: "TestClock", ...Closed },
);

const isoTimePattern = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$";

const AdvanceBody = Type.Object(
  {
    seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: testClockAdvanceSecondsMax,
        description: `Move forward this many seconds (1 to ${testClockAdvanceSecondsMax}).`,
      }),
    ),
    to: Type.Optional(
      Type.String({
        pattern: isoTimePattern,
        maxLength: 40,
        description: "Or move forward to this time (ISO 8601 with a zone); it must be ahead of the clock.",
      }),
    ),
  },
  Closed,
);

function testModeScope(request: FastifyRequest, access: "read" | "write"): MerchantScope {
  const scope = merchantScope(request, "payments", access);
  if (scope.livemode) throw sandboxError("test_mode_only");
  return scope;
}

function testClockJson(state: TestClockState) {
  return {
    object: "test_clock" as const,
    livemode: false as const,
    now: state.now.toISOString(),
    offset_seconds: Math.floor(state.offsetMs / 1000),
  };
}

/** What the test clock routes use: the merchants' test clocks, and the due work that advancing one runs. */
export interface TestClockRouteDeps extends MerchantDueWorkDeps {
  testClocks: TestClocks;
}

export interface ClockRouteOptions {
  services: TestClockRouteDeps;
}

export const testClockRoutes: FastifyPluginAsyncTypebox<ClockRouteOptions> = async (app, options) => {
  const { testClocks } = options.services;
  const dueSteps = merchantDueSteps(options.services);
  app.addSchema(TestClockSchema);
  const clockRef = Type.Ref(TestClockSchema);

  app.post(
    "/v1/test_helpers/advance_time",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["test_helpers"],
        summary: "Advance the test clock",
        description:
          "Moves your test-mode clock forward by `seconds` or to `to` (never backwards), then runs what became due before answering: payment expiries, payment-code confirmation timeouts, manual-capture hold releases, scripted test payers' answers, the daily payout schedule and payout settlement, webhook attempts and retries, payer reminders, the expiry of your stored-value cards. Live mode and other merchants are not affected. Test mode only.",
        body: AdvanceBody,
        response: { 200: clockRef },
      },
    },
    async (request) => {
      const scope = testModeScope(request, "write");
      const { seconds, to } = request.body;
      if ((seconds === undefined) === (to === undefined)) {
        throw new ApiError("parameter_invalid", "Give either seconds or to.", seconds === undefined ? "seconds" : "to");
      }
      if (seconds !== undefined) {
        await testClocks.advance(scope.merchantId, seconds * 1000);
      } else {
        const at = new Date(to!);
        if (Number.isNaN(at.getTime())) throw new ApiError("parameter_invalid", "to is not a valid time.", "to");
        await testClocks.advanceTo(scope.merchantId, at);
      }
      await runMerchantDueWork(dueSteps, scope.merchantId);
      return testClockJson(await testClocks.state(scope.merchantId));
    },
  );

  app.get(
    "/v1/test_helpers/clock",
    {
      preHandler: requireMerchant("payments", "read"),
      schema: {
        tags: ["test_helpers"],
        summary: "Read the test clock",
        description: "Your test-mode time and how far it runs ahead of real time. Test mode only.",
        response: { 200: clockRef },
      },
    },
    async (request) => testClockJson(await testClocks.state(testModeScope(request, "read").merchantId)),
  );
};
