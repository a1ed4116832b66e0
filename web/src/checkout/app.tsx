import { lazy, Suspense, useEffect, useState } from "react";
import { HelpCentreButton } from "../shared/help";
import { I18nProvider, LanguageSwitcher, type Locale } from "../shared/i18n";
import { formatMoney } from "../shared/money";
import { match, usePath } from "../shared/router";
import { Alert, Spinner } from "../shared/ui";
import { PayAgain, PayAgainState } from "./again";
import { CardPayForm } from "./card-form";
import type { CryptoCheckoutSummary } from "./crypto-model";
import { messages, useT } from "./messages";
import { PayForm, TestPayerForm } from "./pay-form";
import { PayLinkPage } from "./pay-link";
import { DiscountLines, PromoCodeForm } from "./promo-code";
import { type CheckoutSummary, isOpen, isPaid, isRetryable, type PaidAnswer, useCheckout } from "./summary";

/**
 * The hosted checkout (/checkout/{id}): what is paid to whom, then pay by scanning the QR code with the wallet app
 * or by logging in to the wallet right here. The status is polled while the payment is open, so a payment made on a
 * phone shows here too; success, failure (with its reason), expiry and cancellation each get their own state.
 */
export function App() {
  const asked = new URLSearchParams(location.search).get("locale");
  const initialLocale: Locale | undefined = asked === "en" || asked === "zh-CN" ? asked : undefined;
  return (
    <I18nProvider messages={messages} initialLocale={initialLocale}>
      <Page />
    </I18nProvider>
  );
}

/** A crypto payment's page (./crypto.tsx), loaded when one is opened. */
const LazyCryptoCheckout = lazy(() => import("./crypto"));

/** The rating after paying and the receipt's feedback link (./feedback.tsx), loaded when first shown. */
const LazyCheckoutFeedback = lazy(() => import("./feedback"));
const LazyFeedbackLinkPage = lazy(() => import("./feedback").then((m) => ({ default: m.FeedbackLinkPage })));

/** /pay/{slug} is a payment link's page (./pay-link.tsx); it leads to /checkout/{id}. /feedback/{token}: rating. */
function Page() {
  const path = usePath();
  const slug = match("/pay/:slug", path)?.slug;
  const feedback = match("/feedback/:token", path)?.token;
  if (feedback) {
    return (
      <Suspense fallback={null}>
        <LazyFeedbackLinkPage token={feedback} />
      </Suspense>
    );
  }
  return slug ? <PayLinkPage slug={slug} /> : <Checkout />;
}

function Checkout() {
  const { t, locale, setLocale } = useT();
  const id = match("/checkout/:id", usePath())?.id ?? "";
  const { summary, error, refresh } = useCheckout(id);

  useEffect(() => {
    document.title = summary ? t("page.title", { merchant: summary.merchant.name }) : "coffer checkout";
  }, [summary, t]);

  return (
    <>
      <header className="app-header">
        <span className="app-brand">coffer</span>
        <div className="help-header-tools">
          <HelpCentreButton audience="payer" />
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("language")} />
        </div>
      </header>
      {summary && !summary.livemode ? <div className="test-banner">{t("testMode")}</div> : null}
      <main className="app-main narrow checkout">
        {summary ? (
          <CheckoutView summary={summary} onPaid={refresh} />
        ) : error?.status === 404 ? (
          <Alert kind="error">
            <strong>{t("notFound.title")}</strong> {t("notFound.body")}
          </Alert>
        ) : error ? (
          <Alert kind="error">{t("load.failed")}</Alert>
        ) : (
          <Spinner label={t("loading")} />
        )}
        {summary && error ? <Alert kind="warning">{t("load.failed")}</Alert> : null}
      </main>
    </>
  );
}

