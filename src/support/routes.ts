import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { AmountString } from "../http/amount.js";
import { type AuthGuard, authErrors, authOf, guardFor, merchantScope, requireAuth } from "../http/auth.js";
import { answerWithEffect } from "../http/idempotency.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import {
  supportAttachmentsPerMessageMax,
  supportMessageLengthMax,
  supportSubjectLengthMax,
  supportUploadBodyBytesMax,
} from "../limits.js";
import { operatorActor, requireOperator } from "../operators/permissions.js";
import { IdParams } from "../payments/routes/schemas.js";
import { walletTag } from "../wallets/schemas.js";
import { AttachmentContentSchema, AttachmentInputSchema, AttachmentSchema } from "./attachments.js";
import { opsTicketJson, type TicketStatus, ticketJson, ticketKinds, ticketStatuses } from "./model.js";
import type { Actor, CreateInput, ReplyInput, SupportService, TicketView } from "./service.js";

interface AudienceRoutes {
  prefix: "/v1/support" | "/v1/wallet/support" | "/v1/ops/support";
  /** The SDK's names of the merchant's routes (the SDK covers the merchant API only). */
  sdk?: { list: string; create: string; retrieve: string; update: string; reply: string; attachment: string };
  tags: string[];
  guard: (access: "read" | "write") => AuthGuard;
  actor: (request: FastifyRequest, access: "read" | "write") => Actor;
  ref: TSchema;
  json: (view: TicketView) => unknown;
  createBody?: TSchema;
  who: string;
}

/**
 * The support API (docs/support.md): the merchant's /v1/support/tickets (its inbox of payers' tickets and its own
 * tickets to the platform; secret keys, restricted keys with the support scope, console sessions of every role but
 * viewer), the payer's /v1/wallet/support/tickets and the operators' /v1/ops/support/tickets. A ticket or file the
 * caller may not see is a 404 like an unknown id; bodies are judged after the id is found.
 */
const Closed = { additionalProperties: false } as const;
const tags = ["support"];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const Timestamp = Type.Integer({ description: "Unix seconds." });

const KindSchema = literals(
  ticketKinds,
  "payment: a payer to the payment's merchant; wallet: a payer to the platform; merchant: a merchant to the platform.",
);
const StatusSchema = literals(
  ticketStatuses,
  "open: the answering side acts next; waiting_on_customer: the customer does; resolved: done (a customer's reply reopens it).",
);

const MessageSchema = Type.Object(
  {
    id: Type.String({ description: "tkm_…" }),
    object: Type.Literal("support_message"),
    author: Type.Object(
      {
        type: literals(["payer", "merchant", "platform"] as const),
        name: Nullable(Type.String()),
        side: literals(["customer", "agent"] as const, "customer: who opened the ticket; agent: who answers it."),
      },
      Closed,
    ),
    body: Type.String(),
    attachments: Type.Array(AttachmentSchema),
    created: Timestamp,
  },
  Closed,
);

const TimelineSchema = Type.Object(
  {
    payment: Type.Object(
      { id: Type.String(), amount: AmountString, currency: Type.String(), status: Type.String(), created: Timestamp },
      Closed,
    ),
    events: Type.Array(
      Type.Object(
        {
          type: Type.String({ description: "payment.succeeded, refund.succeeded, dispute.created …" }),
          created: Timestamp,
          object: Nullable(Type.String()),
          amount: Nullable(Type.String()),
        },
        Closed,
      ),
    ),
  },
  Closed,
);

const TicketProperties = {
  id: Type.String({ description: "tkt_…" }),
  object: Type.Literal("support_ticket"),
  livemode: Type.Boolean(),
  kind: KindSchema,
  subject: Type.String(),
  status: StatusSchema,
  payment: Nullable(Type.String({ description: "The payment it is about (pay_…)." })),
  merchant_name: Nullable(Type.String({ description: "The merchant it concerns." })),
  customer_name: Nullable(Type.String({ description: "Who opened it: a payer's display name, or a business." })),
  first_response_due_at: Type.Integer({ description: "Unix seconds: the answering side answers by then." }),
  first_responded_at: Nullable(Timestamp),
  resolution_due_at: Type.Integer({ description: "Unix seconds: resolved by then." }),
  resolved_at: Nullable(Timestamp),
  overdue: Type.Boolean({ description: "A deadline passed unmet (never once resolved)." }),
  message_count: Type.Integer(),
  last_message_at: Timestamp,
  created: Timestamp,
  messages: Nullable(Type.Array(MessageSchema, { description: "The thread, oldest first (null in lists)." })),
  payment_timeline: Nullable(TimelineSchema),
};
const TicketSchema = Type.Object(TicketProperties, { $id: "SupportTicket", ...Closed });
const OpsTicketSchema = Type.Object(
  {
    ...TicketProperties,
    object: Type.Literal("ops_support_ticket"),
    merchant: Nullable(Type.String({ description: "mer_…" })),
    wallet_user: Nullable(Type.String({ description: "wal_…" })),
  },
  { $id: "OpsSupportTicket", ...Closed },
);

