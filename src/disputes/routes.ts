import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import { AmountString, amountSchema } from "../http/amount.js";
import { authOf, merchantScope, requireAuth, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { answerWithEffect } from "../http/idempotency.js";
import { MetadataInput, MetadataSchema } from "../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import {
  disputeDecisionNoteLengthMax,
  disputeEvidenceTextLengthMax,
  disputePayerMessageLengthMax,
  supportAttachmentsPerMessageMax,
  supportUploadBodyBytesMax,
} from "../limits.js";
import { operatorActor, requireOperator } from "../operators/permissions.js";
import { IdParams } from "../payments/routes/schemas.js";
import { AttachmentInputSchema, AttachmentSchema } from "../support/attachments.js";
import { operationsTag, walletTag } from "../wallets/schemas.js";
import {
  disputeClosers,
  disputeJson,
  disputeReasons,
  disputeStatuses,
  type evidenceFields,
  opsDisputeJson,
  walletDisputeJson,
} from "./model.js";
import type { DisputeService, DisputeWithFiles } from "./service.js";

/**
 * The disputes API (docs/disputes.md): the merchant's /v1/disputes (secret keys, restricted keys with the disputes
 * scope, console sessions), the payer's /v1/wallet/payments/{id}/dispute, the operators' /v1/ops/disputes and the
 * sandbox's /v1/test_helpers/payments/{id}/dispute. Another merchant's, mode's or payer's dispute is a 404 like an
 * unknown id; bodies are judged after the id is found, so a foreign id is never told apart by its body.
 */
const Closed = { additionalProperties: false } as const;
const tags = ["disputes"];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Amount = (description: string) => Object.assign({}, AmountString, { description });
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const Timestamp = Type.Integer({ description: "Unix seconds." });

const ReasonSchema = literals(disputeReasons, "Why the payer disputes the payment (docs/disputes.md).");
const StatusSchema = literals(
  disputeStatuses,
  "needs_response: answer by evidence_details.due_by; under_review: an operator decides; won: for the merchant; lost: for the payer.",
);

const textOut = () => Nullable(Type.String());
const evidenceText = {
  explanation: textOut(),
  product_description: textOut(),
  customer_communication: textOut(),
  refund_policy: textOut(),
  shipping_carrier: textOut(),
  shipping_tracking_number: textOut(),
} satisfies Record<(typeof evidenceFields)[number], unknown>;
const textIn = (description: string) =>
  Type.Optional(Type.String({ maxLength: disputeEvidenceTextLengthMax, description: `${description} "" clears it.` }));
const evidenceInput = {
  explanation: textIn("Your account of the payment, and why the dispute should be decided for you."),
  product_description: textIn("What was sold."),
  customer_communication: textIn("What you and the payer wrote to each other."),
  refund_policy: textIn("Your refund policy as the payer saw it."),
  shipping_carrier: textIn("Who delivered it."),
  shipping_tracking_number: textIn("The delivery's tracking number."),
} satisfies Record<(typeof evidenceFields)[number], unknown>;

const DisputeProperties = {
  id: Type.String({ description: "dp_…" }),
  object: Type.Literal("dispute"),
  livemode: Type.Boolean(),
  payment: Type.String({ description: "The disputed payment (pay_…)." }),
  amount: Amount("The disputed amount."),
  currency: Type.String(),
  reason: ReasonSchema,
  status: StatusSchema,
  payer_message: Nullable(Type.String({ description: "What the payer wrote when opening the dispute." })),
  evidence: Type.Object({ ...evidenceText, files: Type.Array(AttachmentSchema) }, Closed),
  evidence_details: Type.Object(
    {
      due_by: Type.Integer({ description: "Unix seconds: answer by then, or the dispute is lost." }),
      submitted_at: Nullable(Timestamp),
      past_due: Type.Boolean({ description: "true: it still needs a response and its due date has passed." }),
    },
    Closed,
  ),
  amount_held: Amount(
    "What is held from the balance now (open disputes); less than amount while the balance has not covered it all.",
  ),
  amount_returned: Amount("What was paid to the payer (lost disputes)."),
  closed_by: Nullable(literals(disputeClosers, "operator, sandbox, no_response or accepted.")),
  decision_note: Nullable(Type.String({ description: "The operator's note on the decision." })),
  metadata: MetadataSchema,
  closed: Nullable(Timestamp),
  created: Timestamp,
};
const DisputeSchema = Type.Object(DisputeProperties, { $id: "Dispute", ...Closed });

const WalletDisputeSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_dispute"),
    livemode: Type.Boolean(),
    payment: Type.String(),
    merchant: Type.Object({ name: Type.String() }, Closed),
    amount: AmountString,
    currency: Type.String(),
    reason: ReasonSchema,
    status: StatusSchema,
    payer_message: Nullable(Type.String()),
    evidence_due_by: Type.Integer({ description: "Unix seconds: the merchant answers by then." }),
    amount_returned: Amount("What reached your wallet (lost disputes)."),
    closed: Nullable(Timestamp),
    created: Timestamp,
  },
  { $id: "WalletDispute", ...Closed },
);

