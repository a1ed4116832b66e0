import { type ChangeEvent, type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { navigate } from "../../shared/router";
import { Alert, Button, Card, TextField } from "../../shared/ui";
import type { WalletPayment } from "../api-types";
import { Problem } from "../components";
import { useT } from "../messages";
import { decodeQr, decodeQrFile, imageDataOf } from "../qr-decode";
import { paths, useSession } from "../session";

/** How often a camera frame is checked for a QR code. */
const scanIntervalMs = 250;

/**
 * Pay a shop's QR code: with the camera, by pasting the link printed under it, or from a photo. What the code holds
 * goes to POST /v1/wallet/scan, which answers the payment; the payment page then asks to confirm or decline.
 */
export function ScanPage() {
  const { t } = useT();
  const { api } = useSession();
  const [payload, setPayload] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);

  const lookUp = useCallback(
    async (text: string) => {
      setPending(true);
      setError(null);
      try {
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

  return (
    <>
      <h1>{t("scan.title")}</h1>
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
