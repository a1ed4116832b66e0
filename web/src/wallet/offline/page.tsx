import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiRequestError } from "../../shared/api";
import { apiErrorText } from "../../shared/api-error-text";
import { formatDateTime, formatMoney, parseMoney } from "../../shared/money";
import { Alert, Button, Card, DefinitionList, SelectField, Spinner, TextField } from "../../shared/ui";
import type { Balance, WalletUser } from "../api-types";
import { svgDataUrl, useNowSeconds } from "../components";
import { useSession } from "../session";
import { makeDeviceKeyPair, makeOfflineCode, publicJwk } from "./code";
import { type OfflineMessageKey, useOfflineT } from "./messages";
import { nfcAvailable, writeNfc } from "./nfc";
import { offlineQrSvg } from "./qr";
import {
  type OfflineCertificate,
  type OfflineDevice,
  ownerOfToken,
  readDevice,
  rememberOwner,
  takeCounter,
  writeDevice,
} from "./store";

/** A code names the minute it was made; a till accepts it for that minute and two more (its clock may differ). */
const codeWindowMs = 60_000;
const codeUsableWindows = 3;

/** The QR code's width in CSS pixels at most; each module gets a whole number of pixels, so its edges stay sharp. */
const qrWidthMax = 320;
const qrModulePixelsMin = 3;

interface ShownCode {
  code: string;
  svg: string;
  /** Drawn width in CSS pixels: a whole number of pixels per module. */
  width: number;
  amount: string | null;
  /** Until when (ms, this phone's clock) a till takes it. */
  usableUntil: number;
}

type NfcState = { kind: "idle" } | { kind: "writing" } | { kind: "written" } | { kind: "failed"; reason: string };

function useOnline(): boolean {
  const [online, setOnline] = useState(() => globalThis.navigator?.onLine ?? true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

/**
 * Paying offline (docs/offline-codes.md): this phone keeps a non-extractable P-256 key and the certificate coffer
 * signed for it in IndexedDB, and makes one-time codes from them with no network — shown as a QR code (and sent as
 * an NFC NDEF text record where the browser has Web NFC). The same page serves an account wallet and a prepaid
 * card (with the card's session, its own certificate route).
 */
export function OfflinePage() {
  const { t } = useOfflineT();
  const { api, token, card } = useSession();
  const online = useOnline();
  const [owner, setOwner] = useState<string | null>(null);
  /** undefined: still reading this phone's store; null: no device here yet. */
  const [device, setDevice] = useState<OfflineDevice | null | undefined>(undefined);
  const [problem, setProblem] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    setDevice(undefined);
    void (async () => {
      try {
        let who: string | undefined;
        if (card) who = `card:${card.card}`;
        else if (token) {
          // Known on this phone already (offline too); else asked once, while online.
          who = await ownerOfToken(token);
          if (!who) {
            who = `account:${(await api.get<WalletUser>("/v1/wallet/me")).id}`;
            await rememberOwner(token, who);
          }
        }
        if (!who || cancelled) return;
        const stored = (await readDevice(who)) ?? null;
        if (cancelled) return;
        setOwner(who);
        setDevice(stored);
      } catch (error) {
        if (!cancelled) {
          setProblem(error);
          setDevice(null);
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, token, card]);

  const save = useCallback(async (next: OfflineDevice) => {
    await writeDevice(next);
    setDevice(next);
  }, []);

  // While online, what merchants have settled: the cap left as coffer counts it.
  const certificateId = device?.certificate?.id;
  const refresh = useCallback(async () => {
    if (!device?.certificate) return;
    try {
      const fresh = await api.get<OfflineCertificate>(
        `/v1/wallet/offline_certificates/${encodeURIComponent(device.certificate.id)}`,
      );
      const current = owner ? await readDevice(owner) : undefined;
      if (current?.certificate?.id === fresh.id) await save({ ...current, certificate: fresh, checkedAt: Date.now() });
    } catch {
      // Offline or unreachable: the last count stays shown, with its time.
    }
  }, [api, device, owner, save]);
  const refreshedFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!certificateId || !online || refreshedFor.current === certificateId) return;
    refreshedFor.current = certificateId;
    void refresh();
  }, [certificateId, online, refresh]);

  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <p className="offline-network" role="status">
        {online ? null : <strong>{t("offline")}</strong>}
      </p>
      <OfflineProblem error={problem} />
      {device === undefined ? (
        <Spinner label={t("loading")} />
      ) : owner ? (
        <DeviceView owner={owner} device={device} online={online} onSave={save} onRefresh={refresh} />
      ) : null}
    </>
  );
}

