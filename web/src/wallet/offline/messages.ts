import { defineMessages, usePageMessages } from "../../shared/i18n";

/** Texts of the offline payment page (loaded with it; the links to it are in ../messages.ts). */
const en = {
  loading: "Loading…",
  title: "Pay offline",
  intro:
    "Make one-time payment codes on this phone, even with no network. The shop's till checks a code without going online and collects the money later, from an amount held for it now.",
  online: "Online",
  offline: "No network: codes are still made on this phone.",

  "get.title": "Hold money for offline payments",
  "get.intro":
    "An offline certificate lets this phone pay up to the amount you hold for 24 hours. The held amount leaves your available balance now; what you do not spend comes back after the certificate ends.",
  "get.cardIntro":
    "An offline certificate lets this phone pay with this card up to the amount you hold, for 24 hours or until the card expires. What you do not spend goes back on the card after the certificate ends.",
  "get.cap": "Amount to hold",
  "get.capHint": "Leave empty for the usual amount (a fifth of your per-payment limit, at most your balance).",
  "get.capInvalid": "Type an amount like 20 or 12.50.",
  "get.currency": "Currency",
  "get.submit": "Get offline certificate",
  "get.needsNetwork": "Getting a certificate needs the network. Connect and try again.",
  "get.keep": "Keep the certificate I have",
  "get.ended": "The certificate on this phone has ended. Get a new one to pay offline again.",
  "get.spent": "Nothing is left of the certificate on this phone. Get a new one to pay offline again.",

  "cert.title": "Offline certificate",
  "cert.left": "Offline cap left",
  "cert.leftChecked": "As coffer last counted it, {time}.",
  "cert.leftIssued": "As issued. Codes shops have not submitted yet are not counted.",
  "cert.cap": "Held in all",
  "cert.expires": "Certificate expires",
  "cert.onlyAt": "Pays at",
  "cert.anyShop": "Any shop that takes coffer",
  "cert.thisShop": "The card's shop only",
  "cert.refresh": "Check what is left",
  "cert.new": "Get a new certificate",

  "code.title": "Offline code",
  "code.amount": "Amount (optional)",
  "code.amountHint": "The most the shop may charge with this code. Empty: up to what is left.",
  "code.amountInvalid": "Type an amount like 4.50, or leave it empty.",
  "code.overLeft": "That is more than what is left offline ({amount}).",
  "code.make": "Show an offline code",
  "code.again": "New offline code",
  "code.qr": "Offline payment code as a QR code",
  "code.text": "The code as text",
  "code.forAmount": "For up to {amount}",
  "code.anyAmount": "For any amount up to what is left",
  "code.validUntil": "Show it before {time}; each code pays once.",
  "code.stale": "The code shown has run out. Make a new one.",

  "nfc.write": "Send by NFC",
  "nfc.writing": "Hold the phone to the reader…",
  "nfc.written": "Sent by NFC.",
  "nfc.failed": "NFC did not work: {reason}. Show the QR code instead.",
  "nfc.unavailable": "NFC is not available here: show the QR code.",

  "error.offline_device_key_invalid": "This phone's key was not accepted. Reload the page and try again.",
  "error.offline_certificates_exhausted":
    "Three certificates already hold money for offline payments. Wait until one ends (at most a day and a half).",
  "error.offline_currency_mismatch": "This card holds another currency.",
  "error.payment_limit_exceeded": "That is more than one payment may be: hold less.",
  "error.daily_limit_exceeded": "That would pass today's spending limit: hold less.",
  "error.monthly_limit_exceeded": "That would pass this month's spending limit: hold less.",
  "error.insufficient_funds": "The balance is lower than that amount.",
  "error.card_inactive": "This card is frozen, expired or closed: it cannot pay offline.",
  "error.wallet_frozen": "This wallet is frozen: it cannot pay offline.",
  "error.network_error": "coffer could not be reached. Check your connection and try again.",
  "error.parameter_missing": "Choose the currency to hold.",
  "error.device": "This browser cannot keep an offline key ({reason}).",
};

