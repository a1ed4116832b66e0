import { Smartphone } from "lucide-react";
import { type FormEvent, useState } from "react";
import type { ListPage } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { formatDateTime } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Button, Card, Empty, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { Device, SignIn } from "../api-types";
import { Problem } from "../components";
import { useT } from "../messages";
import { useSecurityT } from "../security-messages";
import { paths, useSession } from "../session";

/**
 * The security centre's parts (docs/security-centre.md): signed-in devices, recent sign-ins, how to recognise scams,
 * what coffer never asks for; and the pages a person reaches signed out: "this wasn't me" and password reset.
 */
export function DevicesCard() {
  const { locale } = useT();
  const { t } = useSecurityT();
  const { api } = useSession();
  const list = useAsync(async () => (await api.get<ListPage<Device>>("/v1/wallet/devices")).data, [api]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (action: () => Promise<string>) => {
    setError(null);
    setDone(null);
    try {
      setDone(await action());
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const signOut = (device: Device) =>
    run(async () => {
      await api.post(`/v1/wallet/devices/${encodeURIComponent(device.id)}/sign_out`);
      return t("devices.signedOutOne", { device: device.description });
    });
  const signOutOthers = () =>
    run(async () => {
      await api.post("/v1/wallet/sessions/sign_out_others");
      return t("devices.signedOutOthers");
    });

  return (
    <Card title={t("devices.title")}>
      <p className="field-hint">{t("devices.intro")}</p>
      {list.data ? (
        list.data.length === 0 ? (
          <Empty compact icon={Smartphone} title={t("devices.none")}>
            {t("devices.none.text")}
          </Empty>
        ) : (
          <ul className="plain-list" aria-label={t("devices.title")}>
            {list.data.map((device) => (
              <li key={device.id}>
                <strong>{device.description}</strong>{" "}
                {device.current ? <span className="badge badge-info">{t("devices.current")}</span> : null}{" "}
                <span className="field-hint">
                  {device.signed_in ? t("devices.signedIn") : t("devices.signedOut")} ·{" "}
                  {t("devices.lastSignIn", { when: formatDateTime(device.last_sign_in, locale) })}
                  {device.last_ip ? ` · ${device.last_ip}` : ""}
                </span>{" "}
                {device.signed_in && !device.current ? (
                  <Button variant="link" onClick={() => signOut(device)}>
                    {t("devices.signOut", { device: device.description })}
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        )
      ) : list.status === "error" ? (
        <Problem error={list.error} />
      ) : (
        <Spinner label={t("devices.title")} />
      )}
      <Button variant="secondary" onClick={signOutOthers}>
        {t("devices.signOutOthers")}
      </Button>
      <Problem error={error} />
      <div role="status" aria-live="polite">
        {done ? <Alert kind="success">{done}</Alert> : null}
      </div>
    </Card>
  );
}

export function SignInsCard() {
  const { locale } = useT();
  const { t } = useSecurityT();
  const { api } = useSession();
  const [older, setOlder] = useState<SignIn[]>([]);
  const first = useAsync(() => api.get<ListPage<SignIn>>("/v1/wallet/sign_ins", { limit: 10 }), [api]);
  const [hasMore, setHasMore] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const shown = [...(first.data?.data ?? []), ...older];
  const more = hasMore ?? first.data?.has_more ?? false;

  const loadOlder = async () => {
    const last = shown.at(-1);
    if (!last) return;
    try {
      const page = await api.get<ListPage<SignIn>>("/v1/wallet/sign_ins", { limit: 10, starting_after: last.id });
      setOlder((before) => [...before, ...page.data]);
      setHasMore(page.has_more);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Card title={t("signIns.title")}>
      <p className="field-hint">{t("signIns.intro")}</p>
      {first.data ? (
        <ul className="plain-list" aria-label={t("signIns.title")}>
          {shown.map((signIn) => (
            <li key={signIn.id}>
              {t("signIns.at", { when: formatDateTime(signIn.created, locale), device: signIn.description })}
              {signIn.ip ? <span className="field-hint"> · {signIn.ip}</span> : null}{" "}
              {signIn.new_device ? (
                <span className="badge badge-warn">
                  {t("signIns.newDevice")}
                  {signIn.alerted ? ` · ${t("signIns.alerted")}` : ""}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : first.status === "error" ? (
        <Problem error={first.error} />
      ) : (
        <Spinner label={t("signIns.title")} />
      )}
      {more ? (
        <Button variant="link" onClick={loadOlder}>
          {t("signIns.more")}
        </Button>
      ) : null}
      <Problem error={error} />
    </Card>
  );
}

export function ScamAdviceCard() {
  const { t } = useSecurityT();
  return (
    <Card title={t("scams.title")} actions={<HelpButton slug="recognising-scams" />}>
      <dl className="advice">
        <dt>{t("scams.refund.title")}</dt>
        <dd>{t("scams.refund.text")}</dd>
        <dt>{t("scams.code.title")}</dt>
        <dd>{t("scams.code.text")}</dd>
        <dt>{t("scams.phishing.title")}</dt>
        <dd>{t("scams.phishing.text")}</dd>
      </dl>
    </Card>
  );
}

export function NeverAskCard() {
  const { t } = useSecurityT();
  return (
    <Card title={t("never.title")}>
      <ul>
        <li>{t("never.password")}</li>
        <li>{t("never.codes")}</li>
        <li>{t("never.paymentCode")}</li>
        <li>{t("never.transfer")}</li>
        <li>{t("never.remote")}</li>
      </ul>
    </Card>
  );
}

/** The warning above the payment code. */
export function PaymentCodeWarning() {
  const { t } = useSecurityT();
  return (
    <Alert kind="warning">
      <strong>{t("code.warning.title")}</strong> {t("code.warning.text")}
    </Alert>
  );
}

/** The token of a "this wasn't me" link: after # so it never reaches a server log or a Referer header. */
function tokenFromLocation(): string {
  const fragment = new URLSearchParams(globalThis.location?.hash.replace(/^#/, "") ?? "");
  return fragment.get("token") ?? "";
}

/** Opened from a new-device alert, signed out: one button secures the wallet. */
export function NotMePage() {
  const { t } = useSecurityT();
  // The account's session (not a prepaid card's, if one is open here).
  const { accountApi: api, logOut } = useSession();
  const [token] = useState(tokenFromLocation);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const secure = async () => {
    setPending(true);
    setError(null);
    try {
      await api.post("/v1/wallet/sign_in_reports", { token });
      // This browser's session ended with every other one.
      logOut();
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <Card>
      <h1>{t("notMe.title")}</h1>
      {done ? (
        <div role="status">
          <Alert kind="success">{t("notMe.done")}</Alert>
          <p>{t("notMe.next")}</p>
          <Link to={paths.forgotPassword} className="button button-primary">
            {t("notMe.reset")}
          </Link>
        </div>
      ) : token ? (
        <>
          <p>{t("notMe.intro")}</p>
          <Problem error={error} />
          <Button variant="danger" pending={pending} onClick={secure} className="button button-danger wide">
            {t("notMe.submit")}
          </Button>
        </>
      ) : (
        <Alert kind="warning">{t("notMe.missing")}</Alert>
      )}
    </Card>
  );
}

/** Password reset: a code to the wallet's email or phone, then the code and a new password. */
export function ForgotPasswordPage() {
  const { t } = useSecurityT();
  const area = useT();
  const { accountApi: api } = useSession();
  const [contact, setContact] = useState("");
  const [sent, setSent] = useState<{ id: string; sent_to: string } | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const run = async (action: () => Promise<void>) => {
    setPending(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  const request = (event: FormEvent) => {
    event.preventDefault();
    const value = contact.trim();
    const body = value.includes("@") ? { email: value } : { phone: value.replace(/[\s().-]/g, "") };
    return run(async () => {
      setSent(
        await api.post<{ id: string; sent_to: string }>("/v1/wallet/password_reset", { ...body, locale: area.locale }),
      );
    });
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.post("/v1/wallet/password_reset/confirm", { reset: sent?.id ?? "", code: code.trim(), password });
      setDone(true);
    });
  };

  return (
    <Card>
      <h1>{t("reset.title")}</h1>
      {done ? (
        <div role="status">
          <Alert kind="success">{t("reset.done")}</Alert>
          <Link to={paths.login} className="button button-primary">
            {t("reset.toLogin")}
          </Link>
        </div>
      ) : sent ? (
        <form onSubmit={confirm} noValidate>
          <p>{t("reset.sent", { to: sent.sent_to })}</p>
          <TextField
            label={t("reset.code")}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={12}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            required
          />
          <TextField
            label={t("reset.password")}
            hint={t("reset.password.hint")}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
          <Problem error={error} />
          <Button type="submit" pending={pending}>
            {t("reset.submit")}
          </Button>
        </form>
      ) : (
        <form onSubmit={request} noValidate>
          <p>{t("reset.intro")}</p>
          <TextField
            label={area.t("login.contact")}
            hint={area.t("login.contact.hint")}
            name="contact"
            autoComplete="username"
            value={contact}
            onChange={(event) => setContact(event.target.value)}
            required
          />
          <Problem error={error} />
          <Button type="submit" pending={pending}>
            {t("reset.send")}
          </Button>
        </form>
      )}
      <p>
        <Link to={paths.login}>{t("reset.toLogin")}</Link>
      </p>
    </Card>
  );
}
