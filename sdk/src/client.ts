import { apiVersion, CofferResources } from "./generated.js";
import { type FetchLike, Transport } from "./transport.js";

export interface CofferOptions {
  /** Where your coffer answers, e.g. "https://pay.example.com". Default: http://127.0.0.1:4000 (`coffer start`). */
  baseUrl?: string;
  /** The Coffer-Version to use. Default: the version this SDK was generated against. */
  apiVersion?: string;
  /** How many times a failed request is retried when that is safe (see docs). Default 2. */
  maxRetries?: number;
  /** How long one attempt may take, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Another fetch implementation (a proxy, instrumentation, tests). Default: the global fetch. */
  fetch?: FetchLike;
}

export const defaultBaseUrl = "http://127.0.0.1:4000";
export const defaultMaxRetries = 2;
export const defaultTimeoutMs = 30_000;

/**
 * The coffer API client. Resources hang off it: `coffer.events.list()`, `coffer.webhookEndpoints.create({…})`.
 *
 *   const coffer = new Coffer(process.env.COFFER_SECRET_KEY!, { baseUrl: "https://pay.example.com" });
 */
export class Coffer extends CofferResources {
  constructor(apiKey: string, options: CofferOptions = {}) {
    if (typeof apiKey !== "string" || apiKey.trim() === "") {
      throw new TypeError("new Coffer(apiKey): pass your secret API key (sk_test_… or sk_live_…)");
    }
    const maxRetries = options.maxRetries ?? defaultMaxRetries;
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError("maxRetries must be a whole number ≥ 0");
    if (!(timeoutMs > 0)) throw new RangeError("timeoutMs must be greater than 0");
    const fetchImpl = options.fetch;
    super(
      new Transport({
        apiKey,
        baseUrl: (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, ""),
        apiVersion: options.apiVersion ?? apiVersion,
        maxRetries,
        timeoutMs,
        // Called without a receiver: the global fetch looked up at call time, so it may be replaced later.
        fetch: fetchImpl ?? ((input, init) => globalThis.fetch(input, init)),
      }),
    );
  }
}
