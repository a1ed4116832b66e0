/**
 * Every limit of coffer, named with its unit. Change a limit here, never inline.
 */

// HTTP
export const httpBodyBytesMax = 1_048_576; // 1 MiB: JSON bodies; uploads get their own limit later
export const httpRequestTimeoutMs = 30_000;
export const httpHeadersTimeoutMs = 10_000; // a request's headers must all arrive within this, else 408
export const httpBodyIdleTimeoutMs = 10_000; // a request body that stops arriving for this long is answered 408
export const httpTimeoutCheckIntervalMs = 1_000; // how often the server looks for requests past those timeouts
export const httpKeepAliveTimeoutMs = 72_000; // above common load-balancer idle timeouts (60 s)
export const httpShutdownGraceMs = 10_000; // in-flight requests get this long after SIGTERM
export const listLimitDefault = 10;
export const listLimitMax = 100;
export const listCursorLengthMax = 255; // starting_after / ending_before hold an object id
// Times given in Unix seconds (list filters such as created_gte): from the epoch to the last second of 9999, the
// range in which PostgreSQL's timestamptz and JavaScript's Date agree.
export const timestampSecondsMin = 0;
export const timestampSecondsMax = 253_402_300_799;
export const upstreamRequestIdLengthMax = 128; // an incoming Request-Id longer than this is not logged
export const readinessCheckTimeoutMs = 2_000; // /readyz answers 503 when the database is slower than this
export const workerShutdownGraceMs = 10_000; // a background loop gets this long to finish its pass on shutdown
export const hstsMaxAgeS = 365 * 24 * 60 * 60; // Strict-Transport-Security when COFFER_PUBLIC_URL is https: a year

// Per-key rate limits: a token bucket per API key (or console user and merchant) and mode, in process memory.
// Defaults follow Stripe's documented ones (100 requests/s live, 25 test), with a burst of twice that.
export const rateLimitLiveRequestsPerSDefault = 100; // COFFER_RATE_LIMIT_LIVE_PER_S: sustained, per key
export const rateLimitLiveBurstRequestsDefault = 200; // COFFER_RATE_LIMIT_LIVE_BURST: the bucket's size
export const rateLimitTestRequestsPerSDefault = 25; // COFFER_RATE_LIMIT_TEST_PER_S
export const rateLimitTestBurstRequestsDefault = 50; // COFFER_RATE_LIMIT_TEST_BURST
export const rateLimitRequestsPerSMax = 1_000_000; // the most COFFER_RATE_LIMIT_*_PER_S accepts
export const rateLimitBurstRequestsMax = 10_000_000; // the most COFFER_RATE_LIMIT_*_BURST accepts
// Buckets one process keeps; past this the least recently used goes. A bucket unused for burst / rate seconds is
// full again, so forgetting it changes nothing; only more than this many callers within that time could gain.
export const rateLimitBucketsMax = 100_000;

// Idempotency
export const idempotencyKeyLengthMax = 255;
export const idempotencyKeyTtlMs = 24 * 60 * 60 * 1000;
export const idempotencyStoredBodyBytesMax = 262_144;
// A key still in progress after this long is presumed to belong to a request that died (its process crashed); a
// retry with the same request may take it over. Safe for every route that stores its answer with its effect
// (answerWithEffect: all that move money): the old holder's commit checks its lease, so of the two only one can
// commit. Routes that store their answer afterwards change no money; see docs/adr/0012-one-connection-per-request.md.
export const idempotencyInProgressStaleMs = 15_000;
export const idempotencyPurgeIntervalMs = 10 * 60 * 1000;
export const idempotencyPurgeBatchRowsMax = 1_000; // rows deleted per statement, so a purge never holds long locks

