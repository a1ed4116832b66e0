import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { webhookResponseExcerptBytesMax, webhookTimeoutMs } from "../limits.js";

/**
 * One webhook POST to an address the SSRF guard already checked. The connection goes to that address (a fixed
 * lookup, so no second DNS answer is used) while TLS still verifies the certificate for the URL's host name.
 * Redirects are never followed: a 3xx is a failed attempt.
 */
export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  /** The first bytes of the answer, for the attempt log. */
  responseExcerpt: string;
  error: string | null;
}

export function postWebhook(
  url: URL,
  address: string,
  family: 4 | 6,
  headers: Record<string, string>,
  body: string,
  timeoutMs = webhookTimeoutMs,
): Promise<SendResult> {
  const started = performance.now();
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    const request = client.request(
      url,
      {
        method: "POST",
        lookup: pinnedLookup,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "coffer-webhooks/1",
        },
        timeout: timeoutMs,
        agent: false, // a fresh connection per attempt: nothing pooled is reused for another, unchecked address
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < webhookResponseExcerptBytesMax) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () => {
          finish({
            statusCode: response.statusCode ?? null,
            responseExcerpt: Buffer.concat(chunks).subarray(0, webhookResponseExcerptBytesMax).toString("utf8"),
            error: null,
          });
        });
        response.on("error", (error) =>
          finish({ statusCode: response.statusCode ?? null, responseExcerpt: "", error: error.message }),
        );
      },
    );
    const deadline = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => finish({ statusCode: null, responseExcerpt: "", error: error.message }));
    request.on("close", () => clearTimeout(deadline));
    request.end(body);
  });
}
