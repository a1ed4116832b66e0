import { defineMessages, usePageMessages } from "../shared/i18n";

/**
 * Texts of the wallet's security centre, the "this wasn't me" and password reset pages, the payment code warning and
 * the first-use guide, for people rather than developers.
 */
const en = {
  "devices.title": "Signed-in devices",
  "devices.intro":
    "Every phone or browser that signed in to your wallet. If you do not recognise one, sign it out and change your password.",
  "devices.current": "This device",
  "devices.signedIn": "Signed in",
  "devices.signedOut": "Signed out",
  "devices.lastSignIn": "Last sign-in {when}",
  "devices.signOut": "Sign out {device}",
  "devices.signOutOthers": "Sign out every other device",
  "devices.signedOutOthers": "Every other device is signed out.",
  "devices.signedOutOne": "{device} is signed out.",
  "devices.none": "No devices yet",
  "devices.none.text":
    "Phones and browsers that log in to your wallet show here, so you can log out one you do not know.",

  "signIns.title": "Recent sign-ins",
  "signIns.intro": "The last 90 days. A sign-in from a new device also sends you a message.",
  "signIns.newDevice": "New device",
  "signIns.alerted": "alert sent",
  "signIns.more": "Show older sign-ins",
  "signIns.at": "{when} · {device}",

  "scams.title": "How to recognise a scam",
  "scams.refund.title": "Fake refunds",
  "scams.refund.text":
    "Someone says they paid you too much or that you are owed a refund, and asks you to send money back or to scan a code they give you. A real refund arrives in your wallet by itself: you never pay to receive one.",
  "scams.code.title": "“Show me your code” calls",
  "scams.code.text":
    "A caller or message claims to be from coffer, a bank, the police or a shop and asks for your payment code, a verification code or your password. Hang up. Whoever has your payment code can take money from your wallet.",
  "scams.phishing.title": "Phishing links",
  "scams.phishing.text":
    "A message with a link to “unfreeze”, “verify” or “claim” something. Open coffer yourself instead of following the link, and check the address before you type a password.",

  "never.title": "coffer will never ask for",
  "never.password": "Your password",
  "never.codes": "Verification codes sent to you by email or SMS",
  "never.paymentCode": "Your payment code or a screenshot of it",
  "never.transfer": "A transfer to a “safe account” or to “unlock” your wallet",
  "never.remote": "Installing an app so someone can see or control your screen",

  "code.warning.title": "Never share this code",
  "code.warning.text":
    "Show it only to a shop's scanner at the till. Anyone who has these digits can take money from your wallet — coffer staff will never ask for them.",

  "notMe.title": "This wasn't me",
  "notMe.intro":
    "You followed the link in a new sign-in alert. If you did not sign in, secure your wallet now: every device is signed out and payments are frozen until you set a new password.",
  "notMe.submit": "Sign out everywhere and freeze payments",
  "notMe.missing": "This page needs the link from the alert. Open the link from the message again.",
  "notMe.done": "Your wallet is secured: every device is signed out and payments are frozen.",
  "notMe.next": "Now set a new password to unfreeze your wallet.",
  "notMe.reset": "Set a new password",

  "reset.title": "Reset your password",
  "reset.intro": "We send a six-digit code to your wallet's email address or phone number.",
  "reset.send": "Send me a code",
  "reset.sent": "If this is a wallet's address, a code is on its way to {to}.",
  "reset.code": "Six-digit code",
  "reset.password": "New password",
  "reset.password.hint": "At least 10 characters; a few words you will remember work well.",
  "reset.submit": "Set the new password",
  "reset.done": "Your password is changed and every device is signed out. Log in with the new password.",
  "reset.toLogin": "Log in",
  "reset.link": "Forgot your password?",

  "welcome.card.title": "New to coffer?",
  "welcome.card.text": "Four short steps: how to pay, how to keep your wallet safe, and how your limits work.",
  "welcome.card.start": "Show me how it works",
  "welcome.card.skip": "Not now",
  "welcome.title": "Welcome to your wallet",
  "welcome.step": "Step {n} of {total}",
  "welcome.scan.title": "Pay by scanning",
  "welcome.scan.text":
    "At a shop or online, tap Scan and point your camera at the shop's QR code (or paste its payment link). You see the shop's name and the amount, and nothing is paid until you confirm.",
  "welcome.show.title": "Pay by showing your code",
  "welcome.show.text":
    "At a till, open Pay code and let the cashier scan it. The code changes every minute and works once. Bigger payments ask you to confirm on your phone first.",
  "welcome.secret.title": "Your payment code is like cash",
  "welcome.secret.text":
    "Anyone who has your payment code can take money from your wallet. Never send it, read it out, or share a screenshot — not to friends, not to people who say they are from coffer, a bank or the police.",
  "welcome.limits.title": "Limits and identity tiers",
  "welcome.limits.text":
    "A new wallet (tier 0) can hold and spend small amounts. Verify your identity to reach tier 1 and 2: higher balances, bigger payments and monthly limits, bank top-ups and withdrawals. A payment above a limit is refused with a message naming the limit.",
  "welcome.next": "Next",
  "welcome.back": "Back",
  "welcome.done": "Start using my wallet",
};

