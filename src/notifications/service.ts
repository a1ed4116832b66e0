import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { gather, type MessageRow as MessageInsert } from "../db/deferred-writes.js";
import type { Pool, Queryable } from "../db/pool.js";
import { newId } from "../ids.js";
import { messageDeliveryAttemptsMax, messageDeliveryBatchMax, messageRetryBaseMs } from "../limits.js";
import { type Locale, type MessageTemplate, renderTemplate } from "./templates.js";
import type { EmailTransport, SmsTransport } from "./transports.js";

/**
 * Outbound email and SMS. enqueue() writes the rendered message in the caller's transaction (a sign-up and its
 * verification mail commit together); delivery happens after commit, by kick() in this process and by the
 * message-delivery worker in any process, claiming rows with FOR UPDATE SKIP LOCKED. Failed sends are retried with
 * backoff, then marked failed.
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

export interface StoredMessage {
  id: string;
  channel: Channel;
  to: string;
  template: string;
  locale: Locale;
  subject: string | null;
  text: string;
  html: string | null;
  status: "pending" | "sending" | "sent" | "failed";
  transport: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface NotificationsDeps {
  pool: Pool;
  clock: Clock;
  email: EmailTransport;
  sms: SmsTransport;
  log?: Logger;
}

export type NotificationService = ReturnType<typeof createNotificationService>;

interface MessageRow {
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  locale: Locale;
  subject: string | null;
  body: string;
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
    subject: row.subject,
    text: row.body,
    html: row.html,
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

  /** Renders and queues a message in the caller's transaction. Returns its id, or null when deduplicated. */
  function messageRow(input: MessageInput): MessageInsert {
    const rendered = renderTemplate(input.template, input.locale, input.vars);
    return {
      id: newId("msg"),
      channel: input.channel,
      recipient: input.to,
      template: input.template.name,
      locale: input.locale,
      subject: input.channel === "email" ? rendered.subject : null,
      body: input.channel === "email" ? rendered.text : `${rendered.subject}: ${rendered.text}`,
      html: input.channel === "email" ? rendered.html : null,
      merchantId: input.merchantId ?? null,
      walletUserId: input.walletUserId ?? null,
      dedupeKey: input.dedupeKey ?? null,
      nextAttemptAt: deps.clock.now(),
    };
  }

  /** Queues a message in the caller's transaction; its id, or null when its dedupe key was queued before. */
  async function enqueue(tx: Queryable, input: MessageInput): Promise<string | null> {
    const row = messageRow(input);
    const result = await tx.query(
      `INSERT INTO outbound_messages (id, channel, recipient, template, locale, subject, body, html, merchant_id,
                                      wallet_user_id, dedupe_key, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        row.id,
        row.channel,
        row.recipient,
        row.template,
        row.locale,
        row.subject,
        row.body,
        row.html,
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
    const row = messageRow(input);
    await gather(tx, (writes) => writes.message(row));
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
    const delivered: { id: string; transport: string }[] = [];
    await Promise.all(
      claimed.rows.map(async (row) => {
        const transport = row.channel === "email" ? deps.email : deps.sms;
        try {
          if (row.channel === "email") {
            await deps.email.send({
              to: row.recipient,
              subject: row.subject ?? "",
              text: row.body,
              html: row.html ?? row.body,
            });
          } else {
            await deps.sms.send({ to: row.recipient, text: row.body });
          }
          delivered.push({ id: row.id, transport: transport.name });
          sent++;
        } catch (error) {
          const message = (error as Error).message.slice(0, 500);
          const giveUp = row.attempts >= messageDeliveryAttemptsMax;
          const retryAt = new Date(deps.clock.now().getTime() + messageRetryBaseMs * 2 ** (row.attempts - 1));
          await deps.pool.query(
            `UPDATE outbound_messages SET status = $2, last_error = $3, next_attempt_at = $4, transport = $5,
                    locked_until = NULL WHERE id = $1`,
            [row.id, giveUp ? "failed" : "pending", message, retryAt, transport.name],
          );
          deps.log?.warn({ message_id: row.id, channel: row.channel, err: message, giveUp }, "message not sent");
        }
      }),
    );
    // One statement marks the whole pass sent: a pass of receipts costs one round trip, not one per message.
    if (delivered.length > 0) {
      await deps.pool.query(
        `UPDATE outbound_messages m SET status = 'sent', transport = d.transport, sent_at = $3, locked_until = NULL
           FROM unnest($1::text[], $2::text[]) AS d(id, transport) WHERE m.id = d.id`,
        [delivered.map((d) => d.id), delivered.map((d) => d.transport), deps.clock.now()],
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

  /** The dev mailbox / SMS outbox: messages "sent" by the dev transports, newest first. */
  async function listDevMessages(query: {
    channel?: Channel;
    to?: string;
    merchantId?: string;
    limit: number;
  }): Promise<StoredMessage[]> {
    const result = await deps.pool.query<MessageRow>(
      `SELECT * FROM outbound_messages
        WHERE transport = 'dev' AND ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR recipient = $2)
          AND ($3::text IS NULL OR merchant_id = $3)
        ORDER BY seq DESC LIMIT $4`,
      [query.channel ?? null, query.to ?? null, query.merchantId ?? null, query.limit],
    );
    return result.rows.map(messageFromRow);
  }

  async function getMessage(id: string): Promise<StoredMessage | undefined> {
    const result = await deps.pool.query<MessageRow>("SELECT * FROM outbound_messages WHERE id = $1", [id]);
    return result.rows[0] ? messageFromRow(result.rows[0]) : undefined;
  }

  return { enqueue, enqueueDeferred, deliverDue, kick, listDevMessages, getMessage };
}
