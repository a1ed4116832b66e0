import { useEffect } from "react";
import { createApiClient } from "../shared/api";
import { FeedbackForm, type FeedbackRequest, useFeedbackTexts } from "../shared/feedback-form";
import { LanguageSwitcher } from "../shared/i18n";
import { Alert, Spinner } from "../shared/ui";
import { useAsync } from "../shared/use-async";
import { useT } from "./messages";

/**
 * Rating a payment by its feedback link (docs/feedback.md), no sign-in: on the checkout page once it is paid (the
 * link came with the confirmation), and at /feedback/{token}, where the receipt's link lands. Loaded on demand.
 */
const publicApi = createApiClient();
const path = (token: string) => `/v1/feedback_requests/${encodeURIComponent(token)}`;

function Rate({ token, source }: { token: string; source: "checkout" | "receipt" }) {
  const { t } = useT();
  const request = useAsync(() => publicApi.get<FeedbackRequest>(path(token)), [token]);
  if (!request.data) {
    return request.status === "error" ? (
      <Alert kind="error">{t("load.failed")}</Alert>
    ) : (
      <Spinner label={t("loading")} />
    );
  }
  return (
    <FeedbackForm
      request={request.data}
      send={(body) => publicApi.post<FeedbackRequest>(path(token), { ...body, source })}
    />
  );
}

/** Under the checkout's "Paid" message. */
export default function CheckoutFeedback({ token }: { token: string }) {
  return <Rate token={token} source="checkout" />;
}

/** /feedback/{token}: the payment that was paid, then the form. */
export function FeedbackLinkPage({ token }: { token: string }) {
  const { t, locale, setLocale } = useT();
  const texts = useFeedbackTexts();
  const request = useAsync(() => publicApi.get<FeedbackRequest>(path(token)), [token]);
  useEffect(() => {
    document.title = texts.t("feedback.title");
  }, [texts]);
  return (
    <>
      <header className="app-header">
        <span className="app-brand">coffer</span>
        <LanguageSwitcher locale={locale} onChange={setLocale} label={t("language")} />
      </header>
      <main className="app-main narrow checkout">
        {request.data ? (
          <section className="card checkout-card" aria-labelledby="feedback-heading">
            <p className="checkout-to">{t("payTo")}</p>
            <h1 id="feedback-heading">{request.data.merchant.name}</h1>
            <p className="big-amount">
              {request.data.amount_display} {request.data.currency}
            </p>
            {request.data.description ? <p className="checkout-description">{request.data.description}</p> : null}
            <FeedbackForm
              request={request.data}
              send={(body) => publicApi.post<FeedbackRequest>(path(token), { ...body, source: "receipt" })}
            />
          </section>
        ) : request.status === "error" ? (
          <Alert kind="error">
            <strong>{t("notFound.title")}</strong> {t("notFound.body")}
          </Alert>
        ) : (
          <Spinner label={t("loading")} />
        )}
      </main>
    </>
  );
}
