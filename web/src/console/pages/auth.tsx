import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiRequestError } from "../../shared/api";
import { Link, navigate, useSearch } from "../../shared/router";
import { Alert, Button, Spinner, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api, type Me } from "../api";
import { ActionForm, ConsoleError } from "../common";
import { useT } from "../messages";
import { useSession } from "../session";
import { getPasskeyAssertion, passkeysSupported, type RequestOptionsJson } from "../webauthn";

/** Signing up and in: sign-up, the links from mails (verify, reset, invite), sign-in with TOTP or a passkey. */

function DevMailboxHint() {
  const { t } = useT();
  return (
    <p className="field-hint">
      {t("mailbox.hint")} <Link to="/dev/mailbox">{t("mailbox.open")}</Link>
    </p>
  );
}

export function LoginPage() {
  const { t } = useT();
  const { signedIn } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);

  const login = useAction(async () => {
    try {
      const me = await api.post<Me>("/v1/console/login", {
        email,
        password,
        ...(needsCode ? { totp_code: totpCode } : {}),
      });
      signedIn(me);
      navigate("/", { replace: true });
    } catch (error) {
      if (error instanceof ApiRequestError && error.code === "two_factor_required" && !needsCode) {
        setNeedsCode(true);
        return;
      }
      throw error;
    }
  });
  useEffect(() => {
    if (needsCode) document.querySelector<HTMLInputElement>('input[name="totp_code"]')?.focus();
  }, [needsCode]);

  const passkey = useAction(async () => {
    const options = await api.post<RequestOptionsJson>("/v1/console/webauthn/authentication/options");
    const response = await getPasskeyAssertion(options);
    signedIn(await api.post<Me>("/v1/console/webauthn/authentication/verify", { response }));
    navigate("/", { replace: true });
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.run();
  };

  return (
    <>
      <h1>{t("auth.loginTitle")}</h1>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("auth.email")}
          type="email"
          autoComplete="username webauthn"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          disabled={needsCode}
        />
        <TextField
          label={t("auth.password")}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          disabled={needsCode}
        />
        {needsCode ? (
          <>
            <Alert kind="info">{t("auth.totpStep")}</Alert>
            <TextField
              name="totp_code"
              label={t("auth.totpCode")}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              value={totpCode}
              onChange={(e) => setTotpCode(e.target.value.replace(/\D/g, ""))}
            />
          </>
        ) : null}
        <ConsoleError error={login.error} />
        <div className="button-row">
          <Button type="submit" pending={login.pending}>
            {needsCode ? t("auth.verifyAndSignIn") : t("auth.signIn")}
          </Button>
          {needsCode ? (
            <Button
              variant="link"
              onClick={() => {
                setNeedsCode(false);
                setTotpCode("");
              }}
            >
              {t("common.back")}
            </Button>
          ) : null}
        </div>
      </form>
      {passkeysSupported() ? (
        <section className="card">
          <h2>{t("auth.passkeyTitle")}</h2>
          <p className="field-hint">{t("auth.passkeyHint")}</p>
          <ConsoleError error={passkey.error} />
          <Button variant="secondary" pending={passkey.pending} onClick={() => passkey.run()}>
            {t("auth.passkeySignIn")}
          </Button>
        </section>
      ) : null}
      <p>
        <Link to="/signup">{t("auth.toSignup")}</Link> · <Link to="/forgot-password">{t("auth.forgot")}</Link>
      </p>
      <DevMailboxHint />
    </>
  );
}

export function SignupPage() {
  const { t, locale } = useT();
  const [form, setForm] = useState({ email: "", password: "", business_name: "", name: "" });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const signup = useAction(async () => {
    const answer = await api.post<{ email: string }>("/v1/console/signup", {
      email: form.email,
      password: form.password,
      business_name: form.business_name,
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      locale,
    });
    setSentTo(answer.email);
  });
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
    error: signup.error?.param === name ? signup.error.message : null,
  });

  if (sentTo) {
    return (
      <>
        <h1>{t("auth.checkMailTitle")}</h1>
        <Alert kind="success">{t("auth.checkMail", { email: sentTo })}</Alert>
        <DevMailboxHint />
        <p>
          <Link to="/login">{t("auth.toLogin")}</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{t("auth.signupTitle")}</h1>
      <ActionForm action={signup} submitLabel={t("auth.createAccount")}>
        <TextField label={t("auth.businessName")} required autoComplete="organization" {...field("business_name")} />
        <TextField label={t("auth.yourName")} autoComplete="name" {...field("name")} />
        <TextField label={t("auth.email")} type="email" required autoComplete="email" {...field("email")} />
        <TextField
          label={t("auth.password")}
          type="password"
          required
          autoComplete="new-password"
          hint={t("auth.passwordHint")}
          {...field("password")}
        />
      </ActionForm>
      <p>
        <Link to="/login">{t("auth.toLogin")}</Link>
      </p>
      <DevMailboxHint />
    </>
  );
}

