import type { Queryable } from "../db/pool.js";
import { type Payment, type PaymentRow, paymentFromRow } from "./model.js";
import { canRetryTransition, canTransition, type PaymentStatus } from "./state-machine.js";

/**
 * The one statement that changes a payment's status. It is conditional on the status the caller expects (and on
 * any extra condition, such as "not expired yet"), so of two racing changes exactly one wins and the other sees
 * undefined; it returns the status before, for the event's previous_attributes. Every (from, to) pair is checked
 * against the state machine first: asking for an illegal transition is a bug and throws.
 */
type Settable = Partial<{
  payer_id: string;
  amount_captured: bigint;
  fee_amount: bigint;
  hold_transfer_id: string | null;
  spend_day: string | null;
  spend_month: string | null;
  expires_at: Date;
  capture_before: Date | null;
  due_at: Date | null;
  failure_code: string | null;
  failure_message: string | null;
  cancellation_reason: string | null;
  paid_at: Date;
}>;

export interface StatusChange {
  id: string;
  from: readonly PaymentStatus[];
  to: PaymentStatus;
  at: Date;
  set?: Settable;
  /** Extra SQL conditions on the row (alias p); each `?` in it is the next of its params. */
  where?: { sql: string; params: unknown[] };
  /** Paying again (docs/adr/0028): the change is one of the retry transitions (failed, expired, canceled → paid). */
  retry?: boolean;
}

export async function changePaymentStatus(
  tx: Queryable,
  change: StatusChange,
): Promise<{ payment: Payment; previous: PaymentStatus } | undefined> {
  for (const from of change.from) {
    const allowed = change.retry ? canRetryTransition(from, change.to) : canTransition(from, change.to);
    if (!allowed) throw new Error(`payment transition ${from} → ${change.to} is not allowed`);
  }
  const params: unknown[] = [change.id, change.to, change.at, change.from];
  const assignments: string[] = [];
  for (const [column, value] of Object.entries(change.set ?? {})) {
    params.push(typeof value === "bigint" ? String(value) : value);
    assignments.push(`${column} = $${params.length}`);
  }
  let extra = "";
  if (change.where) {
    const whereParams = change.where.params;
    let used = 0;
    const sql = change.where.sql.replace(/\?/g, () => {
      params.push(whereParams[used++]);
      return `$${params.length}`;
    });
    extra = ` AND (${sql})`;
  }
  const result = await tx.query<PaymentRow & { previous_status: PaymentStatus }>(
    `WITH before AS (SELECT id, status FROM payments WHERE id = $1 FOR UPDATE)
     UPDATE payments p SET status = $2, updated_at = $3${assignments.map((a) => `, ${a}`).join("")}
       FROM before
      WHERE p.id = before.id AND before.status = ANY($4::text[])${extra}
      RETURNING p.*, before.status AS previous_status`,
    params,
  );
  const row = result.rows[0];
  return row ? { payment: paymentFromRow(row), previous: row.previous_status } : undefined;
}
