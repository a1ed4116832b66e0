import { useCallback, useEffect, useRef, useState } from "react";
import type { ListPage } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { formatMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Button, Card, Spinner } from "../../shared/ui";
import type { PaymentCode, WalletPayment } from "../api-types";
import { Problem, pollMs, svgDataUrl, useInterval, useNowSeconds } from "../components";
import { useT } from "../messages";
import { paths, useSession } from "../session";
import { PaymentCodeWarning } from "./security-centre";

/** A new code this long before the shown one expires, so the cashier never scans a code that just ran out. */
const refreshBeforeExpirySeconds = 10;
/** How long a payment code works (GET /v1/wallet/payment_code). */
const paymentCodeLifetimeSeconds = 60;

/**
 * When, on this device's clock, the code should be replaced. A phone's clock may be off by minutes: if expires_at
 * makes no sense here (already past, or further than a code lives), the documented lifetime from now is used.
 */
function localDeadline(code: PaymentCode): number {
  const now = Math.floor(Date.now() / 1000);
  const remaining = code.expires_at - now;
  const trusted = remaining > 0 && remaining <= paymentCodeLifetimeSeconds ? remaining : paymentCodeLifetimeSeconds;
  return now + trusted - refreshBeforeExpirySeconds;
}

/**
 * The rotating payment code, as QR code and barcode: a fresh code a little before each one expires (every request
 * makes the code before it stop working, so only this page asks). Payments the till sends for confirmation show up
 * here as they arrive.
 */
export function PaymentCodePage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const [code, setCode] = useState<{ code: PaymentCode; refreshAt: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [waiting, setWaiting] = useState<WalletPayment[]>([]);
  const loading = useRef(false);
  const now = useNowSeconds();

  const fetchCode = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    try {
      const fresh = await api.get<PaymentCode>("/v1/wallet/payment_code");
      setCode({ code: fresh, refreshAt: localDeadline(fresh) });
      setError(null);
    } catch (caught) {
      setError(caught);
    } finally {
      loading.current = false;
    }
  }, [api]);

  useEffect(() => {
    void fetchCode();
  }, [fetchCode]);

  const secondsLeft = code ? code.refreshAt - now : 0;
  useEffect(() => {
    if (code && secondsLeft <= 0) void fetchCode();
  }, [code, secondsLeft, fetchCode]);

  const checkWaiting = useCallback(async () => {
    try {
      const list = await api.get<ListPage<WalletPayment>>("/v1/wallet/payments", { status: "processing", limit: 5 });
      setWaiting(list.data);
    } catch {
      // The code stays usable; the next check tries again.
    }
  }, [api]);
  useEffect(() => {
    void checkWaiting();
  }, [checkWaiting]);
  useInterval(checkWaiting, pollMs);

  return (
    <>
      <div className="heading-with-help">
        <h1>{t("code.title")}</h1>
        <HelpButton slug="payment-code" />
      </div>
      <p>{t("code.intro")}</p>
      <PaymentCodeWarning />
      <div role="status" aria-live="polite">
        {waiting.map((payment) => (
          <Alert kind="warning" key={payment.id}>
            <Link to={paths.payment(payment.id)}>
              {t("code.waiting", {
                amount: formatMoney(payment.amount, payment.currency, locale),
                merchant: payment.merchant.name,
              })}
            </Link>
          </Alert>
        ))}
      </div>
      <Problem error={error} />
      {code ? (
        <Card>
          <figure className="qr payment-code-qr">
            <img src={svgDataUrl(code.code.qr_svg)} alt={t("code.qr")} width={220} height={220} />
          </figure>
          <figure className="payment-code-barcode">
            <img src={svgDataUrl(code.code.barcode_svg)} alt={t("code.barcode")} />
          </figure>
          <p className="payment-code-digits">
            <span className="visually-hidden">{t("code.digits")}: </span>
            <output aria-label={t("code.digits")}>{groupDigits(code.code.code)}</output>
          </p>
          <p className="field-hint">{t("code.expiresIn", { seconds: Math.max(0, secondsLeft) })}</p>
          <Button variant="secondary" onClick={fetchCode}>
            {t("code.refresh")}
          </Button>
        </Card>
      ) : error ? null : (
        <Spinner label={t("loading")} />
      )}
      <p className="payment-code-offline">
        <Link to={paths.offline}>{t("code.offline")}</Link>
        <span className="field-hint"> {t("code.offlineHint")}</span>
      </p>
    </>
  );
}

/** 18 digits in groups of four (and two), as people read them aloud. */
function groupDigits(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, "$1 ");
}
