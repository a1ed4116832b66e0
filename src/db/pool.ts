import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { dbConnectTimeoutMs, dbIdleInTransactionTimeoutMs, dbIdleTimeoutMs, dbStatementTimeoutMs } from "../limits.js";

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

/**
 * Pool starvation is made impossible by construction: code that holds a pool connection (a transaction, a ledger
 * batch and its hooks) must never wait for a second one, because with every connection held by such code nobody
 * can make progress until the pool's wait times out. Holders run inside holdingConnection(); a connect() from
 * inside one fails at once with SecondConnectionError, in every test and in production, instead of waiting.
 * (docs/adr/0012-one-connection-per-request.md)
 */
interface Holding {
  released: boolean;
}
const holdings = new AsyncLocalStorage<Holding>();

export class SecondConnectionError extends Error {
  constructor() {
    super("a pool connection was requested while this code already holds one (use the transaction's client)");
    this.name = "SecondConnectionError";
  }
}

/** Runs fn as the holder of a connection; anything fn starts that outlives it may use the pool again. */
export async function holdingConnection<T>(fn: () => Promise<T>): Promise<T> {
  const holding: Holding = { released: false };
  try {
    return await holdings.run(holding, fn);
  } finally {
    holding.released = true;
  }
}

/**
 * Starts fn as code that holds no connection, from inside one that does: work a transaction sets off after its
 * commit (afterCommit) runs while the committing code still holds its client, but is not part of it.
 */
export function detachedFromConnection(fn: () => void): void {
  holdings.exit(fn);
}

/** True when the calling code runs inside holdingConnection() that has not finished. */
export function isHoldingConnection(): boolean {
  const holding = holdings.getStore();
  return holding !== undefined && !holding.released;
}

/**
 * The pool's wait for a free connection timed out: the database is saturated. Answered 503 with Retry-After, never
 * 500 (src/http/error-handler.ts).
 */
export function isPoolWaitTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "timeout exceeded when trying to connect";
}

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: dbConnectTimeoutMs,
    idleTimeoutMillis: dbIdleTimeoutMs,
    statement_timeout: dbStatementTimeoutMs,
    idle_in_transaction_session_timeout: dbIdleInTransactionTimeoutMs,
    application_name: options.applicationName ?? "coffer",
    types: typeParsers,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  guardSecondConnection(pool);
  return pool;
}

/** Told how long each wait for a connection took, in seconds, and whether it timed out (for /metrics). */
export type PoolWaitListener = (seconds: number, timedOut: boolean) => void;
const waitListeners = new WeakMap<pg.Pool, Set<PoolWaitListener>>();

/** Adds a listener of the pool's waits; returns its removal. */
export function observePoolWaits(pool: Pool, listener: PoolWaitListener): () => void {
  let listeners = waitListeners.get(pool);
  if (!listeners) {
    listeners = new Set();
    waitListeners.set(pool, listeners);
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** pool.query() goes through pool.connect(), so guarding connect() covers both. */
function guardSecondConnection(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
  (pool as unknown as { connect: (callback?: unknown) => unknown }).connect = (callback?: unknown) => {
    if (isHoldingConnection()) {
      const error = new SecondConnectionError();
      if (typeof callback === "function") {
        process.nextTick(() => (callback as (e: Error) => void)(error));
        return undefined;
      }
      return Promise.reject(error);
    }
    const listeners = waitListeners.get(pool);
    if (!listeners || listeners.size === 0) return connect(callback);
    const started = performance.now();
    const report = (error: unknown) => {
      const seconds = (performance.now() - started) / 1000;
      for (const listener of listeners) listener(seconds, isPoolWaitTimeout(error));
    };
    if (typeof callback === "function") {
      return connect((error: unknown, ...rest: unknown[]) => {
        report(error);
        (callback as (...args: unknown[]) => void)(error, ...rest);
      });
    }
    return (connect() as Promise<unknown>).then(
      (client) => {
        report(undefined);
        return client;
      },
      (error: unknown) => {
        report(error);
        throw error;
      },
    );
  };
}
