import { LogIn } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { defineMessages, usePageMessages } from "../../shared/i18n";
import { Badge, Card, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConsoleError, type Cursor, Pager, useFormat } from "../common";

/** The signed-in user's recent sign-ins (GET /v1/console/sign_ins), on the Security page. */
interface SignIn {
  id: string;
  description: string;
  method: string;
  ip: string | null;
  new_device: boolean;
  alerted: boolean;
  created: number;
}

const en = {
  title: "Recent sign-ins",
  intro:
    "Your sign-ins of the last 90 days, newest first. A sign-in from a browser your account had not used before mails you an alert with a “this wasn't me” link.",
  none: "No sign-ins recorded yet",
  noneText: "Each sign-in to your account shows here with its browser, address and time.",
  newDevice: "New browser",
  alerted: "alert sent",
  "method.password": "password",
  "method.password_totp": "password and authenticator code",
  "method.passkey": "passkey",
};

const zhCN: typeof en = {
  title: "最近登录",
  intro:
    "您最近 90 天的登录记录，最新的在前。从账户未使用过的浏览器登录时，我们会发邮件提醒您，邮件中附有“不是我本人”链接。",
  none: "还没有登录记录",
  noneText: "您账户的每次登录都会连同浏览器、地址和时间显示在这里。",
  newDevice: "新浏览器",
  alerted: "已发送提醒",
  "method.password": "密码",
  "method.password_totp": "密码和身份验证器验证码",
  "method.passkey": "通行密钥",
};

const texts = defineMessages(en, zhCN);

export function SignInsCard() {
  const { t } = usePageMessages(texts);
  const format = useFormat();
  const [cursor, setCursor] = useState<Cursor>({});
  const page = useAsync(() => api.get<ListPage<SignIn>>("/v1/console/sign_ins", { limit: 10, ...cursor }), [cursor]);
  const method = (name: string) => {
    const key = `method.${name}` as keyof typeof en;
    return key in en ? t(key) : name;
  };
  return (
    <Card title={t("title")}>
      <p className="field-hint">{t("intro")}</p>
      {page.status === "error" ? (
        <ConsoleError error={page.error} />
      ) : !page.data ? (
        <Spinner label={t("title")} />
      ) : page.data.data.length === 0 ? (
        <Empty compact icon={LogIn} title={t("none")}>
          {t("noneText")}
        </Empty>
      ) : (
        <ul className="plain-list" aria-label={t("title")}>
          {page.data.data.map((signIn) => (
            <li key={signIn.id}>
              {format.date(signIn.created)} · <strong>{signIn.description}</strong> · {method(signIn.method)}
              {signIn.ip ? ` · ${signIn.ip}` : ""}{" "}
              {signIn.new_device ? (
                <Badge tone="warn">{`${t("newDevice")}${signIn.alerted ? ` · ${t("alerted")}` : ""}`}</Badge>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <Pager page={page.data} cursor={cursor} onChange={setCursor} />
    </Card>
  );
}
