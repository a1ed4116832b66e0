import type { Logger } from "pino";
import { modeName } from "../alerts/messages.js";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { keysetPage, type ListPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import {
  supportFirstResponseMs,
  supportMessageLengthMax,
  supportOpenTicketsPerCustomerMax,
  supportResolutionMs,
  supportSubjectLengthMax,
  supportTimelineEventsMax,
} from "../limits.js";
import { merchantContacts } from "../merchants/users.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale, MessageTemplate } from "../notifications/templates.js";
import type { PaymentLinks } from "../payments/model.js";
import { getMerchantPayment, getPayment } from "../payments/store.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { SecretBox } from "../security/encryption.js";
import {
  type Attachment,
  type AttachmentInput,
  attachmentContent,
  attachmentsOf,
  findAttachment,
  inspectAttachments,
  storeAttachments,
} from "./attachments.js";
import { supportError } from "./errors.js";
import { platformName, ticketOpenedTemplate, ticketReplyTemplate, ticketResolvedTemplate } from "./messages.js";
import {
  type Audience,
  type AuthorType,
  messageFromRow,
  type Side,
  sideOf,
  type Ticket,
  type TicketDetail,
  type TicketKind,
  type TicketMessageRow,
  type TicketNames,
  type TicketRow,
  type TicketStatus,
  ticketFromRow,
  ticketJson,
  ticketStatuses,
} from "./model.js";

/**
 * Support tickets (docs/support.md): a payer asks a payment's merchant (payment) or the platform (wallet), a merchant
 * asks the platform (merchant). Each ticket is a thread of messages with files, a status (open, waiting on the
 * customer, resolved), a first-response and a resolution deadline, and mail to the other side on every message. A
 * ticket about a payment shows that payment's timeline. Every change is one transaction with its events and mails.
 */
export interface SupportDeps {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  notifications: NotificationService;
  testClocks: TestClocks;
  links: PaymentLinks;
  log?: Logger;
}

/** Who acts: a payer, a merchant (a console user or an API key), or an operator. */
export type Actor =
  | { type: "wallet_user"; walletUserId: string }
  | { type: "merchant"; scope: MerchantScope; by: string }
  | { type: "operator"; operatorId: string };

export interface CreateInput {
  subject: string;
  body: string;
  payment?: string;
  to?: "merchant" | "platform";
  attachments?: AttachmentInput[];
}

export interface ReplyInput {
  body?: string;
  attachments?: AttachmentInput[];
  status?: TicketStatus;
}

export interface TicketView {
  ticket: Ticket;
  names: TicketNames;
  at: Date;
  detail?: TicketDetail;
}

type TicketEvent = "ticket.created" | "ticket.message_added" | "ticket.updated" | "ticket.resolved";

interface NamedRow extends TicketRow {
  merchant_name: string | null;
  payer_name: string | null;
}

const namedTickets = `(SELECT t.*, m.business_name AS merchant_name, w.display_name AS payer_name
                         FROM support_tickets t LEFT JOIN merchants m ON m.id = t.merchant_id
                         LEFT JOIN wallet_users w ON w.id = t.wallet_user_id) AS listed`;

function namesOf(row: NamedRow): TicketNames {
  return { merchant: row.merchant_name, customer: row.kind === "merchant" ? row.merchant_name : row.payer_name };
}

function audienceOf(actor: Actor): Audience {
  if (actor.type === "wallet_user") return { kind: "payer", walletUserId: actor.walletUserId };
  if (actor.type === "merchant") return { kind: "merchant", ...actor.scope };
  return { kind: "platform" };
}

/** The rows an audience may see, as SQL over a ticket row (no alias), with its parameters from $<first>. */
function visibility(audience: Audience, first: number): { sql: string; params: unknown[] } {
  if (audience.kind === "payer") return { sql: `wallet_user_id = $${first}`, params: [audience.walletUserId] };
  if (audience.kind === "merchant") {
    return {
      sql: `merchant_id = $${first} AND livemode = $${first + 1}`,
      params: [audience.merchantId, audience.livemode],
    };
  }
  return { sql: "kind IN ('wallet', 'merchant')", params: [] };
}

/** Event types worth showing in a ticket's payment timeline: what happened, not metadata edits. */
const timelineExcluded = ["payment.updated", "refund.created", "refund.updated", "dispute.updated"];

export type SupportService = ReturnType<typeof createSupportService>;

export function createSupportService(deps: SupportDeps) {
  const { pool } = deps;
  const notFound = () => new ApiError("resource_not_found", "No such support ticket.", "id");

  /** A ticket's time: the merchant's test clock for a test-mode ticket with a merchant, else the system clock. */
  function nowFor(ticket: { merchantId: string | null; livemode: boolean }, db?: Queryable): Promise<Date> {
    return ticket.merchantId && !ticket.livemode
      ? deps.testClocks.now(ticket.merchantId, false, db)
      : Promise.resolve(deps.clock.now());
  }

  async function loadNamed(db: Queryable, audience: Audience, id: string, lock = false): Promise<NamedRow | undefined> {
    if (!isId(id, "tkt")) return undefined;
    const seen = visibility(audience, 2);
    if (lock) {
      const locked = await db.query("SELECT 1 FROM support_tickets WHERE id = $1 FOR UPDATE", [id]);
      if (!locked.rowCount) return undefined;
    }
    const found = await db.query<NamedRow>(`SELECT * FROM ${namedTickets} WHERE id = $1 AND ${seen.sql}`, [
      id,
      ...seen.params,
    ]);
    return found.rows[0];
  }

  function text(value: string | undefined, param: string, max: number): string {
    if (value === undefined) throw new ApiError("parameter_missing", `Missing required parameter: ${param}.`, param);
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > max) {
      throw new ApiError("parameter_invalid", `${param} is 1 to ${max} characters (not only spaces).`, param);
    }
    return trimmed;
  }

  async function recordTicketEvent(
    tx: Queryable,
    type: TicketEvent,
    ticket: Ticket,
    names: TicketNames,
    at: Date,
    previous?: Record<string, unknown>,
  ) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: ticket.merchantId,
        walletUserId: ticket.walletUserId,
        livemode: ticket.livemode,
        object: ticketJson(ticket, names, at),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  // ---- mail -----------------------------------------------------------------------------------------------------

  interface Recipient {
    email: string;
    locale: Locale;
    key: string;
    link: string;
  }

  /** Who reads mail for a side of a ticket, with the link to the ticket in their app. */
  async function recipients(tx: Queryable, ticket: Ticket, side: Side): Promise<Recipient[]> {
    const base = deps.links.base;
    const party: "payer" | "merchant" | "platform" =
      side === "customer"
        ? ticket.kind === "merchant"
          ? "merchant"
          : "payer"
        : ticket.kind === "payment"
          ? "merchant"
          : "platform";
    if (party === "payer") {
      const found = await tx.query<{ email: string | null; locale: Locale }>(
        "SELECT email, locale FROM wallet_users WHERE id = $1",
        [ticket.walletUserId],
      );
      const person = found.rows[0];
      return person?.email
        ? [
            {
              email: person.email,
              locale: person.locale,
              key: ticket.walletUserId!,
              link: `${base}/wallet/support/${ticket.id}`,
            },
          ]
        : [];
    }
    if (party === "merchant") {
      return (await merchantContacts(tx, ticket.merchantId!)).map((c) => ({
        email: c.email,
        locale: c.locale,
        key: c.userId,
        link: `${base}/support/${ticket.id}`,
      }));
    }
    const operators = await tx.query<{ id: string; email: string }>(
      "SELECT id, email FROM operators WHERE role IN ('support', 'admin') AND disabled_at IS NULL ORDER BY created_at",
    );
    return operators.rows.map((o) => ({
      email: o.email,
      locale: "en" as const,
      key: o.id,
      link: `${base}/ops/support/${ticket.id}`,
    }));
  }

  async function mail(
    tx: Queryable,
    ticket: Ticket,
    side: Side,
    template: MessageTemplate,
    vars: (locale: Locale) => Record<string, string>,
    dedupe: string,
  ) {
    for (const to of await recipients(tx, ticket, side)) {
      await deps.notifications.enqueueDeferred(tx, {
        channel: "email",
        to: to.email,
        template,
        locale: to.locale,
        vars: { ...vars(to.locale), subject: ticket.subject, link: to.link },
        merchantId: ticket.merchantId,
        walletUserId: ticket.walletUserId,
        dedupeKey: `${dedupe}:${to.key}`,
      });
    }
  }

  function authorName(actorType: AuthorType, names: { payer: string | null; merchant: string | null }, locale: Locale) {
    if (actorType === "operator") return platformName[locale];
    return (
      (actorType === "wallet_user" ? names.payer : names.merchant) ?? (locale === "zh-CN" ? "客户" : "The customer")
    );
  }

  // ---- writing --------------------------------------------------------------------------------------------------

  async function insertMessage(
    tx: Queryable,
    ticket: Ticket,
    actor: Actor,
    body: string,
    files: ReturnType<typeof inspectAttachments>,
    names: { payer: string | null; merchant: string | null },
    at: Date,
  ) {
    const [authorType, authorId, authorNameValue]: [AuthorType, string, string | null] =
      actor.type === "wallet_user"
        ? ["wallet_user", actor.walletUserId, names.payer]
        : actor.type === "merchant"
          ? ["merchant", actor.by, names.merchant]
          : ["operator", actor.operatorId, null];
    const id = newId("tkm");
    await tx.query(
      `INSERT INTO support_ticket_messages (id, ticket_id, author_type, author_id, author_name, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, ticket.id, authorType, authorId, authorNameValue, body, at],
    );
    await storeAttachments(
      tx,
      deps.secrets,
      { livemode: ticket.livemode, ticketId: ticket.id, messageId: id },
      files,
      at,
    );
    return authorType;
  }

  async function openTickets(db: Queryable, actor: Actor): Promise<number> {
    const found =
      actor.type === "wallet_user"
        ? await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM support_tickets WHERE wallet_user_id = $1 AND status <> 'resolved'",
            [actor.walletUserId],
          )
        : await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM support_tickets
              WHERE kind = 'merchant' AND merchant_id = $1 AND livemode = $2 AND status <> 'resolved'`,
            actor.type === "merchant" ? [actor.scope.merchantId, actor.scope.livemode] : [null, null],
          );
    return found.rows[0]?.n ?? 0;
  }

  /**
   * Opens a ticket: a payer's about a payment goes to its merchant (or, with to: platform, to the platform), a payer's
   * without a payment to the platform, a merchant's to the platform. The first message, its files, ticket.created
   * and the answering side's mail commit together.
   */
  async function create(actor: Actor, input: CreateInput, answer?: AnswerRecorder<TicketView>): Promise<TicketView> {
    if (actor.type === "operator") throw new Error("operators answer tickets; they do not open them");
    // One line: a subject is a mail's subject too.
    const subject = text(input.subject, "subject", supportSubjectLengthMax).replace(/\s+/g, " ");
    const body = text(input.body, "body", supportMessageLengthMax);
    let kind: TicketKind;
    let merchantId: string | null = null;
    let walletUserId: string | null = null;
    let livemode: boolean;
    let paymentId: string | null = null;
    if (actor.type === "wallet_user") {
      walletUserId = actor.walletUserId;
      const user = await pool.query<{ livemode: boolean }>("SELECT livemode FROM wallet_users WHERE id = $1", [
        walletUserId,
      ]);
      livemode = user.rows[0]?.livemode ?? true;
      if (input.payment !== undefined) {
        const payment = await getPayment(pool, input.payment);
        if (!payment || payment.payerId !== walletUserId) {
          throw new ApiError("resource_not_found", "No such payment.", "payment");
        }
        paymentId = payment.id;
        livemode = payment.livemode;
        kind = input.to === "platform" ? "wallet" : "payment";
        if (kind === "payment") merchantId = payment.merchantId;
      } else {
        if (input.to === "merchant") throw supportError("ticket_recipient_invalid", undefined, "to");
        kind = "wallet";
      }
    } else {
      kind = "merchant";
      merchantId = actor.scope.merchantId;
      livemode = actor.scope.livemode;
      if (input.payment !== undefined) {
        const payment = await getMerchantPayment(pool, actor.scope, input.payment);
        if (!payment) throw new ApiError("resource_not_found", "No such payment.", "payment");
        paymentId = payment.id;
      }
    }
    const files = inspectAttachments(input.attachments ?? [], "attachments");
    const view = await withTransaction(pool, async (tx) => {
      if ((await openTickets(tx, actor)) >= supportOpenTicketsPerCustomerMax) {
        throw supportError("ticket_limit_reached");
      }
      const at = await nowFor({ merchantId, livemode }, tx);
      const inserted = await tx.query<TicketRow>(
        `INSERT INTO support_tickets (id, livemode, kind, merchant_id, wallet_user_id, payment_id, subject, status,
                                      first_response_due_at, resolution_due_at, last_message_at, messages, created_at,
                                      updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, 1, $10, $10) RETURNING *`,
        [
          newId("tkt"),
          livemode,
          kind,
          merchantId,
          walletUserId,
          paymentId,
          subject,
          new Date(at.getTime() + supportFirstResponseMs),
          new Date(at.getTime() + supportResolutionMs),
          at,
        ],
      );
      const ticket = ticketFromRow(inserted.rows[0]!);
      const named = await loadAny(tx, ticket.id);
      const names = namesOf(named);
      const raw = { payer: named.payer_name, merchant: named.merchant_name };
      await insertMessage(tx, ticket, actor, body, files, raw, at);
      await recordTicketEvent(tx, "ticket.created", ticket, names, at);
      await mail(
        tx,
        ticket,
        "agent",
        ticketOpenedTemplate,
        (locale) => ({
          customer: authorName(actor.type === "wallet_user" ? "wallet_user" : "merchant", raw, locale),
          mode: modeName(livemode, locale),
          body,
          due_by: ticket.firstResponseDueAt.toISOString().slice(0, 16).replace("T", " "),
        }),
        `ticket:opened:${ticket.id}`,
      );
      const value: TicketView = { ticket, names, at, detail: await detailOf(tx, ticket) };
      await answer?.(tx, value);
      return value;
    });
    deps.notifications.kick();
    return view;
  }

  async function loadAny(db: Queryable, id: string): Promise<NamedRow> {
    const found = await db.query<NamedRow>(`SELECT * FROM ${namedTickets} WHERE id = $1`, [id]);
    return found.rows[0]!;
  }

  /** The status a reply leaves: a customer's reopens; the answering side's waits on the customer unless it says. */
  function statusAfterReply(side: Side, requested: TicketStatus | undefined): TicketStatus {
    if (side === "customer") {
      if (requested !== undefined && requested !== "open") {
        throw supportError("ticket_status_not_allowed", "A customer's reply opens the ticket again.", "status");
      }
      return "open";
    }
    return requested ?? "waiting_on_customer";
  }

  /**
   * Adds a message to a ticket the caller may see, with its files; sets the status (see statusAfterReply), the first
   * response time on the answering side's first message, and mails the other side (and the customer when resolved).
   */
  async function reply(
    actor: Actor,
    id: string,
    input: ReplyInput,
    answer?: AnswerRecorder<TicketView>,
  ): Promise<TicketView> {
    const audience = audienceOf(actor);
    const found = await loadNamed(pool, audience, id);
    if (!found) throw notFound();
    const body = text(input.body, "body", supportMessageLengthMax);
    if (input.status !== undefined && !(ticketStatuses as readonly string[]).includes(input.status)) {
      throw new ApiError("parameter_invalid", `status is one of ${ticketStatuses.join(", ")}.`, "status");
    }
    const side = sideOf(audience, ticketFromRow(found));
    const status = statusAfterReply(side, input.status);
    const files = inspectAttachments(input.attachments ?? [], "attachments");
    const view = await withTransaction(pool, async (tx) => {
      const named = (await loadNamed(tx, audience, id, true))!;
      const before = ticketFromRow(named);
      // Messages of a ticket are ordered by time: one written in the same millisecond as the last comes just after it.
      const now = await nowFor(before, tx);
      const at = now > before.lastMessageAt ? now : new Date(before.lastMessageAt.getTime() + 1);
      const raw = { payer: named.payer_name, merchant: named.merchant_name };
      const authorType = await insertMessage(tx, before, actor, body, files, raw, at);
      const updated = await tx.query<TicketRow>(
        `UPDATE support_tickets SET status = $2, resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz END,
                first_responded_at = CASE WHEN $4 THEN coalesce(first_responded_at, $3) ELSE first_responded_at END,
                messages = messages + 1, last_message_at = $3, updated_at = $3
          WHERE id = $1 RETURNING *`,
        [id, status, at, side === "agent"],
      );
      const ticket = ticketFromRow(updated.rows[0]!);
      const names = namesOf(named);
      await recordTicketEvent(tx, "ticket.message_added", ticket, names, at);
      if (status !== before.status) {
        await recordTicketEvent(tx, status === "resolved" ? "ticket.resolved" : "ticket.updated", ticket, names, at, {
          status: before.status,
        });
      }
      const other: Side = side === "agent" ? "customer" : "agent";
      await mail(
        tx,
        ticket,
        other,
        ticketReplyTemplate,
        (locale) => ({ author: authorName(authorType, raw, locale), body }),
        `ticket:reply:${ticket.id}:${ticket.messages}`,
      );
      if (status === "resolved" && before.status !== "resolved" && side === "agent") {
        await mail(
          tx,
          ticket,
          "customer",
          ticketResolvedTemplate,
          () => ({}),
          `ticket:resolved:${ticket.id}:${ticket.messages}`,
        );
      }
      const value: TicketView = { ticket, names, at, detail: await detailOf(tx, ticket) };
      await answer?.(tx, value);
      return value;
    });
    deps.notifications.kick();
    return view;
  }

  /**
   * POST …/tickets/{id}: changes the status. The customer may resolve the ticket or reopen it (open); the answering
   * side may set any status. Resolving by the answering side mails the customer.
   */
  async function setStatus(
    actor: Actor,
    id: string,
    input: { status?: TicketStatus },
    answer?: AnswerRecorder<TicketView>,
  ): Promise<TicketView> {
    const audience = audienceOf(actor);
    const found = await loadNamed(pool, audience, id);
    if (!found) throw notFound();
    if (input.status === undefined)
      throw new ApiError("parameter_missing", "Missing required parameter: status.", "status");
    if (!(ticketStatuses as readonly string[]).includes(input.status)) {
      throw new ApiError("parameter_invalid", `status is one of ${ticketStatuses.join(", ")}.`, "status");
    }
    const side = sideOf(audience, ticketFromRow(found));
    if (side === "customer" && input.status === "waiting_on_customer") {
      throw supportError("ticket_status_not_allowed", undefined, "status");
    }
    const status = input.status;
    const view = await withTransaction(pool, async (tx) => {
      const named = (await loadNamed(tx, audience, id, true))!;
      const before = ticketFromRow(named);
      const names = namesOf(named);
      const at = await nowFor(before, tx);
      if (before.status === status) {
        const value: TicketView = { ticket: before, names, at, detail: await detailOf(tx, before) };
        await answer?.(tx, value);
        return value;
      }
      const updated = await tx.query<TicketRow>(
        `UPDATE support_tickets SET status = $2, resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz END,
                updated_at = $3 WHERE id = $1 RETURNING *`,
        [id, status, at],
      );
      const ticket = ticketFromRow(updated.rows[0]!);
      await recordTicketEvent(tx, status === "resolved" ? "ticket.resolved" : "ticket.updated", ticket, names, at, {
        status: before.status,
      });
      if (status === "resolved" && side === "agent") {
        await mail(
          tx,
          ticket,
          "customer",
          ticketResolvedTemplate,
          () => ({}),
          `ticket:resolved:${ticket.id}:${ticket.messages}`,
        );
      }
      const value: TicketView = { ticket, names, at, detail: await detailOf(tx, ticket) };
      await answer?.(tx, value);
      return value;
    });
    deps.notifications.kick();
    return view;
  }

  // ---- reading --------------------------------------------------------------------------------------------------

  async function detailOf(db: Queryable, ticket: Ticket): Promise<TicketDetail> {
    const rows = await db.query<TicketMessageRow>(
      "SELECT * FROM support_ticket_messages WHERE ticket_id = $1 ORDER BY created_at, id",
      [ticket.id],
    );
    const messages = rows.rows.map(messageFromRow);
    const files = await attachmentsOf(db, { messageIds: messages.map((m) => m.id) });
    let timeline: TicketDetail["timeline"] = null;
    if (ticket.paymentId) {
      const payment = await getPayment(db, ticket.paymentId);
      const events = await db.query<{ type: string; created_at: Date; object: string; amount: string | null }>(
        `SELECT type, created_at, data->'object'->>'object' AS object, data->'object'->>'amount' AS amount
           FROM events
          WHERE (data->'object'->>'id' = $1 OR data->'object'->>'payment' = $1) AND livemode = $2
            AND type <> ALL($3::text[]) AND type NOT LIKE 'ticket.%'
          ORDER BY seq LIMIT $4`,
        [ticket.paymentId, ticket.livemode, timelineExcluded, supportTimelineEventsMax],
      );
      if (payment) {
        timeline = {
          payment: {
            id: payment.id,
            amount: String(payment.amount),
            currency: payment.currency,
            status: payment.status,
            created: Math.floor(payment.createdAt.getTime() / 1000),
          },
          events: events.rows.map((e) => ({
            type: e.type,
            created: Math.floor(e.created_at.getTime() / 1000),
            object: e.object,
            amount: e.amount,
          })),
        };
      }
    }
    return {
      messages: messages.map((message) => ({
        message,
        attachments: files.filter((f: Attachment) => f.messageId === message.id),
      })),
      timeline,
    };
  }

  async function get(actor: Actor, id: string): Promise<TicketView> {
    const named = await loadNamed(pool, audienceOf(actor), id);
    if (!named) throw notFound();
    const ticket = ticketFromRow(named);
    return { ticket, names: namesOf(named), at: await nowFor(ticket), detail: await detailOf(pool, ticket) };
  }

  async function list(
    actor: Actor,
    filter: { status?: TicketStatus; kind?: TicketKind; payment?: string; overdue?: boolean },
    page: PageRequest,
  ): Promise<ListPage<TicketView>> {
    const audience = audienceOf(actor);
    const seen = visibility(audience, 1);
    const n = seen.params.length;
    const at =
      audience.kind === "merchant"
        ? await deps.testClocks.now(audience.merchantId, audience.livemode)
        : deps.clock.now();
    const rows = await keysetPage<NamedRow>(pool, page, {
      from: namedTickets,
      scope: seen.sql,
      filter: `($${n + 1}::text IS NULL OR status = $${n + 1}) AND ($${n + 2}::text IS NULL OR kind = $${n + 2})
          AND ($${n + 3}::text IS NULL OR payment_id = $${n + 3})
          AND ($${n + 4}::boolean IS NULL OR $${n + 4} = (status <> 'resolved' AND (
                (first_responded_at IS NULL AND first_response_due_at < $${n + 5}) OR resolution_due_at < $${n + 5})))`,
      params: [
        ...seen.params,
        filter.status ?? null,
        filter.kind ?? null,
        filter.payment ?? null,
        filter.overdue ?? null,
        at,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return { ...rows, data: rows.data.map((row) => ({ ticket: ticketFromRow(row), names: namesOf(row), at })) };
  }

  /**
   * A file with its content, for a caller who may see its ticket, or (merchants and operators) its dispute: the
   * merchant whose dispute it is, in its mode. Anything else is as unknown as an id that never existed.
   */
  async function attachment(actor: Actor, attachmentId: string) {
    const file = await findAttachment(pool, attachmentId);
    if (!file) throw new ApiError("resource_not_found", "No such attachment.", "id");
    const audience = audienceOf(actor);
    let visible = false;
    if (file.ticketId) visible = (await loadNamed(pool, audience, file.ticketId)) !== undefined;
    else if (file.disputeId && audience.kind !== "payer") {
      const dispute = await pool.query(
        "SELECT 1 FROM disputes WHERE id = $1 AND ($2::text IS NULL OR (merchant_id = $2 AND livemode = $3))",
        [
          file.disputeId,
          audience.kind === "merchant" ? audience.merchantId : null,
          audience.kind === "merchant" ? audience.livemode : null,
        ],
      );
      visible = (dispute.rowCount ?? 0) > 0;
    }
    if (!visible) throw new ApiError("resource_not_found", "No such attachment.", "id");
    return attachmentContent(pool, deps.secrets, file);
  }

  return { create, reply, setStatus, get, list, attachment };
}