const zhCN: typeof en = {
  "devices.title": "已登录的设备",
  "devices.intro": "所有登录过您钱包的手机或浏览器。如有不认识的设备，请将其退出登录并修改密码。",
  "devices.current": "本设备",
  "devices.signedIn": "已登录",
  "devices.signedOut": "已退出",
  "devices.lastSignIn": "上次登录 {when}",
  "devices.signOut": "让 {device} 退出登录",
  "devices.signOutOthers": "让其他所有设备退出登录",
  "devices.signedOutOthers": "其他所有设备均已退出登录。",
  "devices.signedOutOne": "{device} 已退出登录。",
  "devices.none": "还没有设备",
  "devices.none.text": "登录过您钱包的手机和浏览器会显示在这里，遇到陌生设备可以将其退出登录。",

  "signIns.title": "最近登录",
  "signIns.intro": "最近 90 天。新设备登录时，我们还会给您发送消息。",
  "signIns.newDevice": "新设备",
  "signIns.alerted": "已发送提醒",
  "signIns.more": "显示更早的登录",
  "signIns.at": "{when} · {device}",

  "scams.title": "如何识别骗局",
  "scams.refund.title": "虚假退款",
  "scams.refund.text":
    "有人说多付了钱给您或要给您退款，让您把钱转回去或扫描他们给的二维码。真正的退款会自动到账：收退款永远不需要您付钱。",
  "scams.code.title": "“把付款码给我看看”的电话",
  "scams.code.text":
    "来电或消息自称来自 coffer、银行、警方或商家，向您索要付款码、验证码或密码。请立即挂断。拿到您付款码的人就能从您的钱包扣钱。",
  "scams.phishing.title": "钓鱼链接",
  "scams.phishing.text":
    "消息中带有“解冻”“验证”“领取”等链接。请自己打开 coffer，不要点击链接；输入密码前请先核对网址。",

  "never.title": "coffer 绝不会向您索要",
  "never.password": "您的密码",
  "never.codes": "通过邮件或短信发给您的验证码",
  "never.paymentCode": "您的付款码或其截图",
  "never.transfer": "转账到“安全账户”或为“解锁”钱包而转账",
  "never.remote": "安装可查看或控制您屏幕的应用",

  "code.warning.title": "切勿泄露此付款码",
  "code.warning.text":
    "只向商家收银台的扫码设备出示。任何人拿到这串数字都能从您的钱包扣钱——coffer 工作人员绝不会向您索要。",

  "notMe.title": "不是我本人登录",
  "notMe.intro":
    "您打开了新设备登录提醒中的链接。如果不是您本人登录，请立即保护钱包：所有设备将退出登录，付款将被冻结，直到您设置新密码。",
  "notMe.submit": "退出所有设备并冻结付款",
  "notMe.missing": "此页面需要提醒消息中的链接。请重新打开消息中的链接。",
  "notMe.done": "您的钱包已受到保护：所有设备均已退出登录，付款已冻结。",
  "notMe.next": "现在请设置新密码以解冻钱包。",
  "notMe.reset": "设置新密码",

  "reset.title": "重设密码",
  "reset.intro": "我们会向您钱包的邮箱或手机号发送六位验证码。",
  "reset.send": "发送验证码",
  "reset.sent": "如果这是钱包的地址，验证码已发送至 {to}。",
  "reset.code": "六位验证码",
  "reset.password": "新密码",
  "reset.password.hint": "至少 10 个字符；几个好记的词组合起来就很好。",
  "reset.submit": "设置新密码",
  "reset.done": "密码已修改，所有设备均已退出登录。请用新密码登录。",
  "reset.toLogin": "登录",
  "reset.link": "忘记密码？",

  "welcome.card.title": "第一次使用 coffer？",
  "welcome.card.text": "四个简短步骤：如何付款、如何保护钱包安全，以及限额如何运作。",
  "welcome.card.start": "了解如何使用",
  "welcome.card.skip": "以后再说",
  "welcome.title": "欢迎使用您的钱包",
  "welcome.step": "第 {n} 步，共 {total} 步",
  "welcome.scan.title": "扫码付款",
  "welcome.scan.text":
    "在商店或网上，点击“扫一扫”并对准商家的二维码（或粘贴其付款链接）。您会看到商家名称和金额，确认之前不会付款。",
  "welcome.show.title": "出示付款码付款",
  "welcome.show.text":
    "在收银台打开“付款码”让收银员扫描。付款码每分钟更换一次，只能使用一次。较大金额的付款会先请您在手机上确认。",
  "welcome.secret.title": "付款码就像现金",
  "welcome.secret.text":
    "任何人拿到您的付款码都能从您的钱包扣钱。切勿发送、念出或分享截图——无论对方是朋友，还是自称来自 coffer、银行或警方的人。",
  "welcome.limits.title": "限额与身份等级",
  "welcome.limits.text":
    "新钱包（等级 0）只能存放和支付小额资金。完成身份认证可升至等级 1 和 2：更高的余额、更大的单笔付款和月度限额，以及银行充值和提现。超出限额的付款会被拒绝，并提示是哪项限额。",
  "welcome.next": "下一步",
  "welcome.back": "上一步",
  "welcome.done": "开始使用钱包",
};

export const securityMessages = defineMessages(en, zhCN);
export const useSecurityT = () => usePageMessages(securityMessages);