function certificateState(certificate: OfflineCertificate | null, nowSeconds: number) {
  if (!certificate) return "none" as const;
  if (certificate.status !== "active" || nowSeconds >= certificate.expires_at) return "ended" as const;
  if (BigInt(certificate.remaining) <= 0n) return "spent" as const;
  return "usable" as const;
}

function DeviceView({
  owner,
  device,
  online,
  onSave,
  onRefresh,
}: {
  owner: string;
  device: OfflineDevice | null;
  online: boolean;
  onSave(device: OfflineDevice): Promise<void>;
  onRefresh(): Promise<void>;
}) {
  const { t, locale } = useOfflineT();
  const now = useNowSeconds();
  const certificate = device?.certificate ?? null;
  const state = certificateState(certificate, now);
  const [renewing, setRenewing] = useState(false);
  const [checking, setChecking] = useState(false);

  if (state !== "usable" || renewing) {
    return (
      <>
        {state === "ended" ? <Alert kind="info">{t("get.ended")}</Alert> : null}
        {state === "spent" ? <Alert kind="info">{t("get.spent")}</Alert> : null}
        <GetCertificate
          owner={owner}
          device={device}
          online={online}
          onIssued={async (next) => {
            await onSave(next);
            setRenewing(false);
          }}
        />
        {renewing && state === "usable" ? (
          <Button variant="link" onClick={() => setRenewing(false)}>
            {t("get.keep")}
          </Button>
        ) : null}
      </>
    );
  }
  const cert = certificate!;
  const money = (amount: string) => formatMoney(amount, cert.currency, locale);
  return (
    <>
      <Card title={t("cert.title")}>
        <p className="offline-left-label">{t("cert.left")}</p>
        <p className="big-amount offline-left" data-offline-left={cert.remaining}>
          {money(cert.remaining)}
        </p>
        <p className="field-hint">
          {device?.checkedAt
            ? t("cert.leftChecked", { time: formatDateTime(new Date(device.checkedAt), locale) })
            : t("cert.leftIssued")}
        </p>
        <DefinitionList
          items={[
            [t("cert.cap"), money(cert.cap)],
            [
              t("cert.expires"),
              <time key="expires" dateTime={new Date(cert.expires_at * 1000).toISOString()}>
                {formatDateTime(cert.expires_at, locale)}
              </time>,
            ],
            [t("cert.onlyAt"), cert.merchant ? t("cert.thisShop") : t("cert.anyShop")],
          ]}
        />
        <div className="offline-actions">
          <Button
            variant="secondary"
            pending={checking}
            disabled={!online}
            onClick={async () => {
              setChecking(true);
              await onRefresh();
              setChecking(false);
            }}
          >
            {t("cert.refresh")}
          </Button>
          <Button variant="link" disabled={!online} onClick={() => setRenewing(true)}>
            {t("cert.new")}
          </Button>
        </div>
      </Card>
      <CodeMaker owner={owner} device={device!} certificate={cert} />
    </>
  );
}

