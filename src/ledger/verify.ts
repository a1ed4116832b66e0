import type { Queryable } from "../db/pool.js";
import { ledgerVerifyViolationsMax, storedValueExpiredMoneyLateMs } from "../limits.js";
import { defaultStoredValueLimits, type StoredValueLimits } from "../stored-value/config.js";
import { type StoredValueViolationKind, verifyStoredValue } from "../stored-value/verify.js";
import type { LedgerName } from "./model.js";

/**
 * Proves the books from the database alone, trusting no application code: every check is a query over the rows.
 * The database's constraints already refuse most of these states; verify also catches what a constraint cannot
 * see across rows (sums, holds and their resolutions).
 */

export type ViolationKind =
  | "ledger_unbalanced"
  | "account_balance_mismatch"
  | "account_limit_broken"
  | "hold_past_timeout"
  | "hold_resolution_mismatch"
  | "open_holds_out_of_sync"
  | "history_out_of_sync"
  | StoredValueViolationKind;

export interface Violation {
  kind: ViolationKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  ledger: LedgerName | "all";
  checkedAt: Date;
  accounts: number;
  transfers: number;
  violations: Violation[];
}

export interface VerifyOptions {
  ledger?: LedgerName;
  now?: Date;
  /** A hold is only late once the expiry worker had this long to void it. */
  holdGraceMs?: number;
  /** Stored-value cards' caps per currency (COFFER_STORED_VALUE_LIMITS); default: the built-in defaults. */
  storedValueLimits?: ReadonlyMap<string, StoredValueLimits>;
}

/** A running expiry worker voids timed-out holds within about a second; a minute late is a fault. */
export const verifyHoldGraceMsDefault = 60_000;

