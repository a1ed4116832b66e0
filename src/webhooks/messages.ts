import { defineTemplate } from "../notifications/templates.js";

/** Told to a merchant's owner and admins when coffer disables one of its webhook endpoints. */
export const endpointDisabledTemplate = defineTemplate({
  name: "webhook.endpoint_disabled",
  subject: {
    en: "coffer stopped sending webhooks to {{url}}",
    "zh-CN": "coffer 已停止向 {{url}} 发送 Webhook",
  },
  text: {
    en: 'Your {{mode}} webhook endpoint {{endpoint_id}} at {{url}} was disabled: {{reason}}\n\nEvents keep being recorded; none are sent to this endpoint until you enable it again (POST /v1/webhook_endpoints/{{endpoint_id}} with {"disabled": false}) — then resend what you missed with POST /v1/events/{id}/redeliver. The delivery log is at GET /v1/webhook_endpoints/{{endpoint_id}}/deliveries.',
    "zh-CN":
      '您的{{mode}} Webhook 端点 {{endpoint_id}}（{{url}}）已被停用：{{reason}}\n\n事件仍会照常记录，但在您重新启用该端点（POST /v1/webhook_endpoints/{{endpoint_id}}，{"disabled": false}）之前不会再发送；启用后可用 POST /v1/events/{id}/redeliver 补发错过的事件。投递日志见 GET /v1/webhook_endpoints/{{endpoint_id}}/deliveries。',
  },
});

export const disabledReasonText = {
  gone: { en: "it answered 410 Gone.", "zh-CN": "它返回了 410 Gone。" },
  failing: {
    en: "its deliveries kept failing for days without a single success.",
    "zh-CN": "连续数天投递失败，且没有一次成功。",
  },
} as const;
