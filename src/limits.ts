/**
 * Every limit of coffer, named with its unit. Change a limit here, never inline.
 */

// HTTP
export const httpBodyBytesMax = 1_048_576; // 1 MiB: JSON bodies; uploads get their own limit later
export const httpRequestTimeoutMs = 30_000;
export const httpKeepAliveTimeoutMs = 72_000; // above common load-balancer idle timeouts (60 s)
export const httpShutdownGraceMs = 10_000; // in-flight requests get this long after SIGTERM
export const listLimitDefault = 10;
export const listLimitMax = 100;

// Idempotency
export const idempotencyKeyLengthMax = 255;
export const idempotencyKeyTtlMs = 24 * 60 * 60 * 1000;
export const idempotencyStoredBodyBytesMax = 262_144;

// Database
export const dbPoolSizeDefault = 10;
export const dbConnectTimeoutMs = 10_000;
export const dbStatementTimeoutMs = 30_000;
export const dbIdleInTransactionTimeoutMs = 60_000;
export const dbTransactionRetriesMax = 5; // serialization failures and deadlocks
export const migrationLockKey = 0x636f66666572; // "coffer" in ASCII, a bigint advisory-lock key
export const embeddedPgStartTimeoutMs = 60_000;

// Money
export const amountDigitsMax = 39; // NUMERIC(39,0)
export const amountMax = (1n << 128n) - 1n; // what a ledger account balance may reach