const subject = Type.String({ minLength: 1, maxLength: supportSubjectLengthMax });
const body = Type.String({ minLength: 1, maxLength: supportMessageLengthMax });
const attachments = Type.Optional(
  Type.Array(AttachmentInputSchema, {
    maxItems: supportAttachmentsPerMessageMax,
    description: "Files: PDF, PNG or JPEG as base64, at most 5 MiB each.",
  }),
);
const MerchantCreateBody = Type.Object(
  {
    subject,
    body,
    payment: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "A payment of yours it is about." }),
    ),
    attachments,
  },
  Closed,
);
const WalletCreateBody = Type.Object(
  {
    subject,
    body,
    payment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Your payment it is about." })),
    to: Type.Optional(
      literals(
        ["merchant", "platform"] as const,
        "merchant (default with a payment): the payment's merchant; platform: coffer's support.",
      ),
    ),
    attachments,
  },
  Closed,
);
// Optional in the schema: the ticket is looked up before the body is judged.
const ReplyBody = Type.Object(
  {
    body: Type.Optional(Type.String({ maxLength: supportMessageLengthMax })),
    attachments,
    status: Type.Optional(
      literals(
        ticketStatuses,
        "The answering side: the status after the reply (default waiting_on_customer). A customer's reply opens the ticket.",
      ),
    ),
  },
  Closed,
);
const StatusBody = Type.Object({ status: Type.Optional(StatusSchema) }, Closed);
const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    status: Type.Optional(StatusSchema),
    kind: Type.Optional(KindSchema),
    payment: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    overdue: Type.Optional(Type.Boolean({ description: "Only tickets past a deadline (or only those that are not)." })),
  },
  Closed,
);

/** Console roles that answer customers: everyone but viewers. */
const consoleSupportRoles = new Set(["owner", "admin", "developer", "support"]);

function requireSupport(access: "read" | "write") {
  return guardFor(
    ["secret_key", "console"],
    async (request: FastifyRequest) => {
      supportActor(request, access);
    },
    `a restricted key needs support: ${access}${access === "write" ? "; console roles owner, admin, developer, support" : ""}`,
  );
}

/** The merchant acting: keys by their scope, console users by role (support staff answer tickets). */
function supportActor(request: FastifyRequest, access: "read" | "write"): Actor {
  const auth = request.auth;
  if (auth?.kind === "console") {
    if (access === "write" && !consoleSupportRoles.has(auth.role)) {
      throw authErrors.toApiError("permission_denied", `The ${auth.role} role cannot answer tickets.`);
    }
    return { type: "merchant", scope: { merchantId: auth.merchantId, livemode: auth.livemode }, by: auth.userId };
  }
  const scope = merchantScope(request, "support", access);
  return { type: "merchant", scope, by: auth?.kind === "secret_key" ? auth.keyId : "" };
}

const merchantJson = (v: TicketView) => ticketJson(v.ticket, v.names, v.at, v.detail);
const opsJson = (v: TicketView) => opsTicketJson(v.ticket, v.names, v.at, v.detail);

