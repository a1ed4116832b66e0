import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiRequestError } from "../../shared/api";
import { LanguageSwitcher } from "../../shared/i18n";
import { Alert, Button, ErrorAlert, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api, type OperatorSession } from "../api";
import { useT } from "../messages";
import { useSession } from "../session";

/**
 * Operator sign-in in up to three steps on one form: email and password; a new password when the one given was a
 * one-time password; the authenticator code when the operator has TOTP on. Each step keeps what was typed before.
 */
type Step = "password" | "new_password" | "totp";

export function LoginPage() {
  const { t, locale, setLocale } = useT();
  const { signedIn } = useSession();
  const [step, setStep] = useState<Step>("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const stepHeading = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (step !== "password") stepHeading.current?.focus();
  }, [step]);

  const login = useAction(async () => {
    try {
      const session = await api.post<OperatorSession>("/v1/ops/login", {
        email,
        password,
        ...(step === "new_password" || newPassword ? { new_password: newPassword } : {}),
        ...(step === "totp" ? { totp_code: totpCode } : {}),
      });
      signedIn(session);
    } catch (error) {
      if (error instanceof ApiRequestError && error.code === "password_change_required") {
        setStep("new_password");
        return;
      }
      if (error instanceof ApiRequestError && error.code === "two_factor_required") {
        setStep("totp");
        return;
      }
      throw error;
    }
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.run();
  };
  const fieldError = (param: string) => (login.error?.param === param ? login.error.message : null);

  // The same header as the signed-in pages (brand and language), so the sign-in page looks like coffer's ops console.
  return (
    <>
      <header className="app-header">
        <span className="app-brand">{t("app.title")}</span>
        <LanguageSwitcher locale={locale} onChange={setLocale} label={t("app.language")} />
      </header>
      <main className="app-main narrow">
        <h1>{t("login.title")}</h1>
        <form className="card" onSubmit={submit} noValidate>
          {step === "password" ? (
            <>
              <TextField
                label={t("login.email")}
                type="email"
                autoComplete="username"
                required
                value={email}
                error={fieldError("email")}
                onChange={(event) => setEmail(event.target.value)}
              />
              <TextField
                label={t("login.password")}
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </>
          ) : null}
          {step === "new_password" ? (
            <>
              <p tabIndex={-1} ref={stepHeading}>
                {t("login.newPasswordIntro")}
              </p>
              <TextField
                label={t("login.newPassword")}
                type="password"
                autoComplete="new-password"
                required
                hint={t("login.newPasswordHint")}
                value={newPassword}
                error={fieldError("new_password")}
                onChange={(event) => setNewPassword(event.target.value)}
              />
            </>
          ) : null}
          {step === "totp" ? (
            <>
              <p tabIndex={-1} ref={stepHeading}>
                {t("login.totpIntro")}
              </p>
              <TextField
                label={t("login.totp")}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={6}
                required
                value={totpCode}
                onChange={(event) => setTotpCode(event.target.value.replace(/\D/g, ""))}
              />
            </>
          ) : null}
          {login.error && !login.error.param ? <ErrorAlert error={login.error} /> : null}
          {login.error?.param && step === "password" && login.error.param !== "email" ? (
            <Alert>{login.error.message}</Alert>
          ) : null}
          <div className="button-row">
            <Button type="submit" pending={login.pending}>
              {step === "totp" ? t("login.verify") : t("login.submit")}
            </Button>
            {step !== "password" ? (
              <Button
                variant="link"
                onClick={() => {
                  setStep("password");
                  setPassword("");
                  setNewPassword("");
                  setTotpCode("");
                  login.setError(null);
                }}
              >
                {t("login.back")}
              </Button>
            ) : null}
          </div>
        </form>
      </main>
    </>
  );
}
