import type { Pool } from "../../src/db/pool.js";

/**
 * A checksum of every row of every table, so "a refused request wrote nothing" can be checked for the whole
 * database at once rather than for the tables a test thought of. Each row is hashed as JSON without the columns
 * below; each table's rows are hashed in a stable order.
 */

/**
 * Tables a refused request may change, by design. Each one is the record of a refusal, kept on purpose.
 */
const excludedTables: Record<string, string> = {
  // A refused request that sent an Idempotency-Key stores its 4xx answer, so a retry replays the same refusal
  // (src/http/idempotency.ts): the key row is the refusal's record, not an effect.
  idempotency_keys: "stores refusals' answers for replay",
  // Refused sign-ins and sign-ups count toward the per-address limits: counting refusals is the point.
  console_rate_limits: "counts refused attempts",
};

/**
 * Columns any request may touch, refused or not: when a credential was last seen, rate-limited writes that say
 * the credential is in use (apiKeyLastUsedWriteIntervalMs, sessionTouchIntervalMs), and the lockout counters that
 * a refused password or code increments (consoleLockoutFailuresMax, walletLoginFailuresMax).
 */
const excludedColumns: Record<string, string[]> = {
  api_keys: ["last_used_at"],
  console_sessions: ["last_seen_at"],
  operator_sessions: ["last_seen_at"],
  wallet_sessions: ["last_seen_at"],
  merchant_users: ["failed_logins", "locked_until"],
  operators: ["failed_logins", "locked_until"],
  wallet_users: ["failed_logins", "locked_until"],
  // Mail and SMS already queued are sent in the background while later requests run, and their content is purged
  // once sent; which messages exist is what a request decides, their delivery is not.
  outbound_messages: [
    "status",
    "attempts",
    "next_attempt_at",
    "locked_until",
    "last_error",
    "sent_at",
    "transport",
    "content_enc",
    "subject",
    "body",
    "html",
  ],
};

/**
 * Rows a refused request writes on purpose: the audit log records failed sign-ins and the lockouts they cause
 * (security-relevant refusals are what it is for). Every other audit record is checked.
 */
const excludedRows: Record<string, string> = {
  audit_log: "action NOT IN ('console.login_failed', 'ops.login_failed', 'wallet_user.locked')",
};

export type TableChecksums = Record<string, string>;

export async function tableChecksumQuery(pool: Pool): Promise<string> {
  const result = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const parts = result.rows
    .map((row) => row.table_name)
    .filter((table) => !(table in excludedTables))
    .map((table) => {
      const drop = (excludedColumns[table] ?? []).map((column) => ` - '${column}'`).join("");
      const where = excludedRows[table] ? ` WHERE ${excludedRows[table]}` : "";
      return `SELECT '${table}' AS t, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS sum
                FROM (SELECT (to_jsonb(x)${drop})::text AS r FROM "${table}" x${where}) rows`;
    });
  return parts.join("\nUNION ALL\n");
}

export async function tableChecksums(pool: Pool, query: string): Promise<TableChecksums> {
  const result = await pool.query<{ t: string; sum: string }>(query);
  return Object.fromEntries(result.rows.map((row) => [row.t, row.sum]));
}

/** The most recently written rows of a table (the end of its heap), to show what a refused request wrote. */
export async function newestRows(pool: Pool, table: string, count = 3): Promise<string[]> {
  const result = await pool.query<{ r: string }>(
    `SELECT left(to_jsonb(x)::text, 300) AS r FROM "${table}" x ORDER BY ctid DESC LIMIT ${count}`,
  );
  return result.rows.map((row) => row.r);
}

/** The tables whose checksum differs. */
export function changedTables(before: TableChecksums, after: TableChecksums): string[] {
  return Object.keys({ ...before, ...after })
    .filter((table) => before[table] !== after[table])
    .sort();
}