export const supportRoutes: FastifyPluginAsyncTypebox<{ support: SupportService }> = async (app, { support }) => {
  app.addSchema(TicketSchema);
  app.addSchema(OpsTicketSchema);
  app.addSchema(AttachmentContentSchema);
  const ticketRef = Type.Ref(TicketSchema);
  const opsRef = Type.Ref(OpsTicketSchema);
  const contentRef = Type.Ref(AttachmentContentSchema);

  /** The same routes for each audience: list, open (not operators), read, set the status, reply, and files. */
  const audiences: AudienceRoutes[] = [
    {
      prefix: "/v1/support",
      tags: [...tags],
      guard: (access: "read" | "write") => requireSupport(access),
      actor: (request: FastifyRequest, access: "read" | "write") => supportActor(request, access),
      ref: ticketRef,
      json: merchantJson,
      createBody: MerchantCreateBody,
      who: "the merchant",
      sdk: {
        list: "supportTickets.list",
        create: "supportTickets.create",
        retrieve: "supportTickets.retrieve",
        update: "supportTickets.update",
        reply: "supportTickets.reply",
        attachment: "supportAttachments.retrieve",
      },
    },
    {
      prefix: "/v1/wallet/support",
      tags: [walletTag],
      guard: () => requireAuth("wallet"),
      actor: (request: FastifyRequest): Actor => ({
        type: "wallet_user",
        walletUserId: authOf(request, "wallet").walletUserId,
      }),
      ref: ticketRef,
      json: merchantJson,
      createBody: WalletCreateBody,
      who: "the payer",
    },
    {
      prefix: "/v1/ops/support",
      tags: ["operations"],
      guard: (access: "read" | "write") => requireOperator(access === "read" ? "support.read" : "support.write"),
      actor: (request: FastifyRequest): Actor => ({ type: "operator", operatorId: operatorActor(request).operatorId }),
      ref: opsRef,
      json: opsJson,
      who: "operators",
    },
  ];

  for (const a of audiences) {
    app.get(
      `${a.prefix}/tickets`,
      {
        preHandler: a.guard("read"),
        schema: {
          ...(a.sdk ? { operationId: a.sdk.list } : {}),
          tags: [...a.tags],
          summary: a.prefix === "/v1/ops/support" ? "List tickets to the platform" : "List support tickets",
          description:
            a.prefix === "/v1/support"
              ? "Newest first: payers' tickets about your payments (kind payment) and yours to the platform (kind merchant)."
              : a.prefix === "/v1/wallet/support"
                ? "Newest first: your tickets, to merchants and to the platform."
                : "Newest first: payers' tickets about their wallets and merchants' tickets; overdue=true is the urgent queue.",
          querystring: ListQuery,
          response: { 200: listOf(a.ref) },
        },
      },
      async (request) => {
        const q = request.query as Static<typeof ListQuery>;
        const page = await support.list(
          a.actor(request, "read"),
          { status: q.status, kind: q.kind, payment: q.payment, overdue: q.overdue },
          pageRequest(q),
        );
        return { ...page, data: page.data.map(a.json) };
      },
    );

    if (a.createBody) {
      const createBody = a.createBody;
      app.post(
        `${a.prefix}/tickets`,
        {
          config: { idempotent: true },
          bodyLimit: supportUploadBodyBytesMax,
          preHandler: a.guard("write"),
          schema: {
            ...(a.sdk ? { operationId: a.sdk.create } : {}),
            tags: [...a.tags],
            summary: a.prefix === "/v1/support" ? "Open a ticket to the platform" : "Open a support ticket",
            description:
              a.prefix === "/v1/support"
                ? "A question to coffer's support, optionally about one of your payments."
                : "About one of your payments, to its merchant (or, with to: platform, to coffer); without a payment, to coffer.",
            body: createBody,
            response: { 201: a.ref },
          },
        },
        async (request, reply) => {
          const answer = answerWithEffect(request, reply, 201, a.json);
          return answer.respond(
            await support.create(a.actor(request, "write"), request.body as CreateInput, answer.record),
          );
        },
      );
    }

    app.get(
      `${a.prefix}/tickets/:id`,
      {
        preHandler: a.guard("read"),
        schema: {
          ...(a.sdk ? { operationId: a.sdk.retrieve } : {}),
          tags: [...a.tags],
          summary: "Retrieve a ticket",
          description: "With its messages and files, and the timeline of the payment it is about.",
          params: IdParams,
          response: { 200: a.ref },
        },
      },
      async (request) => a.json(await support.get(a.actor(request, "read"), request.params.id)),
    );

    app.post(
      `${a.prefix}/tickets/:id`,
      {
        config: { idempotent: true },
        preHandler: a.guard("write"),
        schema: {
          ...(a.sdk ? { operationId: a.sdk.update } : {}),
          tags: [...a.tags],
          summary: "Change a ticket's status",
          description:
            "The customer may resolve the ticket or open it again; the answering side may also set waiting_on_customer.",
          params: IdParams,
          body: StatusBody,
          response: { 200: a.ref },
        },
      },
      async (request, reply) => {
        const answer = answerWithEffect(request, reply, 200, a.json);
        return answer.respond(
          await support.setStatus(
            a.actor(request, "write"),
            request.params.id,
            request.body as { status?: TicketStatus },
            answer.record,
          ),
        );
      },
    );

    app.post(
      `${a.prefix}/tickets/:id/messages`,
      {
        config: { idempotent: true },
        bodyLimit: supportUploadBodyBytesMax,
        preHandler: a.guard("write"),
        schema: {
          ...(a.sdk ? { operationId: a.sdk.reply } : {}),
          tags: [...a.tags],
          summary: "Reply to a ticket",
          description: `A message (1 to ${supportMessageLengthMax} characters) with up to ${supportAttachmentsPerMessageMax} files; the other side is mailed.`,
          params: IdParams,
          body: ReplyBody,
          response: { 200: a.ref },
        },
      },
      async (request, reply) => {
        const answer = answerWithEffect(request, reply, 200, a.json);
        return answer.respond(
          await support.reply(a.actor(request, "write"), request.params.id, request.body as ReplyInput, answer.record),
        );
      },
    );

    app.get(
      `${a.prefix}/attachments/:id`,
      {
        preHandler: a.guard("read"),
        schema: {
          ...(a.sdk ? { operationId: a.sdk.attachment } : {}),
          tags: [...a.tags],
          summary: "Download a file",
          description:
            a.prefix === "/v1/wallet/support"
              ? "A file of one of your tickets, as base64."
              : "A file of a ticket you can read, or of a dispute's evidence, as base64.",
          params: IdParams,
          response: { 200: contentRef },
        },
      },
      async (request) => support.attachment(a.actor(request, "read"), request.params.id),
    );
  }
};
