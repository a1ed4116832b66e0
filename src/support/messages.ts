import { defineTemplate } from "../notifications/templates.js";

/** The mails of support tickets, in English and Simplified Chinese: a new ticket, a reply, a resolution. */

export const ticketOpenedTemplate = defineTemplate({
  name: "support.ticket_opened",
  subject: {
    en: "New support ticket: {{subject}}",
    "zh-CN": "新的客服工单：{{subject}}",
  },
  text: {
    en: "{{customer}} opened a support ticket ({{mode}}).\n\n{{body}}\n\nPlease answer by {{due_by}} (UTC):\n{{link}}",
    "zh-CN": "{{customer}} 提交了一张客服工单（{{mode}}）。\n\n{{body}}\n\n请在 {{due_by}}（UTC）前答复：\n{{link}}",
  },
});

export const ticketReplyTemplate = defineTemplate({
  name: "support.ticket_reply",
  subject: {
    en: "New reply: {{subject}}",
    "zh-CN": "工单有新回复：{{subject}}",
  },
  text: {
    en: "{{author}} replied to the ticket \u201c{{subject}}\u201d:\n\n{{body}}\n\nRead and answer it here:\n{{link}}",
    "zh-CN": "{{author}} 回复了工单\u201c{{subject}}\u201d：\n\n{{body}}\n\n在此查看并回复：\n{{link}}",
  },
});

export const ticketResolvedTemplate = defineTemplate({
  name: "support.ticket_resolved",
  subject: {
    en: "Resolved: {{subject}}",
    "zh-CN": "工单已解决：{{subject}}",
  },
  text: {
    en: "Your ticket \u201c{{subject}}\u201d was marked resolved.\n\nIf something is still wrong, reply to it and it opens again:\n{{link}}",
    "zh-CN": "您的工单\u201c{{subject}}\u201d已标记为已解决。\n\n如果问题仍未解决，回复该工单即可重新打开：\n{{link}}",
  },
});

/** How the platform signs its messages to customers. */
export const platformName = { en: "coffer support", "zh-CN": "coffer 客服" } as const;
