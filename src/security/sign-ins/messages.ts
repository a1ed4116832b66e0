import { defineTemplate } from "../../notifications/templates.js";

/**
 * New-device sign-in alerts. They name the time (UTC), the device and the address, and carry the single-use
 * "this wasn't me" link. Written for people: what happened, what to do if it was them (nothing) and if it was not.
 */
export const walletNewDeviceTemplate = defineTemplate({
  name: "security.wallet_new_device",
  subject: {
    en: "New sign-in to your coffer wallet",
    "zh-CN": "您的 coffer 钱包在新设备上登录",
  },
  text: {
    en:
      "Your coffer wallet was just signed in to from a device it has not seen before.\n\n" +
      "When: {{when}} (UTC)\nDevice: {{device}}\nNetwork address: {{ip}}\n\n" +
      "If this was you, there is nothing to do.\n\n" +
      "If this was NOT you, open this link now: {{link}}\n" +
      "It signs your wallet out on every device and freezes payments until you reset your password. " +
      "The link works once, for {{days}} days.\n\n" +
      "coffer will never ask you for your password, your verification codes or your payment code, by phone, message or mail.",
    "zh-CN":
      "您的 coffer 钱包刚刚在一台从未使用过的设备上登录。\n\n" +
      "时间：{{when}}（UTC）\n设备：{{device}}\n网络地址：{{ip}}\n\n" +
      "如果是您本人操作，无需任何处理。\n\n" +
      "如果不是您本人，请立即打开此链接：{{link}}\n" +
      "它会让您的钱包在所有设备上退出登录，并冻结付款，直到您重设密码。此链接仅可使用一次，{{days}} 天内有效。\n\n" +
      "coffer 绝不会通过电话、短信或邮件向您索要密码、验证码或付款码。",
  },
});

export const walletNewDeviceSmsTemplate = defineTemplate({
  name: "security.wallet_new_device_sms",
  subject: {
    en: "coffer",
    "zh-CN": "coffer",
  },
  text: {
    en: "New sign-in to your wallet from {{device}} at {{when}} UTC. Not you? Open {{link}} to sign out everywhere and freeze payments.",
    "zh-CN": "您的钱包于 {{when}}（UTC）在 {{device}} 上登录。不是您本人？打开 {{link}} 退出所有设备并冻结付款。",
  },
});

export const consoleNewDeviceTemplate = defineTemplate({
  name: "security.console_new_device",
  subject: {
    en: "New sign-in to your coffer console account",
    "zh-CN": "您的 coffer 商户控制台账户在新设备上登录",
  },
  text: {
    en:
      "Your coffer console account ({{email}}) was just signed in to from a browser it has not seen before.\n\n" +
      "When: {{when}} (UTC)\nDevice: {{device}}\nNetwork address: {{ip}}\n\n" +
      "If this was you, there is nothing to do.\n\n" +
      "If this was NOT you, open this link now: {{link}}\n" +
      "It signs your account out everywhere and requires a new password before anyone can sign in again. " +
      "The link works once, for {{days}} days.\n\n" +
      "coffer will never ask you for your password, your authenticator codes or your secret API keys.",
    "zh-CN":
      "您的 coffer 商户控制台账户（{{email}}）刚刚在一个从未使用过的浏览器上登录。\n\n" +
      "时间：{{when}}（UTC）\n设备：{{device}}\n网络地址：{{ip}}\n\n" +
      "如果是您本人操作，无需任何处理。\n\n" +
      "如果不是您本人，请立即打开此链接：{{link}}\n" +
      "它会让您的账户在所有地方退出登录，并要求设置新密码后才能再次登录。此链接仅可使用一次，{{days}} 天内有效。\n\n" +
      "coffer 绝不会向您索要密码、身份验证器验证码或 API 密钥。",
  },
});

export const walletPasswordResetTemplate = defineTemplate({
  name: "security.wallet_password_reset",
  subject: { en: "Your coffer password reset code", "zh-CN": "您的 coffer 重设密码验证码" },
  text: {
    en: "Your code to reset your coffer wallet password is {{code}}. It expires in {{minutes}} minutes. Never tell this code to anyone, including people who say they are from coffer. If you did not ask for it, ignore this message.",
    "zh-CN":
      "您重设 coffer 钱包密码的验证码是 {{code}}，{{minutes}} 分钟内有效。请勿将此验证码告诉任何人，包括自称 coffer 工作人员的人。如非本人操作，请忽略此消息。",
  },
});
