import { type FormEvent, useState } from "react";
import { createApiClient } from "../shared/api";
import { explainError } from "../shared/api-error-text";
import { formatMoney } from "../shared/money";
import { Alert, Button, TextField } from "../shared/ui";
import { type PromoMessageKey, usePromoT } from "./promo-messages";
import type { CheckoutSummary } from "./summary";

/**
 * The payer's promotion code on the checkout page (docs/coupons.md): applied to the open payment with
 * POST /v1/checkout/{id}/discount (no credentials, like the page), which answers the summary with the new amount.
 * A code the payer entered can be removed or replaced; a discount the shop gave stays as it is.
 */
const publicApi = createApiClient();

/** What the amount is made of, when a discount was taken off: subtotal, discount, what is left to pay. */
export function DiscountLines({ summary, locale }: { summary: CheckoutSummary; locale: string }) {
  const { t } = usePromoT();
  const discount = summary.discount;
  if (!discount) return null;
  return (
    <dl className="checkout-discount">
      <div>
        <dt>{t("promo.subtotal")}</dt>
        <dd>{formatMoney(summary.amount_subtotal, summary.currency, locale)}</dd>
      </div>
      <div>
        <dt>
          {t("promo.discountNamed", { name: discount.name })}
          {discount.code ? <code className="checkout-code">{discount.code}</code> : null}
        </dt>
        <dd>−{formatMoney(discount.amount, summary.currency, locale)}</dd>
      </div>
      <div className="checkout-discount-total">
        <dt>{t("promo.total")}</dt>
        <dd>{formatMoney(summary.amount, summary.currency, locale)}</dd>
      </div>
    </dl>
  );
}

export function PromoCodeForm({
  summary,
  onChanged,
}: {
  summary: CheckoutSummary;
  onChanged(summary: CheckoutSummary): void;
}) {
  const { t } = usePromoT();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ text: string; code?: string } | null>(null);
  const discount = summary.discount;
  // The shop's own discount is part of the price: nothing to enter or remove.
  if (discount?.applied_by === "merchant") return null;

  const change = async (path: string, body: unknown) => {
    setPending(true);
    setProblem(null);
    try {
      onChanged(await publicApi.post<CheckoutSummary>(path, body));
      setCode("");
      setOpen(false);
    } catch (error) {
      setProblem(explainError<PromoMessageKey>(t, error));
    } finally {
      setPending(false);
    }
  };
  const base = `/v1/checkout/${encodeURIComponent(summary.id)}/discount`;
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setProblem({ text: t("promo.empty") });
    void change(base, { promotion_code: code.trim() });
  };

  if (discount) {
    return (
      <div className="checkout-promo">
        <p role="status">{t("promo.applied", { code: discount.code ?? "", name: discount.name })}</p>
        <Button variant="link" pending={pending} onClick={() => void change(`${base}/remove`, {})}>
          {t("promo.remove")}
        </Button>
        {problem ? <Alert kind="error">{problem.text}</Alert> : null}
      </div>
    );
  }
  if (!open) {
    return (
      <p className="checkout-promo">
        <Button variant="link" onClick={() => setOpen(true)}>
          {t("promo.toggle")}
        </Button>
      </p>
    );
  }
  return (
    <form className="checkout-promo" onSubmit={apply} noValidate aria-label={t("promo.field")}>
      <div className="form-row">
        <TextField
          label={t("promo.field")}
          name="promotion_code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={40}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          autoFocus
        />
        <Button type="submit" variant="secondary" pending={pending}>
          {pending ? t("promo.applying") : t("promo.apply")}
        </Button>
      </div>
      {problem ? (
        <Alert kind="error">
          {problem.text}
          {problem.code ? <code className="error-code">{problem.code}</code> : null}
        </Alert>
      ) : null}
    </form>
  );
}
