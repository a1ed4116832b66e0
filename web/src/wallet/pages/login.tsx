import { type FormEvent, useState } from "react";
import { ApiRequestError } from "../../shared/api";
import { Link, navigate } from "../../shared/router";
import { Alert, Button, Card, TextField } from "../../shared/ui";
import {
  noWalletCredentials,
  rememberWalletDevice,
  WalletLoginFields,
  walletDeviceField,
  walletLoginBody,
} from "../../shared/wallet-login";
import type { DevSms, Verification, WalletLogin } from "../api-types";
import { Problem } from "../components";
import { useT } from "../messages";
import { useSecurityT } from "../security-messages";
import { paths, useSession } from "../session";

/** Posts to an endpoint that answers with a wallet login (log in, verify), keeps its token and opens the wallet. */
function useLogInThrough(path: string) {
  // Signing in (also while a prepaid card is open here) never sends the card's session.
  const { accountApi: api, logIn } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const send = async (body: Record<string, unknown>) => {
    setPending(true);
    setError(null);
    try {
      const login = await api.post<WalletLogin>(path, body);
      rememberWalletDevice(login.device_token);
      logIn(login.token);
      navigate(paths.home, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  return { send, pending, error };
}

export function LoginPage() {
  const { t } = useT();
  const security = useSecurityT();
  const [credentials, setCredentials] = useState(noWalletCredentials);
  const { send, pending, error } = useLogInThrough("/v1/wallet/login");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send(walletLoginBody(credentials));
  };

  return (
    <Card>
      <h1>{t("login.title")}</h1>
      <form onSubmit={submit} noValidate>
        <WalletLoginFields
          texts={{
            contact: t("login.contact"),
            contactHint: t("login.contact.hint"),
            password: t("login.password"),
          }}
          value={credentials}
          onChange={setCredentials}
        />
        <Problem error={error} />
        <Button type="submit" pending={pending} className="button button-primary wide">
          {t("login.submit")}
        </Button>
      </form>
      <p>
        <Link to={paths.forgotPassword}>{security.t("reset.link")}</Link>
      </p>
      <p>
        {t("login.noAccount")} <Link to={paths.signup}>{t("login.toSignup")}</Link>
      </p>
      <p>
        <Link to={paths.card}>{t("login.card")}</Link>
        <br />
        <span className="field-hint">{t("login.card.hint")}</span>
      </p>
    </Card>
  );
}

export function SignUpPage() {
  const { t } = useT();
  const [verification, setVerification] = useState<{ verification: Verification; contact: string } | null>(null);
  return (
    <Card>
      {verification ? (
        <VerifyForm {...verification} onRestart={() => setVerification(null)} />
      ) : (
        <SignUpForm onSent={(sent, contact) => setVerification({ verification: sent, contact })} />
      )}
      <p>
        {t("signup.haveAccount")} <Link to={paths.login}>{t("signup.toLogin")}</Link>
      </p>
    </Card>
  );
}

function SignUpForm({ onSent }: { onSent(verification: Verification, contact: string): void }) {
  const { t, locale } = useT();
  const { accountApi: api } = useSession();
  const [channel, setChannel] = useState<"email" | "phone">("email");
  const [contact, setContact] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    const value = channel === "email" ? contact.trim() : contact.replace(/[\s().-]/g, "");
    try {
      const sent = await api.post<Verification>("/v1/wallet/signup", {
        [channel]: value,
        password,
        ...(name.trim() ? { display_name: name.trim() } : {}),
        locale,
      });
      onSent(sent, value);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <h1>{t("signup.title")}</h1>
      <form onSubmit={submit} noValidate>
        <fieldset className="choice">
          <legend>{t("signup.with")}</legend>
          {(["email", "phone"] as const).map((option) => (
            <label key={option}>
              <input
                type="radio"
                name="channel"
                value={option}
                checked={channel === option}
                onChange={() => setChannel(option)}
              />{" "}
              {t(option === "email" ? "signup.email" : "signup.phone")}
            </label>
          ))}
        </fieldset>
        {channel === "email" ? (
          <TextField
            label={t("signup.emailField")}
            name="email"
            type="email"
            autoComplete="email"
            value={contact}
            onChange={(event) => setContact(event.target.value)}
            required
          />
        ) : (
          <TextField
            label={t("signup.phoneField")}
            hint={t("signup.phone.hint")}
            name="phone"
            type="tel"
            autoComplete="tel"
            value={contact}
            onChange={(event) => setContact(event.target.value)}
            required
          />
        )}
        <TextField
          label={t("signup.name")}
          hint={t("signup.name.hint")}
          name="display_name"
          autoComplete="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <TextField
          label={t("signup.password")}
          hint={t("signup.password.hint")}
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        <Problem error={error} />
        <Button type="submit" pending={pending} className="button button-primary wide">
          {t("signup.submit")}
        </Button>
      </form>
    </>
  );
}

function VerifyForm({
  verification,
  contact,
  onRestart,
}: {
  verification: Verification;
  contact: string;
  onRestart(): void;
}) {
  const { t } = useT();
  const { accountApi: api } = useSession();
  const [code, setCode] = useState("");
  const { send, pending, error } = useLogInThrough("/v1/wallet/verify");
  const [outboxNote, setOutboxNote] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send({ verification: verification.id, code: code.trim(), ...walletDeviceField() });
  };

  // The embedded default keeps text messages in a dev outbox (loopback callers only); elsewhere it answers 404.
  const fromOutbox = async () => {
    setOutboxNote(null);
    try {
      const outbox = await api.get<{ data: DevSms[] }>("/v1/wallet/dev/sms_outbox", { to: contact, limit: 5 });
      const found = outbox.data.map((message) => /\b(\d{6})\b/.exec(message.text)?.[1]).find(Boolean);
      if (found) {
        setCode(found);
        setOutboxNote(t("verify.devOutbox.found"));
      } else setOutboxNote(t("verify.devOutbox.none"));
    } catch (caught) {
      if (caught instanceof ApiRequestError) setOutboxNote(t("verify.devOutbox.none"));
    }
  };

  return (
    <>
      <h1>{t("verify.title")}</h1>
      <p>{t("verify.sent", { to: verification.sent_to })}</p>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("verify.code")}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          required
        />
        {verification.channel === "sms" ? (
          <div className="dev-outbox">
            <p className="field-hint">{t("verify.devOutbox.hint")}</p>
            <Button variant="secondary" onClick={fromOutbox}>
              {t("verify.devOutbox")}
            </Button>
            {outboxNote ? <Alert kind="info">{outboxNote}</Alert> : null}
          </div>
        ) : (
          <p className="field-hint">{t("verify.email.hint")}</p>
        )}
        <Problem error={error} />
        <div className="button-row">
          <Button type="submit" pending={pending}>
            {t("verify.submit")}
          </Button>
          <Button variant="link" onClick={onRestart}>
            {t("verify.restart")}
          </Button>
        </div>
      </form>
    </>
  );
}
