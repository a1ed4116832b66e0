import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CofferEvent } from "../events/outbox.js";
import { listLimitMax } from "../limits.js";
import { eventMatches, seconds } from "../webhooks/model.js";
import { secretPrefix, signatureHeader } from "../webhooks/signing.js";
import { ApiFailure, apiClient, apiTargetOptions, apiTargetUsage, resolveApiTarget } from "./api-target.js";
import type { CliContext, Command } from "./command.js";

/**
 * `coffer listen`: builds a webhook handler on a laptop. Streams the merchant's test-mode events from the API and
 * forwards each to a local URL, signed like a real delivery (Standard Webhooks) with a secret derived from the API
 * key, so the handler's verification code is exercised as in production.
 */
const pollIntervalMsDefault = 1_000;
const forwardTimeoutMs = 10_000;

/** Stable per key: restart `coffer listen` and the handler's configured secret still works. */
export function listenSigningSecret(apiKey: string): string {
  const bytes = createHmac("sha256", apiKey).update("coffer listen signing secret").digest().subarray(0, 24);
  return `${secretPrefix}${bytes.toString("base64")}`;
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
    "coffer listen --forward-to http://127.0.0.1:3000/webhooks [--api-key sk_test_…] [--api-url URL] [--events TYPES]",
    "",
    ...apiTargetUsage,
    "                   (a restricted key with events: read is enough)",
    "  --forward-to U   where to POST each event, signed (Standard Webhooks headers)",
    '  --events TYPES   comma-separated types or prefixes, e.g. "payment.*,refund.succeeded" (default all)',
    "",
    "Prints the signing secret to configure in your handler, then one line per forwarded event with the status",
    "code your handler answered. Events that happen while it runs are forwarded; stop with Ctrl+C.",
  ].join("\n"),
  options: {
    ...apiTargetOptions,
    "forward-to": { type: "string" },
    events: { type: "string" },
    "interval-ms": { type: "string" },
  },
  async run(args, context) {
    const { apiUrl, apiKey } = resolveApiTarget(args.values);
    const target = args.values["forward-to"];
    if (apiKey === undefined || typeof target !== "string") {
      context.err("coffer listen: --forward-to and a key (--api-key or COFFER_API_KEY) are required");
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
    const patterns =
      typeof args.values.events === "string"
        ? args.values.events
            .split(",")
            .map((p) => p.trim())
            .filter(Boolean)
        : ["*"];
    const intervalMs = Number(args.values["interval-ms"] ?? pollIntervalMsDefault);
    const secret = listenSigningSecret(apiKey);

    const api = apiClient(apiUrl, apiKey);
    let cursor: string | undefined;
    try {
      cursor = (await api.get<{ data: CofferEvent[] }>("/v1/events?limit=1")).data[0]?.id;
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      context.err(`coffer listen: ${error.message}`);
      return 1;
    }
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
          const page = await api.get<{ data: CofferEvent[]; has_more: boolean }>(
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
