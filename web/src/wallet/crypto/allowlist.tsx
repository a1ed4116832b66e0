import { ListChecks } from "lucide-react";
import { type FormEvent, useState } from "react";
import { ApiRequestError, type ListPage } from "../../shared/api";
import { looksLikeAddress } from "../../shared/crypto-amount";
import { Alert, Button, Card, Empty, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import type { WalletUser } from "../api-types";
import { needsStepUp, StepUpField, stepUpBody } from "../components";
import { paths, useSession } from "../session";
import { CryptoNav, CryptoProblem, useCryptoAddress, WithAddress } from "./common";
import { type CryptoMessageKey, useCryptoT } from "./messages";
import type { AllowlistEntry, WithdrawalSettings } from "./model";

/**
 * The withdrawal allowlist (docs/crypto.md): the addresses crypto may go to, and the setting that makes them the
 * only ones. Adding an address, and turning the setting off, need a second factor: coffer asks for it
 * (step_up_required) and the page shows the field, as the bank withdrawal does.
 */
export function CryptoAllowlistPage() {
  const { t } = useCryptoT();
  const address = useCryptoAddress();
  return (
    <>
      <h1>{t("allowlist.title")}</h1>
      <CryptoNav current={paths.cryptoAllowlist} />
      <p>{t("allowlist.intro")}</p>
      <WithAddress state={address}>{() => <Allowlist />}</WithAddress>
    </>
  );
}

function Allowlist() {
  const { t } = useCryptoT();
  const { api } = useSession();
  const state = useAsync(async () => {
    const [settings, entries, me] = await Promise.all([
      api.get<WithdrawalSettings>("/v1/wallet/crypto/withdrawal_settings"),
      api.get<ListPage<AllowlistEntry>>("/v1/wallet/crypto/allowlist"),
      api.get<WalletUser>("/v1/wallet/me"),
    ]);
    return { settings, entries: entries.data, me };
  }, [api]);
  const remove = useAction(async (id: string) => {
    await api.del(`/v1/wallet/crypto/allowlist/${encodeURIComponent(id)}`);
    state.reload();
  });
  if (!state.data) {
    return state.status === "error" ? <CryptoProblem error={state.error} /> : <Spinner label={t("loading")} />;
  }
  const { settings, entries, me } = state.data;
  return (
    <>
      <SettingCard settings={settings} totpEnabled={me.totp_enabled} onSaved={state.reload} />
      <Card title={t("allowlist.entries")}>
        {entries.length === 0 ? (
          <Empty compact icon={ListChecks} title={t("allowlist.none.title")}>
            {t("allowlist.none")} {t("allowlist.none.text")}
          </Empty>
        ) : (
          <ul className="plain-list" aria-label={t("allowlist.entries")}>
            {entries.map((entry) => (
              <li key={entry.id} className="crypto-row">
                <span>
                  {entry.label ? <strong>{entry.label} </strong> : null}
                  <span className="mono">{entry.address}</span>
                </span>
                <Button
                  variant="link"
                  pending={remove.pending}
                  aria-label={t("allowlist.remove", { address: entry.label ?? entry.address })}
                  onClick={() => remove.run(entry.id)}
                >
                  {t("allowlist.removeShort")}
                </Button>
              </li>
            ))}
          </ul>
        )}
        <CryptoProblem error={remove.error} />
      </Card>
      <AddCard totpEnabled={me.totp_enabled} onAdded={state.reload} />
    </>
  );
}

function SettingCard({
  settings,
  totpEnabled,
  onSaved,
}: {
  settings: WithdrawalSettings;
  totpEnabled: boolean;
  onSaved(): void;
}) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const [only, setOnly] = useState(settings.allowlist_only);
  const [totp, setTotp] = useState("");
  const [stepUp, setStepUp] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    try {
      await api.post<WithdrawalSettings>("/v1/wallet/crypto/withdrawal_settings", {
        allowlist_only: only,
        ...stepUpBody(totp),
      });
    } catch (caught) {
      if (needsStepUp(caught)) setStepUp(true);
      throw caught;
    }
    setSaved(true);
    setStepUp(false);
    setTotp("");
    onSaved();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  return (
    <Card>
      <form onSubmit={submit} noValidate>
        <div className="field crypto-check">
          <label>
            <input type="checkbox" checked={only} onChange={(event) => setOnly(event.target.checked)} />{" "}
            {t("allowlist.only")}
          </label>
        </div>
        <p className="field-hint">{settings.allowlist_only ? t("allowlist.on") : t("allowlist.off")}</p>
        <StepUpField needed={stepUp} totpEnabled={totpEnabled} value={totp} onChange={setTotp} />
        <CryptoProblem error={save.error} />
        <div role="status" aria-live="polite">
          {saved ? <Alert kind="success">{t("allowlist.saved")}</Alert> : null}
        </div>
        <Button type="submit" variant="secondary" pending={save.pending}>
          {t("allowlist.save")}
        </Button>
      </form>
    </Card>
  );
}

function AddCard({ totpEnabled, onAdded }: { totpEnabled: boolean; onAdded(): void }) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const [address, setAddress] = useState("");
  const [addressError, setAddressError] = useState<string | null>(null);
  const [label, setLabel] = useState("");
  const [totp, setTotp] = useState("");
  const [added, setAdded] = useState<AllowlistEntry | null>(null);
  const add = useAction(async (target: string) => {
    setAdded(null);
    try {
      const entry = await api.post<AllowlistEntry>("/v1/wallet/crypto/allowlist", {
        address: target,
        ...(label.trim() ? { label: label.trim() } : {}),
        ...stepUpBody(totp),
      });
      setAdded(entry);
      setAddress("");
      setLabel("");
      setTotp("");
      onAdded();
    } catch (caught) {
      if (caught instanceof ApiRequestError && caught.code.startsWith("crypto_address_")) {
        setAddressError(t(`error.${caught.code}` as CryptoMessageKey));
        return;
      }
      throw caught;
    }
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = address.trim();
    const valid = looksLikeAddress(target);
    setAddressError(valid ? null : t("send.toInvalid"));
    if (valid) void add.run(target);
  };
  return (
    <Card title={t("allowlist.add")}>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("allowlist.address")}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          className="mono"
          value={address}
          hint={t("send.toHint")}
          error={addressError}
          onChange={(event) => setAddress(event.target.value)}
        />
        <TextField
          label={t("allowlist.label")}
          maxLength={100}
          value={label}
          hint={t("allowlist.labelHint")}
          onChange={(event) => setLabel(event.target.value)}
        />
        <p className="field-hint">{t("allowlist.stepUpNote")}</p>
        <StepUpField needed totpEnabled={totpEnabled} value={totp} onChange={setTotp} />
        <CryptoProblem error={add.error} />
        <div role="status" aria-live="polite">
          {added ? <Alert kind="success">{t("allowlist.added", { address: added.address })}</Alert> : null}
        </div>
        <Button type="submit" pending={add.pending}>
          {t("allowlist.submit")}
        </Button>
      </form>
    </Card>
  );
}