// Database
export const dbPoolSizeDefault = 10;
export const dbConnectTimeoutMs = 10_000; // longest wait for a free pool connection before answering 503
export const leasePollIntervalMs = 50; // how often a waiter asks for a busy lease again (src/db/leases.ts)
export const overloadRetryAfterS = 1; // Retry-After of a 503 answered because the database is saturated
export const dbIdleTimeoutMs = 30_000; // an idle pool connection is closed after this
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
export const devMailboxKeptMs = 24 * 60 * 60 * 1000; // the dev mailbox and SMS outbox show a message this long
export const messageUndeliveredKeptMs = 24 * 60 * 60 * 1000; // a message not sent by then is failed, content purged
export const messageHousekeepingIntervalMs = 10 * 60 * 1000; // how often kept message content is looked at
export const messageHousekeepingBatchRowsMax = 1_000; // rows purged per statement, so no purge holds long locks

// Webhooks
export const webhookUrlLengthMax = 2_048;
export const webhookEndpointsPerModeMax = 16; // per merchant and mode
export const webhookEnabledEventsMax = 100;
export const webhookTimeoutMs = 10_000; // connect + response, per attempt
export const webhookResponseExcerptBytesMax = 1_024; // what an attempt log keeps of the receiver's answer
export const webhookDeliveryBatchMax = 100; // deliveries claimed per pass (their successes are recorded together)
export const webhookDeliveryConcurrencyMax = 32; // requests in flight per process
export const webhookDeliveryLeaseMs = 60_000; // a claim not finished by then (process died) is claimed again
export const webhookDispatchBatchMax = 200; // events fanned out to deliveries per pass
export const webhookWorkerIntervalMs = 100; // how often an idle worker looks for new events and due deliveries
export const webhookSecretRotationOverlapMsMax = 7 * 24 * 60 * 60 * 1000;
export const webhookEndpointFailingDisableMs = 3 * 24 * 60 * 60 * 1000; // failing this long with no success → disabled
export const webhookRetryJitterRatio = 0.1; // ±10% on each backoff step
/** Delays after attempts 1, 2, …: about three days in all (Standard Webhooks' recommendation). */
export const webhookRetryScheduleMs: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

// Merchants
export const businessNameLengthMax = 200;
export const personNameLengthMax = 200;
export const emailLengthMax = 254; // RFC 5321's path limit
export const consoleLockoutFailuresMax = 10; // failed passwords or second factors in a row lock the account
export const consoleLockoutMs = 30 * 60 * 1000;
export const consoleSessionTtlMs = 12 * 60 * 60 * 1000; // a console or operator session ends this long after login
export const sessionIdleTimeoutMs = 30 * 60 * 1000; // … or after this long without a request
export const sessionTouchIntervalMs = 60_000; // last_seen_at is written at most this often per session
export const emailVerificationLinkTtlMs = 24 * 60 * 60 * 1000;
export const passwordResetLinkTtlMs = 60 * 60 * 1000;
export const teamInviteTtlMs = 7 * 24 * 60 * 60 * 1000;
export const signupsPerIpMax = 20; // accepted sign-ups from one address per signupWindowMs
export const signupWindowMs = 60 * 60 * 1000;
export const loginFailuresPerIpMax = 100; // failed logins from one address per loginFailureWindowMs, then 429
export const loginFailureWindowMs = 15 * 60 * 1000;
export const emailLinksPerAddressMax = 5; // verification or reset mails to one address per emailLinkWindowMs
export const emailLinkWindowMs = 60 * 60 * 1000;
export const rateLimitWindowsKeptMs = 24 * 60 * 60 * 1000; // old rate-limit counters are purged after this
export const webauthnChallengeTtlMs = 5 * 60 * 1000;
export const webauthnCredentialsPerUserMax = 10;
export const documentBytesMax = 5 * 1024 * 1024; // 5 MiB per KYB document, decoded
export const documentUploadBodyBytesMax = Math.ceil((documentBytesMax * 4) / 3) + 64 * 1024; // base64 + JSON
export const kybDocumentsPerApplicationMax = 20;
export const kybTextLengthMax = 500; // legal name, address lines, bank name …
export const kybReasonsMax = 10; // reasons an operator gives for one decision
export const kybReasonLengthMax = 1_000;
export const apiKeysPerMerchantMax = 100; // keys that are not revoked or expired, both modes together
export const apiKeyNameLengthMax = 100;
export const apiKeyRollOverlapMsMax = 7 * 24 * 60 * 60 * 1000; // an old key may live this long after a roll
export const apiKeyLastUsedWriteIntervalMs = 60_000; // last_used_at is written at most this often per key
export const operatorOneTimePasswordLength = 24; // base62 characters, about 143 bits
export const merchantHousekeepingIntervalMs = 10 * 60 * 1000; // purge of expired sessions, links and counters
export const merchantHousekeepingBatchRowsMax = 1_000;
export const endedSessionsKeptMs = 24 * 60 * 60 * 1000; // ended sessions and expired links are deleted after this
export const apiKeyLastUsedCacheKeysMax = 10_000; // keys whose last write this process remembers
export const webauthnCeremonyTimeoutMs = 120_000; // how long the browser waits for the authenticator
export const userAgentLengthMax = 300; // characters of a User-Agent kept with a session

