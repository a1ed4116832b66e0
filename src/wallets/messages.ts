import { defineTemplate } from "../notifications/templates.js";

/** The messages wallet users get, in English and Simplified Chinese. SMS bodies are "subject: text". */

export const verificationCodeTemplate = defineTemplate({
  name: "wallet.verification_code",
  subject: { en: "Your coffer code", "zh-CN": "您的 coffer 验证码" },
  text: {
    en: "Your coffer verification code is {{code}}. It expires in {{minutes}} minutes. If you did not sign up, ignore this message.",
    "zh-CN": "您的 coffer 验证码是 {{code}}，{{minutes}} 分钟内有效。如非本人操作，请忽略此消息。",
  },
});

export const signupExistingTemplate = defineTemplate({
  name: "wallet.signup_existing",
  subject: { en: "You already have a coffer wallet", "zh-CN": "您已有 coffer 钱包" },
  text: {
    en: "Someone asked for a new coffer wallet with this address, but it has one already. If that was you, log in instead. If not, you can ignore this message.",
    "zh-CN":
      "有人使用此地址申请新的 coffer 钱包，但该地址已有钱包。如果是您本人，请直接登录；如果不是，可以忽略此消息。",
  },
});

export const transferReceivedTemplate = defineTemplate({
  name: "wallet.transfer_received",
  subject: { en: "You received {{amount}} {{currency}}", "zh-CN": "您收到 {{amount}} {{currency}}" },
  text: {
    en: "{{sender}} sent you {{amount}} {{currency}}.\n\nNote: {{note}}",
    "zh-CN": "{{sender}} 向您转账 {{amount}} {{currency}}。\n\n附言：{{note}}",
  },
});

export const topUpFailedTemplate = defineTemplate({
  name: "wallet.top_up_failed",
  subject: { en: "Your top-up did not go through", "zh-CN": "您的充值未成功" },
  text: {
    en: "Your top-up of {{amount}} {{currency}} from the bank account ending {{last4}} failed: {{reason}}. Nothing was added to your wallet.",
    "zh-CN": "您从尾号 {{last4}} 的银行账户充值 {{amount}} {{currency}} 失败：{{reason}}。钱包余额未变化。",
  },
});

export const withdrawalFailedTemplate = defineTemplate({
  name: "wallet.withdrawal_failed",
  subject: { en: "Your withdrawal was returned", "zh-CN": "您的提现已退回" },
  text: {
    en: "Your withdrawal of {{amount}} {{currency}} to the bank account ending {{last4}} failed: {{reason}}. The money is back in your wallet.",
    "zh-CN": "您提现 {{amount}} {{currency}} 到尾号 {{last4}} 的银行账户失败：{{reason}}。款项已退回您的钱包。",
  },
});
