import type pg from "pg";
import { dbTransactionRetriesMax } from "../limits.js";
import { closeDeferredWrites, openDeferredWrites } from "./deferred-writes.js";
import { holdingConnection, type Pool, type PoolClient } from "./pool.js";

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Retry on serialization failure (40001) and deadlock (40P01); the callback must be safe to run again. */
  retries?: number;
}

const retryableCodes = new Set(["40001", "40P01"]);

export function isRetryable(error: unknown): boolean {
  return retryableCodes.has((error as pg.DatabaseError | undefined)?.code ?? "");
}

/** Runs fn inside one transaction; commits on return, rolls back on throw. The isolation level is always explicit. */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const isolation = options.isolation ?? "read committed";
  const retries = options.retries ?? dbTransactionRetriesMax;
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      const result = await holdingConnection(async () => {
        await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
        const writes = openDeferredWrites(client);
        try {
          const value = await fn(client);
          const [failure] = await writes.flush(client);
          if (failure) throw failure.error;
          await client.query("COMMIT");
          writes.committed();
          return value;
        } finally {
          closeDeferredWrites(client);
        }
      });
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true; // the connection is unusable; do not hand it back to the pool
      }
      if (attempt < retries && isRetryable(error)) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
