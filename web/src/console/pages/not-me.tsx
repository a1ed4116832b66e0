import { useState } from "react";
import { defineMessages, usePageMessages } from "../../shared/i18n";
import { Link, useSearch } from "../../shared/router";
import { Alert } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api } from "../api";
import { ActionForm } from "../common";

const en = {
  title: "This wasn't me",
  intro:
    "You followed the link in a new sign-in alert. If you did not sign in, secure your account now: every session is signed out, and nobody can sign in again until a new password is set.",
  submit: "Sign out everywhere",
  missing: "This page needs the link from the alert. Open the link from the mail again.",
  done: "Your account is secured: every session is signed out.",
  next: "Set a new password to sign in again. Then check the team, API keys and webhook endpoints for changes you did not make.",
  reset: "Set a new password",
};

const zhCN: typeof en = {
  title: "不是我本人登录",
  intro:
    "您打开了新设备登录提醒中的链接。如果不是您本人登录，请立即保护账户：所有会话将退出登录，设置新密码之前任何人都无法再次登录。",
  submit: "退出所有会话",
  missing: "此页面需要提醒邮件中的链接。请重新打开邮件中的链接。",
  done: "您的账户已受到保护：所有会话均已退出登录。",
  next: "请设置新密码后再登录。然后检查团队成员、API 密钥和 Webhook 端点是否有您未做的更改。",
  reset: "设置新密码",
};

const texts = defineMessages(en, zhCN);

/** /console/not-me?token=… — the "this wasn't me" link of a console new-device alert. */
export function NotMePage() {
  const { t } = usePageMessages(texts);
  const token = useSearch().get("token") ?? "";
  const [done, setDone] = useState(false);
  const secure = useAction(async () => {
    await api.post("/v1/console/sign_in_reports", { token });
    setDone(true);
  });
  return (
    <>
      <h1>{t("title")}</h1>
      {!token ? <Alert kind="error">{t("missing")}</Alert> : null}
      {done ? (
        <div role="status">
          <Alert kind="success">{t("done")}</Alert>
          <p>{t("next")}</p>
          <Link to="/forgot-password">{t("reset")}</Link>
        </div>
      ) : (
        <>
          <p>{t("intro")}</p>
          <ActionForm action={secure} submitLabel={t("submit")} disabled={!token}>
            {null}
          </ActionForm>
        </>
      )}
    </>
  );
}
