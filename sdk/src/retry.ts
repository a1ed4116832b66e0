/**
 * When the client retries, and how long it waits. Retries are safe because every POST carries an Idempotency-Key
 * that stays the same across its retries: coffer runs the request at most once and replays its answer.
 */
export const retryDelayInitialMs = 500;
export const retryDelayMaxMs = 8_000;
/** A Retry-After longer than this is not waited for: the error goes to the caller, who can decide. */
export const retryAfterMaxMs = 60_000;

export interface FailedAttempt {
  /** The HTTP status, or undefined when no response arrived (network error, timeout). */
  statusCode: number | undefined;
  /** The error code from coffer's error body, if any. */
  code: string | null;
  retryAfter: string | null;
}

/**
 * Whether a failed attempt may be sent again. Never a 4xx other than 429 and 409 idempotency_key_in_use (those
 * were not run). A network error or 5xx may have happened after coffer acted, so it is retried only when the
 * request is safe to repeat: GET and DELETE, and POST routes that honour Idempotency-Key.
 */
export function isRetryable(attempt: FailedAttempt, safeToRepeat: boolean): boolean {
  const { statusCode, code } = attempt;
  if (statusCode === 429) return true;
  if (statusCode === 409) return code === "idempotency_key_in_use";
  if (statusCode === undefined || statusCode >= 500) return safeToRepeat;
  return false;
}

/**
 * The wait before retry number `retry` (0 for the first): Retry-After when coffer sent one, else exponential
 * backoff with jitter (a random half to all of 500 ms · 2^retry, at most 8 s), so clients that failed together do
 * not come back together. Undefined: do not retry (Retry-After asks for longer than retryAfterMaxMs).
 */
export function retryDelayMs(retry: number, retryAfter: string | null, random: () => number = Math.random) {
  const asked = parseRetryAfterMs(retryAfter);
  if (asked !== undefined) return asked <= retryAfterMaxMs ? asked : undefined;
  const ceiling = Math.min(retryDelayMaxMs, retryDelayInitialMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After is whole seconds or an HTTP date. */
export function parseRetryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
