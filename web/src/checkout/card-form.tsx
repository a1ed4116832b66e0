import { type FormEvent, useRef, useState } from "react";
import { createApiClient } from "../shared/api";
import { explainError } from "../shared/api-error-text";
import { defineMessages, usePageMessages } from "../shared/i18n";
import { formatMoney } from "../shared/money";
import { Alert, Button, TextField } from "../shared/ui";
import type { CheckoutSummary, PaidAnswer } from "./summary";

/** The card form's texts (English and Chinese), kept with it. */
const en = {
  "card.or": "or pay with a prepaid card",
  "card.open": "Pay with a prepaid card",
  "card.number": "Card number",
  "card.number.hint": "16 digits, starting 6288.",
  "card.pin": "PIN or secret",
  "card.continue": "Continue",
  "card.checking": "Checking the card…",
  "card.which": "Card •••• {last4}",
  "card.balance": "Balance: {balance}",
  "card.pay": "Pay {amount} with this card",
  "card.another": "Use another card",
  "card.numberInvalid": "A card number has 16 digits and starts with 6288.",
  "card.pinMissing": "Type the card's PIN or secret.",
  "card.currency": "This card holds {currency}; this payment is in another currency.",
  "card.short": "This card's balance is below the amount to pay.",
  "card.inactive": "This card cannot pay: it is frozen, expired or closed.",
  "error.card_credentials_invalid": "That card number and PIN do not match a card. Check both and try again.",
  "error.account_locked": "Too many wrong attempts: this card is locked for a while.",
  "error.card_not_accepted": "This card cannot be used at this shop: it is spendable only where it was issued.",
  "error.card_inactive": "This card cannot pay: it is frozen, expired or closed.",
  "error.insufficient_funds": "The card does not have enough money for this payment.",
  "error.payment_limit_exceeded": "This is above what a prepaid card may pay at once.",
  "error.daily_limit_exceeded": "This is above the card's daily limit.",
  "error.monthly_limit_exceeded": "This is above the card's monthly limit.",
  "error.card_currency_mismatch": "This card holds another currency.",
  "error.network_error": "coffer could not be reached. Check your connection and try again.",
};

const zhCN: typeof en = {
  "card.or": "或使用预付卡付款",
  "card.open": "使用预付卡付款",
  "card.number": "卡号",
  "card.number.hint": "16 位数字，以 6288 开头。",
  "card.pin": "PIN 或密码",
  "card.continue": "继续",
  "card.checking": "正在验证卡片…",
  "card.which": "卡片 •••• {last4}",
  "card.balance": "余额：{balance}",
  "card.pay": "用此卡支付 {amount}",
  "card.another": "使用其他卡",
  "card.numberInvalid": "卡号为 16 位数字，以 6288 开头。",
  "card.pinMissing": "请输入卡片的 PIN 或密码。",
  "card.currency": "此卡的币种为 {currency}，与本次付款的币种不同。",
  "card.short": "此卡余额不足以支付本次金额。",
  "card.inactive": "此卡无法付款：已冻结、过期或关闭。",
  "error.card_credentials_invalid": "卡号与 PIN 不匹配任何卡片，请检查后重试。",
  "error.account_locked": "错误次数过多：此卡已暂时锁定。",
  "error.card_not_accepted": "此卡不能在这家商户使用：只能在发卡商户消费。",
  "error.card_inactive": "此卡无法付款：已冻结、过期或关闭。",
  "error.insufficient_funds": "卡内余额不足以支付本次付款。",
  "error.payment_limit_exceeded": "超出预付卡的单笔限额。",
  "error.daily_limit_exceeded": "超出此卡的每日限额。",
  "error.monthly_limit_exceeded": "超出此卡的每月限额。",
  "error.card_currency_mismatch": "此卡使用的是另一种货币。",
  "error.network_error": "无法连接 coffer，请检查网络后重试。",
};

const messages = defineMessages(en, zhCN);

interface WalletCard {
  id: string;
  currency: string;
  balance: string;
  last4: string;
  status: "active" | "frozen" | "expired" | "closed";
}

interface CardSession {
  token: string;
  card: WalletCard;
}

/**
 * Paying on the page with a prepaid card: its number and PIN open a card session (POST /v1/wallet/cards, no
 * sign-up), the page shows the card and its balance, and the payer confirms through the wallet API as that card.
 * The card session ends once the payment is paid (best effort): the page is not the card's wallet.
 */