/** /console/verify-email?token=… — the link in the verification mail. */
export function VerifyEmailPage() {
  const { t } = useT();
  const token = useSearch().get("token") ?? "";
  const verify = useAction(async () => api.post<{ email: string }>("/v1/console/verify_email", { token }));
  const [verified, setVerified] = useState<string | null>(null);
  const started = useRef(false);
  const { run } = verify;
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    run().then((answer) => {
      if (answer) setVerified(answer.email);
    });
  }, [run, token]);
  return (
    <>
      <h1>{t("auth.verifyTitle")}</h1>
      {!token ? <Alert kind="error">{t("auth.linkMissingToken")}</Alert> : null}
      {verify.pending ? <Spinner label={t("auth.verifying")} /> : null}
      <ConsoleError error={verify.error} />
      {verified ? (
        <>
          <Alert kind="success">{t("auth.verified", { email: verified })}</Alert>
          <Link to="/login">{t("auth.continueToLogin")}</Link>
        </>
      ) : null}
    </>
  );
}

export function ForgotPasswordPage() {
  const { t } = useT();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const request = useAction(async () => {
    await api.post("/v1/console/password_reset", { email });
    setSent(true);
  });
  return (
    <>
      <h1>{t("auth.forgotTitle")}</h1>
      {sent ? (
        <Alert kind="success">{t("auth.resetSent", { email })}</Alert>
      ) : (
        <ActionForm action={request} submitLabel={t("auth.sendResetLink")}>
          <TextField
            label={t("auth.email")}
            type="email"
            required
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </ActionForm>
      )}
      <p>
        <Link to="/login">{t("auth.toLogin")}</Link>
      </p>
      <DevMailboxHint />
    </>
  );
}

/** /console/reset-password?token=… — the link in the reset mail. */
export function ResetPasswordPage() {
  const { t } = useT();
  const token = useSearch().get("token") ?? "";
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const confirm = useAction(async () => {
    await api.post("/v1/console/password_reset/confirm", { token, password });
    setDone(true);
  });
  return (
    <>
      <h1>{t("auth.resetTitle")}</h1>
      {!token ? <Alert kind="error">{t("auth.linkMissingToken")}</Alert> : null}
      {done ? (
        <>
          <Alert kind="success">{t("auth.passwordChanged")}</Alert>
          <Link to="/login">{t("auth.continueToLogin")}</Link>
        </>
      ) : (
        <ActionForm action={confirm} submitLabel={t("auth.setPassword")} disabled={!token}>
          <TextField
            label={t("auth.newPassword")}
            type="password"
            autoComplete="new-password"
            hint={t("auth.passwordHint")}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </ActionForm>
      )}
    </>
  );
}

/** /console/accept-invite?token=… — the link in a team invite. */
export function AcceptInvitePage() {
  const { t } = useT();
  const token = useSearch().get("token") ?? "";
  const [form, setForm] = useState({ password: "", name: "", totp_code: "" });
  const [joined, setJoined] = useState<{ business_name: string; role: string } | null>(null);
  const accept = useAction(async () => {
    setJoined(
      await api.post<{ business_name: string; role: string }>("/v1/console/team/invites/accept", {
        token,
        password: form.password,
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(form.totp_code ? { totp_code: form.totp_code } : {}),
      }),
    );
  });
  return (
    <>
      <h1>{t("auth.inviteTitle")}</h1>
      {!token ? <Alert kind="error">{t("auth.linkMissingToken")}</Alert> : null}
      {joined ? (
        <>
          <Alert kind="success">
            {t("auth.inviteAccepted", {
              business: joined.business_name,
              role: t(`role.${joined.role}` as "role.admin"),
            })}
          </Alert>
          <Link to="/login">{t("auth.continueToLogin")}</Link>
        </>
      ) : (
        <ActionForm action={accept} submitLabel={t("auth.acceptInvite")} disabled={!token}>
          <p className="field-hint">{t("auth.inviteHint")}</p>
          <TextField
            label={t("auth.yourName")}
            autoComplete="name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
          <TextField
            label={t("auth.password")}
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
          <TextField
            label={t("auth.totpCodeOptional")}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={form.totp_code}
            onChange={(e) => setForm({ ...form, totp_code: e.target.value.replace(/\D/g, "") })}
          />
        </ActionForm>
      )}
    </>
  );
}
