import { defineMessages, usePageMessages } from "./i18n";

/**
 * The texts of the client-side rules of ./form.tsx: what a field says before anything is sent. They travel with the
 * form layer, so only the pages with such forms load them.
 */
const en = {
  "rule.required": "Fill this in.",
  "rule.amount.empty": "Enter an amount, like 12.50.",
  "rule.amount.format": "Enter digits with at most one decimal point, like 12.50.",
  "rule.amount.precision":
    "{currency} amounts have {digits, plural, =0 {no decimal places} one {at most # decimal place} other {at most # decimal places}}.",
  "rule.amount.zero": "Enter an amount above zero.",
  "rule.amount.tooLarge": "This amount is too large.",
  "rule.amount.belowMin": "Enter at least the least amount.",
  "rule.amount.notAboveDiscount": "Enter more than the amount off.",
  "rule.amount.belowDiscount": "Enter at least the amount off.",
  "rule.whole": "Enter a whole number from {min, number} to {max, number}.",
  "rule.percent": "Enter a percent from 0.01 to 100, with at most 2 decimal places.",
  "rule.maxLength": "Use at most {max, number} characters.",
  "rule.currency": "Enter a currency code, like USD.",
  "rule.code": "Use 3 to 40 letters, digits, - and _, starting with a letter or a digit.",
  "rule.futureDay": "Choose a day from today on.",
  "rule.url": "Enter a full address that starts with https://.",
  "rule.urlOrHttp": "Enter a full address that starts with https:// or http://.",
  "rule.events":
    "Enter event types like payment.succeeded, prefixes like payment.*, or * for all, separated by commas.",
  "rule.eventsTooMany": "List at most {max, number} event types.",
  "rule.file.type": "Choose a PDF, PNG or JPEG file.",
  "rule.file.size": "Choose a file of at most {max, number} MB.",
  "rule.evidence.empty": "Write your explanation or add a file before you submit.",
};

const zhCN: typeof en = {
  "rule.required": "请填写此项。",
  "rule.amount.empty": "请输入金额，例如 12.50。",
  "rule.amount.format": "请输入数字，最多一个小数点，例如 12.50。",
  "rule.amount.precision": "{currency} 金额{digits, plural, =0 {不能有小数} other {最多 # 位小数}}。",
  "rule.amount.zero": "请输入大于零的金额。",
  "rule.amount.tooLarge": "金额过大。",
  "rule.amount.belowMin": "不能低于最低金额。",
  "rule.amount.notAboveDiscount": "须高于减免金额。",
  "rule.amount.belowDiscount": "不能低于减免金额。",
  "rule.whole": "请输入 {min, number} 到 {max, number} 之间的整数。",
  "rule.percent": "请输入 0.01 到 100 之间的比例，最多两位小数。",
  "rule.maxLength": "最多 {max, number} 个字符。",
  "rule.currency": "请输入币种代码，例如 USD。",
  "rule.code": "请使用 3 到 40 个字母、数字、- 或 _，以字母或数字开头。",
  "rule.futureDay": "请选择今天或之后的日期。",
  "rule.url": "请输入以 https:// 开头的完整网址。",
  "rule.urlOrHttp": "请输入以 https:// 或 http:// 开头的完整网址。",
  "rule.events": "请输入事件类型（如 payment.succeeded）、前缀（如 payment.*）或 *（全部），用逗号分隔。",
  "rule.eventsTooMany": "最多填写 {max, number} 个事件类型。",
  "rule.file.type": "请选择 PDF、PNG 或 JPEG 文件。",
  "rule.file.size": "请选择不超过 {max, number} MB 的文件。",
  "rule.evidence.empty": "提交前请填写说明或添加文件。",
};

const messages = defineMessages(en, zhCN);
export type FormMessageKey = keyof typeof en;

export function useFormMessages() {
  return usePageMessages(messages);
}
