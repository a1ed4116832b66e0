import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { ApiError } from "../http/errors.js";
import {
  testClockAdvanceSecondsMax,
  testClockCacheEntriesMax,
  testClockCacheMs,
  testClockOffsetMsMax,
} from "../limits.js";
import { sandboxError } from "./errors.js";

/**
 * The sandbox's test clock: each merchant's test mode runs on the system clock plus a per-merchant offset that only
 * grows (POST /v1/test_helpers/advance_time). Live mode always reads the system clock, so nothing a test merchant
 * does can move live deadlines. The offset lives in test_clocks; a merchant without a row is at offset 0.
 */
export interface TestClocks {
  /** The time a merchant's objects of this mode live in: system time, plus the test offset in test mode. */
  now(merchantId: string, livemode: boolean, db?: Queryable): Promise<Date>;
  /**
   * Moves the merchant's test clock forward by ms (1 ms up to testClockAdvanceSecondsMax). Concurrent advances add
   * up. Throws test_clock_limit_reached past testClockOffsetMsMax.
   */
  advance(merchantId: string, ms: number): Promise<Date>;
  /** Moves the merchant's test clock forward to a time; throws test_clock_backwards when that is not ahead. */
  advanceTo(merchantId: string, at: Date): Promise<Date>;
  /** The merchant's current test offset in milliseconds (0 without a clock). */
  offsetMs(merchantId: string, db?: Queryable): Promise<number>;
  /** The test clock as the API shows it. */
  state(merchantId: string): Promise<TestClockState>;
  /** Forgets a remembered offset (its row was deleted by a reset). */
  forget(merchantId: string): void;
}

export interface TestClockState {
  now: Date;
  offsetMs: number;
}

export interface TestClockDeps {
  pool: Pool;
  clock: Clock;
}

export function createTestClocks(deps: TestClockDeps): TestClocks {
  const { pool, clock } = deps;

  /**
   * Offsets are remembered for testClockCacheMs: a test-mode payment reads its merchant's clock several times, and
   * a clock moves only when its merchant says so. A move through this process is seen at once; through another
   * process within testClockCacheMs.
   */
  const cached = new Map<string, { offsetMs: number; readAtMs: number }>();

  async function offsetMs(merchantId: string, db: Queryable = pool): Promise<number> {
    const hit = cached.get(merchantId);
    const nowMs = Date.now();
    if (hit && nowMs - hit.readAtMs < testClockCacheMs && nowMs >= hit.readAtMs) return hit.offsetMs;
    const { rows } = await db.query<{ offset_ms: bigint }>("SELECT offset_ms FROM test_clocks WHERE merchant_id = $1", [
      merchantId,
    ]);
    const offset = rows[0] ? Number(rows[0].offset_ms) : 0;
    if (cached.size >= testClockCacheEntriesMax) cached.clear();
    cached.set(merchantId, { offsetMs: offset, readAtMs: nowMs });
    return offset;
  }

  /**
   * Changes the offset under a row lock, so concurrent moves apply one after the other. A refused move throws and
   * rolls back, which also removes a row this call created: bad input writes nothing.
   */
  async function move(merchantId: string, next: (current: number, systemNow: Date) => number): Promise<Date> {
    cached.delete(merchantId);
    try {
      return await moveOnce(merchantId, next);
    } finally {
      cached.delete(merchantId);
    }
  }

  async function moveOnce(merchantId: string, next: (current: number, systemNow: Date) => number): Promise<Date> {
    return withTransaction(pool, async (tx) => {
      const systemNow = clock.now();
      await tx.query(
        `INSERT INTO test_clocks (merchant_id, offset_ms, updated_at) VALUES ($1, 0, $2)
         ON CONFLICT (merchant_id) DO NOTHING`,
        [merchantId, systemNow],
      );
      const locked = await tx.query<{ offset_ms: bigint }>(
        "SELECT offset_ms FROM test_clocks WHERE merchant_id = $1 FOR UPDATE",
        [merchantId],
      );
      const current = Number(locked.rows[0]?.offset_ms ?? 0);
      const target = next(current, systemNow);
      if (target > testClockOffsetMsMax) throw sandboxError("test_clock_limit_reached");
      await tx.query("UPDATE test_clocks SET offset_ms = $2, updated_at = $3 WHERE merchant_id = $1", [
        merchantId,
        target,
        systemNow,
      ]);
      return new Date(systemNow.getTime() + target);
    });
  }

  return {
    forget: (merchantId) => void cached.delete(merchantId),
    offsetMs,
    async now(merchantId, livemode, db = pool) {
      const systemNow = clock.now();
      if (livemode) return systemNow;
      return new Date(systemNow.getTime() + (await offsetMs(merchantId, db)));
    },
    advance(merchantId, ms) {
      if (!Number.isInteger(ms) || ms < 1 || ms > testClockAdvanceSecondsMax * 1000) {
        throw new ApiError("parameter_invalid", `A test clock moves 1 ms to ${testClockAdvanceSecondsMax} s at once.`);
      }
      return move(merchantId, (current) => current + ms);
    },
    advanceTo(merchantId, at) {
      return move(merchantId, (current, systemNow) => {
        const target = at.getTime() - systemNow.getTime();
        if (!(target > current)) throw sandboxError("test_clock_backwards", undefined, "to");
        if (target - current > testClockAdvanceSecondsMax * 1000) {
          throw new ApiError(
            "parameter_invalid",
            `to is at most ${testClockAdvanceSecondsMax} seconds after the clock's current time.`,
            "to",
          );
        }
        return target;
      });
    },
    async state(merchantId) {
      const offset = await offsetMs(merchantId);
      return { now: new Date(clock.now().getTime() + offset), offsetMs: offset };
    },
  };
}