// Wallets
export const walletVerificationCodeDigits = 6;
export const walletVerificationCodeTtlMs = 10 * 60 * 1000;
export const walletVerificationAttemptsMax = 5; // wrong codes before a verification is used up
export const walletVerificationsPerContactMax = 5; // codes sent to one email or phone per walletVerificationWindowMs
export const walletVerificationWindowMs = 60 * 60 * 1000;
export const walletSessionTtlMs = 30 * 24 * 60 * 60 * 1000; // a wallet session ends this long after login …
export const walletSessionIdleTimeoutMs = 7 * 24 * 60 * 60 * 1000; // … or after this long without a request
export const walletSessionTouchIntervalMs = 60_000; // last_seen_at is written at most this often per session
export const walletSessionsListedMax = 100; // devices shown by GET /v1/wallet/sessions
export const walletLoginFailuresMax = 5; // failed passwords or step-ups in a row lock the wallet user out …
export const walletLockoutMs = 15 * 60 * 1000; // … for this long
export const walletDisplayNameLengthMax = 100;
export const walletLegalNameLengthMax = 200;
export const walletIdNumberLengthMax = 64;
export const walletKycAgeYearsMin = 18;
export const walletTransferNoteLengthMax = 280;
export const walletFreezeReasonLengthMax = 500;
export const walletFundingSourcesPerUserMax = 10; // linked and not removed
export const walletHolderNameLengthMax = 140;
export const walletPasskeysPerUserMax = 10;
export const walletPasskeyNameLengthMax = 100;
export const walletWebauthnChallengeTtlMs = 5 * 60 * 1000;
export const walletBankPollIntervalMs = 1_000; // how often the settlement worker looks for due bank operations
export const walletBankBatchMax = 100; // bank operations handled per pass
export const walletBankLeaseMs = 2 * 60 * 1000; // a claimed operation not finished by then is claimed again
export const walletBankRetryBaseMs = 30_000; // a failed bank call is retried after this, doubling per failure …
export const walletBankRetryMaxMs = 60 * 60 * 1000; // … up to this
export const walletSandboxBankSettleMsDefault = 10_000; // COFFER_SANDBOX_BANK_SETTLE_MS when unset
export const walletBankFileBytesMax = 64 * 1024 * 1024; // a settlement file `coffer bank import` reads
export const walletStatementRowsMax = 100_000; // movements in one monthly statement

