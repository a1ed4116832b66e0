import { defineMessages, usePageMessages } from "../../shared/i18n";

/** Texts of paying a till's static QR code, where the payer types the amount (the scan page's other texts are in ../messages.ts). */
const en = {
  "till.title": "Pay {merchant}",
  "till.where": "{store} · {till}",
  "till.amount": "Amount ({currency})",
  "till.amountHint": "The amount the cashier tells you.",
  "till.continue": "Continue",
  "till.cancel": "Scan another code",
  "till.amount.empty": "Type the amount to pay.",
  "till.amount.format": "Type the amount as a number, like 12.50.",
  "till.amount.precision": "That amount has too many decimals for {currency}.",
  "till.amount.zero": "The amount must be more than zero.",
};

const zhCN: typeof en = {
  "till.title": "向 {merchant} 付款",
  "till.where": "{store} · {till}",
  "till.amount": "金额（{currency}）",
  "till.amountHint": "请输入收银员告诉您的金额。",
  "till.continue": "继续",
  "till.cancel": "扫描其他二维码",
  "till.amount.empty": "请输入付款金额。",
  "till.amount.format": "请输入数字金额，例如 12.50。",
  "till.amount.precision": "该金额的小数位数超过了 {currency} 允许的位数。",
  "till.amount.zero": "金额必须大于零。",
};

export const messages = defineMessages(en, zhCN);
export const useTillT = () => usePageMessages(messages);
