import { defineTemplate } from "../notifications/templates.js";

/** The mails of the merchant platform, in English and Simplified Chinese. */

export const verifyEmailTemplate = defineTemplate({
  name: "merchant.verify_email",
  subject: {
    en: "Verify your email address for {{business_name}}",
    "zh-CN": "验证 {{business_name}} 的邮箱地址",
  },
  text: {
    en: "Welcome to coffer.\n\nTo finish signing up {{business_name}}, verify your email address by opening this link:\n{{link}}\n\nThe link works once and expires in {{hours}} hours. If you did not sign up, ignore this mail.",
    "zh-CN":
      "欢迎使用 coffer。\n\n请打开以下链接验证邮箱，完成 {{business_name}} 的注册：\n{{link}}\n\n该链接只能使用一次，{{hours}} 小时后失效。如果不是您本人注册，请忽略此邮件。",
  },
});

export const signupExistingTemplate = defineTemplate({
  name: "merchant.signup_existing",
  subject: {
    en: "You already have a coffer account",
    "zh-CN": "您已经有 coffer 账户了",
  },
  text: {
    en: "Someone tried to sign up with this email address, which already has a coffer account.\n\nIf it was you, sign in instead, or reset your password here:\n{{link}}\n\nIf it was not you, nothing changed and you can ignore this mail.",
    "zh-CN":
      "有人尝试用此邮箱注册，但该邮箱已有 coffer 账户。\n\n如果是您本人，请直接登录，或在此重置密码：\n{{link}}\n\n如果不是您本人，账户没有任何变化，请忽略此邮件。",
  },
});

export const passwordResetTemplate = defineTemplate({
  name: "merchant.password_reset",
  subject: {
    en: "Reset your coffer password",
    "zh-CN": "重置您的 coffer 密码",
  },
  text: {
    en: "To choose a new password, open this link:\n{{link}}\n\nThe link works once and expires in {{minutes}} minutes. Setting a new password signs you out everywhere. If you did not ask for this, ignore this mail: your password stays as it is.",
    "zh-CN":
      "请打开以下链接设置新密码：\n{{link}}\n\n该链接只能使用一次，{{minutes}} 分钟后失效。设置新密码后，所有设备上的登录都会退出。如果不是您本人操作，请忽略此邮件，密码不会改变。",
  },
});

export const teamInviteTemplate = defineTemplate({
  name: "merchant.team_invite",
  subject: {
    en: "{{inviter}} invited you to {{business_name}} on coffer",
    "zh-CN": "{{inviter}} 邀请您加入 coffer 上的 {{business_name}}",
  },
  text: {
    en: "{{inviter}} invited you to join {{business_name}} on coffer as {{role}}.\n\nAccept the invitation here:\n{{link}}\n\nThe invitation expires in {{days}} days.",
    "zh-CN":
      "{{inviter}} 邀请您以 {{role}} 身份加入 coffer 上的 {{business_name}}。\n\n请在此接受邀请：\n{{link}}\n\n邀请 {{days}} 天后失效。",
  },
});

export const kybApprovedTemplate = defineTemplate({
  name: "merchant.kyb_approved",
  subject: {
    en: "{{business_name}} is verified: you can go live",
    "zh-CN": "{{business_name}} 已通过审核，可以上线了",
  },
  text: {
    en: "Good news: the business verification of {{business_name}} was approved.\n\nYou can now create live API keys once your go-live checklist is complete:\n{{link}}",
    "zh-CN": "好消息：{{business_name}} 的企业认证已通过。\n\n完成上线清单后即可创建正式环境 API 密钥：\n{{link}}",
  },
});

export const kybRejectedTemplate = defineTemplate({
  name: "merchant.kyb_rejected",
  subject: {
    en: "The business verification of {{business_name}} was declined",
    "zh-CN": "{{business_name}} 的企业认证未通过",
  },
  text: {
    en: "We could not approve the business verification of {{business_name}}.\n\nReasons:\n{{reasons}}\n\nDetails are in your console:\n{{link}}",
    "zh-CN": "很抱歉，{{business_name}} 的企业认证未能通过。\n\n原因：\n{{reasons}}\n\n详情请查看控制台：\n{{link}}",
  },
});

export const kybActionRequiredTemplate = defineTemplate({
  name: "merchant.kyb_action_required",
  subject: {
    en: "{{business_name}}: we need more information",
    "zh-CN": "{{business_name}}：需要补充资料",
  },
  text: {
    en: "To continue the business verification of {{business_name}}, we need more from you:\n{{reasons}}\n\nUpdate the application and submit it again here:\n{{link}}",
    "zh-CN":
      "为继续 {{business_name}} 的企业认证，请补充以下内容：\n{{reasons}}\n\n请在此更新申请并重新提交：\n{{link}}",
  },
});
