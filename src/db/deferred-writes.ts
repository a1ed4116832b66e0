import type { Queryable } from "./pool.js";

/**
 * Rows a transaction writes and never reads back — events, queued messages, stored idempotent answers — are
 * gathered while it runs and written just before its COMMIT, one set-based statement per table. A ledger batch of
 * N payments then spends a constant number of round trips on them instead of N each, while it holds its account
 * locks. They still commit with everything else in their transaction, or not at all.
 *
 * withTransaction (src/db/tx.ts) and the ledger batch writer open a collector for their client; writers call
 * gather(tx, …), which writes at once when there is none (a plain pool query, a test's own transaction).
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
  /** The rendered message, encrypted before it is gathered (src/notifications/content.ts): never in clear. */
  contentEnc: string;
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

/** A spend to count against its wallet's limits (src/wallets/limits/spend.ts), judged in order with the others. */
export interface SpendRow {
  userId: string;
  currency: string;
  day: string;
  month: string;
  amount: bigint;
  dayLimit: bigint;
  monthLimit: bigint;
  requireActive: boolean;
  /** The error its submission fails with when the spend is refused. */
  refused: (reason: "frozen" | "day" | "month") => Error;
}

/**
 * A row for a plain INSERT that nothing in the transaction reads back and nothing can refuse (a new id): rows of
 * one table and column list go in one `INSERT … SELECT FROM unnest` at the flush. Types are SQL array element
 * types ("text", "numeric", "timestamptz", "jsonb" …).
 */
export interface InsertRow {
  table: string;
  columns: readonly { name: string; type: string }[];
  values: readonly unknown[];
}

/** A deferred write that found its condition false: its owner's part of the transaction must not commit. */
export interface DeferredFailure {
  owner: number;
  error: Error;
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
  private readonly spends: Owned<SpendRow>[] = [];
  private readonly inserts: Owned<InsertRow>[] = [];

  event(row: EventRow): void {
    this.events.push({ owner: this.owner, row });
  }

  message(row: MessageRow): void {
    this.messages.push({ owner: this.owner, row });
  }

  answer(row: AnswerRow): void {
    this.answers.push({ owner: this.owner, row });
  }

  spend(row: SpendRow): void {
    this.spends.push({ owner: this.owner, row });
  }

  insert(row: InsertRow): void {
    this.inserts.push({ owner: this.owner, row });
  }

  private readonly onCommit: (() => void)[] = [];

  /**
   * Runs fn once the transaction committed (in-process counters for /metrics): never for a rolled-back attempt,
   * whose collector is dropped with it. fn must be quick and must not throw.
   */
  afterCommit(fn: () => void): void {
    this.onCommit.push(fn);
  }

  handCommitHooksTo(other: DeferredWrites): void {
    for (const fn of this.onCommit.splice(0)) other.afterCommit(fn);
  }

  /** Called by the collector's opener right after its COMMIT. */
  committed(): void {
    for (const fn of this.onCommit.splice(0)) fn();
  }