// Payments
export const paymentExpiryMsDefault = 15 * 60 * 1000; // a payment nobody paid expires after this (expires_in)
export const paymentExpiryMsMin = 60 * 1000;
export const paymentExpiryMsMax = 7 * 24 * 60 * 60 * 1000;
export const paymentCodeTtlMs = 60 * 1000; // a wallet's payment code works this long, once
export const paymentCodeConfirmWindowMs = 60 * 1000; // a payment_code payment waiting for the payer is canceled after
export const paymentCodeMissesPerMerchantMax = 30; // unknown, used or expired codes per merchant and mode per window …
export const paymentCodeMissWindowMs = 10 * 60 * 1000; // … then 429 rate_limited until the window ends
export const paymentCodeMissCountCacheMs = 1_000; // how stale a process's view of that count may be
export const paymentCaptureWindowMs = 7 * 24 * 60 * 60 * 1000; // a manual-capture hold is released after this
export const paymentCaptureHoldGraceMs = 60 * 60 * 1000; // the ledger's own timeout of that hold comes this much later
export const paymentFeePercentBpsDefault = 60; // 0.6 %, when a merchant has no fee schedule of its own
export const paymentDescriptionLengthMax = 500;
export const paymentReturnUrlLengthMax = 2_048;
// metadata of every merchant-owned object (payments, refunds, payouts, payment links, stores, tills, endpoints)
export const metadataKeysMax = 20;
export const metadataKeyLengthMax = 40;
export const metadataValueLengthMax = 500;
export const paymentQrPayloadLengthMax = 2_048; // what POST /v1/wallet/scan accepts
export const paymentExpiryIntervalMs = 1_000; // how often the expiry worker looks for due payments
export const paymentExpiryBatchMax = 100; // payments expired or canceled per pass
export const paymentExpiryLeaseMs = 60_000; // a claimed payment not finished by then is claimed again
export const refundDescriptionLengthMax = 500;
export const payoutDescriptionLengthMax = 500;
export const payoutPollIntervalMs = 1_000; // how often the payout worker submits and asks the bank
export const payoutBatchMax = 100; // payouts handled per pass
export const payoutLeaseMs = 2 * 60 * 1000; // a claimed payout not finished by then is claimed again
export const payoutRetryBaseMs = 30_000; // a failed bank call is retried after this, doubling per failure …
export const payoutRetryMaxMs = 60 * 60 * 1000; // … up to this
export const payoutScheduleIntervalMs = 60_000; // how often the daily payout schedule is looked at
export const payoutScheduleBatchMax = 100; // merchants looked at per schedule pass

// Reminders
export const paymentRemindersPerPayerPerDayMax = 3; // reminders queued to one payer in any 24 hours; more are dropped
export const paymentReminderWindowMs = 24 * 60 * 60 * 1000;
export const reminderUrlLengthMax = 2_048; // a merchant's pay-again link

// Sandbox (test mode only)
export const sandboxPayerDeclineDelayMs = 5_000; // payer_declines: the scripted payer says no this long after, test clock
export const sandboxPayerApproveDelayMs = 10_000; // succeeds_after_delay: the scripted payer confirms this long after
export const sandboxPayerActionIntervalMs = 1_000; // how often the sandbox worker looks for due scripted answers
export const sandboxPayerActionBatchMax = 100; // scripted answers run per pass
export const sandboxPayerActionLeaseMs = 60_000; // a claimed answer not finished by then is claimed again
export const sandboxPayerActionAttemptsMax = 5; // an answer that keeps failing for other reasons is dropped after this
export const apiKeyAuthCacheMs = 5_000; // a key revoked through another process stops working within this
export const apiKeyAuthCacheEntriesMax = 10_000; // keys remembered per process
export const walletSessionCacheMs = 5_000; // a wallet session ended through another process stops working within this
export const walletSessionCacheEntriesMax = 100_000; // wallet sessions remembered per process

