import { defineTemplate } from "../notifications/templates.js";

/** The payment request a merchant sends through coffer (POST /v1/payment_links/{id}/send), by email or SMS. */
export const paymentRequestTemplate = defineTemplate({
  name: "payment_link.request",
  subject: {
    en: "{{merchant}} asks you to pay {{amount}}",
    "zh-CN": "{{merchant}} 请您付款 {{amount}}",
  },
  text: {
    en: "{{merchant}} asks you to pay {{amount}} for: {{description}}\n\nTo pay, open:\n{{link}}\n\nIf you were not expecting this, ignore this message and ask {{merchant}} directly.",
    "zh-CN":
      "{{merchant}} 请您支付 {{amount}}，用于：{{description}}\n\n请打开以下链接付款：\n{{link}}\n\n如果您并未预期收到此消息，请忽略，并直接联系 {{merchant}}。",
  },
});