  /**
   * Writes everything gathered, in the order it was gathered. Returns the owners whose conditional writes failed
   * (a refused spend, an answer whose key was taken over), with the error each must fail with: their part must not
   * commit. Spends go first: a refused one must not leave its events or its stored answer behind.
   */
  async flush(tx: Queryable): Promise<DeferredFailure[]> {
    const spends = this.spends.splice(0);
    const inserts = this.inserts.splice(0);
    const events = this.events.splice(0);
    const messages = this.messages.splice(0);
    const answers = this.answers.splice(0);
    if (spends.length + inserts.length + events.length + messages.length + answers.length === 0) return [];
    // One statement for the whole flush: each kind is a CTE, and the statement answers what was refused.
    const params: unknown[] = [];
    const param = (value: unknown, type: string) => {
      params.push(value);
      return `$${params.length}::${type}[]`;
    };
    const ctes: string[] = [];
    const outcomes: string[] = [];
    if (spends.length > 0) {
      const rows = spends.map((s) => s.row);
      ctes.push(`spent AS (SELECT spend_index, refusal FROM coffer_consume_spends(
        ${param(
          rows.map((r) => r.userId),
          "text",
        )}, ${param(
          rows.map((r) => r.currency),
          "text",
        )},
        ${param(
          rows.map((r) => r.day),
          "text",
        )}, ${param(
          rows.map((r) => r.month),
          "text",
        )},
        ${param(
          rows.map((r) => String(r.amount)),
          "numeric",
        )}, ${param(
          rows.map((r) => String(r.dayLimit)),
          "numeric",
        )},
        ${param(
          rows.map((r) => String(r.monthLimit)),
          "numeric",
        )}, ${param(
          rows.map((r) => r.requireActive),
          "boolean",
        )}))`);
      outcomes.push("SELECT 'spend' AS kind, spend_index, refusal, NULL::text AS scope, NULL::text AS key FROM spent");
    }
    for (const [i, group] of groupInserts(inserts.map((x) => x.row)).entries()) {
      const { table, columns } = group[0]!;
      ctes.push(`inserted_${i} AS (INSERT INTO ${table} (${columns.map((c) => c.name).join(", ")})
        SELECT * FROM unnest(${columns
          .map((c, k) =>
            param(
              group.map((row) => row.values[k]),
              c.type,
            ),
          )
          .join(", ")}))`);
    }
    if (events.length > 0) {
      const rows = events.map((e) => e.row);
      ctes.push(`evented AS (INSERT INTO events (${eventColumns.map((c) => c.name).join(", ")})
        SELECT * FROM unnest(${eventColumns.map((c) => param(rows.map(c.value), c.type)).join(", ")}))`);
    }
    if (messages.length > 0) {
      const rows = messages.map((m) => m.row);
      ctes.push(`queued AS (INSERT INTO outbound_messages (${messageColumns.map((c) => c.name).join(", ")})
        SELECT * FROM unnest(${messageColumns.map((c) => param(rows.map(c.value), c.type)).join(", ")})
        ON CONFLICT (dedupe_key) DO NOTHING)`);
    }
    if (answers.length > 0) {
      const rows = answers.map((a) => a.row);
      ctes.push(`answered AS (UPDATE idempotency_keys k
          SET state = 'completed', status_code = a.status_code, content_type = a.content_type,
              response_body = a.response_body
         FROM unnest(${param(
           rows.map((r) => r.scope),
           "text",
         )}, ${param(
           rows.map((r) => r.key),
           "text",
         )},
                     ${param(
                       rows.map((r) => r.lease),
                       "text",
                     )}, ${param(
                       rows.map((r) => r.statusCode),
                       "int",
                     )},
                     ${param(
                       rows.map((r) => r.contentType),
                       "text",
                     )}, ${param(
                       rows.map((r) => r.body),
                       "text",
                     )})
              AS a(scope, key, lease, status_code, content_type, response_body)
        WHERE k.scope = a.scope AND k.key = a.key AND k.lease = a.lease AND k.state = 'in_progress'
        RETURNING k.scope, k.key)`);
      outcomes.push("SELECT 'answer', NULL::integer, NULL::text, scope, key FROM answered");
    }
    const result = await tx.query<{
      kind: "spend" | "answer";
      spend_index: number | null;
      refusal: "frozen" | "day" | "month" | null;
      scope: string | null;
      key: string | null;
    }>(
      `WITH ${ctes.join(",\n")}
       ${outcomes.length > 0 ? outcomes.join(" UNION ALL ") : "SELECT NULL::text AS kind, NULL::integer AS spend_index, NULL::text AS refusal, NULL::text AS scope, NULL::text AS key WHERE false"}`,
      params,
    );
    const failures: DeferredFailure[] = [];
    const stored = new Set<string>();
    for (const row of result.rows) {
      if (row.kind === "spend") {
        const spend = spends[row.spend_index! - 1]!;
        failures.push({ owner: spend.owner, error: spend.row.refused(row.refusal!) });
      } else {
        stored.add(`${row.scope}\u0000${row.key}`);
      }
    }
    for (const a of answers) {
      if (!stored.has(`${a.row.scope}\u0000${a.row.key}`))
        failures.push({ owner: a.owner, error: new AnswerLeaseLost() });
    }
    // Every kind gathered must have been written above: a kind added without its flush would lose rows silently.
    const left = [this.spends, this.inserts, this.events, this.messages, this.answers].reduce(
      (n, l) => n + l.length,
      0,
    );
    if (left !== 0) throw new Error(`deferred writes: ${left} rows were gathered while flushing`);
    return failures;
  }
}