// Sign-in security (src/security/sign-ins, docs/security-centre.md)
export const deviceCookieMaxAgeS = 400 * 24 * 60 * 60; // the console's device cookie: browsers cap cookies at 400 days
export const signInReportLinkTtlMs = 7 * 24 * 60 * 60 * 1000; // a "this wasn't me" link works this long, once
export const signInsKeptMs = 90 * 24 * 60 * 60 * 1000; // sign-ins are deleted after this
export const signInDevicesKeptMs = 180 * 24 * 60 * 60 * 1000; // devices not signed in from for this long are deleted
export const signInDevicesListedMax = 50; // devices shown in the security centre, most recent first
export const deviceTokenLengthMax = 64; // a device token the caller sends back (ours are 47 characters)
export const walletPasswordResetCodeTtlMs = 10 * 60 * 1000; // a wallet password-reset code works this long
export const walletPasswordResetsPerContactMax = 5; // reset codes sent to one email or phone per walletVerificationWindowMs
export const noticeContextCacheMs = 10_000; // a receipt may use a merchant's or payer's details this old
export const noticeContextCacheEntriesMax = 10_000; // merchant × payer notice contexts remembered per process
export const feeScheduleCacheMs = 10_000; // a fee schedule changed elsewhere reaches new payments within this
export const feeScheduleCacheEntriesMax = 10_000; // merchant × currency schedules remembered per process
export const qrSvgCacheEntriesMax = 2_000; // QR drawings kept per process (a few KiB each)
export const testClockCacheMs = 1_000; // a test clock moved through another process is seen within this
export const testClockCacheEntriesMax = 10_000; // merchants' test clock offsets remembered per process
export const sandboxPayerCacheEntriesMax = 10_000; // test payers remembered per process (their rows never change)
export const sandboxTestPayerBalanceDefault = 100_000n; // minor units, when POST /v1/test_helpers/wallet_users omits it
export const sandboxResetLeaseMs = 5 * 60 * 1000; // a reset's lease outlives any reset; a crashed one frees it then
export const sandboxResetWaitMs = 60_000; // a reset waits this long for another reset of its merchant to finish
export const sandboxResetPassesMax = 5; // reset re-reads and re-zeroes balances that moved under it this many times
export const testClockAdvanceSecondsMax = 31_536_000; // one advance_time moves a test clock at most a year
export const testClockOffsetMsMax = 10 * 365 * 24 * 60 * 60 * 1000; // a test clock runs at most ~10 years ahead
export const testClockDueWorkRowsMax = 5_000; // rows advance_time handles itself per kind; the workers take the rest

// Operator console
export const opsSearchQueryLengthMax = 254; // a merchant or wallet user search: a name, an email, a phone or an id
export const opsBankFileUploadBytesMax = 16 * 1024 * 1024; // a settlement file uploaded in the console (CLI: more)
// The upload is JSON: escaping can double a CSV's size (quotes, newlines), plus room for the other fields.
export const opsBankFileUploadBodyBytesMax = 2 * opsBankFileUploadBytesMax + 64 * 1024;

// Security audit (`coffer audit`, docs/SECURITY.md)
export const apiKeyRotationDueMs = 365 * 24 * 60 * 60 * 1000; // a live secret or restricted key older than this is due
export const apiKeyDormantMs = 90 * 24 * 60 * 60 * 1000; // a live key unused this long is reported as dormant
export const webhookSecretRotationDueMs = 365 * 24 * 60 * 60 * 1000; // a live endpoint's signing secret older than this
export const dataKeyRotationDueMs = 365 * 24 * 60 * 60 * 1000; // the active data key older than this is due
export const masterKeyAgeNoticeMs = 2 * 365 * 24 * 60 * 60 * 1000; // a master key in use this long is mentioned
export const securityAuditIntervalMs = 24 * 60 * 60 * 1000; // the worker audits when the last report is this old
export const securityAuditCheckIntervalMs = 60 * 60 * 1000; // how often the worker looks at the last report's age
export const securityAuditSubjectsMax = 20; // ids a finding names (keys, users); the count says how many in all
export const securityAuditProxyEvidenceMs = 30 * 24 * 60 * 60 * 1000; // sign-ins this recent tell how requests arrive

