import { type FormEvent, useEffect, useState } from "react";
import { ApiRequestError, createApiClient } from "../shared/api";
import { apiErrorText } from "../shared/api-error-text";
import { HelpCentreButton } from "../shared/help";
import { LanguageSwitcher } from "../shared/i18n";
import { formatMoney, parseMoney } from "../shared/money";
import { Alert, Button, SelectField, Spinner, TextField } from "../shared/ui";
import { useT } from "./messages";

/** GET /v1/pay/{slug}: what the payment link's page shows (no credentials). */
interface PublicPaymentLink {
  livemode: boolean;
  state: "open" | "inactive" | "expired" | "used_up";
  merchant: { name: string };
  currency: string;
  amount_type: "fixed" | "customer_chooses";
  unit_amount: string | null;
  quantity_max: number | null;
  amount_min: string | null;
  amount_max: string | null;
  description: string | null;
}

const publicApi = createApiClient();

const quantities = (max: number) => Array.from({ length: max }, (_, i) => i + 1);

/**
 * A payment link's page (/pay/{slug}): who asks for how much, the payer's choice of amount (within the link's bounds)
 * or quantity, then on to the hosted checkout of the payment that choice makes. A link that takes no payments any
 * more says why and offers nothing to press.
 */
export function PayLinkPage({ slug }: { slug: string }) {
  const { t, locale, setLocale } = useT();
  const [link, setLink] = useState<PublicPaymentLink | null>(null);
  const [loadError, setLoadError] = useState<ApiRequestError | null>(null);

  useEffect(() => {
    publicApi
      .get<PublicPaymentLink>(`/v1/pay/${encodeURIComponent(slug)}`)
      .then(setLink, (error: unknown) => setLoadError(error instanceof ApiRequestError ? error : null));
  }, [slug]);
  useEffect(() => {
    document.title = link ? t("link.title", { merchant: link.merchant.name }) : "coffer";
  }, [link, t]);

  return (
    <>
      <header className="app-header">
        <span className="app-brand">coffer</span>
        <div className="help-header-tools">
          <HelpCentreButton audience="payer" />
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("language")} />
        </div>
      </header>
      {link && !link.livemode ? <div className="test-banner">{t("testMode")}</div> : null}
      <main className="app-main narrow checkout">
        {link ? (
          <LinkView slug={slug} link={link} />
        ) : loadError?.status === 404 ? (
          <Alert kind="error">
            <strong>{t("link.notFound.title")}</strong> {t("link.notFound.body")}
          </Alert>
        ) : loadError ? (
          <Alert kind="error">{t("load.failed")}</Alert>
        ) : (
          <Spinner label={t("link.loading")} />
        )}
      </main>
    </>
  );
}

function LinkView({ slug, link }: { slug: string; link: PublicPaymentLink }) {
  const { t, locale } = useT();
  const money = (minor: string | bigint) => formatMoney(minor, link.currency, locale);
  const merchant = link.merchant.name;
  const [amountText, setAmountText] = useState("");
  const [quantity, setQuantity] = useState(1);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const fixedTotal = link.unit_amount === null ? null : BigInt(link.unit_amount) * BigInt(quantity);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const body: { amount?: string; quantity?: number } = {};
    if (link.amount_type === "customer_chooses") {
      const parsed = parseMoney(amountText, link.currency);
      if (!parsed.ok) return setFieldError(t(`link.money.${parsed.reason}`));
      const minor = BigInt(parsed.minor);
      if (minor < BigInt(link.amount_min!) || minor > BigInt(link.amount_max!)) {
        return setFieldError(t("link.money.range", { min: money(link.amount_min!), max: money(link.amount_max!) }));
      }
      body.amount = parsed.minor;
    } else if (link.quantity_max !== null) {
      body.quantity = quantity;
    }
    setFieldError(null);
    setPending(true);
    try {
      const started = await publicApi.post<{ payment: string }>(`/v1/pay/${encodeURIComponent(slug)}/payments`, body);
      location.assign(`/checkout/${encodeURIComponent(started.payment)}?locale=${encodeURIComponent(locale)}`);
    } catch (error) {
      setPending(false);
      if (!(error instanceof ApiRequestError)) return setProblem(String(error));
      setProblem(apiErrorText<Parameters<typeof t>[0]>(t, error));
    }
  };

  return (
    <section className="card checkout-card" aria-labelledby="link-heading">
      <p className="checkout-to">{t("payTo")}</p>
      <h1 id="link-heading">{merchant}</h1>
      {fixedTotal !== null ? <p className="big-amount">{money(fixedTotal)}</p> : null}
      {link.description ? <p className="checkout-description">{link.description}</p> : null}
      {link.state !== "open" ? (
        <Alert kind="warning">{t(`link.state.${link.state}`, { merchant })}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          {link.amount_type === "customer_chooses" ? (
            <TextField
              label={t("link.amount", { currency: link.currency })}
              inputMode="decimal"
              autoComplete="off"
              hint={t("link.amountHint", { min: money(link.amount_min!), max: money(link.amount_max!) })}
              value={amountText}
              error={fieldError}
              onChange={(e) => setAmountText(e.target.value)}
            />
          ) : null}
          {link.quantity_max !== null && link.unit_amount !== null ? (
            <>
              <SelectField
                label={t("link.quantity")}
                value={String(quantity)}
                onChange={(e) => setQuantity(Number(e.target.value))}
              >
                {quantities(link.quantity_max).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </SelectField>
              <p className="field-hint">
                {t("link.quantityHint", { max: link.quantity_max, price: money(link.unit_amount) })}
              </p>
            </>
          ) : null}
          {problem ? <Alert kind="error">{problem}</Alert> : null}
          <Button type="submit" className="button button-primary checkout-pay" pending={pending}>
            {t("link.continue")}
          </Button>
        </form>
      )}
    </section>
  );
}