/** Asks coffer for a certificate of this phone's key (made once, kept), holding the cap asked for. */
function GetCertificate({
  owner,
  device,
  online,
  onIssued,
}: {
  owner: string;
  device: OfflineDevice | null;
  online: boolean;
  onIssued(device: OfflineDevice): Promise<void>;
}) {
  const { t } = useOfflineT();
  const { api, card } = useSession();
  const [balances, setBalances] = useState<Balance[] | null>(null);
  const [currency, setCurrency] = useState("");
  const [cap, setCap] = useState("");
  const [capError, setCapError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!online) return;
    let cancelled = false;
    api
      .get<{ data: Balance[] }>("/v1/wallet/balances")
      .then((list) => {
        if (cancelled) return;
        setBalances(list.data);
        setCurrency((current) => current || list.data[0]?.currency || "");
      })
      .catch(() => {
        // Without the balances the cap is typed in the wallet's only currency; coffer names the problem if any.
      });
    return () => {
      cancelled = true;
    };
  }, [api, online]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCapError(null);
    const body: Record<string, unknown> = {};
    if (cap.trim()) {
      const parsed = parseMoney(cap, currency || "USD");
      if (!parsed.ok) {
        setCapError(t("get.capInvalid"));
        return;
      }
      body.offline_cap = parsed.minor;
    }
    if (!card && balances && balances.length > 1 && currency) body.currency = currency;
    setPending(true);
    try {
      let keys = device?.keys;
      if (!keys) {
        try {
          keys = await makeDeviceKeyPair();
        } catch (caught) {
          throw new DeviceError(String(caught));
        }
      }
      const url = card
        ? `/v1/wallet/cards/${encodeURIComponent(card.card)}/offline_certificate`
        : "/v1/wallet/offline_certificate";
      const certificate = await api.post<OfflineCertificate>(url, { public_key: await publicJwk(keys), ...body });
      // A new certificate starts its own counters: coffer settles each (certificate, counter) once.
      await onIssued({ owner, keys, certificate, counter: 0, checkedAt: null });
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  const several = !card && balances !== null && balances.length > 1;
  return (
    <Card title={t("get.title")}>
      <p>{card ? t("get.cardIntro") : t("get.intro")}</p>
      {online ? null : <Alert kind="warning">{t("get.needsNetwork")}</Alert>}
      <form onSubmit={submit} noValidate>
        {several ? (
          <SelectField label={t("get.currency")} value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {balances!.map((b) => (
              <option key={b.currency} value={b.currency}>
                {b.currency}
              </option>
            ))}
          </SelectField>
        ) : null}
        <TextField
          label={currency ? `${t("get.cap")} (${currency})` : t("get.cap")}
          hint={t("get.capHint")}
          name="offline_cap"
          inputMode="decimal"
          autoComplete="off"
          value={cap}
          onChange={(e) => setCap(e.target.value)}
          error={capError}
        />
        <OfflineProblem error={error} />
        <Button type="submit" pending={pending} disabled={!online}>
          {t("get.submit")}
        </Button>
      </form>
    </Card>
  );
}

class DeviceError extends Error {}