// Monitoring (/metrics, the operator console's system health, docs/monitoring.md)
export const metricsScrapeQueryTimeoutMs = 500; // a scrape's database figures wait this long, then show the last ones
export const metricsScrapeCacheMs = 5_000; // database figures are read at most this often, however often scraped
export const webhookBacklogCountMax = 100_000; // the backlog gauge counts pending deliveries up to this, then stops
export const workerHeartbeatWriteIntervalMs = 15_000; // a loop writes its heartbeat row at most this often
export const workerHeartbeatRetentionMs = 7 * 24 * 60 * 60 * 1000; // heartbeats of processes gone this long are deleted
export const workerHeartbeatStaleMs = 5 * 60 * 1000; // a loop with no pass for this long shows as stalled
export const workerHeartbeatErrorLengthMax = 500; // characters of a failed pass's error kept in its heartbeat
export const systemHealthInstancesMax = 500; // heartbeat rows the system health page reads

// Merchant alerts (docs/alerts.md)
export const alertSuccessRateThresholdDefault = 0.8; // shown until a merchant chooses its own
export const alertSuccessRateWindowMinutesDefault = 60;
export const alertSuccessRateWindowMinutesMin = 5;
export const alertSuccessRateWindowMinutesMax = 24 * 60; // raw payments are read over at most a day
export const alertSuccessRateMinAttemptsDefault = 20; // fewer finished payments in the window: no judgement
export const alertSuccessRateMinAttemptsMax = 100_000;
export const alertRecipientsMax = 20;
export const alertCooldownMs = 60 * 60 * 1000; // a "success rate is low" mail is sent at most this often per rule
export const alertEvaluationIntervalMs = 60_000; // how often the worker judges every merchant's success rate
export const alertEvaluationBatchMax = 500; // merchants and modes judged per statement of a pass

// Merchant analytics (src/analytics, docs/analytics.md)
export const analyticsBucketMs = 15 * 60 * 1000; // rollup bucket: every real time zone's day edge falls on one
export const analyticsPlatformBucketMs = 60 * 60 * 1000; // the platform rollup's bucket (UTC hours)
export const analyticsRebuildLockKey = 0x616e616c79; // advisory lock: folds share it, a rebuild holds it alone ("analy")
export const analyticsFoldIntervalMs = 1_000; // how often the worker folds the inbox: figures lag by about this
export const analyticsFoldBatchRowsMax = 5_000; // inbox rows folded per transaction
export const returningCustomerWindowMs = 90 * 24 * 60 * 60 * 1000; // a success this soon after the payer's last is "returning"
export const analyticsDefaultRangeMs = 30 * 24 * 60 * 60 * 1000; // from/to when not given: the last 30 days
export const analyticsRangeMaxMs = 400 * 24 * 60 * 60 * 1000; // longest from..to a query may ask for
export const analyticsTimeseriesPointsMax = 2_500; // buckets in one timeseries (hours over ~104 days, days over a year)
export const analyticsMethodOwnPaymentsMin = 20; // finished payments by a method before a merchant's own figures show
export const analyticsFailuresMax = 100; // failure code and method pairs listed, most frequent first

// Payment links (src/payment-links)
export const paymentLinkSlugLength = 16; // base62 characters after /pay/: about 95 bits, unguessable
export const paymentLinkQuantityMax = 1_000; // the most quantity_max allows a payer to choose
export const paymentLinkMaxUsesMax = 1_000_000;
export const paymentLinkUsesPerAddressMax = 30; // payments one address may start from one link per window …
export const paymentLinkUseWindowMs = 10 * 60 * 1000; // … then 429 rate_limited until the window ends
export const paymentLinkSendsPerMerchantMax = 100; // payment requests by email or SMS per merchant and mode per window
export const paymentLinkSendWindowMs = 60 * 60 * 1000;