const zhCN: { [K in keyof typeof en]: string } = {
  loading: "加载中…",
  title: "离线付款",
  intro:
    "在这部手机上生成一次性付款码，无需网络。商户的收银机无需联网即可核验付款码，稍后再收款；款项来自现在为此冻结的金额。",
  online: "在线",
  offline: "无网络：付款码仍在这部手机上生成。",

  "get.title": "冻结一笔金额用于离线付款",
  "get.intro":
    "离线证书让这部手机在 24 小时内最多支付您冻结的金额。冻结的金额会立即从可用余额中扣除；证书结束后，未花费的部分会退回。",
  "get.cardIntro":
    "离线证书让这部手机用此卡支付，最多为您冻结的金额，有效 24 小时或直到卡片过期。证书结束后，未花费的部分会退回卡内。",
  "get.cap": "冻结金额",
  "get.capHint": "留空则使用默认金额（单笔限额的五分之一，且不超过余额）。",
  "get.capInvalid": "请输入金额，例如 20 或 12.50。",
  "get.currency": "币种",
  "get.submit": "获取离线证书",
  "get.needsNetwork": "获取证书需要联网，请连接网络后重试。",
  "get.keep": "保留现有证书",
  "get.ended": "这部手机上的证书已结束。获取新证书即可再次离线付款。",
  "get.spent": "这部手机上的证书已用完。获取新证书即可再次离线付款。",

  "cert.title": "离线证书",
  "cert.left": "剩余离线额度",
  "cert.leftChecked": "coffer 最近一次统计：{time}。",
  "cert.leftIssued": "按签发时计算。商户尚未提交的付款码未计入。",
  "cert.cap": "冻结总额",
  "cert.expires": "证书到期",
  "cert.onlyAt": "可付款商户",
  "cert.anyShop": "所有接受 coffer 的商户",
  "cert.thisShop": "仅限发卡商户",
  "cert.refresh": "查询剩余额度",
  "cert.new": "获取新证书",

  "code.title": "离线付款码",
  "code.amount": "金额（可选）",
  "code.amountHint": "商户用此码最多可收取的金额。留空：不超过剩余额度。",
  "code.amountInvalid": "请输入金额，例如 4.50，或留空。",
  "code.overLeft": "超过剩余离线额度（{amount}）。",
  "code.make": "出示离线付款码",
  "code.again": "新的离线付款码",
  "code.qr": "离线付款码（二维码）",
  "code.text": "付款码文本",
  "code.forAmount": "最多 {amount}",
  "code.anyAmount": "不超过剩余额度的任意金额",
  "code.validUntil": "请在 {time} 前出示；每个付款码只能付款一次。",
  "code.stale": "当前付款码已失效，请生成新的付款码。",

  "nfc.write": "通过 NFC 发送",
  "nfc.writing": "请将手机靠近读卡器…",
  "nfc.written": "已通过 NFC 发送。",
  "nfc.failed": "NFC 未成功：{reason}。请改为出示二维码。",
  "nfc.unavailable": "此处无法使用 NFC：请出示二维码。",

  "error.offline_device_key_invalid": "这部手机的密钥未被接受，请刷新页面后重试。",
  "error.offline_certificates_exhausted": "已有三张证书冻结了离线付款金额。请等待其中一张结束（最长一天半）。",
  "error.offline_currency_mismatch": "此卡使用的是另一种货币。",
  "error.payment_limit_exceeded": "超过单笔付款限额：请减少冻结金额。",
  "error.daily_limit_exceeded": "将超过今日消费限额：请减少冻结金额。",
  "error.monthly_limit_exceeded": "将超过本月消费限额：请减少冻结金额。",
  "error.insufficient_funds": "余额低于该金额。",
  "error.card_inactive": "此卡已冻结、过期或关闭：无法离线付款。",
  "error.wallet_frozen": "此钱包已冻结：无法离线付款。",
  "error.network_error": "无法连接 coffer，请检查网络后重试。",
  "error.parameter_missing": "请选择要冻结的币种。",
  "error.device": "此浏览器无法保存离线密钥（{reason}）。",
};

export const messages = defineMessages(en, zhCN);
export type OfflineMessageKey = keyof typeof en;
export const useOfflineT = () => usePageMessages(messages);