function CheckoutView({ summary, onPaid }: { summary: CheckoutSummary; onPaid(): void }) {
  const { t, locale } = useT();
  const now = useNowSeconds();
  // The payer's feedback link, from the confirmation's answer: the paid state asks for a rating with it.
  const [feedbackToken, setFeedbackToken] = useState<string | null>(null);
  const paidWith = (paid?: PaidAnswer) => {
    setFeedbackToken(paid?.feedback_token ?? null);
    onPaid();
  };
  // Paying again (docs/adr/0028): a failed or expired payment its payer may still pay, as a new attempt.
  const retryable = isRetryable(summary, now);
  const amountText = formatMoney(summary.amount, summary.currency, locale);
  const merchant = summary.merchant.name;
  const timeLeft = summary.expires_at - now;
  // The server expires it on its own schedule; the page stops offering to pay once the time is up.
  const expiredHere = summary.status === "requires_payment" && timeLeft <= 0;
  const payable = summary.status === "requires_payment" && !expiredHere;

  const crypto = (summary as CryptoCheckoutSummary).crypto;
  if (crypto) {
    return (
      <Suspense fallback={<Spinner label={t("loading")} />}>
        <LazyCryptoCheckout
          summary={summary}
          crypto={crypto}
          back={<BackLink summary={summary} payable={payable} />}
          onRefresh={onPaid}
        />
      </Suspense>
    );
  }

  return (
    <section className="card checkout-card" aria-labelledby="checkout-heading">
      <p className="checkout-to">{t("payTo")}</p>
      <h1 id="checkout-heading">{merchant}</h1>
      <p className="big-amount">{amountText}</p>
      <DiscountLines summary={summary} locale={locale} />
      {summary.description ? <p className="checkout-description">{summary.description}</p> : null}

      <div role="status" aria-live="polite" className="checkout-state">
        {retryable ? (
          <PayAgainState summary={summary} />
        ) : (
          <StateMessage summary={summary} expiredHere={expiredHere} amountText={amountText} />
        )}
      </div>
      {isPaid(summary) && feedbackToken ? (
        <Suspense fallback={null}>
          <LazyCheckoutFeedback token={feedbackToken} />
        </Suspense>
      ) : null}

      {payable ? (
        <>
          <p className="checkout-timer">{t("expiresIn", { time: formatDuration(timeLeft) })}</p>
          {!summary.livemode ? <p className="field-hint">{t("testModeLogin")}</p> : null}
          <PromoCodeForm summary={summary} onChanged={() => onPaid()} />
          <figure className="qr checkout-qr">
            <img src={svgDataUrl(summary.qr?.svg ?? "")} alt={t("qr.alt")} width={220} height={220} />
            <figcaption>{t("qr.caption")}</figcaption>
          </figure>
          {summary.livemode ? (
            <PayForm summary={summary} amountText={amountText} onPaid={paidWith} />
          ) : (
            <TestPayerForm summary={summary} amountText={amountText} onPaid={paidWith} />
          )}
          <CardPayForm summary={summary} amountText={amountText} onPaid={paidWith} />
        </>
      ) : retryable ? (
        <PayAgain summary={summary} amountText={amountText} onPaid={paidWith} />
      ) : null}

      <BackLink summary={summary} payable={payable} />
    </section>
  );
}

function StateMessage({
  summary,
  expiredHere,
  amountText,
}: {
  summary: CheckoutSummary;
  expiredHere: boolean;
  amountText: string;
}) {
  const { t } = useT();
  const merchant = summary.merchant.name;
  if (isPaid(summary)) {
    return (
      <div className="alert alert-success">
        <strong>{t("state.succeeded")}</strong> {t("state.succeeded.body", { amount: amountText, merchant })}
      </div>
    );
  }
  if (summary.status === "processing") return <Spinner label={t("state.processing")} />;
  if (summary.status === "failed") {
    return (
      <div className="alert alert-error">
        <strong>{t("state.failed")}</strong>{" "}
        {t("state.failed.reason", { reason: failureText(t, summary.failure_code) })}
      </div>
    );
  }
  if (summary.status === "expired" || expiredHere) {
    return (
      <div className="alert alert-warning">
        <strong>{t("state.expired")}</strong> {t("state.expired.body", { merchant })}
      </div>
    );
  }
  if (summary.status === "canceled") {
    return (
      <div className="alert alert-warning">
        <strong>{t("state.canceled")}</strong>
      </div>
    );
  }
  return null;
}

function BackLink({ summary, payable }: { summary: CheckoutSummary; payable: boolean }) {
  const { t } = useT();
  const merchant = summary.merchant.name;
  // Paid: back with the payment id (redirect_url); otherwise back to where the payer came from.
  const href = isPaid(summary) ? (summary.redirect_url ?? summary.cancel_url) : summary.cancel_url;
  if (!href || !isSafeLink(href)) return null;
  const text = payable || isOpen(summary) ? t("cancel", { merchant }) : t("back", { merchant });
  return (
    <p className="checkout-back">
      <a href={href} className={isPaid(summary) ? "button button-primary" : undefined}>
        {text}
      </a>
    </p>
  );
}

type T = ReturnType<typeof useT>["t"];

function failureText(t: T, code: string | null): string {
  const key = `failure.${code ?? "unknown"}` as Parameters<T>[0];
  const text = t(key);
  return text === key ? t("failure.unknown") : text;
}

/** Only web links leave the page (a return_url is the merchant's, checked by coffer, but never a script URL). */
function isSafeLink(href: string): boolean {
  try {
    const url = new URL(href, location.href);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${minutes}:${two(rest)}`;
}

function useNowSeconds(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