// Stores and tills (src/stores)
export const storeNameLengthMax = 100; // characters
export const storeAddressLengthMax = 300; // characters
export const tillNameLengthMax = 100; // characters
export const tillTokenLength = 22; // base62 characters after /t/: about 131 bits, unguessable
export const posterPngScale = 3; // pixels per PDF point of a till poster's PNG: A5 at 216 dpi, 1260 × 1785 pixels

// The web app (web/): JavaScript a page loads before it can draw, gzipped (test/web/first-load-budget.test.ts)
export const webFirstLoadJsGzipBytesMax = 150 * 1024;

// Offline-verifiable payment codes (src/offline, docs/offline-codes.md)
export const offlineCertificateTtlMs = 24 * 60 * 60 * 1000; // a device's certificate makes codes this long
export const offlineSettleGraceMs = 12 * 60 * 60 * 1000; // codes made before expiry settle until this long after it
export const offlineCodeWindowMs = 60 * 1000; // a code names the minute it was made in
export const offlineCodeSkewWindowsMax = 2; // a POS accepts codes this many windows off its own clock, either way
export const offlineCodeSettleAgeMsMax = 12 * 60 * 60 * 1000; // a code settles within this long of when it was made
export const offlineCapDefaultPercentOfPerPayment = 20; // no offline_cap given: this share of the per-payment limit
export const offlineCertificatesActivePerWalletMax = 3; // devices (certificates) of one wallet holding money at once
export const offlineCodeLengthMax = 1_024; // characters of an offline code (about 420 in practice)
export const offlineCounterMax = 4_294_967_295; // a code's counter is a u32
export const offlineSettleAttemptsMax = 50; // a settlement that lost its hold to a parallel one re-reads and retries
export const offlineHoldTimeoutGraceMs = 60 * 60 * 1000; // the ledger's own timeout on a hold, after settle_before
export const offlineReleaseIntervalMs = 5_000; // how often the worker releases holds past their settlement deadline
export const offlineReleaseBatchMax = 200; // certificates released per pass
export const offlineReleaseLeaseMs = 60_000; // a claimed release is retried by another worker after this long
export const offlineKeysCacheMaxAgeS = 300; // Cache-Control max-age of GET /v1/offline_keys

// Stored-value cards (src/stored-value, docs/stored-value.md)
export const storedValueBatchCountMax = 1_000; // cards one POST /v1/stored_value/cards issues at once (one ledger submission)
export const storedValueBreakageGraceMs = 180 * 24 * 60 * 60 * 1000; // after a card's expiry, an operator may return its breakage this long
export const storedValueBreakageReturnActiveMs = 30 * 24 * 60 * 60 * 1000; // a card its breakage returned to pays again for this long
export const storedValueExpiryIntervalMs = 60_000; // how often the expiry worker looks for expired cards
export const storedValueExpiryBatchMax = 200; // cards one expiry pass handles
export const storedValueExpiryLeaseMs = 60_000; // a card claimed by an expiry pass that did not finish is taken again after this long
export const storedValueExpiryAttemptsMax = 3; // an expiry that lost a race with a payment re-reads the balance this often in one pass
export const storedValueExpiryConcurrencyMax = 32; // cards one expiry pass moves at once (parallel ledger submissions sharing group commits)
export const storedValueExpiredMoneyLateMs = 10 * 60_000; // coffer verify: money on an expired card is late once this old (the worker moves it within a pass)
export const storedValueSandboxCardsPerIpHourMax = 100; // magic sandbox card numbers one address may add per hour (each makes a card)
export const storedValueTestCardBalanceDefault = 10_000n; // POST /v1/test_helpers/stored_value/cards without a balance (or the cap if lower)

// Paying again after a failure (src/payment-attempts, docs/adr/0028)
export const paymentRetryWindowMs = 24 * 60 * 60 * 1000; // a failed or expired payment can be paid again this long after its expires_at
export const paymentAttemptsMax = 10; // attempts of one payment, the first included: a payer cannot retry without end

