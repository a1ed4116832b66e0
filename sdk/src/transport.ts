import { ApiError, ConnectionError, errorFromResponse } from "./errors.js";
import { type ListPage, ListPromise, type ListQuery } from "./pagination.js";
import { isRetryable, retryDelayMs } from "./retry.js";

/** Options of one call; each overrides the client's setting for that call only. */
export interface RequestOptions {
  /** Sent as Idempotency-Key (POST only) instead of a generated one: reuse it to repeat a request yourself. */
  idempotencyKey?: string;
  maxRetries?: number;
  timeoutMs?: number;
  /** Cancels the call, including its retries and the waits between them. */
  signal?: AbortSignal;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One operation call, as the generated resources describe it. */
export interface RequestSpec {
  method: HttpMethod;
  path: string;
  query?: object;
  body?: object;
  /** The route honours Idempotency-Key, so a POST may be retried after a network error or a 5xx. */
  idempotent?: boolean;
}

/** What the generated resources call. */
export interface Requester {
  request<T>(spec: RequestSpec, options?: RequestOptions): Promise<T>;
  list<T extends { id: string }>(spec: RequestSpec, options?: RequestOptions): ListPromise<T>;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportSettings {
  apiKey: string;
  baseUrl: string;
  apiVersion: string;
  maxRetries: number;
  timeoutMs: number;
  fetch: FetchLike;
}

type Attempt = { response: Response; text: string } | { failure: ConnectionError };

/** Sends requests with global fetch: auth, version, idempotency keys, timeouts, retries, typed errors. */
export class Transport implements Requester {
  readonly #settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
  }

  async request<T>(spec: RequestSpec, options: RequestOptions = {}): Promise<T> {
    const settings = this.#settings;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${settings.apiKey}`,
      "Coffer-Version": settings.apiVersion,
      Accept: "application/json",
    };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    // One key for the request and all its retries: coffer runs it once and replays the answer to a retry.
    if (spec.method === "POST") headers["Idempotency-Key"] = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    const init: RequestInit = { method: spec.method, headers };
    if (spec.body !== undefined) init.body = JSON.stringify(spec.body);
    const url = settings.baseUrl + spec.path + queryString(spec.query);
    const safeToRepeat = spec.method !== "POST" || spec.idempotent === true;
    const maxRetries = options.maxRetries ?? settings.maxRetries;
    const timeoutMs = options.timeoutMs ?? settings.timeoutMs;

    for (let retry = 0; ; retry++) {
      const attempt = await this.#send(url, init, timeoutMs, options.signal);
      if ("response" in attempt && attempt.response.ok) return parseSuccess<T>(attempt.response, attempt.text);
      const error =
        "failure" in attempt
          ? attempt.failure
          : errorFromResponse(attempt.response.status, attempt.text, attempt.response.headers.get("Request-Id"));
      const retryAfter = "response" in attempt ? attempt.response.headers.get("Retry-After") : null;
      const failed = { statusCode: error.statusCode ?? undefined, code: error.code, retryAfter };
      const delay =
        retry < maxRetries && isRetryable(failed, safeToRepeat) ? retryDelayMs(retry, retryAfter) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay, options.signal);
    }
  }

  list<T extends { id: string }>(spec: RequestSpec, options?: RequestOptions): ListPromise<T> {
    return new ListPromise<T>(
      (query) => this.request<ListPage<T>>({ ...spec, query }, options),
      (spec.query ?? {}) as ListQuery,
    );
  }

  async #send(url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined): Promise<Attempt> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const cancel = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      const response = await this.#settings.fetch(url, { ...init, signal: controller.signal });
      // The body is read inside the timeout too: a server that stalls mid-answer is a timeout.
      return { response, text: await response.text() };
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const what = `${init.method} ${url.split("?")[0]}`;
      return {
        failure: timedOut
          ? new ConnectionError(`${what} timed out after ${timeoutMs} ms`, { timedOut: true, cause })
          : new ConnectionError(`${what} failed: ${describe(cause)}`, { timedOut: false, cause }),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", cancel);
    }
  }
}

/** The JSON body of a 2xx; amounts in it are strings and stay strings. A 2xx that is not JSON is not coffer's. */
function parseSuccess<T>(response: Response, text: string): T {
  if (text === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new ApiError({
      type: "api_error",
      code: null,
      message: `HTTP ${response.status} came with a body that is not JSON; is baseUrl a coffer?`,
      requestId: response.headers.get("Request-Id"),
      statusCode: response.status,
      cause,
    });
  }
}

/** "?a=1&b=x" from the defined values; an array repeats its key. */
function queryString(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) params.append(key, String(item));
    }
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : "";
  return `${cause.message}${inner}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}
