import { defineMessages, usePageMessages } from "../shared/i18n";
import { formatDateTime } from "../shared/money";
import { CardPayForm } from "./card-form";
import { useT } from "./messages";
import { PayForm, TestPayerForm } from "./pay-form";
import type { CheckoutSummary, PaidAnswer } from "./summary";

/**
 * Paying again (docs/adr/0028): a failed or expired payment that its merchant lets be paid again. The page says why
 * the last attempt failed and what to do, then offers the same ways to pay as an open checkout (the wallet, a test
 * payer, a prepaid card): confirming it is a new attempt of the same payment.
 */
const en = {
  "again.title": "You can still pay this",
  "again.until": "It can be paid until {time}.",
  "again.failed": "The last attempt did not go through: {reason}",
  "again.expired": "The last attempt ended: nobody paid it in time.",
  "again.timeout": "The last attempt ended: it was not confirmed in time.",
  "again.reason.insufficient_funds": "the wallet did not have enough money.",
  "again.reason.limit_exceeded": "the amount is above the wallet's limits.",
  "again.reason.currency_not_supported": "the wallet does not hold this currency.",
  "again.reason.wallet_frozen": "the wallet or card cannot pay now.",
  "again.reason.card_not_accepted": "that prepaid card is spendable only at the shop that issued it.",
  "again.reason.payer_declined": "it was declined.",
  "again.reason.other": "it could not be completed.",
  "again.advice.insufficient_funds": "Top up your wallet and pay again, or pay with another wallet or a prepaid card.",
  "again.advice.limit_exceeded":
    "Pay with another wallet or a prepaid card, or verify your identity in the wallet app to raise your limits.",
  "again.advice.currency_not_supported": "Pay with a wallet or a prepaid card that holds {currency}.",
  "again.advice.wallet_frozen": "Pay with another wallet or a prepaid card.",
  "again.advice.card_not_accepted": "Pay with your wallet or another card.",
  "again.advice.other": "Pay with your wallet or a prepaid card below.",
};

const zhCN: typeof en = {
  "again.title": "您仍可完成这笔付款",
  "again.until": "可在 {time} 之前付款。",
  "again.failed": "上一次付款未成功：{reason}",
  "again.expired": "上一次付款已结束：未在有效期内付款。",
  "again.timeout": "上一次付款已结束：未在规定时间内确认。",
  "again.reason.insufficient_funds": "钱包余额不足。",
  "again.reason.limit_exceeded": "金额超出了钱包的限额。",
  "again.reason.currency_not_supported": "钱包不支持此币种。",
  "again.reason.wallet_frozen": "钱包或卡片目前无法付款。",
  "again.reason.card_not_accepted": "该预付卡只能在发卡商户使用。",
  "again.reason.payer_declined": "付款已被拒绝。",
  "again.reason.other": "付款无法完成。",
  "again.advice.insufficient_funds": "请为钱包充值后重新付款，或使用其他钱包或预付卡付款。",
  "again.advice.limit_exceeded": "请使用其他钱包或预付卡付款，或在钱包应用中完成身份认证以提高限额。",
  "again.advice.currency_not_supported": "请使用持有 {currency} 的钱包或预付卡付款。",
  "again.advice.wallet_frozen": "请使用其他钱包或预付卡付款。",
  "again.advice.card_not_accepted": "请使用您的钱包或其他卡付款。",
  "again.advice.other": "请在下方使用钱包或预付卡付款。",
};

const messages = defineMessages(en, zhCN);
const known = new Set([
  "insufficient_funds",
  "limit_exceeded",
  "currency_not_supported",
  "wallet_frozen",
  "card_not_accepted",
  "payer_declined",
]);

/** Why the last attempt ended, and what to do: the page's status message for a payment that can be paid again. */
export function PayAgainState({ summary }: { summary: CheckoutSummary }) {
  const { t, locale } = usePageMessages(messages);
  const last = summary.last_attempt;
  const code = last?.failure_code && known.has(last.failure_code) ? last.failure_code : "other";
  const why =
    last?.status === "expired" || (!last && summary.status === "expired")
      ? t("again.expired")
      : last?.status === "canceled"
        ? t("again.timeout")
        : t("again.failed", { reason: t(`again.reason.${code}` as keyof typeof en) });
  const advice =
    code === "payer_declined" || last?.status === "expired" || last?.status === "canceled" ? "other" : code;
  return (
    <div className="alert alert-warning">
      <strong>{t("again.title")}</strong> {why}{" "}
      {t(`again.advice.${advice}` as keyof typeof en, { currency: summary.currency })}{" "}
      {summary.retryable_until ? t("again.until", { time: formatDateTime(summary.retryable_until, locale) }) : null}
    </div>
  );
}

/** The ways to pay it again: the same forms as an open checkout, which confirm it as a new attempt. */
export function PayAgain({
  summary,
  amountText,
  onPaid,
}: {
  summary: CheckoutSummary;
  amountText: string;
  onPaid(paid?: PaidAnswer): void;
}) {
  const { t } = useT();
  return (
    <>
      {!summary.livemode ? <p className="field-hint">{t("testModeLogin")}</p> : null}
      {summary.livemode ? (
        <PayForm summary={summary} amountText={amountText} onPaid={onPaid} />
      ) : (
        <TestPayerForm summary={summary} amountText={amountText} onPaid={onPaid} />
      )}
      <CardPayForm summary={summary} amountText={amountText} onPaid={onPaid} />
    </>
  );
}