// Feedback after a payment (src/feedback, docs/feedback.md)
export const feedbackWindowMs = 30 * 24 * 60 * 60 * 1000; // the payer rates a payment within this long after it was paid
export const feedbackCommentLengthMax = 1_000; // characters of the payer's comment
export const feedbackTagsMax = 5; // tags of one feedback, from the catalog in src/feedback/model.ts
export const feedbackSummaryBucketsMax = 400; // buckets of GET /v1/feedback/summary (a day each over 400 days at most)

// Coupons, promotion codes and cashback (src/coupons, docs/coupons.md)
export const couponNameLengthMax = 100; // characters of a coupon's or cashback rule's name (the payer sees it)
export const couponRedemptionsMax = 10_000_000; // the most max_redemptions (coupon or code) and per payer may be
export const percentBpsMax = 10_000; // 100 %, in basis points (percent_off_bps, percent_bps)
export const promotionCodeLengthMin = 3; // characters of a promotion code
export const promotionCodeLengthMax = 40;
export const promotionCodeGeneratedLength = 8; // characters of a code coffer makes up (no 0/O, 1/I): ~40 bits
export const couponReleaseIntervalMs = 1_000; // how often discounts of payments that ended unpaid are given back
export const couponReleaseBatchMax = 100; // discounts given back per pass
export const cashbackIntervalMs = 1_000; // how often the cashback worker credits queued payments
export const cashbackBatchMax = 100; // queued payments leased per pass
export const cashbackLeaseMs = 60_000; // a leased payment not finished by then is credited by the next pass
export const cashbackAttemptsMax = 20; // a queued payment that keeps failing is dropped (and logged) after this
export const cashbackRulesSnapshotMs = 5_000; // a process's view of which merchants have active rules is this fresh
export const cashbackRulesRefreshDelayMs = 200; // a stale view is read again this long after a payment needed it

// Disputes (src/disputes, docs/disputes.md)
export const disputeOpenWindowMs = 120 * 24 * 60 * 60 * 1000; // a payer may dispute a payment this long after it was paid
export const disputeEvidenceWindowMs = 7 * 24 * 60 * 60 * 1000; // the merchant answers within this long, or loses
export const disputePayerMessageLengthMax = 2_000; // characters of the payer's account of what happened
export const disputeEvidenceTextLengthMax = 5_000; // characters of each evidence field
export const disputeEvidenceFilesMax = 5; // files of one dispute's evidence
export const disputeDecisionNoteLengthMax = 2_000; // characters of an operator's note on a decision
export const disputeWorkerIntervalMs = 5_000; // how often the worker closes disputes past their due date
export const disputeWorkerBatchMax = 100; // disputes one pass of the worker handles
export const disputeDeadlineLeaseMs = 60_000; // a claimed deadline is looked at again by another worker after this long
export const disputeFundingRetryMs = 10 * 60 * 1000; // a dispute the balance could not cover tries to hold the rest this often
export const disputeCloseAttemptsMax = 5; // a close that raced a new hold re-reads the dispute and tries again

// Support tickets (src/support, docs/support.md)
export const supportFirstResponseMs = 24 * 60 * 60 * 1000; // a new ticket is answered within this long
export const supportResolutionMs = 5 * 24 * 60 * 60 * 1000; // and resolved within this long of being opened
export const supportSubjectLengthMax = 200; // characters
export const supportMessageLengthMax = 5_000; // characters of one message
export const supportAttachmentsPerMessageMax = 3; // files of one message (each at most documentBytesMax)
export const supportOpenTicketsPerCustomerMax = 20; // tickets one payer or merchant may have open (not resolved) at once
export const supportTimelineEventsMax = 50; // events of a ticket's payment shown with the ticket
export const supportUploadBodyBytesMax = supportAttachmentsPerMessageMax * documentUploadBodyBytesMax; // a message with its files
