import { defineTemplate } from "../notifications/templates.js";

/** The payer's receipts and payment reminders, in English and Simplified Chinese (queued by ./notices.ts). */

export const receiptTemplate = defineTemplate({
  name: "payment.receipt",
  subject: {
    en: "Your receipt from {{merchant}}: {{amount}}",
    "zh-CN": "{{merchant}} 的付款凭证：{{amount}}",
  },
  text: {
    en: "You paid {{merchant}} {{amount}}.\n\nFor: {{description}}\nPayment: {{payment_id}}\n\nKeep this message as your receipt. Questions about the purchase go to {{merchant}}.\n\nHow was it? Rate this payment:\n{{feedback}}",
    "zh-CN":
      "您已向 {{merchant}} 付款 {{amount}}。\n\n商品说明：{{description}}\n付款编号：{{payment_id}}\n\n请保留此消息作为付款凭证。如对本次购买有疑问，请联系 {{merchant}}。\n\n本次体验如何？请为这笔付款评分：\n{{feedback}}",
  },
});

export const reminderTemplate = defineTemplate({
  name: "payment.reminder",
  subject: {
    en: "Your payment to {{merchant}} did not go through",
    "zh-CN": "您向 {{merchant}} 的付款未完成",
  },
  text: {
    en: "Your payment of {{amount}} to {{merchant}} ({{description}}) did not go through: {{reason}}\n\nTo pay again, open:\n{{link}}\n\nPayment: {{payment_id}}\n\nTo receive no more payment reminders, open:\n{{unsubscribe}}",
    "zh-CN":
      "您向 {{merchant}} 支付 {{amount}}（{{description}}）未完成：{{reason}}\n\n如需重新付款，请打开：\n{{link}}\n\n付款编号：{{payment_id}}\n\n如不想再收到付款提醒，请打开：\n{{unsubscribe}}",
  },
});

/** The reminder of a merchant that set no pay-again link: the payer asks the merchant for a new payment. */
export const reminderWithoutLinkTemplate = defineTemplate({
  name: "payment.reminder_no_link",
  subject: reminderTemplate.subject,
  text: {
    en: "Your payment of {{amount}} to {{merchant}} ({{description}}) did not go through: {{reason}}\n\nTo pay again, ask {{merchant}} for a new payment.\n\nPayment: {{payment_id}}\n\nTo receive no more payment reminders, open:\n{{unsubscribe}}",
    "zh-CN":
      "您向 {{merchant}} 支付 {{amount}}（{{description}}）未完成：{{reason}}\n\n如需重新付款，请向 {{merchant}} 重新发起付款。\n\n付款编号：{{payment_id}}\n\n如不想再收到付款提醒，请打开：\n{{unsubscribe}}",
  },
});

/** Why the payment did not go through, as a reminder says it. */
export const reminderReasons = {
  en: {
    insufficient_funds: "your wallet did not have enough money.",
    limit_exceeded: "the payment is above your wallet's limits.",
    currency_not_supported: "your wallet cannot hold this currency.",
    wallet_frozen: "your wallet is frozen.",
    expired: "it was not completed in time.",
    confirmation_timeout: "it was not confirmed in time.",
    other: "it could not be completed.",
  },
  "zh-CN": {
    insufficient_funds: "钱包余额不足。",
    limit_exceeded: "付款金额超出了钱包限额。",
    currency_not_supported: "钱包不支持该币种。",
    wallet_frozen: "钱包已被冻结。",
    expired: "未在有效期内完成付款。",
    confirmation_timeout: "未在规定时间内确认付款。",
    other: "付款无法完成。",
  },
} as const;

export const unsubscribedPage = {
  en: {
    title: "Unsubscribed",
    done: "You will receive no more payment reminders. Receipts are still sent.",
    invalid: "This link is not valid.",
  },
  "zh-CN": {
    title: "已退订",
    done: "您将不再收到付款提醒。付款凭证仍会照常发送。",
    invalid: "此链接无效。",
  },
} as const;
