import type { Metadata } from "../http/metadata.js";
/** Webhook endpoints and deliveries as the API shows them (snake_case, seconds since the epoch). */

export interface WebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  url: string;
  description: string | null;
  metadata: Metadata;
  enabled_events: string[];
  status: "enabled" | "disabled";
  disabled_reason: "manual" | "gone" | "failing" | null;
  /** The API version its events are written in. */
  api_version: string;
  livemode: boolean;
  created: number;
}

export interface WebhookAttempt {
  attempt: number;
  attempted_at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

export interface WebhookDelivery {
  id: string;
  object: "webhook_delivery";
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: "pending" | "delivering" | "succeeded" | "failed" | "abandoned";
  attempts: WebhookAttempt[];
  next_attempt_at: number | null;
  created: number;
  delivered_at: number | null;
  livemode: boolean;
}

export interface EndpointRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  url: string;
  description: string | null;
  metadata: Metadata;
  enabled_events: string[];
  status: "enabled" | "disabled";
  disabled_reason: WebhookEndpoint["disabled_reason"];
  api_version: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export function endpointFromRow(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    object: "webhook_endpoint",
    url: row.url,
    description: row.description,
    metadata: row.metadata,
    enabled_events: row.enabled_events,
    status: row.status,
    disabled_reason: row.disabled_reason,
    api_version: row.api_version,
    livemode: row.livemode,
    created: seconds(row.created_at),
  };
}

/** "*" matches every type, "payment.*" every payment event, anything else exactly one type. */
export function eventMatches(enabledEvents: readonly string[], type: string): boolean {
  return enabledEvents.some((pattern) => {
    if (pattern === "*") return true;
    if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

/** The secret's aad: a ciphertext only decrypts as the secret of the endpoint it was made for. */
export const secretAad = (endpointId: string, which: "current" | "previous") =>
  `webhook_endpoints.${which}_secret:${endpointId}`;