export async function verifyLedger(db: Queryable, options: VerifyOptions = {}): Promise<VerifyReport> {
  const now = options.now ?? new Date();
  const holdGraceMs = options.holdGraceMs ?? verifyHoldGraceMsDefault;
  const ledger = options.ledger ?? null;
  const violations: Violation[] = [];
  const limit = ledgerVerifyViolationsMax;

  const counts = await db.query<{ accounts: bigint; transfers: bigint }>(
    `SELECT (SELECT count(*) FROM ledger_accounts WHERE $1::text IS NULL OR ledger = $1) AS accounts,
            (SELECT count(*) FROM ledger_transfers WHERE $1::text IS NULL OR ledger = $1) AS transfers`,
    [ledger],
  );

  // 1. Double entry: per ledger and currency, debits equal credits, posted and pending alike.
  const unbalanced = await db.query(
    `SELECT ledger, currency, sum(debits_posted) AS dp, sum(credits_posted) AS cp,
            sum(debits_pending) AS dpe, sum(credits_pending) AS cpe
       FROM ledger_accounts WHERE $1::text IS NULL OR ledger = $1
      GROUP BY ledger, currency
     HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of unbalanced.rows) {
    violations.push({
      kind: "ledger_unbalanced",
      message: `${r.ledger} ${r.currency}: debits posted ${r.dp} ≠ credits posted ${r.cp} or debits pending ${r.dpe} ≠ credits pending ${r.cpe}`,
    });
  }

  // 2. Every balance equals the sum of its transfers. Posted: plain transfers and posts. Pending: unresolved holds.
  const mismatched = await db.query(
    `WITH t AS (
       SELECT t.debit_account_id, t.credit_account_id, t.amount, t.flags, r.id IS NULL AS unresolved
         FROM ledger_transfers t LEFT JOIN ledger_transfers r ON r.pending_id = t.id AND t.flags & 2 <> 0
        WHERE $1::text IS NULL OR t.ledger = $1
     ), sides AS (
       SELECT debit_account_id AS account_id,
              CASE WHEN flags & 10 = 0 THEN amount ELSE 0 END AS dp, 0::numeric AS cp,
              CASE WHEN flags & 2 <> 0 AND unresolved THEN amount ELSE 0 END AS dpe, 0::numeric AS cpe
         FROM t
       UNION ALL
       SELECT credit_account_id, 0, CASE WHEN flags & 10 = 0 THEN amount ELSE 0 END,
              0, CASE WHEN flags & 2 <> 0 AND unresolved THEN amount ELSE 0 END
         FROM t
     ), sums AS (
       SELECT account_id, sum(dp) AS dp, sum(cp) AS cp, sum(dpe) AS dpe, sum(cpe) AS cpe FROM sides GROUP BY account_id
     )
     SELECT a.id, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
            coalesce(s.dp, 0) AS sum_dp, coalesce(s.cp, 0) AS sum_cp, coalesce(s.dpe, 0) AS sum_dpe, coalesce(s.cpe, 0) AS sum_cpe
       FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
      WHERE ($1::text IS NULL OR a.ledger = $1)
        AND (a.debits_posted <> coalesce(s.dp, 0) OR a.credits_posted <> coalesce(s.cp, 0)
          OR a.debits_pending <> coalesce(s.dpe, 0) OR a.credits_pending <> coalesce(s.cpe, 0))
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of mismatched.rows) {
    violations.push({
      kind: "account_balance_mismatch",
      message:
        `account ${r.id}: stored (dp ${r.debits_posted}, cp ${r.credits_posted}, dpe ${r.debits_pending}, cpe ${r.credits_pending})` +
        ` ≠ sum of transfers (dp ${r.sum_dp}, cp ${r.sum_cp}, dpe ${r.sum_dpe}, cpe ${r.sum_cpe})`,
    });
  }

  // 3. Flag limits and ranges.
  const broken = await db.query(
    `SELECT id, flags, debits_posted, credits_posted, debits_pending, credits_pending FROM ledger_accounts
      WHERE ($1::text IS NULL OR ledger = $1)
        AND ((flags & 1 <> 0 AND debits_posted + debits_pending > credits_posted)
          OR (flags & 2 <> 0 AND credits_posted + credits_pending > debits_posted)
          OR least(debits_posted, credits_posted, debits_pending, credits_pending) < 0)
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of broken.rows) {
    violations.push({
      kind: "account_limit_broken",
      message: `account ${r.id} (flags ${r.flags}): dp ${r.debits_posted}, cp ${r.credits_posted}, dpe ${r.debits_pending}, cpe ${r.credits_pending}`,
    });
  }

  // 4. No hold left pending past its timeout (beyond the worker's grace).
  const late = await db.query(
    `SELECT t.id, t.timeout_at FROM ledger_transfers t
      WHERE t.flags & 2 <> 0 AND t.timeout_at < $2::timestamptz - make_interval(secs => $3::double precision / 1000)
        AND ($1::text IS NULL OR t.ledger = $1)
        AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)
      LIMIT $4`,
    [ledger, now, holdGraceMs, limit],
  );
  for (const r of late.rows) {
    violations.push({
      kind: "hold_past_timeout",
      message: `hold ${r.id} timed out at ${(r.timeout_at as Date).toISOString()} and is still pending`,
    });
  }

  // 5. Posts and voids match their holds: same accounts, post ≤ hold, void = hold, resolving only holds.
  const resolutions = await db.query(
    `SELECT r.id, r.pending_id, r.flags, r.amount, p.amount AS pending_amount, p.flags AS pending_flags
       FROM ledger_transfers r JOIN ledger_transfers p ON p.id = r.pending_id
      WHERE ($1::text IS NULL OR r.ledger = $1)
        AND (p.flags & 2 = 0
          OR r.debit_account_id <> p.debit_account_id OR r.credit_account_id <> p.credit_account_id
          OR (r.flags & 4 <> 0 AND r.amount > p.amount)
          OR (r.flags & 8 <> 0 AND r.amount <> p.amount))
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of resolutions.rows) {
    violations.push({
      kind: "hold_resolution_mismatch",
      message: `transfer ${r.id} resolves ${r.pending_id} (flags ${r.pending_flags}, amount ${r.pending_amount}) with amount ${r.amount}`,
    });
  }

  // 6. The expiry worker's table lists exactly the unresolved holds that have a timeout.
  const outOfSync = await db.query(
    `SELECT coalesce(t.id, h.transfer_id) AS id, h.transfer_id IS NULL AS missing
       FROM (SELECT t.id FROM ledger_transfers t
              WHERE t.timeout_at IS NOT NULL AND ($1::text IS NULL OR t.ledger = $1)
                AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)) t
       FULL JOIN (SELECT h.transfer_id FROM ledger_open_holds h JOIN ledger_transfers x ON x.id = h.transfer_id
                   WHERE $1::text IS NULL OR x.ledger = $1) h ON h.transfer_id = t.id
      WHERE t.id IS NULL OR h.transfer_id IS NULL
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of outOfSync.rows) {
    violations.push({
      kind: "open_holds_out_of_sync",
      message: r.missing
        ? `open hold ${r.id} is missing from ledger_open_holds (it would never expire)`
        : `ledger_open_holds lists ${r.id}, which is not an open hold`,
    });
  }

  // 7. For history accounts, the latest snapshot equals the balances.
  const history = await db.query(
    `SELECT a.id FROM ledger_accounts a
       JOIN LATERAL (SELECT * FROM ledger_account_history h WHERE h.account_id = a.id
                     ORDER BY transfer_seq DESC LIMIT 1) h ON true
      WHERE a.flags & 4 <> 0 AND ($1::text IS NULL OR a.ledger = $1)
        AND (h.debits_posted, h.credits_posted, h.debits_pending, h.credits_pending)
            IS DISTINCT FROM (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of history.rows) {
    violations.push({ kind: "history_out_of_sync", message: `account ${r.id}: latest history snapshot ≠ balances` });
  }

  // 8. Stored value (src/stored-value/verify.ts): the float, breakage, cards' accounts, caps, expired cards.
  violations.push(
    ...(await verifyStoredValue(db, {
      ledger,
      now,
      limit,
      limits: options.storedValueLimits ?? defaultStoredValueLimits(),
      lateMs: storedValueExpiredMoneyLateMs,
    })),
  );

  return {
    ok: violations.length === 0,
    ledger: ledger ?? "all",
    checkedAt: now,
    accounts: Number(counts.rows[0]?.accounts ?? 0n),
    transfers: Number(counts.rows[0]?.transfers ?? 0n),
    violations,
  };
}

export function formatVerifyReport(report: VerifyReport): string {
  const head = `coffer verify (${report.ledger} ledger): ${report.accounts} accounts, ${report.transfers} transfers`;
  if (report.ok)
    return `${head}\nOK: the books balance; every balance equals its transfers; no limit broken; no hold late; the stored-value float and breakage are backed.`;
  const lines = report.violations.map((v) => `  ✗ [${v.kind}] ${v.message}`);
  return `${head}\n${report.violations.length} violation(s):\n${lines.join("\n")}`;
}