/** One-time codes, made here: the counter is stored before the code exists, then the device key signs it. */
function CodeMaker({
  owner,
  device,
  certificate,
}: {
  owner: string;
  device: OfflineDevice;
  certificate: OfflineCertificate;
}) {
  const { t, locale } = useOfflineT();
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [shown, setShown] = useState<ShownCode | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [nfc, setNfc] = useState<NfcState>({ kind: "idle" });
  const now = useNowSeconds();
  const money = (minor: string) => formatMoney(minor, certificate.currency, locale);

  const make = async (event: FormEvent) => {
    event.preventDefault();
    setAmountError(null);
    setError(null);
    let limit: string | null = null;
    if (amount.trim()) {
      const parsed = parseMoney(amount, certificate.currency);
      if (!parsed.ok) {
        setAmountError(t("code.amountInvalid"));
        return;
      }
      if (BigInt(parsed.minor) > BigInt(certificate.remaining)) {
        setAmountError(t("code.overLeft", { amount: money(certificate.remaining) }));
        return;
      }
      limit = parsed.minor;
    }
    setPending(true);
    try {
      const counter = await takeCounter(owner);
      const madeAt = new Date();
      const code = await makeOfflineCode({
        certificate: certificate.certificate,
        privateKey: device.keys.privateKey,
        counter,
        now: madeAt,
        amount: limit === null ? undefined : BigInt(limit),
      });
      const windowStart = Math.floor(madeAt.getTime() / codeWindowMs) * codeWindowMs;
      const qr = offlineQrSvg(code);
      setShown({
        code,
        svg: qr.svg,
        width: qr.modules * Math.max(qrModulePixelsMin, Math.floor(qrWidthMax / qr.modules)),
        amount: limit,
        usableUntil: windowStart + codeUsableWindows * codeWindowMs,
      });
      setNfc({ kind: "idle" });
    } catch (caught) {
      setError(new DeviceError(String(caught)));
    } finally {
      setPending(false);
    }
  };

  const sendNfc = async (code: string) => {
    setNfc({ kind: "writing" });
    try {
      await writeNfc(code);
      setNfc({ kind: "written" });
    } catch (caught) {
      setNfc({ kind: "failed", reason: caught instanceof Error ? caught.message : String(caught) });
    }
  };

  const stale = shown !== null && now * 1000 >= shown.usableUntil;
  return (
    <Card title={t("code.title")}>
      <form onSubmit={make} noValidate>
        <TextField
          label={`${t("code.amount")} (${certificate.currency})`}
          hint={t("code.amountHint")}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          error={amountError}
        />
        <OfflineProblem error={error} />
        <Button type="submit" pending={pending}>
          {shown ? t("code.again") : t("code.make")}
        </Button>
      </form>
      {shown && !stale ? (
        <>
          <figure className="offline-code-qr" data-offline-code={shown.code}>
            <img src={svgDataUrl(shown.svg)} alt={t("code.qr")} width={shown.width} height={shown.width} />
            <figcaption>
              {shown.amount ? t("code.forAmount", { amount: money(shown.amount) }) : t("code.anyAmount")}
            </figcaption>
          </figure>
          <p className="field-hint">
            {t("code.validUntil", {
              time: new Intl.DateTimeFormat(locale, { timeStyle: "short" }).format(new Date(shown.usableUntil)),
            })}
          </p>
          <p className="offline-code-text">
            <span className="visually-hidden">{t("code.text")}: </span>
            <output aria-label={t("code.text")}>{shown.code}</output>
          </p>
          {nfcAvailable() ? (
            <div className="offline-nfc" role="status">
              <Button variant="secondary" pending={nfc.kind === "writing"} onClick={() => sendNfc(shown.code)}>
                {t("nfc.write")}
              </Button>
              {nfc.kind === "writing" ? <p>{t("nfc.writing")}</p> : null}
              {nfc.kind === "written" ? <Alert kind="success">{t("nfc.written")}</Alert> : null}
              {nfc.kind === "failed" ? <Alert kind="warning">{t("nfc.failed", { reason: nfc.reason })}</Alert> : null}
            </div>
          ) : (
            <Alert kind="info">{t("nfc.unavailable")}</Alert>
          )}
        </>
      ) : null}
      {stale ? <Alert kind="info">{t("code.stale")}</Alert> : null}
    </Card>
  );
}

/** coffer's refusal in the page's language when the page knows the code; coffer's own message otherwise. */
function OfflineProblem({ error }: { error: unknown }) {
  const { t } = useOfflineT();
  if (!error) return null;
  if (error instanceof DeviceError) return <Alert kind="error">{t("error.device", { reason: error.message })}</Alert>;
  if (!(error instanceof ApiRequestError)) return <Alert kind="error">{String(error)}</Alert>;
  return (
    <Alert kind="error">
      {apiErrorText<OfflineMessageKey>(t, error)} <code className="error-code">{error.code}</code>
    </Alert>
  );
}
