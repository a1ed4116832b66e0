import { Hourglass } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import type { ListPage } from "../../shared/api";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Link, navigate } from "../../shared/router";
import { Alert, Button, Card, DefinitionList, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { WalletPayment, WalletUser } from "../api-types";
import {
  failureText,
  needsStepUp,
  Problem,
  pollMs,
  StatusBadge,
  StepUpField,
  stepUpBody,
  useInterval,
} from "../components";
import { useT } from "../messages";
import { DiscountLines, PromoCodeField } from "../promotions/promo-code";
import { paths, useSession } from "../session";
import { PaymentHelp } from "../support/lazy";

/** The rating of a paid payment (./payment-feedback.tsx), loaded when a paid payment is shown. */
const LazyPaymentFeedback = lazy(() => import("./payment-feedback"));

/** Payments waiting for this payer: payment codes scanned at a till above the password-free amount. */
export function PendingPaymentsPage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const list = useAsync(
    async () =>
      (await api.get<ListPage<WalletPayment>>("/v1/wallet/payments", { status: "processing", limit: 50 })).data,
    [api],
  );
  useInterval(list.reload, pollMs);
  return (
    <>
      <h1>{t("pending.title")}</h1>
      {list.data ? (
        list.data.length === 0 ? (
          <Empty icon={Hourglass} title={t("pending.none")}>
            {t("pending.none.text")}
          </Empty>
        ) : (
          <ul className="plain-list">
            {list.data.map((payment) => {
              const amount = formatMoney(payment.amount, payment.currency, locale);
              return (
                <li key={payment.id} className="card">
                  <Link to={paths.payment(payment.id)}>
                    {t("pending.open", { merchant: payment.merchant.name, amount })}
                  </Link>
                  {payment.description ? <p className="field-hint">{payment.description}</p> : null}
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
    </>
  );
}

/** One payment as its payer sees it: confirm (with a second factor when the amount needs it) or decline. */
export function PaymentPage({ id }: { id: string }) {
  const { t, locale } = useT();
  const { api, card } = useSession();
  const loaded = useAsync(async () => {
    // A prepaid card has no profile (GET /v1/wallet/me is an account's) and no second factor: its secret is one.
    const [payment, me] = await Promise.all([
      api.get<WalletPayment>(`/v1/wallet/payments/${encodeURIComponent(id)}`),
      card ? null : api.get<WalletUser>("/v1/wallet/me"),
    ]);
    return { payment, me };
  }, [api, id, card?.card]);
  const [result, setResult] = useState<WalletPayment | null>(null);
  const [totp, setTotp] = useState("");
  const [askStepUp, setAskStepUp] = useState(false);
  const [busy, setBusy] = useState<"confirm" | "decline" | null>(null);
  const [error, setError] = useState<unknown>(null);

  if (!loaded.data) {
    return loaded.status === "error" ? <Problem error={loaded.error} /> : <Spinner label={t("loading")} />;
  }
  const payment = result ?? loaded.data.payment;
  const amount = formatMoney(payment.amount, payment.currency, locale);
  const open = payment.status === "requires_payment" || payment.status === "processing";
  const paid = payment.status === "succeeded" || payment.status === "requires_capture";

  const act = async (action: "confirm" | "decline") => {
    setBusy(action);
    setError(null);
    try {
      const path = `/v1/wallet/payments/${encodeURIComponent(payment.id)}/${action}`;
      const answer = await api.post<WalletPayment>(path, action === "confirm" ? stepUpBody(totp) : {});
      // Declining an open QR or checkout payment leaves it open for others: nothing more to do here.
      if (action === "decline" && (answer.status === "requires_payment" || answer.status === "processing")) {
        navigate(paths.home);
        return;
      }
      setResult(answer);
    } catch (caught) {
      if (needsStepUp(caught)) setAskStepUp(true);
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <h1>{t("pay.title")}</h1>
      <Card>
        <p className="checkout-to">{t("pay.to")}</p>
        <h2>{payment.merchant.name}</h2>
        <p className="big-amount">{amount}</p>
        <DiscountLines payment={payment} locale={locale} />
        {payment.description ? <p>{payment.description}</p> : null}
        <DefinitionList
          items={[
            [t("pay.status"), <StatusBadge key="status" status={payment.status} />],
            ...(open ? ([[t("pay.expires"), formatDateTime(payment.expires_at, locale)]] as [string, string][]) : []),
          ]}
        />
        <div role="status" aria-live="polite">
          {paid ? <Alert kind="success">{t("pay.succeeded", { merchant: payment.merchant.name })}</Alert> : null}
          {payment.status === "failed" ? (
            <Alert kind="error">
              {payment.failure_code === "payer_declined"
                ? t("pay.declined")
                : `${t("status.failed")}: ${failureText(t, payment.failure_code)}`}
            </Alert>
          ) : null}
        </div>
        {payment.status === "succeeded" ? (
          <Suspense fallback={null}>
            <LazyPaymentFeedback id={payment.id} />
          </Suspense>
        ) : null}
        {paid && payment.redirect_url ? (
          <p>
            <a className="button button-secondary" href={payment.redirect_url}>
              {t("pay.back", { merchant: payment.merchant.name })}
            </a>
          </p>
        ) : null}
        {open ? (
          <>
            <PromoCodeField payment={payment} onChanged={setResult} />
            <StepUpField
              needed={askStepUp || payment.step_up_required}
              totpEnabled={loaded.data.me?.totp_enabled ?? false}
              value={totp}
              onChange={setTotp}
            />
            <Problem error={error} />
            <div className="button-row">
              <Button onClick={() => act("confirm")} pending={busy === "confirm"} disabled={busy !== null}>
                {t("pay.confirm", { amount })}
              </Button>
              <Button
                variant="secondary"
                onClick={() => act("decline")}
                pending={busy === "decline"}
                disabled={busy !== null}
              >
                {t("pay.decline")}
              </Button>
            </div>
          </>
        ) : null}
      </Card>
      {/* "Get help" and disputes, for the payer of a paid payment (a prepaid card has no contact to answer). */}
      {payment.status === "succeeded" && !card ? <PaymentHelp payment={payment} /> : null}
    </>
  );
}
