import { defineMessages, usePageMessages } from "../../shared/i18n";

/** Texts of the API version card on the API keys page. */
const en = {
  "version.title": "API version",
  "version.current": "Your account's API version is {version}.",
  "version.explain":
    "Requests with your keys that send no Coffer-Version header are answered in this version. A request can always name another version, and each webhook endpoint keeps the version it was made with.",
  "version.latest": "This is the latest version.",
  "version.newer": "Version {latest} is available. Upgrading changes how coffer answers requests that name no version:",
  "version.release": "{version}: {summary}",
  "version.upgrade": "Upgrade to {latest}",
  "version.upgradeConfirm": "Yes, upgrade to {latest}",
  "version.upgraded": "Your account now uses version {version}.",
  "version.onlyAdmins": "The owner or an admin can upgrade.",
};

const zhCN: typeof en = {
  "version.title": "API 版本",
  "version.current": "您账户的 API 版本为 {version}。",
  "version.explain":
    "使用您的密钥、且未发送 Coffer-Version 请求头的请求，都按此版本应答。单个请求始终可以指定其他版本；每个 Webhook 端点保留其创建时的版本。",
  "version.latest": "这是最新版本。",
  "version.newer": "已有新版本 {latest}。升级后，未指定版本的请求的应答方式将有如下变化：",
  "version.release": "{version}：{summary}",
  "version.upgrade": "升级到 {latest}",
  "version.upgradeConfirm": "确认升级到 {latest}",
  "version.upgraded": "您的账户现在使用 {version} 版本。",
  "version.onlyAdmins": "只有所有者或管理员可以升级。",
};

export const messages = defineMessages(en, zhCN);
export const useVersionT = () => usePageMessages(messages);
