import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { gather, type MessageRow as MessageInsert } from "../db/deferred-writes.js";
import type { Pool, Queryable } from "../db/pool.js";
import { newId } from "../ids.js";
import { messageDeliveryAttemptsMax, messageDeliveryBatchMax, messageRetryBaseMs } from "../limits.js";
import type { SecretBox } from "../security/encryption.js";
import { type MessageContent, openContent, sealContent } from "./content.js";
import { type Locale, type MessageTemplate, renderTemplate } from "./templates.js";
import type { EmailTransport, SmsTransport } from "./transports.js";

/**
 * Outbound email and SMS. enqueue() writes the rendered message in the caller's transaction (a sign-up and its
 * verification mail commit together); delivery happens after commit, by kick() in this process and by the
 * message-delivery worker in any process, claiming rows with FOR UPDATE SKIP LOCKED. Failed sends are retried with
 * backoff, then marked failed.
 *
 * Messages carry one-time secrets (verification and reset links, invites, wallet codes), so their content is
 * stored encrypted (./content.ts) and only until it is delivered or given up: the row then keeps its metadata
 * (recipient, template, status, times) and nothing else. The dev transports' copies stay, encrypted, for the dev
 * mailbox while COFFER_DEV_MAILBOX is on; ./housekeeping.ts purges them and anything left undelivered.
 */

export type Channel = "email" | "sms";

export interface MessageInput {
  channel: Channel;
  to: string;
  template: MessageTemplate;
  locale: Locale;
  vars: Record<string, string>;
  merchantId?: string | null;
  walletUserId?: string | null;
  /** The same key twice queues one message: reminders and notices are sent once. */
  dedupeKey?: string;
}

