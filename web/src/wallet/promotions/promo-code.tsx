import { type FormEvent, useState } from "react";
import { ApiRequestError } from "../../shared/api";
import { apiErrorText } from "../../shared/api-error-text";
import { formatMoney } from "../../shared/money";
import { Alert, Button, TextField } from "../../shared/ui";
import type { WalletPayment } from "../api-types";
import { useSession } from "../session";
import { useWalletPromoT, type WalletPromoMessageKey } from "./messages";

/**
 * A promotion code on a payment the payer is about to confirm (docs/coupons.md): POST
 * /v1/wallet/payments/{id}/discount answers the payment with its new amount; a code the payer entered can be removed.
 * The subtotal and the discount show above the confirm button whenever the payment carries one.
 */
export function DiscountLines({ payment, locale }: { payment: WalletPayment; locale: string }) {
  const { t } = useWalletPromoT();
  const discount = payment.discount;
  if (!discount) return null;
  return (
    <dl className="wallet-discount">
      <div>
        <dt>{t("promo.subtotal")}</dt>
        <dd>{formatMoney(payment.amount_subtotal, payment.currency, locale)}</dd>
      </div>
      <div>
        <dt>
          {t("promo.discount", { name: discount.name })}
          {discount.code ? <code className="wallet-code"> {discount.code}</code> : null}
        </dt>
        <dd>−{formatMoney(discount.amount, payment.currency, locale)}</dd>
      </div>
      <div className="wallet-discount-total">
        <dt>{t("promo.total")}</dt>
        <dd>{formatMoney(payment.amount, payment.currency, locale)}</dd>
      </div>
    </dl>
  );
}

export function PromoCodeField({
  payment,
  onChanged,
}: {
  payment: WalletPayment;
  onChanged(payment: WalletPayment): void;
}) {
  const { t } = useWalletPromoT();
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (payment.discount?.applied_by === "merchant") return null;

  const change = async (path: string, body: unknown) => {
    setPending(true);
    setProblem(null);
    try {
      onChanged(await api.post<WalletPayment>(path, body));
      setCode("");
      setOpen(false);
    } catch (error) {
      if (error instanceof ApiRequestError) {
        setProblem(apiErrorText<WalletPromoMessageKey>(t, error));
      } else {
        setProblem(String(error));
      }
    } finally {
      setPending(false);
    }
  };
  const base = `/v1/wallet/payments/${encodeURIComponent(payment.id)}/discount`;
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setProblem(t("promo.empty"));
    void change(base, { promotion_code: code.trim() });
  };

  if (payment.discount) {
    return (
      <div className="wallet-promo">
        <p>{t("promo.applied", { code: payment.discount.code ?? "", name: payment.discount.name })}</p>
        <Button variant="link" pending={pending} onClick={() => void change(`${base}/remove`, {})}>
          {t("promo.remove")}
        </Button>
        {problem ? <Alert kind="error">{problem}</Alert> : null}
      </div>
    );
  }
  if (!open) {
    return (
      <p className="wallet-promo">
        <Button variant="link" onClick={() => setOpen(true)}>
          {t("promo.toggle")}
        </Button>
      </p>
    );
  }
  return (
    <form className="wallet-promo" onSubmit={apply} noValidate>
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
        {t("promo.apply")}
      </Button>
      {problem ? <Alert kind="error">{problem}</Alert> : null}
    </form>
  );
}