const OpsDisputeSchema = Type.Object(
  {
    ...DisputeProperties,
    object: Type.Literal("ops_dispute"),
    merchant: Type.Object({ id: Type.String(), name: Type.String() }, Closed),
    payer: Type.String({ description: "The payer's wallet user (wal_…)." }),
    decided_by: Nullable(Type.String({ description: "The operator who decided (op_…)." })),
    amount_uncovered: Amount("What the merchant's balance has not covered yet (held, or paid after a loss)."),
  },
  { $id: "OpsDispute", ...Closed },
);

const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    status: Type.Optional(StatusSchema),
    payment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this payment's dispute." })),
  },
  Closed,
);
const OpsListQuery = Type.Object(
  { ...listQueryProperties, status: Type.Optional(StatusSchema), livemode: Type.Optional(Type.Boolean()) },
  Closed,
);
const OpenBody = Type.Object(
  {
    reason: Type.Optional(ReasonSchema),
    amount: Type.Optional(amountSchema({ description: "Default: all that was paid and not refunded." })),
    message: Type.Optional(
      Type.String({ maxLength: disputePayerMessageLengthMax, description: "What happened, in your words." }),
    ),
  },
  Closed,
);
const EvidenceBody = Type.Object(
  {
    ...evidenceInput,
    attachments: Type.Optional(
      Type.Array(AttachmentInputSchema, {
        maxItems: supportAttachmentsPerMessageMax,
        description: "Files added to the evidence (receipts, delivery proof, messages).",
      }),
    ),
    submit: Type.Optional(
      Type.Boolean({
        description: "true: send the evidence for review (status under_review); it cannot change afterwards.",
      }),
    ),
  },
  Closed,
);
const UpdateBody = Type.Object({ metadata: Type.Optional(MetadataInput) }, Closed);
const EmptyBody = Type.Object({}, Closed);
const DecideBody = Type.Object(
  {
    outcome: Type.Optional(literals(["won", "lost"] as const, "won: for the merchant; lost: for the payer.")),
    note: Type.Optional(Type.String({ maxLength: disputeDecisionNoteLengthMax })),
  },
  Closed,
);

const merchantJson = (v: DisputeWithFiles) => disputeJson(v.dispute, v.files, v.at);