/** A message's metadata: what stays after its content is purged. */
export interface StoredMessage {
  id: string;
  channel: Channel;
  to: string;
  template: string;
  locale: Locale;
  status: "pending" | "sending" | "sent" | "failed";
  transport: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A message of the dev mailbox or SMS outbox, with its content. */
export interface DevMessage extends StoredMessage, MessageContent {}

export interface NotificationsDeps {
  pool: Pool;
  clock: Clock;
  email: EmailTransport;
  sms: SmsTransport;
  /** Encrypts message content at rest; its data keys are loaded at start (secrets.warm()). */
  secrets: SecretBox;
  /** Whether the dev transports' messages stay readable for the dev mailbox (COFFER_DEV_MAILBOX). */
  devMailbox: boolean;
  log?: Logger;
}

export type NotificationService = ReturnType<typeof createNotificationService>;

interface MessageRow {
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  locale: Locale;
  content_enc: string | null;
  /** Rows queued before content was encrypted (migration 0017) may still hold it in clear until they are sent. */
  subject: string | null;
  body: string | null;
  html: string | null;
  status: StoredMessage["status"];
  transport: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

function messageFromRow(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    template: row.template,
    locale: row.locale,
    status: row.status,
    transport: row.transport,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

const sendingLeaseMs = 120_000; // a claim not finished by then (process died) is claimed again

export function createNotificationService(deps: NotificationsDeps) {
  let kicking = false;
  let kickAgain = false;

  /**
   * Renders a message and encrypts its content, in memory (the data key is warm): queueing adds no round trip.
   * tx is only read when a data key is not in memory yet.
   */
  async function messageRow(tx: Queryable, input: MessageInput): Promise<MessageInsert> {
    const rendered = renderTemplate(input.template, input.locale, input.vars);
    const id = newId("msg");
    const content: MessageContent =
      input.channel === "email"
        ? { subject: rendered.subject, text: rendered.text, html: rendered.html }
        : { subject: null, text: `${rendered.subject}: ${rendered.text}`, html: null };
    return {
      id,
      channel: input.channel,
      recipient: input.to,
      template: input.template.name,
      locale: input.locale,
      contentEnc: await sealContent(deps.secrets, id, content, tx),
      merchantId: input.merchantId ?? null,
      walletUserId: input.walletUserId ?? null,
      dedupeKey: input.dedupeKey ?? null,
      nextAttemptAt: deps.clock.now(),
    };
  }

  /** Queues a message in the caller's transaction; its id, or null when its dedupe key was queued before. */
  async function enqueue(tx: Queryable, input: MessageInput): Promise<string | null> {
    const row = await messageRow(tx, input);
    const result = await tx.query(
      `INSERT INTO outbound_messages (id, channel, recipient, template, locale, content_enc, merchant_id,
                                      wallet_user_id, dedupe_key, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        row.id,
        row.channel,
        row.recipient,
        row.template,
        row.locale,
        row.contentEnc,
        row.merchantId,
        row.walletUserId,
        row.dedupeKey,
        row.nextAttemptAt,
      ],
    );
    return result.rowCount === 1 ? row.id : null;
  }

  /**
   * Queues a message whose id the caller does not need (a receipt): written with the transaction's other deferred
   * rows just before its COMMIT when its opener gathers them (src/db/deferred-writes.ts), else at once.
   */
  async function enqueueDeferred(tx: Queryable, input: MessageInput): Promise<void> {
    const row = await messageRow(tx, input);
    await gather(tx, (writes) => writes.message(row));
  }

  /** The content of a claimed row: decrypted, or in clear for a row queued before content was encrypted. */
  async function contentOf(row: MessageRow): Promise<MessageContent> {
    if (row.content_enc !== null) return openContent(deps.secrets, row.id, row.content_enc);
    if (row.body !== null) return { subject: row.subject, text: row.body, html: row.html };
    throw new Error("the message's content was purged before it could be sent");
  }

  /** Claims due messages and sends them. Safe in several processes at once. Returns how many were sent. */
  async function deliverDue(limit = messageDeliveryBatchMax): Promise<number> {
    const now = deps.clock.now();
    const claimed = await deps.pool.query<MessageRow>(
      `UPDATE outbound_messages m SET status = 'sending', attempts = m.attempts + 1, locked_until = $2
        WHERE m.id IN (SELECT id FROM outbound_messages
                        WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND locked_until < $1)
                        ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING m.*`,
      [now, new Date(now.getTime() + sendingLeaseMs), limit],
    );
    let sent = 0;
    const delivered: { id: string; transport: string; keep: boolean }[] = [];
    await Promise.all(
      claimed.rows.map(async (row) => {
        const transport = row.channel === "email" ? deps.email : deps.sms;
        try {
          const content = await contentOf(row);
          if (row.channel === "email") {
            await deps.email.send({
              to: row.recipient,
              subject: content.subject ?? "",
              text: content.text,
              html: content.html ?? content.text,
            });
          } else {
            await deps.sms.send({ to: row.recipient, text: content.text });
          }
          // The dev transports sent nothing: their encrypted copy is the dev mailbox, when it is on.
          delivered.push({ id: row.id, transport: transport.name, keep: transport.name === "dev" && deps.devMailbox });
          sent++;
        } catch (error) {
          const message = (error as Error).message.slice(0, 500);
          const giveUp = row.attempts >= messageDeliveryAttemptsMax;
          const retryAt = new Date(deps.clock.now().getTime() + messageRetryBaseMs * 2 ** (row.attempts - 1));
          // A message given up on is never sent: its content goes at once.
          await deps.pool.query(
            `UPDATE outbound_messages SET status = $2, last_error = $3, next_attempt_at = $4, transport = $5,
                    locked_until = NULL,
                    content_enc = CASE WHEN $6 THEN NULL ELSE content_enc END,
                    subject = CASE WHEN $6 THEN NULL ELSE subject END,
                    body = CASE WHEN $6 THEN NULL ELSE body END,
                    html = CASE WHEN $6 THEN NULL ELSE html END
              WHERE id = $1`,
            [row.id, giveUp ? "failed" : "pending", message, retryAt, transport.name, giveUp],
          );
          deps.log?.warn({ message_id: row.id, channel: row.channel, err: message, giveUp }, "message not sent");
        }
      }),
    );
    // One statement marks the whole pass sent and purges what was delivered: a pass of receipts costs one round
    // trip, not one per message.
    if (delivered.length > 0) {
      await deps.pool.query(
        `UPDATE outbound_messages m SET status = 'sent', transport = d.transport, sent_at = $3, locked_until = NULL,
                content_enc = CASE WHEN d.keep THEN m.content_enc END, subject = NULL, body = NULL, html = NULL
           FROM unnest($1::text[], $2::text[], $4::boolean[]) AS d(id, transport, keep) WHERE m.id = d.id`,
        [delivered.map((d) => d.id), delivered.map((d) => d.transport), deps.clock.now(), delivered.map((d) => d.keep)],
      );
    }
    return sent;
  }

  /** Delivers soon, in this process, without waiting for the worker's next pass. Call after the commit. */
  function kick(): void {
    if (kicking) {
      kickAgain = true;
      return;
    }
    kicking = true;
    void (async () => {
      try {
        do {
          kickAgain = false;
          while ((await deliverDue()) === messageDeliveryBatchMax);
        } while (kickAgain);
      } catch (error) {
        deps.log?.error({ err: error }, "message delivery failed");
      } finally {
        kicking = false;
      }
    })();
  }

  /**
   * The dev mailbox / SMS outbox: messages "sent" by the dev transports whose copies are still kept (while
   * COFFER_DEV_MAILBOX is on, for devMailboxKeptMs), newest first, decrypted.
   */
  async function listDevMessages(query: {
    channel?: Channel;
    to?: string;
    merchantId?: string;
    limit: number;
  }): Promise<DevMessage[]> {
    const result = await deps.pool.query<MessageRow>(
      `SELECT * FROM outbound_messages
        WHERE transport = 'dev' AND content_enc IS NOT NULL AND ($1::text IS NULL OR channel = $1)
          AND ($2::text IS NULL OR recipient = $2) AND ($3::text IS NULL OR merchant_id = $3)
        ORDER BY seq DESC LIMIT $4`,
      [query.channel ?? null, query.to ?? null, query.merchantId ?? null, query.limit],
    );
    return Promise.all(
      result.rows.map(async (row) => ({
        ...messageFromRow(row),
        ...(await openContent(deps.secrets, row.id, row.content_enc!)),
      })),
    );
  }

  async function getMessage(id: string): Promise<StoredMessage | undefined> {
    const result = await deps.pool.query<MessageRow>("SELECT * FROM outbound_messages WHERE id = $1", [id]);
    return result.rows[0] ? messageFromRow(result.rows[0]) : undefined;
  }

  return { enqueue, enqueueDeferred, deliverDue, kick, listDevMessages, getMessage };
}
