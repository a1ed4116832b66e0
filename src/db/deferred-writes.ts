import type { Queryable } from "./pool.js";

/**
 * Rows a transaction writes and never reads back — events, queued messages, stored idempotent answers — are
 * gathered while it runs and written just before its COMMIT, one set-based statement per table. A ledger batch of
 * N payments then spends a constant number of round trips on them instead of N each, while it holds its account
 * locks. They still commit with everything else in their transaction, or not at all.
 *
 * withTransaction (src/db/tx.ts) and the ledger batch writer open a collector for their client; writers call
 * deferredWritesOf(tx) and write at once when there is none (a plain pool query, a test's own transaction).
 */
export interface EventRow {
  id: string;
  type: string;
  merchantId: string | null;
  walletUserId: string | null;
  livemode: boolean;
  apiVersion: string;
  /** JSON text of the event's data. */
  data: string;
  createdAt: Date;
}

export interface MessageRow {
  id: string;
  channel: "email" | "sms";
  recipient: string;
  template: string;
  locale: string;
  subject: string | null;
  body: string;
  html: string | null;
  merchantId: string | null;
  walletUserId: string | null;
  dedupeKey: string | null;
  nextAttemptAt: Date;
}

export interface AnswerRow {
  scope: string;
  key: string;
  lease: string;
  statusCode: number;
  contentType: string;
  body: string;
}

/** A stored answer's key was taken over by a retry: the transaction that carries it must not commit. */
export class AnswerLeaseLost extends Error {
  constructor() {
    super("the idempotency key of this answer was taken over by a retry");
    this.name = "AnswerLeaseLost";
  }
}

interface Owned<T> {
  owner: number;
  row: T;
}

export class DeferredWrites {
  /** Whose rows are being written now: the batch writer sets the index of the submission whose hook runs. */
  owner = 0;
  private readonly events: Owned<EventRow>[] = [];
  private readonly messages: Owned<MessageRow>[] = [];
  private readonly answers: Owned<AnswerRow>[] = [];

  event(row: EventRow): void {
    this.events.push({ owner: this.owner, row });
  }

  message(row: MessageRow): void {
    this.messages.push({ owner: this.owner, row });
  }

  answer(row: AnswerRow): void {
    this.answers.push({ owner: this.owner, row });
  }

  /**
   * Writes everything gathered, in the order it was gathered. Returns the owners whose stored answer found its key
   * taken over (their part must not commit).
   */
  async flush(tx: Queryable): Promise<number[]> {
    if (this.events.length > 0)
      await insertEvents(
        tx,
        this.events.splice(0).map((e) => e.row),
      );
    if (this.messages.length > 0)
      await insertMessages(
        tx,
        this.messages.splice(0).map((m) => m.row),
      );
    if (this.answers.length === 0) return [];
    const answers = this.answers.splice(0);
    const stored = await storeAnswers(
      tx,
      answers.map((a) => a.row),
    );
    return answers.filter((a) => !stored.has(`${a.row.scope}\u0000${a.row.key}`)).map((a) => a.owner);
  }
}

const collectors = new WeakMap<object, DeferredWrites>();

/** The collector of the transaction this client runs, if its opener flushes one. */
export function deferredWritesOf(tx: Queryable): DeferredWrites | undefined {
  return collectors.get(tx);
}

/** Opens a collector for a client's transaction; close it when the transaction ends, committed or not. */
export function openDeferredWrites(tx: Queryable): DeferredWrites {
  const writes = new DeferredWrites();
  collectors.set(tx, writes);
  return writes;
}

export function closeDeferredWrites(tx: Queryable): void {
  collectors.delete(tx);
}

export async function insertEvents(tx: Queryable, rows: readonly EventRow[]): Promise<void> {
  await tx.query(
    `INSERT INTO events (id, type, merchant_id, wallet_user_id, livemode, api_version, data, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::jsonb[],
                          $8::timestamptz[])`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.merchantId),
      rows.map((r) => r.walletUserId),
      rows.map((r) => r.livemode),
      rows.map((r) => r.apiVersion),
      rows.map((r) => r.data),
      rows.map((r) => r.createdAt),
    ],
  );
}

export async function insertMessages(tx: Queryable, rows: readonly MessageRow[]): Promise<void> {
  await tx.query(
    `INSERT INTO outbound_messages (id, channel, recipient, template, locale, subject, body, html, merchant_id,
                                    wallet_user_id, dedupe_key, next_attempt_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.channel),
      rows.map((r) => r.recipient),
      rows.map((r) => r.template),
      rows.map((r) => r.locale),
      rows.map((r) => r.subject),
      rows.map((r) => r.body),
      rows.map((r) => r.html),
      rows.map((r) => r.merchantId),
      rows.map((r) => r.walletUserId),
      rows.map((r) => r.dedupeKey),
      rows.map((r) => r.nextAttemptAt),
    ],
  );
}

/** Completes claimed keys whose lease still holds; returns "scope\0key" of those it completed. */
export async function storeAnswers(tx: Queryable, rows: readonly AnswerRow[]): Promise<Set<string>> {
  const result = await tx.query<{ scope: string; key: string }>(
    `UPDATE idempotency_keys k
        SET state = 'completed', status_code = a.status_code, content_type = a.content_type,
            response_body = a.response_body
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
            AS a(scope, key, lease, status_code, content_type, response_body)
      WHERE k.scope = a.scope AND k.key = a.key AND k.lease = a.lease AND k.state = 'in_progress'
      RETURNING k.scope, k.key`,
    [
      rows.map((r) => r.scope),
      rows.map((r) => r.key),
      rows.map((r) => r.lease),
      rows.map((r) => r.statusCode),
      rows.map((r) => r.contentType),
      rows.map((r) => r.body),
    ],
  );
  return new Set(result.rows.map((r) => `${r.scope}\u0000${r.key}`));
}
