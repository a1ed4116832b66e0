import { type ChangeEvent, type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { HelpButton } from "../../shared/help";
import { parseMoney } from "../../shared/money";
import { navigate, useSearch } from "../../shared/router";
import { Alert, Button, Card, TextField } from "../../shared/ui";
import type { WalletPayment } from "../api-types";
import { Problem } from "../components";
import { useT } from "../messages";
import { decodeQr, decodeQrFile, imageDataOf } from "../qr-decode";
import { paths, useSession } from "../session";
import { useTillT } from "./till-messages";

/** A till's static QR code: no amount in it, the payer types one (src/stores). */
const tillPattern = /\/t\/[0-9A-Za-z]{22}\/?(?:[?#].*)?$/;

interface WalletTill {
  merchant: { name: string };
  store: { name: string };
  name: string;
  currency: string;
}

/** How often a camera frame is checked for a QR code. */
const scanIntervalMs = 250;

/**
 * Pay a shop's QR code: with the camera, by pasting the link printed under it, or from a photo. What the code holds
 * goes to POST /v1/wallet/scan, which answers the payment; the payment page then asks to confirm or decline. A till's
 * QR code (or the /t/ link a phone camera opened, which lands here with ?till=) asks for the amount first.
 */
export function ScanPage() {
  const { t } = useT();
  const { api } = useSession();
  const [payload, setPayload] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [till, setTill] = useState<{ payload: string; till: WalletTill } | null>(null);
  const tillToken = useSearch().get("till");

  const lookUp = useCallback(
    async (text: string) => {
      setPending(true);
      setError(null);
      try {
        if (tillPattern.test(text.trim())) {
          const found = await api.get<WalletTill>("/v1/wallet/till", { payload: text.trim() });
          setTill({ payload: text.trim(), till: found });
          return;
        }
        const payment = await api.post<WalletPayment>("/v1/wallet/scan", { payload: text.trim() });
        navigate(paths.payment(payment.id));
      } catch (caught) {
        setError(caught);
      } finally {
        setPending(false);
      }
    },
    [api],
  );

  useEffect(() => {
    if (tillToken && /^[0-9A-Za-z]{22}$/.test(tillToken)) void lookUp(`${window.location.origin}/t/${tillToken}`);
  }, [tillToken, lookUp]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (payload.trim()) void lookUp(payload);
  };

  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setNote(null);
    const text = await decodeQrFile(file).catch(() => null);
    if (text) {
      setPayload(text);
      void lookUp(text);
    } else setNote(t("scan.noCode"));
  };

  if (till) return <TillAmount payload={till.payload} till={till.till} onCancel={() => setTill(null)} />;

  return (
    <>
      <div className="heading-with-help">
        <h1>{t("scan.title")}</h1>
        <HelpButton slug="pay-by-scanning" />
      </div>
      <p>{t("scan.intro")}</p>
      <Camera onCode={lookUp} />
      <Card>
        <form onSubmit={submit} noValidate>
          <TextField
            label={t("scan.paste")}
            hint={t("scan.paste.hint")}
            name="payload"
            inputMode="url"
            autoComplete="off"
            value={payload}
            onChange={(event) => setPayload(event.target.value)}
          />
          <Button type="submit" pending={pending}>
            {t("scan.lookUp")}
          </Button>
        </form>
        <div className="field scan-upload">
          <label htmlFor="scan-photo">{t("scan.upload")}</label>
          <input id="scan-photo" type="file" accept="image/*" onChange={pick} />
        </div>
        <div role="status" aria-live="polite">
          {note ? <Alert kind="warning">{note}</Alert> : null}
        </div>
        <Problem error={error} />
      </Card>
    </>
  );
}

/** The amount the payer types for a till's QR code: the scan makes the payment, the payment page confirms it. */
function TillAmount({ payload, till, onCancel }: { payload: string; till: WalletTill; onCancel(): void }) {
  const { t } = useTillT();
  const { api } = useSession();
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseMoney(amount, till.currency);
    if (!parsed.ok) {
      setInvalid(t(`till.amount.${parsed.reason}`, { currency: till.currency }));
      return;
    }
    setInvalid(undefined);
    setPending(true);
    setError(null);
    try {
      const payment = await api.post<WalletPayment>("/v1/wallet/scan", { payload, amount: parsed.minor });
      navigate(paths.payment(payment.id));
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  return (
    <>
      <h1>{t("till.title", { merchant: till.merchant.name })}</h1>
      <p>{t("till.where", { store: till.store.name, till: till.name })}</p>
      <Card>
        <form onSubmit={submit} noValidate>
          <TextField
            label={t("till.amount", { currency: till.currency })}
            hint={t("till.amountHint")}
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            error={invalid}
            onChange={(event) => setAmount(event.target.value)}
          />
          <Button type="submit" pending={pending}>
            {t("till.continue")}
          </Button>{" "}
          <Button variant="link" onClick={onCancel}>
            {t("till.cancel")}
          </Button>
        </form>
        <Problem error={error} />
      </Card>
    </>
  );
}

function Camera({ onCode }: { onCode(text: string): void }) {
  const { t } = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const stop = useCallback(() => {
    setStream((current) => {
      for (const track of current?.getTracks() ?? []) track.stop();
      return null;
    });
  }, []);

  const start = async () => {
    setFailure(null);
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      setStream(media);
    } catch (caught) {
      setFailure(t("scan.cameraFailed", { reason: caught instanceof Error ? caught.message : String(caught) }));
    }
  };

  useEffect(() => {
    const element = video.current;
    if (!stream || !element) return;
    element.srcObject = stream;
    void element.play().catch(() => undefined);
    let found = false;
    const timer = setInterval(async () => {
      if (found || element.readyState < element.HAVE_CURRENT_DATA) return;
      const frame = imageDataOf(element, element.videoWidth, element.videoHeight);
      const text = frame ? await decodeQr(frame) : null;
      if (text && !found) {
        found = true;
        stop();
        onCode(text);
      }
    }, scanIntervalMs);
    return () => clearInterval(timer);
  }, [stream, onCode, stop]);

  useEffect(() => stop, [stop]);

  const supported = typeof navigator !== "undefined" && Boolean(navigator.mediaDevices?.getUserMedia);
  return (
    <Card>
      {stream ? (
        <>
          <video ref={video} className="scan-video" muted playsInline aria-label={t("scan.video")} />
          <p role="status">{t("scan.looking")}</p>
          <Button variant="secondary" onClick={stop}>
            {t("scan.stop")}
          </Button>
        </>
      ) : (
        <Button onClick={start} disabled={!supported}>
          {t("scan.start")}
        </Button>
      )}
      {failure ? <Alert kind="error">{failure}</Alert> : null}
    </Card>
  );
}
