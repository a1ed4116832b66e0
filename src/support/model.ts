import { type Attachment, attachmentJson } from "./attachments.js";

/** Support tickets as rows and as the objects every side's API and the events show (docs/support.md). */

/** payment: a payer to a payment's merchant; wallet: a payer to the platform; merchant: a merchant to the platform. */
export const ticketKinds = ["payment", "wallet", "merchant"] as const;
export type TicketKind = (typeof ticketKinds)[number];

/** open: the answering side acts next; waiting_on_customer: the customer does; resolved: done (a reply reopens it). */
export const ticketStatuses = ["open", "waiting_on_customer", "resolved"] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

/** Who reads a ticket: its payer, its merchant, or the platform's operators. */
export type Audience =
  | { kind: "payer"; walletUserId: string }
  | { kind: "merchant"; merchantId: string; livemode: boolean }
  | { kind: "platform" };

/** The customer asks, the agent answers: the payer or merchant who opened it, and the merchant or the platform. */
export type Side = "customer" | "agent";

export type AuthorType = "wallet_user" | "merchant" | "operator";

export interface Ticket {
  id: string;
  livemode: boolean;
  kind: TicketKind;
  merchantId: string | null;
  walletUserId: string | null;
  paymentId: string | null;
  subject: string;
  status: TicketStatus;
  firstResponseDueAt: Date;
  firstRespondedAt: Date | null;
  resolutionDueAt: Date;
  resolvedAt: Date | null;
  lastMessageAt: Date;
  messages: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketRow {
  id: string;
  livemode: boolean;
  kind: TicketKind;
  merchant_id: string | null;
  wallet_user_id: string | null;
  payment_id: string | null;
  subject: string;
  status: TicketStatus;
  first_response_due_at: Date;
  first_responded_at: Date | null;
  resolution_due_at: Date;
  resolved_at: Date | null;
  last_message_at: Date;
  messages: number;
  created_at: Date;
  updated_at: Date;
}

export function ticketFromRow(row: TicketRow): Ticket {
  return {
    id: row.id,
    livemode: row.livemode,
    kind: row.kind,
    merchantId: row.merchant_id,
    walletUserId: row.wallet_user_id,
    paymentId: row.payment_id,
    subject: row.subject,
    status: row.status,
    firstResponseDueAt: row.first_response_due_at,
    firstRespondedAt: row.first_responded_at,
    resolutionDueAt: row.resolution_due_at,
    resolvedAt: row.resolved_at,
    lastMessageAt: row.last_message_at,
    messages: row.messages,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface TicketMessage {
  id: string;
  ticketId: string;
  authorType: AuthorType;
  authorId: string;
  authorName: string | null;
  body: string;
  createdAt: Date;
}

export interface TicketMessageRow {
  id: string;
  ticket_id: string;
  author_type: AuthorType;
  author_id: string;
  author_name: string | null;
  body: string;
  created_at: Date;
}

export function messageFromRow(row: TicketMessageRow): TicketMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    authorType: row.author_type,
    authorId: row.author_id,
    authorName: row.author_name,
    body: row.body,
    createdAt: row.created_at,
  };
}

/** The side an audience is on for a ticket (the caller already may see it). */
export function sideOf(audience: Audience, ticket: Pick<Ticket, "kind">): Side {
  if (audience.kind === "payer") return "customer";
  if (audience.kind === "platform") return "agent";
  return ticket.kind === "payment" ? "agent" : "customer";
}

/** The side a message's author was on. */
export function authorSide(ticket: Pick<Ticket, "kind">, authorType: AuthorType): Side {
  if (authorType === "operator") return "agent";
  if (authorType === "wallet_user") return "customer";
  return ticket.kind === "payment" ? "agent" : "customer";
}

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const unixOrNull = (date: Date | null) => (date ? unixSeconds(date) : null);

/** Names shown with a ticket: the merchant it concerns and its customer (a payer's display name, a business). */
export interface TicketNames {
  merchant: string | null;
  customer: string | null;
}

/** A deadline is missed while it is not met and its time has passed. */
export function overdue(ticket: Ticket, at: Date): boolean {
  if (ticket.status === "resolved") return false;
  const late = (due: Date, met: Date | null) => met === null && at.getTime() > due.getTime();
  return late(ticket.firstResponseDueAt, ticket.firstRespondedAt) || late(ticket.resolutionDueAt, ticket.resolvedAt);
}

export interface TimelineEntry {
  type: string;
  created: number;
  object: string;
  amount: string | null;
}

export interface TicketDetail {
  messages: { message: TicketMessage; attachments: Attachment[] }[];
  /** The ticket's payment and what happened to it, oldest first (null: no payment). */
  timeline: {
    payment: { id: string; amount: string; currency: string; status: string; created: number };
    events: TimelineEntry[];
  } | null;
}

function messageJson(ticket: Ticket, message: TicketMessage, attachments: readonly Attachment[]) {
  const type =
    message.authorType === "wallet_user" ? "payer" : message.authorType === "merchant" ? "merchant" : "platform";
  return {
    id: message.id,
    object: "support_message" as const,
    author: { type, name: message.authorName, side: authorSide(ticket, message.authorType) },
    body: message.body,
    attachments: attachments.map(attachmentJson),
    created: unixSeconds(message.createdAt),
  };
}

/** The ticket as the payer, the merchant and the events show it; with its thread and timeline when `detail` is given. */
export function ticketJson(ticket: Ticket, names: TicketNames, at: Date, detail?: TicketDetail) {
  return {
    id: ticket.id,
    object: "support_ticket" as const,
    livemode: ticket.livemode,
    kind: ticket.kind,
    subject: ticket.subject,
    status: ticket.status,
    payment: ticket.paymentId,
    merchant_name: names.merchant,
    customer_name: names.customer,
    first_response_due_at: unixSeconds(ticket.firstResponseDueAt),
    first_responded_at: unixOrNull(ticket.firstRespondedAt),
    resolution_due_at: unixSeconds(ticket.resolutionDueAt),
    resolved_at: unixOrNull(ticket.resolvedAt),
    overdue: overdue(ticket, at),
    message_count: ticket.messages,
    last_message_at: unixSeconds(ticket.lastMessageAt),
    created: unixSeconds(ticket.createdAt),
    messages: detail ? detail.messages.map((m) => messageJson(ticket, m.message, m.attachments)) : null,
    payment_timeline: detail ? detail.timeline : null,
  };
}
export type TicketJson = ReturnType<typeof ticketJson>;

/** The ticket as operators see it: who is involved, by id. */
export function opsTicketJson(ticket: Ticket, names: TicketNames, at: Date, detail?: TicketDetail) {
  return {
    ...ticketJson(ticket, names, at, detail),
    object: "ops_support_ticket" as const,
    merchant: ticket.merchantId,
    wallet_user: ticket.walletUserId,
  };
}
export type OpsTicketJson = ReturnType<typeof opsTicketJson>;
