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
export const listCursorLengthMax = 255; // starting_after / ending_before hold an object id
export const upstreamRequestIdLengthMax = 128; // an incoming Request-Id longer than this is not logged
export const readinessCheckTimeoutMs = 2_000; // /readyz answers 503 when the database is slower than this
export const workerShutdownGraceMs = 10_000; // a background loop gets this long to finish its pass on shutdown

// Idempotency
export const idempotencyKeyLengthMax = 255;
export const idempotencyKeyTtlMs = 24 * 60 * 60 * 1000;
export const idempotencyStoredBodyBytesMax = 262_144;
// A key still in progress after this long belongs to a process that died; a retry with the same request may take
// it over. Well above httpRequestTimeoutMs so a slow but living request is never run twice.
export const idempotencyInProgressStaleMs = 5 * 60 * 1000;
export const idempotencyPurgeIntervalMs = 10 * 60 * 1000;
export const idempotencyPurgeBatchRowsMax = 1_000; // rows deleted per statement, so a purge never holds long locks

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

// Ledger
export const ledgerBatchTransfersMax = 4_096; // transfers applied in one database transaction
export const ledgerBatchWindowMs = 0; // extra wait to fill a batch; 0 = group commit only (batch while writing)
export const ledgerBatchesInFlightMax = 2; // per process; overlaps one batch's commit with the next one's reads
export const ledgerSubmissionTransfersMax = 1_024; // transfers one caller may submit at once
export const ledgerBatchRetriesMax = 10; // conflicts with another writer (same id, same hold) or deadlocks
export const ledgerHoldTimeoutMsMax = 90 * 24 * 60 * 60 * 1000; // 90 days
export const ledgerCodeLengthMax = 64;
export const ledgerReferenceLengthMax = 255;
export const ledgerExpiryIntervalMs = 1_000; // how often the worker looks for timed-out holds
export const ledgerExpiryBatchMax = 1_000; // holds voided per pass
export const ledgerAccountsPerCreateMax = 10_000;
export const ledgerVerifyViolationsMax = 1_000; // a report lists at most this many of one kind

// Security
export const passwordLengthMin = 10;
export const passwordLengthMax = 256; // argon2 input stays bounded: a 1 MB "password" is a denial of service
export const totpPeriodS = 30;
export const totpToleranceS = 30; // accept the previous and the next code (clock skew between phone and server)
export const auditChainLockKey = 0x6175646974; // advisory lock serializing audit-log appends ("audit" in ASCII)
export const dataKeyCacheSizeMax = 64;

// Events and messages
export const eventTypeLengthMax = 100;
export const messageDeliveryIntervalMs = 1_000;
export const messageDeliveryBatchMax = 50;
export const messageDeliveryAttemptsMax = 8;
export const messageRetryBaseMs = 30_000; // doubles per attempt: 30 s, 1 min, 2 min … about 1 h in all
export const smtpTimeoutMs = 15_000;
export const smsHttpTimeoutMs = 10_000;
