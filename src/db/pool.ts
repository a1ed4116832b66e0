import pg from "pg";
import { dbConnectTimeoutMs, dbIdleInTransactionTimeoutMs, dbStatementTimeoutMs } from "../limits.js";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that can run a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, "query">;

const numericOid = 1700;
const int8Oid = 20;

/**
 * Money is NUMERIC(39,0) in SQL and bigint in TypeScript. A fractional NUMERIC reaching this parser is a bug,
 * so BigInt() throwing on it is what we want.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === numericOid || oid === int8Oid) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PoolOptions {
  connectionString: string;
  max: number;
  applicationName?: string;
}

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: dbConnectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: dbStatementTimeoutMs,
    idle_in_transaction_session_timeout: dbIdleInTransactionTimeoutMs,
    application_name: options.applicationName ?? "coffer",
    types: typeParsers,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return pool;
}