/**
 * SQL for how far the clock of a row's merchant runs ahead, as an interval: the test offset for test-mode rows, zero
 * for live rows and merchants that never advanced. For timestamps a worker writes on a row it claimed (a lease, a
 * next attempt): `$now + ${testOffsetSql("p.merchant_id", "p.livemode")}`.
 */
export function testOffsetSql(merchantIdColumn: string, livemodeColumn: string): string {
  return `(CASE WHEN ${livemodeColumn} THEN interval '0' ELSE coalesce((SELECT tc.offset_ms FROM test_clocks tc WHERE tc.merchant_id = ${merchantIdColumn}), 0) * interval '1 millisecond' END)`;
}

export interface DueScan {
  /** The table scanned; its rows have id, merchant_id and livemode. */
  table: string;
  /** The column holding when a row is due. */
  dueColumn: string;
  /** Further conditions on the row (alias x), e.g. "x.status = 'pending'". */
  condition?: string;
  /** Placeholders of the query: the system time and the batch size. */
  now: string;
  limit: string;
  /** A placeholder holding one merchant id: only that merchant's test-mode rows (advance_time's own pass). */
  merchant?: string;
}

/**
 * A subquery (SELECT x.id … FOR UPDATE SKIP LOCKED) of test-mode rows due on their merchant's test clock:
 * `due <= system now + offset`. A worker ORs it with its own system-time scan, which already covers every live row
 * and every test row due without an offset (offsets only grow), so the live path keeps its due index and this part
 * starts from the few merchants whose clocks run ahead (test_clocks) and their test rows (the test_due indexes).
 */
export function testClockDueSql(scan: DueScan): string {
  const extra = scan.condition ? ` AND ${scan.condition}` : "";
  const due = `x.${scan.dueColumn}`;
  const order = `ORDER BY ${due} LIMIT ${scan.limit} FOR UPDATE OF x SKIP LOCKED`;
  if (scan.merchant !== undefined) {
    return `SELECT x.id FROM ${scan.table} x
             WHERE x.merchant_id = ${scan.merchant} AND NOT x.livemode
               AND ${due} <= ${scan.now}::timestamptz + ${testOffsetSql(scan.merchant, "false")}${extra} ${order}`;
  }
  return `SELECT x.id FROM test_clocks tc JOIN ${scan.table} x ON x.merchant_id = tc.merchant_id AND NOT x.livemode
           WHERE tc.offset_ms > 0
             AND ${due} <= ${scan.now}::timestamptz + tc.offset_ms * interval '1 millisecond'${extra} ${order}`;
}