export function CardPayForm({
  summary,
  amountText,
  onPaid,
}: {
  summary: CheckoutSummary;
  amountText: string;
  onPaid(paid?: PaidAnswer): void;
}) {
  const { t, locale } = usePageMessages(messages);
  const token = useRef<string | null>(null);
  const api = useRef(
    createApiClient({ headers: () => ({ authorization: token.current ? `Bearer ${token.current}` : undefined }) }),
  ).current;
  const [shown, setShown] = useState(false);
  const [number, setNumber] = useState("");
  const [pin, setPin] = useState("");
  const [card, setCard] = useState<WalletCard | null>(null);
  const [invalid, setInvalid] = useState<{ number?: string; pin?: string }>({});
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ text: string; code?: string } | null>(null);

  const explain = (error: unknown) => explainError<keyof typeof en>(t, error);

  const open = async (event: FormEvent) => {
    event.preventDefault();
    const digits = number.replace(/[\s-]/g, "");
    const problems = {
      number: /^6288\d{12}$/.test(digits) ? undefined : t("card.numberInvalid"),
      pin: pin.trim() ? undefined : t("card.pinMissing"),
    };
    setInvalid(problems);
    if (problems.number || problems.pin) return;
    setPending(true);
    setProblem(null);
    try {
      // No bearer on this call: it answers the card's own session.
      token.current = null;
      const session = await api.post<CardSession>("/v1/wallet/cards", { number: digits, secret: pin.trim() });
      token.current = session.token;
      setCard(session.card);
      setPin("");
    } catch (error) {
      setProblem(explain(error));
    } finally {
      setPending(false);
    }
  };

  const pay = async () => {
    setPending(true);
    setProblem(null);
    try {
      const paid = await api.post<PaidAnswer>(`/v1/wallet/payments/${encodeURIComponent(summary.id)}/confirm`, {});
      void api.post("/v1/wallet/logout").catch(() => undefined);
      token.current = null;
      onPaid(paid);
    } catch (error) {
      setProblem(explain(error));
    } finally {
      setPending(false);
    }
  };

  const another = () => {
    if (token.current) void api.post("/v1/wallet/logout").catch(() => undefined);
    token.current = null;
    setCard(null);
    setProblem(null);
  };

  const problemAlert = problem ? (
    <Alert kind="error">
      {problem.text}
      {problem.code ? <code className="error-code">{problem.code}</code> : null}
    </Alert>
  ) : null;

  if (!shown) {
    return (
      <div className="checkout-card-pay">
        <p className="checkout-or">{t("card.or")}</p>
        <Button variant="secondary" className="button button-secondary checkout-pay" onClick={() => setShown(true)}>
          {t("card.open")}
        </Button>
      </div>
    );
  }

  if (card) {
    const sameCurrency = card.currency === summary.currency;
    const enough = sameCurrency && BigInt(card.balance) >= BigInt(summary.amount);
    return (
      <section className="checkout-card-pay" aria-label={t("card.open")}>
        <p className="checkout-or">{t("card.or")}</p>
        <p>
          <strong>{t("card.which", { last4: card.last4 })}</strong>
          <br />
          {t("card.balance", { balance: formatMoney(card.balance, card.currency, locale) })}
        </p>
        {card.status !== "active" ? <Alert kind="warning">{t("card.inactive")}</Alert> : null}
        {!sameCurrency ? (
          <Alert kind="warning">{t("card.currency", { currency: card.currency })}</Alert>
        ) : !enough ? (
          <Alert kind="warning">{t("card.short")}</Alert>
        ) : null}
        {problemAlert}
        <Button
          className="button button-primary checkout-pay"
          pending={pending}
          disabled={!enough || card.status !== "active"}
          onClick={pay}
        >
          {t("card.pay", { amount: amountText })}
        </Button>
        <p>
          <Button variant="link" onClick={another}>
            {t("card.another")}
          </Button>
        </p>
      </section>
    );
  }

  return (
    <form onSubmit={open} noValidate aria-label={t("card.open")} className="checkout-card-pay">
      <p className="checkout-or">{t("card.or")}</p>
      <TextField
        label={t("card.number")}
        hint={t("card.number.hint")}
        name="card_number"
        inputMode="numeric"
        autoComplete="off"
        maxLength={23}
        value={number}
        error={invalid.number}
        onChange={(event) => setNumber(event.target.value)}
        autoFocus
      />
      <TextField
        label={t("card.pin")}
        name="card_pin"
        type="password"
        autoComplete="off"
        maxLength={64}
        value={pin}
        error={invalid.pin}
        onChange={(event) => setPin(event.target.value)}
      />
      {problemAlert}
      <Button type="submit" pending={pending} className="button button-secondary checkout-pay">
        {pending ? t("card.checking") : t("card.continue")}
      </Button>
    </form>
  );
}
