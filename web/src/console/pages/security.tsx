import { FingerprintPattern } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Alert, Button, Card, Empty, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConfirmButton, ConsoleError, useFormat } from "../common";
import { useT } from "../messages";
import { useSession } from "../session";
import { type CreationOptionsJson, createPasskey, passkeysSupported } from "../webauthn";
import { SignInsCard } from "./sign-ins";

/**
 * Your own sign-in security: an authenticator app (TOTP; the QR code is the SVG coffer answers, shown as an image,
 * with the secret as text for typing in), passkeys, and your recent sign-ins.
 */
interface Enrollment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

interface Passkey {
  id: string;
  name: string | null;
  device_type: string;
  created: number;
  last_used: number | null;
}

const svgDataUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function TotpCard() {
  const { t } = useT();
  const { state, refresh } = useSession();
  const enabled = state.status === "signed_in" && state.me.user.two_factor.totp;
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [code, setCode] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const begin = useAction(async () => {
    setMessage(null);
    setEnrollment(await api.post<Enrollment>("/v1/console/2fa/totp"));
  });
  const confirm = useAction(async () => {
    await api.post("/v1/console/2fa/totp/confirm", { code });
    setEnrollment(null);
    setCode("");
    setMessage(t("security.totpOn"));
    await refresh();
  });
  const disable = useAction(async () => {
    await api.post("/v1/console/2fa/totp/disable", { code });
    setCode("");
    setMessage(t("security.totpOff"));
    await refresh();
  });
  const codeField = (
    <TextField
      label={t("security.code")}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      value={code}
      onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
    />
  );
  return (
    <Card title={t("security.totpTitle")}>
      {message ? <Alert kind="success">{message}</Alert> : null}
      {enabled ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            disable.run();
          }}
        >
          <p>{t("security.totpEnabled")}</p>
          {codeField}
          <ConsoleError error={disable.error} />
          <Button type="submit" variant="danger" pending={disable.pending}>
            {t("security.totpDisable")}
          </Button>
        </form>
      ) : enrollment ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            confirm.run();
          }}
        >
          <ol>
            <li>{t("security.scan")}</li>
            <li>{t("security.enterCode")}</li>
          </ol>
          <div className="qr">
            <img src={svgDataUrl(enrollment.qr_svg)} alt={t("security.qrAlt")} />
          </div>
          <p>
            {t("security.secretText")}{" "}
            <input className="secret-value" readOnly value={enrollment.secret} aria-label={t("security.secretLabel")} />
          </p>
          {codeField}
          <ConsoleError error={confirm.error} />
          <Button type="submit" pending={confirm.pending}>
            {t("security.totpConfirm")}
          </Button>
        </form>
      ) : (
        <>
          <p>{t("security.totpIntro")}</p>
          <ConsoleError error={begin.error} />
          <Button pending={begin.pending} onClick={() => begin.run()}>
            {t("security.totpSetUp")}
          </Button>
        </>
      )}
    </Card>
  );
}

function PasskeysCard() {
  const { t } = useT();
  const format = useFormat();
  const { refresh } = useSession();
  const passkeys = useAsync(() => api.get<ListPage<Passkey>>("/v1/console/webauthn/credentials"), []);
  const [name, setName] = useState("");
  const add = useAction(async () => {
    const options = await api.post<CreationOptionsJson>("/v1/console/webauthn/registration/options");
    const response = await createPasskey(options);
    await api.post("/v1/console/webauthn/registration/verify", {
      response,
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    setName("");
    passkeys.reload();
    await refresh();
  });
  const remove = useAction(async (id: string) => {
    await api.del(`/v1/console/webauthn/credentials/${encodeURIComponent(id)}`);
    passkeys.reload();
    await refresh();
  });
  return (
    <Card title={t("security.passkeysTitle")}>
      {passkeys.status === "loading" && !passkeys.data ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={passkeys.error ?? remove.error} />
      {passkeys.data && passkeys.data.data.length === 0 ? (
        <Empty compact icon={FingerprintPattern} title={t("security.noPasskeys")}>
          {t("security.noPasskeysText")}
        </Empty>
      ) : null}
      {passkeys.data && passkeys.data.data.length > 0 ? (
        <ul className="plain-list" aria-label={t("security.passkeysTitle")}>
          {passkeys.data.data.map((p) => (
            <li key={p.id}>
              <strong>{p.name ?? t("security.unnamedPasskey")}</strong> · {format.date(p.created)} ·{" "}
              {t("security.lastUsed", { when: format.date(p.last_used) })}{" "}
              <ConfirmButton
                label={t("security.removePasskey", { name: p.name ?? p.id.slice(0, 8) })}
                confirmLabel={t("security.removePasskeyConfirm")}
                pending={remove.pending}
                onConfirm={() => remove.run(p.id)}
              />
            </li>
          ))}
        </ul>
      ) : null}
      {passkeysSupported() ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            add.run();
          }}
        >
          <TextField label={t("security.passkeyName")} value={name} onChange={(e) => setName(e.target.value)} />
          <ConsoleError error={add.error} />
          <Button type="submit" variant="secondary" pending={add.pending}>
            {t("security.addPasskey")}
          </Button>
        </form>
      ) : (
        <p className="field-hint">{t("security.passkeysUnsupported")}</p>
      )}
    </Card>
  );
}

export function SecurityPage() {
  const { t } = useT();
  return (
    <>
      <h1>{t("security.title")}</h1>
      <TotpCard />
      <PasskeysCard />
      <SignInsCard />
    </>
  );
}
