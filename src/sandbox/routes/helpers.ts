import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { amountSchema } from "../../http/amount.js";
import { guardFor, type MerchantScope, merchantScope, requireMerchant } from "../../http/auth.js";
import { paymentJson } from "../../payments/model.js";
import { CurrencyCode, IdParams, PaymentSchema } from "../../payments/routes/schemas.js";
import type { PaymentServices } from "../../payments/service.js";
import { sandboxError } from "../errors.js";
import type { PaymentHelpers } from "../payment-helpers.js";
import type { SandboxReset } from "../reset.js";
import { scenarioCatalog, scenarioJson, scenarioNames } from "../scenarios.js";
import type { TestPayers } from "../test-payers.js";

/**
 * The sandbox's test helpers (docs/sandbox.md): test payers, the payer's side of a payment on demand, the scenario
 * catalog, and reset. Test mode only: an sk_test_ key (or the console in test mode); a live key gets 403
 * test_mode_only before anything else is looked at. Another merchant's payment or payer is a 404.
 */
export interface SandboxHelperServices {
  testPayers: TestPayers;
  helpers: PaymentHelpers;
  reset: SandboxReset;
}

const Closed = { additionalProperties: false } as const;
const tags = ["test_helpers"];

const ScenarioNameSchema = Type.Unsafe<(typeof scenarioNames)[number]>({
  type: "string",
  enum: [...scenarioNames],
  description: "A scenario of the catalog (docs/sandbox.md).",
});

const TestWalletUserBody = Type.Object(
  {
    currency: CurrencyCode,
    balance: Type.Optional(
      amountSchema({ allowZero: true, description: "Opening balance in minor units (default 100000)." }),
    ),
    tier: Type.Optional(Type.Integer({ minimum: 0, maximum: 2, description: "Identity tier (default 1)." })),
    password_free_limit: Type.Optional(
      amountSchema({
        allowZero: true,
        description:
          "Payment codes of this payer up to this amount are charged at once; above it they wait for the payer.",
      }),
    ),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    scenario: Type.Optional(ScenarioNameSchema),
  },
  Closed,
);

const TestWalletUserSchema = Type.Object(
  {
    object: Type.Literal("test_wallet_user"),
    id: Type.String({ description: "wal_…" }),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    livemode: Type.Literal(false),
    currency: Type.String(),
    balance: Type.String({ description: "The available balance in the test ledger, minor units." }),
    tier: Type.Integer(),
    password_free_limit: Type.Union([Type.String(), Type.Null()]),
    scenario: Type.Union([ScenarioNameSchema, Type.Null()]),
    session_token: Type.String({ description: "A wallet bearer token (wst_…) for /v1/wallet/*; shown once." }),
    sign_in_url: Type.String({
      description:
        "Opens the wallet app signed in as this payer (the token rides in the URL fragment, which browsers never send to a server); from there the hosted checkout of a test payment offers to pay as this payer.",
    }),
  },
  { $id: "TestWalletUser", ...Closed },
);

const ApproveBody = Type.Object(
  {
    wallet_user: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "Your test payer who pays (wal_…); default: the payer a payment code named, else a funded one.",
      }),
    ),
  },
  Closed,
);
const EmptyBody = Type.Object({}, Closed);

const ScenarioSchema = Type.Object(
  {
    object: Type.Literal("test_scenario"),
    name: ScenarioNameSchema,
    payment_code: Type.String({ description: "The magic payment code (method payment_code, test mode only)." }),
    outcome: Type.String(),
  },
  Closed,
);

const ResetSchema = Type.Object(
  {
    object: Type.Literal("test_reset"),
    livemode: Type.Literal(false, { description: "Always false: this belongs to test mode." }),
    deleted: Type.Object(
      {
        payments: Type.Integer(),
        refunds: Type.Integer(),
        payouts: Type.Integer(),
        events: Type.Integer(),
        webhook_deliveries: Type.Integer(),
        test_payers: Type.Integer(),
        scripted_answers: Type.Integer(),
        test_clocks: Type.Integer(),
        ledger_accounts_zeroed: Type.Integer(),
      },
      Closed,
    ),
  },
  { $id: "TestReset", ...Closed },
);

/** The merchant a test helper acts for; a live credential is refused whatever else the request says. */
function testScope(request: FastifyRequest): MerchantScope {
  const scope = merchantScope(request, "payments", "write");
  if (scope.livemode) throw sandboxError("test_mode_only");
  return scope;
}

