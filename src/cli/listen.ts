import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CofferEvent } from "../events/outbox.js";
import { listLimitMax } from "../limits.js";
import { eventMatches, seconds } from "../webhooks/model.js";
import { secretPrefix, signatureHeader } from "../webhooks/signing.js";
import type { CliContext, Command } from "./command.js";

/**
 * `coffer listen`: builds a webhook handler on a laptop. Streams the merchant's test-mode events from the API and
 * forwards each to a local URL, signed like a real delivery (Standard Webhooks) with a secret derived from the API
 * key, so the handler's verification code is exercised as in production.
 */
const defaultApiUrl = "http://127.0.0.1:4000";
const pollIntervalMsDefault = 1_000;
const forwardTimeoutMs = 10_000;

/** Stable per key: restart `coffer listen` and the handler's configured secret still works. */
export function listenSigningSecret(apiKey: string): string {
  const bytes = createHmac("sha256", apiKey).update("coffer listen signing secret").digest().subarray(0, 24);
  return `${secretPrefix}${bytes.toString("base64")}`;
}

async function api<T>(apiUrl: string, apiKey: string, path: string): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    redirect: "error",
  });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok)
    throw new Error(`${response.status} ${body.error?.code ?? ""}: ${body.error?.message ?? "request failed"}`);
  return body;
}

async function forward(target: string, secret: string, event: CofferEvent, context: CliContext): Promise<void> {
  const body = JSON.stringify(event);
  const timestamp = seconds(new Date());
  const started = performance.now();
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatureHeader([secret], event.id, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(forwardTimeoutMs),
    });
    const ms = Math.round(performance.now() - started);
    context.out(`<-- [${response.status}] POST ${target} (${ms} ms) ${event.type} ${event.id}`);
  } catch (error) {
    context.out(`<-- [ERR] POST ${target} ${event.type} ${event.id}: ${(error as Error).message}`);
  }
}

export const listenCommand: Command = {
  summary: "Forward your test-mode events to a local webhook handler",
  usage: [
    "coffer listen --api-key sk_test_… --forward-to http://localhost:3000/webhooks [--api-url URL] [--events TYPES]",
    "",
    "  --api-key K      a test-mode secret or restricted key (events: read)",
    "  --forward-to U   where to POST each event, signed (Standard Webhooks headers)",
    `  --api-url U      the coffer API (default ${defaultApiUrl})`,
    '  --events TYPES   comma-separated types or prefixes, e.g. "payment.*,refund.succeeded" (default all)',
    "",
    "Prints the signing secret to configure in your handler, then one line per forwarded event with the status",
    "code your handler answered. Events that happen while it runs are forwarded; stop with Ctrl+C.",
  ].join("\n"),
  options: {
    "api-key": { type: "string" },
    "forward-to": { type: "string" },
    "api-url": { type: "string" },
    events: { type: "string" },
    "interval-ms": { type: "string" },
  },
  async run(args, context) {
    const apiKey = args.values["api-key"];
    const target = args.values["forward-to"];
    if (typeof apiKey !== "string" || typeof target !== "string") {
      context.err("coffer listen: --api-key and --forward-to are required");
      return 2;
    }
    if (/_live_/.test(apiKey)) {
      context.err("coffer listen: use a test-mode key; live events are delivered to your webhook endpoints");
      return 2;
    }
    try {
      const url = new URL(target);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    } catch {
      context.err(`coffer listen: --forward-to must be an http(s) URL, got "${target}"`);
      return 2;
    }
    const apiUrl = String(args.values["api-url"] ?? defaultApiUrl).replace(/\/$/, "");
    const patterns =
      typeof args.values.events === "string"
        ? args.values.events
            .split(",")
            .map((p) => p.trim())
            .filter(Boolean)
        : ["*"];
    const intervalMs = Number(args.values["interval-ms"] ?? pollIntervalMsDefault);
    const secret = listenSigningSecret(apiKey);

    const latest = await api<{ data: CofferEvent[] }>(apiUrl, apiKey, "/v1/events?limit=1");
    let cursor = latest.data[0]?.id;
    context.out(`Ready! Forwarding ${patterns.join(", ")} events to ${target}`);
    context.out(`Your webhook signing secret is ${secret}`);

    let stopping = false;
    const stop = () => {
      stopping = true;
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    while (!stopping) {
      try {
        // ending_before pages toward newer events; a full page means more may follow at once.
        let more = true;
        while (more && !stopping) {
          const query = cursor ? `&ending_before=${encodeURIComponent(cursor)}` : "";
          const page = await api<{ data: CofferEvent[]; has_more: boolean }>(
            apiUrl,
            apiKey,
            `/v1/events?limit=${listLimitMax}${query}`,
          );
          const oldestFirst = [...page.data].reverse();
          for (const event of oldestFirst) {
            if (eventMatches(patterns, event.type)) await forward(target, secret, event, context);
            cursor = event.id;
          }
          more = page.has_more;
        }
      } catch (error) {
        context.err(`coffer listen: ${(error as Error).message}; retrying`);
      }
      await sleep(intervalMs);
    }
    return 0;
  },
};
