import { FingerprintPattern, LogOut } from "lucide-react";
import { type FormEvent, useState } from "react";
import type { ApiClient, ListPage } from "../../shared/api";
import { formatDateTime } from "../../shared/money";
import { navigate } from "../../shared/router";
import { Alert, Button, Card, DefinitionList, Empty, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { Passkey, TotpEnrollment, WalletUser } from "../api-types";
import { Problem, svgDataUrl } from "../components";
import { useT } from "../messages";
import { createPasskey, passkeysSupported } from "../passkeys";
import { paths, useSession } from "../session";
import { DevicesCard, NeverAskCard, ScamAdviceCard, SignInsCard } from "./security-centre";

/**
 * The security centre: second factors (authenticator app, passkeys), the devices signed in and recent sign-ins, how
 * to recognise scams and what coffer never asks for, and logging out.
 */
export function SecurityPage() {
  const { t } = useT();
  const { api, logOut } = useSession();
  const me = useAsync(() => api.get<WalletUser>("/v1/wallet/me"), [api]);
  const [error, setError] = useState<unknown>(null);

  const logOutHere = async () => {
    setError(null);
    try {
      await api.post("/v1/wallet/logout");
    } catch {
      // The session may be over already; this device forgets it either way.
    }
    logOut();
    navigate(paths.login, { replace: true });
  };

  if (!me.data) return me.status === "error" ? <Problem error={me.error} /> : <Spinner label={t("loading")} />;
  return (
    <>
      <h1>{t("security.title")}</h1>
      <Card title={t("security.account")}>
        <DefinitionList
          items={[
            [t("security.contact"), me.data.email ?? me.data.phone ?? me.data.id],
            [t("security.tier"), String(me.data.tier)],
          ]}
        />
      </Card>
      <TotpCard user={me.data} onChange={me.reload} />
      <PasskeysCard />
      <DevicesCard />
      <SignInsCard />
      <ScamAdviceCard />
      <NeverAskCard />
      <Problem error={error} />
      <Button variant="danger" icon={LogOut} onClick={logOutHere}>
        {t("security.logout")}
      </Button>
    </>
  );
}

function TotpCard({ user, onChange }: { user: WalletUser; onChange(): void }) {
  const { t } = useT();
  const { api } = useSession();
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null);
  const [code, setCode] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setPending(true);
    setError(null);
    setDone(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  const begin = () =>
    run(async () => {
      setEnrollment(await api.post<TotpEnrollment>("/v1/wallet/totp"));
    });
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.post("/v1/wallet/totp/confirm", { code: code.trim() });
      setEnrollment(null);
      setCode("");
      setDone(t("security.totp.enabled"));
      onChange();
    });
  };
  const disable = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.post("/v1/wallet/totp/disable", { code: code.trim() });
      setCode("");
      setDone(t("security.totp.disabled"));
      onChange();
    });
  };

  return (
    <Card title={t("security.totp")}>
      <p>{user.totp_enabled ? t("security.totp.on") : t("security.totp.off")}</p>
      {user.totp_enabled ? (
        <form onSubmit={disable} noValidate>
          <TextField
            label={t("security.totp.disableCode")}
            name="totp-disable"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          <Button type="submit" variant="secondary" pending={pending}>
            {t("security.totp.disable")}
          </Button>
        </form>
      ) : enrollment ? (
        <form onSubmit={confirm} noValidate>
          <p>{t("security.totp.scan")}</p>
          <figure className="qr">
            <img src={svgDataUrl(enrollment.qr_svg)} alt={t("security.totp.qr")} width={220} height={220} />
          </figure>
          <p>
            {t("security.totp.secret")}: <code>{enrollment.secret}</code>
          </p>
          <TextField
            label={t("security.totp.code")}
            name="totp-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          <Button type="submit" pending={pending}>
            {t("security.totp.confirm")}
          </Button>
        </form>
      ) : (
        <Button onClick={begin} pending={pending}>
          {t("security.totp.enable")}
        </Button>
      )}
      <Problem error={error} />
      <div role="status" aria-live="polite">
        {done ? <Alert kind="success">{done}</Alert> : null}
      </div>
    </Card>
  );
}

function PasskeysCard() {
  const { t, locale } = useT();
  const { api } = useSession();
  const list = useAsync(async () => (await api.get<ListPage<Passkey>>("/v1/wallet/passkeys")).data, [api]);
  const [name, setName] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const supported = passkeysSupported();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const options = await api.post<{ challenge_id: string; options: Record<string, unknown> }>(
        "/v1/wallet/passkeys/options",
      );
      const credential = await createPasskey(options.options);
      await api.post("/v1/wallet/passkeys", {
        challenge_id: options.challenge_id,
        credential,
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      setName("");
      list.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  const remove = (id: string) => deleteAndReload(api, `/v1/wallet/passkeys/${id}`, list.reload, setError);

  return (
    <Card title={t("security.passkeys")}>
      {list.data ? (
        list.data.length === 0 ? (
          <Empty compact icon={FingerprintPattern} title={t("security.passkeys.none")}>
            {t("security.passkeys.none.text")}
          </Empty>
        ) : (
          <ul className="plain-list">
            {list.data.map((passkey) => {
              const label = passkey.name ?? t("security.passkeys.unnamed");
              return (
                <li key={passkey.id}>
                  <strong>{label}</strong>{" "}
                  <span className="field-hint">
                    {passkey.last_used
                      ? t("security.passkeys.lastUsed", { when: formatDateTime(passkey.last_used, locale) })
                      : t("security.passkeys.never")}
                  </span>{" "}
                  <Button variant="link" onClick={() => remove(passkey.id)}>
                    {t("security.passkeys.remove", { name: label })}
                  </Button>
                </li>
              );
            })}
          </ul>
        )
      ) : list.status === "error" ? (
        <Problem error={list.error} />
      ) : (
        <Spinner label={t("loading")} />
      )}
      {supported ? (
        <form onSubmit={add} noValidate>
          <TextField
            label={t("security.passkeys.name")}
            name="passkey-name"
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <Button type="submit" variant="secondary" pending={pending}>
            {t("security.passkeys.add")}
          </Button>
        </form>
      ) : (
        <p className="field-hint">{t("security.passkeys.unsupported")}</p>
      )}
      <Problem error={error} />
    </Card>
  );
}

/** Deletes one item of a card's list, then loads the list again; a failure shows as the card's error. */
async function deleteAndReload(
  api: ApiClient,
  path: string,
  reload: () => void,
  setError: (error: unknown) => void,
): Promise<void> {
  setError(null);
  try {
    await api.del(path);
    reload();
  } catch (caught) {
    setError(caught);
  }
}