const requireTestMode = guardFor(
  ["secret_key", "console"],
  async (request: FastifyRequest) => {
    testScope(request);
  },
  "test mode only; a restricted key needs payments: write",
);

export const sandboxHelperRoutes: FastifyPluginAsyncTypebox<{
  sandbox: SandboxHelperServices;
  payments: PaymentServices;
}> = async (app, { sandbox, payments }) => {
  app.addSchema(PaymentSchema);
  app.addSchema(TestWalletUserSchema);
  app.addSchema(ResetSchema);
  const paymentRef = Type.Ref(PaymentSchema);
  const links = payments.links;

  app.post(
    "/v1/test_helpers/wallet_users",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "Create a test payer",
        description:
          "A test-mode wallet user funded in the test ledger, with a wallet session token to act as the payer through /v1/wallet/*. A scenario sets its state (empty, tier 0, frozen …) and its scripted behaviour.",
        body: TestWalletUserBody,
        response: { 201: Type.Ref(TestWalletUserSchema) },
      },
    },
    async (request, reply) => {
      const scope = testScope(request);
      const body = request.body;
      const created = await sandbox.testPayers.create(
        scope.merchantId,
        {
          currency: body.currency,
          balance: body.balance,
          tier: body.tier as 0 | 1 | 2 | undefined,
          passwordFreeLimit: body.password_free_limit,
          email: body.email,
          scenario: body.scenario,
        },
        { userAgent: request.headers["user-agent"] ?? null, ip: request.ip },
      );
      reply.code(201);
      // On the checkout's origin, so the checkout page finds the wallet app's session in this browser.
      return { ...created, sign_in_url: `${links.base}/wallet/#sign_in=${encodeURIComponent(created.session_token)}` };
    },
  );

  app.get(
    "/v1/test_helpers/scenarios",
    {
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "List the scenario catalog",
        description: "Every scripted outcome with its magic payment code.",
        response: { 200: Type.Object({ object: Type.Literal("list"), data: Type.Array(ScenarioSchema) }, Closed) },
      },
    },
    async () => ({ object: "list" as const, data: scenarioNames.map((name) => scenarioJson(scenarioCatalog[name])) }),
  );

  app.post(
    "/v1/test_helpers/payments/:id/approve",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "Approve a payment as the payer",
        description:
          "The payer confirms the payment through the wallet's confirm path: the money moves in the test ledger. A payment already paid by that payer is answered as it is; another state is 409.",
        params: IdParams,
        body: ApproveBody,
        response: { 200: paymentRef },
      },
    },
    async (request) => {
      const scope = testScope(request);
      const payment = await sandbox.helpers.approve(scope, request.params.id, {
        walletUser: request.body.wallet_user,
      });
      return paymentJson(payment, links);
    },
  );

  app.post(
    "/v1/test_helpers/payments/:id/decline",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "Decline a payment as the payer",
        description: "The payment fails with failure_code payer_declined (requires_payment or processing only).",
        params: IdParams,
        body: EmptyBody,
        response: { 200: paymentRef },
      },
    },
    async (request) => {
      const scope = testScope(request);
      return paymentJson(await sandbox.helpers.decline(scope, request.params.id), links);
    },
  );

  app.post(
    "/v1/test_helpers/payments/:id/expire",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "Expire a payment now",
        description:
          "An open payment expires now (payment.expired); a requires_capture payment's hold is released. Another state is 409.",
        params: IdParams,
        body: EmptyBody,
        response: { 200: paymentRef },
      },
    },
    async (request) => {
      const scope = testScope(request);
      return paymentJson(await sandbox.helpers.expire(scope, request.params.id), links);
    },
  );

  app.post(
    "/v1/test_helpers/reset",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      preValidation: requireTestMode,
      schema: {
        tags,
        summary: "Wipe your test data",
        description:
          "Deletes your test-mode payments, refunds, payouts, events and deliveries, test payers and test clock; test balances go back to the sandbox bank (the test ledger's history stays). Live data is never touched.",
        body: EmptyBody,
        response: { 200: Type.Ref(ResetSchema) },
      },
    },
    async (request) => {
      const scope = testScope(request);
      return {
        object: "test_reset" as const,
        livemode: false as const,
        deleted: await sandbox.reset.reset(scope.merchantId),
      };
    },
  );
};
