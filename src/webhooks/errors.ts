import { defineErrors } from "../http/errors.js";

export type WebhookErrorCode =
  | "webhook_url_invalid"
  | "webhook_url_not_allowed"
  | "webhook_events_invalid"
  | "webhook_endpoints_limit_reached"
  | "webhook_rotation_overlap_invalid";

export const webhookErrors = defineErrors<WebhookErrorCode>({
  webhook_url_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The webhook URL is not a valid absolute http(s) URL without credentials.",
  },
  webhook_url_not_allowed: {
    status: 400,
    type: "invalid_request_error",
    message:
      "coffer does not send webhooks to this URL: live mode needs https, and hosts that resolve to loopback, private, link-local, CGNAT or metadata addresses are refused.",
  },
  webhook_events_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: 'enabled_events holds event types ("payment.succeeded"), prefixes ("payment.*") or "*".',
  },
  webhook_endpoints_limit_reached: {
    status: 400,
    type: "invalid_request_error",
    message: "This merchant has the most webhook endpoints allowed in this mode; delete one first.",
  },
  webhook_rotation_overlap_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "expires_in must be from 0 to 604800 seconds (7 days).",
  },
});
