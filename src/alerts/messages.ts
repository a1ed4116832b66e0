import { defineTemplate } from "../notifications/templates.js";

/** Mail of merchant alerts (docs/alerts.md), in English and Simplified Chinese. */

export const successRateLowTemplate = defineTemplate({
  name: "alert.success_rate_low",
  subject: {
    en: "{{business}}: payment success rate is {{rate}} ({{mode}} mode)",
    "zh-CN": "{{business}}：支付成功率为 {{rate}}（{{mode}}模式）",
  },
  text: {
    en: "Over the last {{window}} minutes, {{succeeded}} of {{attempts}} finished {{mode}} payments succeeded: a success rate of {{rate}}, below your alert threshold of {{threshold}}.\n\nThe failures by method and reason are at GET /v1/analytics/failures and on the console's home page. We tell you again if it stays low after {{cooldown}} minutes, and once it recovers.",
    "zh-CN":
      "过去 {{window}} 分钟内，已结束的{{mode}}支付中有 {{succeeded}} / {{attempts}} 笔成功，成功率 {{rate}}，低于您设置的告警阈值 {{threshold}}。\n\n按支付方式和失败原因的明细见 GET /v1/analytics/failures 和控制台首页。若 {{cooldown}} 分钟后仍然偏低，我们会再次通知；恢复后也会告诉您。",
  },
});

export const successRateRecoveredTemplate = defineTemplate({
  name: "alert.success_rate_recovered",
  subject: {
    en: "{{business}}: payment success rate recovered to {{rate}} ({{mode}} mode)",
    "zh-CN": "{{business}}：支付成功率已恢复至 {{rate}}（{{mode}}模式）",
  },
  text: {
    en: "Over the last {{window}} minutes, {{succeeded}} of {{attempts}} finished {{mode}} payments succeeded: a success rate of {{rate}}, back at or above your alert threshold of {{threshold}}.",
    "zh-CN":
      "过去 {{window}} 分钟内，已结束的{{mode}}支付中有 {{succeeded}} / {{attempts}} 笔成功，成功率 {{rate}}，已回到告警阈值 {{threshold}} 及以上。",
  },
});

export const payoutFailedTemplate = defineTemplate({
  name: "alert.payout_failed",
  subject: {
    en: "{{business}}: payout {{payout_id}} failed ({{mode}} mode)",
    "zh-CN": "{{business}}：提现 {{payout_id}} 失败（{{mode}}模式）",
  },
  text: {
    en: "Your {{mode}} payout {{payout_id}} of {{amount}} {{currency}} (minor units) failed: {{reason}} ({{failure_code}}).\n\nThe money is available in your balance again. Check your settlement bank account in the console's business verification page, then create the payout again (POST /v1/payouts).",
    "zh-CN":
      "您的{{mode}}提现 {{payout_id}}（{{amount}} {{currency}}，最小货币单位）失败：{{reason}}（{{failure_code}}）。\n\n这笔钱已回到您的可用余额。请在控制台的企业认证页面检查结算银行账户，然后重新发起提现（POST /v1/payouts）。",
  },
});

export function modeName(livemode: boolean, locale: "en" | "zh-CN"): string {
  if (locale === "zh-CN") return livemode ? "正式" : "测试";
  return livemode ? "live" : "test";
}

/** A rate for mail: 0.8125 → "81.3%". */
export function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}