export const disputeRoutes: FastifyPluginAsyncTypebox<{ disputes: DisputeService }> = async (app, { disputes }) => {
  app.addSchema(DisputeSchema);
  app.addSchema(WalletDisputeSchema);
  app.addSchema(OpsDisputeSchema);
  const disputeRef = Type.Ref(DisputeSchema);
  const walletRef = Type.Ref(WalletDisputeSchema);
  const opsRef = Type.Ref(OpsDisputeSchema);

  // ---- the merchant ----
  app.get(
    "/v1/disputes",
    {
      preHandler: requireMerchant("disputes", "read"),
      schema: {
        tags,
        summary: "List disputes",
        description: "Newest first; filters status, payment and created.",
        querystring: ListQuery,
        response: { 200: listOf(disputeRef) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "disputes", "read");
      const page = await disputes.list(
        scope,
        { status: request.query.status, payment: request.query.payment, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(merchantJson) };
    },
  );

  app.get(
    "/v1/disputes/:id",
    {
      preHandler: requireMerchant("disputes", "read"),
      schema: { tags, summary: "Retrieve a dispute", params: IdParams, response: { 200: disputeRef } },
    },
    async (request) => merchantJson(await disputes.get(merchantScope(request, "disputes", "read"), request.params.id)),
  );

  app.post(
    "/v1/disputes/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("disputes", "write"),
      schema: {
        tags,
        summary: "Update a dispute",
        description: "Changes its metadata; the evidence is answered with POST /v1/disputes/{id}/evidence.",
        params: IdParams,
        body: UpdateBody,
        response: { 200: disputeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "disputes", "write");
      const answer = answerWithEffect(request, reply, 200, merchantJson);
      return answer.respond(await disputes.update(scope, request.params.id, request.body, answer.record));
    },
  );

  app.post(
    "/v1/disputes/:id/evidence",
    {
      config: { idempotent: true },
      bodyLimit: supportUploadBodyBytesMax,
      preHandler: requireMerchant("disputes", "write"),
      schema: {
        tags,
        operationId: "disputes.updateEvidence",
        summary: "Answer a dispute with evidence",
        description:
          "Saves the evidence given (text fields, and files added as base64: PDF, PNG or JPEG, at most 5 MiB each) " +
          "while the dispute needs a response and before evidence_details.due_by; submit: true sends it to an " +
          "operator (status under_review). In test mode, submitted evidence with explanation winning_evidence or " +
          "losing_evidence is decided at once.",
        params: IdParams,
        body: EvidenceBody,
        response: { 200: disputeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "disputes", "write");
      const answer = answerWithEffect(request, reply, 200, merchantJson);
      return answer.respond(await disputes.updateEvidence(scope, request.params.id, request.body, answer.record));
    },
  );

  app.post(
    "/v1/disputes/:id/close",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("disputes", "write"),
      schema: {
        tags,
        summary: "Accept a dispute",
        description: "Closes it as lost without waiting for a decision: the held amount goes to the payer.",
        params: IdParams,
        body: EmptyBody,
        response: { 200: disputeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "disputes", "write");
      const answer = answerWithEffect(request, reply, 200, merchantJson);
      return answer.respond(await disputes.accept(scope, request.params.id, answer.record));
    },
  );

  // ---- the sandbox ----
  app.post(
    "/v1/test_helpers/payments/:id/dispute",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("disputes", "write"),
      schema: {
        tags: ["test_helpers"],
        summary: "Dispute a test payment as its payer",
        description:
          "Test mode only. Opens a dispute of a succeeded test payment as its payer would (reason default general), " +
          "with the same checks, hold, events and mail.",
        params: IdParams,
        body: OpenBody,
        response: { 201: disputeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "disputes", "write");
      const answer = answerWithEffect(request, reply, 201, merchantJson);
      return answer.respond(await disputes.openForTest(scope, request.params.id, request.body, answer.record));
    },
  );

  // ---- the payer ----
  const wallet = requireAuth("wallet");
  const walletJson = (v: { dispute: DisputeWithFiles["dispute"]; merchantName: string }) =>
    walletDisputeJson(v.dispute, v.merchantName);

  app.post(
    "/v1/wallet/payments/:id/dispute",
    {
      config: { idempotent: true },
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Dispute a payment",
        description:
          "Your succeeded payment, within 120 days of paying: the amount is held from the merchant until the " +
          "dispute is decided, and returned to your wallet if it is decided for you. Ask the merchant first " +
          "(POST /v1/wallet/support/tickets): a refund is quicker.",
        params: IdParams,
        body: OpenBody,
        response: { 201: walletRef },
      },
    },
    async (request, reply) => {
      const { walletUserId } = authOf(request, "wallet");
      const answer = answerWithEffect(request, reply, 201, walletJson);
      return answer.respond(await disputes.openAsPayer(walletUserId, request.params.id, request.body, answer.record));
    },
  );

  app.get(
    "/v1/wallet/payments/:id/dispute",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Your dispute of a payment",
        params: IdParams,
        response: { 200: walletRef },
      },
    },
    async (request) => walletJson(await disputes.forPayer(authOf(request, "wallet").walletUserId, request.params.id)),
  );

  // ---- operators ----
  const opsJson = (v: DisputeWithFiles & { merchantName: string }) =>
    opsDisputeJson(v.dispute, v.files, v.merchantName, v.at);

  app.get(
    "/v1/ops/disputes",
    {
      preHandler: requireOperator("disputes.read"),
      schema: {
        tags: [operationsTag],
        summary: "List disputes of every merchant",
        description: "Newest first; status=under_review is the queue of disputes waiting for a decision.",
        querystring: OpsListQuery,
        response: { 200: listOf(opsRef) },
      },
    },
    async (request) => {
      const page = await disputes.opsList(
        { status: request.query.status, livemode: request.query.livemode },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(opsJson) };
    },
  );

  app.get(
    "/v1/ops/disputes/:id",
    {
      preHandler: requireOperator("disputes.read"),
      schema: { tags: [operationsTag], summary: "Retrieve any dispute", params: IdParams, response: { 200: opsRef } },
    },
    async (request) => opsJson(await disputes.opsGet(request.params.id)),
  );

  app.post(
    "/v1/ops/disputes/:id/decide",
    {
      config: { idempotent: true },
      preHandler: requireOperator("disputes.decide"),
      schema: {
        tags: [operationsTag],
        summary: "Decide a dispute",
        description:
          "A dispute under review: won (for the merchant) releases the hold; lost (for the payer) pays the held amount to the payer.",
        params: IdParams,
        body: DecideBody,
        response: { 200: opsRef },
      },
    },
    async (request, reply) => {
      const { operatorId } = operatorActor(request);
      let merchantName = "";
      const answer = answerWithEffect(request, reply, 200, (v: DisputeWithFiles) => opsJson({ ...v, merchantName }));
      merchantName = (await disputes.opsGet(request.params.id)).merchantName;
      const decided = await disputes.decide(operatorId, request.params.id, request.body, answer.record);
      return answer.respond(decided);
    },
  );
};
