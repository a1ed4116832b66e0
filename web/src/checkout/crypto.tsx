import { type ReactNode, useEffect, useState } from "react";
import { CopyButton } from "../shared/copy-button";
import { formatAsset, formatUnits } from "../shared/crypto-amount";
import { currencyExponent, formatMoney } from "../shared/money";
import { Alert } from "../shared/ui";
import { useVisibleInterval } from "../shared/visible-interval";
import "./crypto.css";
import { useCryptoCheckoutT } from "./crypto-messages";
import type { CryptoCheckoutSummary, CryptoPaymentDetails } from "./crypto-model";
import { useT } from "./messages";
import { isOpen, isPaid } from "./summary";

/** An ended payment is still asked about now and then: money sent late, or a refund on its way, shows up. */
const endedPollMs = 10_000;

/**
 * The checkout of a crypto payment (docs/crypto.md, "Crypto payments"): the amount in the asset, its address and
 * QR code (an EIP-681 request, also a link that opens a wallet app), the time left, and the payment followed live —
 * waiting, seen and confirming, paid — with underpaid, overpaid and late money explained and its refund shown.
 * The page's poll (./summary.ts) runs while the payment is open; afterwards this asks less often.
 */
export default function CryptoCheckout({
  summary,
  crypto,
  back,
  onRefresh,
}: {
  summary: CryptoCheckoutSummary;
  crypto: CryptoPaymentDetails;
  back: ReactNode;
  onRefresh(): void;
}) {
  const { t } = useCryptoCheckoutT();
  const page = useT().t;
  const { locale } = useT();
  const now = useNowSeconds();
  useVisibleInterval(onRefresh, endedPollMs, () => isOpen(summary));

  const decimals = crypto.decimals ?? currencyExponent(crypto.asset);
  const asset = (amount: string | bigint) => formatAsset(amount, crypto.asset, decimals, locale);
  const merchant = summary.merchant.name;
  const received = BigInt(crypto.amount_received);
  const timeLeft = crypto.expires_at - now;
  const waiting = summary.status === "requires_payment" && timeLeft > 0;
  const due = BigInt(crypto.amount_due);

  return (
    <section className="card checkout-card" aria-labelledby="checkout-heading">
      <p className="checkout-to">{page("payTo")}</p>
      <h1 id="checkout-heading">{merchant}</h1>
      <p className="big-amount">{asset(crypto.amount)}</p>
      {crypto.price ? (
        <p className="field-hint">
          {t("crypto.price", {
            price: formatMoney(crypto.price.amount, crypto.price.currency, locale),
            rate: `${crypto.price.rate} ${crypto.price.currency}`,
            asset: crypto.asset,
          })}
        </p>
      ) : null}
      {summary.description ? <p className="checkout-description">{summary.description}</p> : null}

      <div role="status" aria-live="polite" className="checkout-state">
        <CryptoState
          summary={summary}
          crypto={crypto}
          asset={asset}
          expiredHere={!waiting && summary.status === "requires_payment"}
        />
      </div>

      {waiting ? (
        <>
          <p className="checkout-timer">{t("crypto.expiresIn", { time: formatDuration(timeLeft) })}</p>
          <p className="crypto-send">
            <strong>
              {received > 0n
                ? t("crypto.sendRest", { amount: asset(due) })
                : t("crypto.sendExactly", { amount: asset(due) })}
            </strong>{" "}
            {t("crypto.network", { chain: crypto.chain, chainId: crypto.chain_id })}
          </p>
          <p className="crypto-label">{t("crypto.address")}</p>
          <p className="crypto-address mono">{crypto.address}</p>
          <div className="button-row">
            <CopyButton
              value={crypto.address}
              label={t("crypto.copyAddress")}
              copied={t("crypto.copied")}
              failed={t("crypto.copyFailed")}
            />
            <CopyButton
              value={formatUnits(due, decimals, "en").replace(/,/g, "")}
              label={t("crypto.copyAmount")}
              copied={t("crypto.copied")}
              failed={t("crypto.copyFailed")}
            />
          </div>
          {crypto.qr.svg ? (
            <figure className="qr checkout-qr">
              <img
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(crypto.qr.svg)}`}
                alt={t("crypto.qrAlt", { amount: asset(due) })}
                width={220}
                height={220}
              />
              <figcaption>{t("crypto.qrCaption")}</figcaption>
            </figure>
          ) : null}
          <p className="crypto-open">
            <a href={crypto.uri} className="button button-primary">
              {t("crypto.openWallet")}
            </a>
          </p>
          {crypto.contract ? (
            <p className="field-hint crypto-contract">
              {t("crypto.token", { asset: crypto.asset, contract: crypto.contract })}
            </p>
          ) : null}
          <Alert kind="warning">{t("crypto.onlyThis", { asset: crypto.asset, chain: crypto.chain })}</Alert>
          <p className="field-hint">{t("crypto.confirmationsNeeded", { count: crypto.confirmations_required })}</p>
        </>
      ) : null}

      <HeldMoney summary={summary} crypto={crypto} asset={asset} />
      {back}
    </section>
  );
}

function CryptoState({
  summary,
  crypto,
  asset,
  expiredHere,
}: {
  summary: CryptoCheckoutSummary;
  crypto: CryptoPaymentDetails;
  asset(amount: string | bigint): string;
  expiredHere: boolean;
}) {
  const { t } = useCryptoCheckoutT();
  const merchant = summary.merchant.name;
  const received = BigInt(crypto.amount_received);
  const amount = BigInt(crypto.amount);
  if (crypto.outcome === "paid_late") {
    return (
      <div className="alert alert-warning">
        <strong>{t("crypto.state.late")}</strong> {t("crypto.state.late.body", { received: asset(crypto.amount_held) })}
      </div>
    );
  }
  if (isPaid(summary)) {
    return (
      <div className="alert alert-success">
        <strong>{t("crypto.state.paid")}</strong>{" "}
        {t("crypto.state.paid.body", { amount: asset(crypto.amount), merchant })}
        {crypto.outcome === "overpaid" ? ` ${t("crypto.state.overpaid", { excess: asset(received - amount) })}` : ""}
      </div>
    );
  }
  if (summary.status === "processing") {
    return (
      <div className="alert alert-info">
        <strong>{t("crypto.state.seen")}</strong>{" "}
        {t("crypto.state.seen.body", { received: asset(received), count: crypto.confirmations_required })}
        {BigInt(crypto.amount_confirmed) > 0n
          ? ` ${t("crypto.state.confirming", { confirmed: asset(crypto.amount_confirmed), amount: asset(amount) })}`
          : ""}
      </div>
    );
  }
  if (summary.status === "requires_payment" && !expiredHere) {
    return received > 0n ? (
      <div className="alert alert-info">
        <strong>{t("crypto.state.partial", { received: asset(received), amount: asset(amount) })}</strong>{" "}
        {t("crypto.state.partial.body")}
      </div>
    ) : (
      <div className="alert alert-info">
        <strong>{t("crypto.state.waiting")}</strong> {t("crypto.state.waiting.body")}
      </div>
    );
  }
  if (crypto.outcome === "underpaid") {
    return (
      <div className="alert alert-warning">
        <strong>{t("crypto.state.underpaid")}</strong>{" "}
        {t("crypto.state.underpaid.body", { received: asset(received), amount: asset(amount) })}
      </div>
    );
  }
  if (summary.status === "canceled") {
    return (
      <div className="alert alert-warning">
        <strong>{t("crypto.state.canceled")}</strong>
      </div>
    );
  }
  return (
    <div className="alert alert-warning">
      <strong>{t("crypto.state.expired")}</strong> {t("crypto.state.expired.body", { merchant })}
    </div>
  );
}

/** Money of the payer's that the merchant holds (over, under or late payment), and its refund once asked for. */
function HeldMoney({
  summary,
  crypto,
  asset,
}: {
  summary: CryptoCheckoutSummary;
  crypto: CryptoPaymentDetails;
  asset(amount: string | bigint): string;
}) {
  const { t } = useCryptoCheckoutT();
  const merchant = summary.merchant.name;
  const refund = crypto.refund;
  const held = BigInt(crypto.amount_held);
  return (
    <>
      {refund ? (
        <Alert kind={refund.status === "failed" ? "error" : refund.status === "sent" ? "success" : "info"}>
          {refund.status === "pending"
            ? t("crypto.refund.pending", {
                amount: asset(refund.amount ?? "0"),
                address: refund.address ?? "",
                fee: asset(refund.network_fee ?? "0"),
              })
            : refund.status === "sent"
              ? t("crypto.refund.sent", { amount: asset(refund.amount ?? "0"), address: refund.address ?? "" })
              : t("crypto.refund.failed", { address: refund.address ?? "", merchant })}
          {refund.tx_hash ? (
            <>
              {" "}
              {t("crypto.refund.tx")} <code className="mono">{refund.tx_hash}</code>
            </>
          ) : null}
        </Alert>
      ) : null}
      {held > 0n && refund?.status !== "pending" ? (
        <Alert kind="info">{t("crypto.held", { amount: asset(held), merchant, chain: crypto.chain })}</Alert>
      ) : null}
    </>
  );
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
