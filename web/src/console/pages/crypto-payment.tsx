import { type FormEvent, type ReactNode, useState } from "react";
import type { ApiRequestError } from "../../shared/api";
import { formatAsset, looksLikeAddress } from "../../shared/crypto-amount";
import type { CryptoPaymentDetails } from "../../shared/crypto-payment-details";
import { currencyExponent, formatMoney } from "../../shared/money";
import { Alert, Badge, Button, Card, DefinitionList, ErrorAlert, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api } from "../api";
import { useFormat } from "../common";
import { canWrite, useMe } from "../session";
import { type CryptoMessageKey, useCryptoPaymentT } from "./crypto-messages";

export type CryptoDetails = CryptoPaymentDetails;

export interface PaymentWithCrypto {
  id: string;
  status: string;
  crypto?: CryptoDetails | null;
}

const outcomeTone = { paid: "good", overpaid: "warn", underpaid: "bad", paid_late: "warn" } as const;
const refundTone = { pending: "warn", sent: "good", failed: "bad" } as const;

/**
 * A crypto payment's page section (loaded with it on demand): chain, asset and address, what was asked (and the
 * locked rate of a fiat price), what arrived and with how many confirmations, the outcome, and the money held for the
 * payer with the form that sends it back to the payer's address.
 */
export default function CryptoPaymentSection({
  payment,
  onChanged,
}: {
  payment: PaymentWithCrypto;
  onChanged(): void;
}) {
  const { t, locale } = useCryptoPaymentT();
  const format = useFormat();
  const me = useMe();
  const crypto = payment.crypto;
  if (!crypto) return null;
  const decimals = crypto.decimals ?? currencyExponent(crypto.asset);
  const asset = (amount: string | null) => formatAsset(amount ?? "0", crypto.asset, decimals, locale);
  const open = payment.status === "requires_payment" || payment.status === "processing";
  const positive = (amount: string) => BigInt(amount) > 0n;
  const items: [ReactNode, ReactNode][] = [
    [t("crypto.chain"), t("crypto.chainValue", { chain: crypto.chain, chainId: crypto.chain_id })],
    [
      t("crypto.asset"),
      crypto.contract ? (
        <span key="asset" className="mono">
          {t("crypto.token", { asset: crypto.asset, contract: crypto.contract })}
        </span>
      ) : (
        t("crypto.native", { asset: crypto.asset })
      ),
    ],
    [
      t("crypto.address"),
      <span key="address" className="mono">
        {crypto.address}
      </span>,
    ],
    [t("crypto.requested"), asset(crypto.amount)],
  ];
  if (crypto.price) {
    items.push([
      t("crypto.price"),
      `${t("crypto.priceValue", {
        price: formatMoney(crypto.price.amount, crypto.price.currency, locale),
        rate: `${crypto.price.rate} ${crypto.price.currency}`,
        asset: crypto.asset,
      })} (${t(`crypto.rateSource.${crypto.price.rate_source}` as CryptoMessageKey)})`,
    ]);
  }
  if (open) items.push([t("crypto.due"), asset(crypto.amount_due)]);
  items.push(
    [t("crypto.received"), asset(crypto.amount_received)],
    [t("crypto.confirmed"), asset(crypto.amount_confirmed)],
    [t("crypto.confirmationsRequired"), String(crypto.confirmations_required)],
    [
      t("crypto.outcome"),
      crypto.outcome ? (
        <Badge key="outcome" tone={outcomeTone[crypto.outcome]}>
          {t(`crypto.outcome.${crypto.outcome}` as CryptoMessageKey)}
        </Badge>
      ) : (
        t("crypto.outcome.none")
      ),
    ],
  );
  if (crypto.paid_with) {
    items.push([t("crypto.paidWith"), t(`crypto.paidWith.${crypto.paid_with}` as CryptoMessageKey)]);
  }
  if (positive(crypto.amount_held)) items.push([t("crypto.held"), asset(crypto.amount_held)]);
  if (positive(crypto.amount_refunded)) items.push([t("crypto.refunded"), asset(crypto.amount_refunded)]);
  if (positive(crypto.reorg_shortfall)) items.push([t("crypto.reorgShortfall"), asset(crypto.reorg_shortfall)]);
  items.push(
    [t("crypto.expires"), format.date(crypto.expires_at)],
    [
      t("crypto.uri"),
      <code key="uri" className="mono">
        {crypto.uri}
      </code>,
    ],
  );
  const refundable = canWrite(me) && positive(crypto.amount_held) && crypto.refund?.status !== "pending";
  return (
    <>
      <Card title={t("crypto.title")}>
        <DefinitionList items={items} />
        <p className="field-hint">{t("crypto.transactions")}</p>
        {payment.status === "succeeded" && crypto.paid_with === "chain" ? (
          <p className="field-hint">{t("crypto.noRefunds")}</p>
        ) : null}
      </Card>
      {crypto.refund ? (
        <Card
          title={t("crypto.refund")}
          actions={<Badge tone={refundTone[crypto.refund.status]}>{t(`crypto.refund.${crypto.refund.status}`)}</Badge>}
        >
          <DefinitionList
            items={[
              [
                t("crypto.refundTo"),
                <span key="to" className="mono">
                  {crypto.refund.address ?? "—"}
                </span>,
              ],
              [t("crypto.refundAmount"), asset(crypto.refund.amount)],
              [t("crypto.refundFee"), asset(crypto.refund.network_fee)],
              [
                t("crypto.refundTx"),
                crypto.refund.tx_hash ? (
                  <code key="tx" className="mono">
                    {crypto.refund.tx_hash}
                  </code>
                ) : (
                  "—"
                ),
              ],
              [t("crypto.refundSentAt"), format.date(crypto.refund.sent_at)],
            ]}
          />
        </Card>
      ) : null}
      {refundable ? (
        <Card title={t("crypto.refundTitle")}>
          <p>{t("crypto.refundIntro", { amount: asset(crypto.amount_held), chain: crypto.chain })}</p>
          <RefundAddressForm paymentId={payment.id} onSent={onChanged} />
        </Card>
      ) : null}
    </>
  );
}

function RefundAddressForm({ paymentId, onSent }: { paymentId: string; onSent(): void }) {
  const { t } = useCryptoPaymentT();
  const [address, setAddress] = useState("");
  const [addressError, setAddressError] = useState<string | null>(null);
  const send = useAction(async (target: string) => {
    await api.post(`/v1/payments/${encodeURIComponent(paymentId)}/crypto_refund_address`, { address: target });
    setAddress("");
    onSent();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = address.trim();
    const valid = looksLikeAddress(target);
    setAddressError(valid ? null : t("crypto.refundAddressInvalid"));
    if (valid) void send.run(target);
  };
  return (
    <form onSubmit={submit} noValidate>
      <TextField
        label={t("crypto.refundAddress")}
        autoComplete="off"
        spellCheck={false}
        className="mono"
        value={address}
        hint={t("crypto.refundAddressHint")}
        error={addressError}
        onChange={(event) => setAddress(event.target.value)}
      />
      <RefundError error={send.error} />
      <Button type="submit" pending={send.pending}>
        {t("crypto.refundSubmit")}
      </Button>
    </form>
  );
}

function RefundError({ error }: { error: ApiRequestError | null }) {
  const { t } = useCryptoPaymentT();
  if (!error) return null;
  const key = `error.${error.code}` as CryptoMessageKey;
  const text = t(key);
  if (text === key) return <ErrorAlert error={error} />;
  return (
    <Alert kind="error">
      {text} <code className="error-code">{error.code}</code>
    </Alert>
  );
}
