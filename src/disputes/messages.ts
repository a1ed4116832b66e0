import { defineTemplate, type Locale } from "../notifications/templates.js";
import type { DisputeReason, DisputeStatus } from "./model.js";

/** The mails of disputes, in English and Simplified Chinese: to the merchant when one opens and closes, to the payer when it closes. */

export const disputeOpenedTemplate = defineTemplate({
  name: "dispute.opened",
  subject: {
    en: "A payer disputed a payment of {{amount}}: answer by {{due_by}}",
    "zh-CN": "有付款人对一笔 {{amount}} 的付款提出争议：请在 {{due_by}} 前答复",
  },
  text: {
    en: "A payer disputed payment {{payment_id}} ({{mode}}) of {{amount}}.\n\nReason: {{reason}}\nWhat they say: {{message}}\n\n{{amount}} is held from your balance until the dispute is decided. Answer with your evidence by {{due_by}} (UTC), or the dispute is lost and the payer gets the money back:\n{{link}}",
    "zh-CN":
      "付款人对付款 {{payment_id}}（{{mode}}）的 {{amount}} 提出了争议。\n\n原因：{{reason}}\n付款人说明：{{message}}\n\n在争议裁决前，您的余额中将冻结 {{amount}}。请在 {{due_by}}（UTC）前提交证据答复，否则争议将判您败诉，款项退还付款人：\n{{link}}",
  },
});

export const disputeClosedTemplate = defineTemplate({
  name: "dispute.closed",
  subject: {
    en: "Dispute of payment {{payment_id}}: {{outcome}}",
    "zh-CN": "付款 {{payment_id}} 的争议：{{outcome}}",
  },
  text: {
    en: "The dispute of payment {{payment_id}} ({{mode}}, {{amount}}) is closed: {{outcome}}.\n\n{{detail}}\n\n{{link}}",
    "zh-CN": "付款 {{payment_id}}（{{mode}}，{{amount}}）的争议已结案：{{outcome}}。\n\n{{detail}}\n\n{{link}}",
  },
});

export const disputeClosedPayerTemplate = defineTemplate({
  name: "dispute.closed_payer",
  subject: {
    en: "Your dispute with {{merchant}}: {{outcome}}",
    "zh-CN": "您与 {{merchant}} 的争议：{{outcome}}",
  },
  text: {
    en: "Your dispute of the payment of {{amount}} to {{merchant}} is closed: {{outcome}}.\n\n{{detail}}\n\nPayment: {{payment_id}}",
    "zh-CN":
      "您对向 {{merchant}} 支付的 {{amount}} 提出的争议已结案：{{outcome}}。\n\n{{detail}}\n\n付款编号：{{payment_id}}",
  },
});

export const reasonNames: Record<Locale, Record<DisputeReason, string>> = {
  en: {
    fraudulent: "the payer did not make this payment",
    product_not_received: "the goods or service were not received",
    product_unacceptable: "the goods or service were not as described",
    duplicate: "the payer was charged twice",
    credit_not_processed: "a promised refund did not arrive",
    general: "other",
  },
  "zh-CN": {
    fraudulent: "付款人未进行过这笔付款",
    product_not_received: "未收到商品或服务",
    product_unacceptable: "商品或服务与描述不符",
    duplicate: "重复扣款",
    credit_not_processed: "承诺的退款未到账",
    general: "其他",
  },
};

type ClosedStatus = Extract<DisputeStatus, "won" | "lost">;

/** The outcome as the merchant reads it (won: the merchant won). */
export const merchantOutcomes: Record<Locale, Record<ClosedStatus, { outcome: string; detail: string }>> = {
  en: {
    won: { outcome: "won", detail: "The held amount is in your available balance again." },
    lost: { outcome: "lost", detail: "The held amount was returned to the payer." },
  },
  "zh-CN": {
    won: { outcome: "胜诉", detail: "冻结的金额已恢复到您的可用余额。" },
    lost: { outcome: "败诉", detail: "冻结的金额已退还给付款人。" },
  },
};

/** The outcome as the payer reads it (lost: the merchant lost, the payer gets the money). */
export const payerOutcomes: Record<Locale, Record<ClosedStatus, { outcome: string; detail: string }>> = {
  en: {
    won: {
      outcome: "decided for the merchant",
      detail: "The merchant showed the payment was in order; nothing is returned to your wallet.",
    },
    lost: { outcome: "decided for you", detail: "The disputed amount is returned to your wallet." },
  },
  "zh-CN": {
    won: { outcome: "裁决支持商户", detail: "商户证明了付款无误，款项不会退回您的钱包。" },
    lost: { outcome: "裁决支持您", detail: "争议金额将退回您的钱包。" },
  },
};
