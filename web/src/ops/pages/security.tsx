import { type FormEvent, useState } from "react";
import { Alert, Button, Card, ErrorAlert, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api } from "../api";
import { useT } from "../messages";
import { useOperator, useSession } from "../session";

/** The operator's own sign-in security: turn the authenticator app (TOTP) on with a first code, or off. */
interface Enrollment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

export function SecurityPage() {
  const { t } = useT();
  const operator = useOperator();
  const { refresh } = useSession();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [code, setCode] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const begin = useAction(async () => {
    setDone(null);
    setEnrollment(await api.post<Enrollment>("/v1/ops/2fa/totp"));
  });
  const finish = useAction(async (action: "confirm" | "disable") => {
    await api.post(`/v1/ops/2fa/totp/${action}`, { code });
    setEnrollment(null);
    setCode("");
    setDone(action === "confirm" ? t("security.enabled") : t("security.disabled"));
    await refresh();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    finish.run(operator.totp_enabled ? "disable" : "confirm");
  };
  const codeField = (
    <TextField
      label={t("security.code")}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
      value={code}
      error={finish.error?.param === "code" ? finish.error.message : null}
      onChange={(event) => setCode(event.target.value.replace(/\D/g, ""))}
    />
  );
  return (
    <>
      <h1>{t("security.title")}</h1>
      {done ? <Alert kind="success">{done}</Alert> : null}
      <Card>
        <p>{operator.totp_enabled ? t("security.totpOn") : t("security.totpOff")}</p>
        {operator.totp_enabled ? (
          <form onSubmit={submit}>
            {codeField}
            <Button type="submit" variant="danger" pending={finish.pending}>
              {t("security.disable")}
            </Button>
          </form>
        ) : enrollment ? (
          <form onSubmit={submit}>
            <img
              src={`data:image/svg+xml;utf8,${encodeURIComponent(enrollment.qr_svg)}`}
              alt={t("security.otpauth")}
              width={180}
              height={180}
            />
            <p>
              {t("security.secret")} <code className="ops-secret">{enrollment.secret}</code>
            </p>
            <p className="field-hint">
              {t("security.secretHint")} <a href={enrollment.otpauth_uri}>{t("security.otpauth")}</a>
            </p>
            {codeField}
            <Button type="submit" pending={finish.pending}>
              {t("security.confirm")}
            </Button>
          </form>
        ) : (
          <Button pending={begin.pending} onClick={() => begin.run()}>
            {t("security.enroll")}
          </Button>
        )}
        <ErrorAlert error={begin.error} />
        {finish.error && finish.error.param !== "code" ? <ErrorAlert error={finish.error} /> : null}
      </Card>
    </>
  );
}