const eventColumns: readonly { name: string; type: string; value: (r: EventRow) => unknown }[] = [
  { name: "id", type: "text", value: (r) => r.id },
  { name: "type", type: "text", value: (r) => r.type },
  { name: "merchant_id", type: "text", value: (r) => r.merchantId },
  { name: "wallet_user_id", type: "text", value: (r) => r.walletUserId },
  { name: "livemode", type: "boolean", value: (r) => r.livemode },
  { name: "api_version", type: "text", value: (r) => r.apiVersion },
  { name: "data", type: "jsonb", value: (r) => r.data },
  { name: "created_at", type: "timestamptz", value: (r) => r.createdAt },
];

const messageColumns: readonly { name: string; type: string; value: (r: MessageRow) => unknown }[] = [
  { name: "id", type: "text", value: (r) => r.id },
  { name: "channel", type: "text", value: (r) => r.channel },
  { name: "recipient", type: "text", value: (r) => r.recipient },
  { name: "template", type: "text", value: (r) => r.template },
  { name: "locale", type: "text", value: (r) => r.locale },
  { name: "content_enc", type: "text", value: (r) => r.contentEnc },
  { name: "merchant_id", type: "text", value: (r) => r.merchantId },
  { name: "wallet_user_id", type: "text", value: (r) => r.walletUserId },
  { name: "dedupe_key", type: "text", value: (r) => r.dedupeKey },
  { name: "next_attempt_at", type: "timestamptz", value: (r) => r.nextAttemptAt },
];

const collectors = new WeakMap<object, DeferredWrites>();

/**
 * Adds rows to the collector of the transaction this client runs; when its opener gathers none (a plain pool query,
 * a test's own client) writes them now, with the same statement, and throws the first refusal. One way to write
 * each kind, gathered or not.
 */
export async function gather(tx: Queryable, add: (writes: DeferredWrites) => void): Promise<void> {
  const deferred = collectors.get(tx);
  if (deferred) {
    add(deferred);
    return;
  }
  await writeNow(tx, add);
}

/** Writes rows at once with the statements a flush uses (for a row the same transaction updates next). */
export async function writeNow(tx: Queryable, add: (writes: DeferredWrites) => void): Promise<void> {
  const now = new DeferredWrites();
  add(now);
  const [failure] = await now.flush(tx);
  if (failure) throw failure.error;
  // Inside a transaction with a collector, its commit is still to come; else these rows are already committed.
  const open = collectors.get(tx);
  if (open) now.handCommitHooksTo(open);
  else now.committed();
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

const sqlNamePattern = /^[a-z_][a-z0-9_]*$/;

/** Rows grouped by table and column list, in the order they were gathered; names asserted (they go into SQL). */
function groupInserts(rows: readonly InsertRow[]): InsertRow[][] {
  const groups = new Map<string, InsertRow[]>();
  for (const row of rows) {
    // Names come from code, never from input; assert it, as they are spliced into the statement.
    for (const name of [row.table, ...row.columns.map((c) => c.name), ...row.columns.map((c) => c.type)]) {
      if (!sqlNamePattern.test(name)) throw new Error(`not an SQL name: ${name}`);
    }
    if (row.values.length !== row.columns.length) throw new Error(`an insert into ${row.table} has the wrong arity`);
    const signature = `${row.table}(${row.columns.map((c) => `${c.name}:${c.type}`).join(",")})`;
    const group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, [row]);
  }
  return [...groups.values()];
}
