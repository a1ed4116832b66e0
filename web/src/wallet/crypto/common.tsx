import type { ReactNode } from "react";
import { ApiRequestError } from "../../shared/api";
import { formatAsset, shortHex } from "../../shared/crypto-amount";
import { currencyExponent } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Badge, Button, Spinner } from "../../shared/ui";
import { type AsyncState, useAsync } from "../../shared/use-async";
import { Problem } from "../components";
import { paths, useSession } from "../session";
import { type CryptoMessageKey, useCryptoT } from "./messages";
import type { CryptoAddress, CryptoAsset, DepositStatus, WithdrawalStatus } from "./model";

type Translate = ReturnType<typeof useCryptoT>["t"];

/** A crypto API error in the reader's language when these pages know its code, else as the wallet words it. */
export function CryptoProblem({ error }: { error: unknown }) {
  const { t } = useCryptoT();
  if (!error) return null;
  if (error instanceof ApiRequestError) {
    const key = `error.${error.code}` as CryptoMessageKey;
    const text = t(key);
    if (text !== key) {
      return (
        <Alert kind="error">
          {text} <code className="error-code">{error.code}</code>
        </Alert>
      );
    }
  }
  return <Problem error={error} />;
}

/** The wallet's deposit address and assets: every crypto page needs the assets' decimals and chains. */
export function useCryptoAddress(): AsyncState<CryptoAddress> & { reload(): void } {
  const { api } = useSession();
  return useAsync(() => api.get<CryptoAddress>("/v1/wallet/crypto/address"), [api]);
}

/** Shows the address's loading, "crypto is off here" and errors; the page once it is there. */
export function WithAddress({
  state,
  children,
}: {
  state: AsyncState<CryptoAddress> & { reload(): void };
  children(address: CryptoAddress): ReactNode;
}) {
  const { t } = useCryptoT();
  if (state.data) return <>{children(state.data)}</>;
  if (state.status !== "error") return <Spinner label={t("loading")} />;
  if (state.error.code === "crypto_unavailable") {
    return (
      <Alert kind="info">
        <strong>{t("unavailable.title")}</strong> {t("unavailable.body")}
      </Alert>
    );
  }
  return (
    <>
      <CryptoProblem error={state.error} />
      <Button onClick={state.reload}>{t("retry")}</Button>
    </>
  );
}

/** Formats amounts of the address's assets in their own decimals. */
export function useAssetFormat(address: CryptoAddress | undefined) {
  const { locale } = useCryptoT();
  const decimalsOf = (asset: string) =>
    address?.assets.find((candidate) => candidate.asset === asset)?.decimals ?? currencyExponent(asset);
  return (amount: string | bigint, asset: string) => formatAsset(amount, asset, decimalsOf(asset), locale);
}

export function assetNamed(address: CryptoAddress, asset: string, chain?: string): CryptoAsset | undefined {
  return address.assets.find((candidate) => candidate.asset === asset && (!chain || candidate.chain === chain));
}

const depositTone: Record<DepositStatus, "good" | "bad" | "warn" | "neutral"> = {
  pending: "warn",
  available: "good",
  orphaned: "bad",
  reversed: "bad",
  dust: "neutral",
};

const withdrawalTone: Record<WithdrawalStatus, "good" | "bad" | "warn" | "info"> = {
  pending: "warn",
  broadcast: "info",
  confirmed: "good",
  failed: "bad",
};

export function DepositBadge({ status }: { status: DepositStatus }) {
  const { t } = useCryptoT();
  return <Badge tone={depositTone[status]}>{t(`deposit.${status}`)}</Badge>;
}

export function WithdrawalBadge({ status }: { status: WithdrawalStatus }) {
  const { t } = useCryptoT();
  return <Badge tone={withdrawalTone[status]}>{t(`withdrawal.${status}`)}</Badge>;
}

export function failureReason(t: Translate, code: string | null): string {
  const key = `failure.${code ?? ""}` as CryptoMessageKey;
  const text = t(key);
  return text === key ? (code ?? "") : text;
}

/** A hash or address, shortened to read in a list; the whole value in its title and for screen readers. */
export function Hex({ value }: { value: string }) {
  return (
    <code className="mono" title={value}>
      <span aria-hidden="true">{shortHex(value)}</span>
      <span className="visually-hidden">{value}</span>
    </code>
  );
}

/** The crypto pages' own links: each page reaches the others. */
export function CryptoNav({ current }: { current: string }) {
  const { t } = useCryptoT();
  const items: [string, CryptoMessageKey][] = [
    [paths.crypto, "nav.label"],
    [paths.cryptoReceive, "nav.receive"],
    [paths.cryptoSend, "nav.send"],
    [paths.cryptoHistory, "nav.history"],
    [paths.cryptoAllowlist, "nav.allowlist"],
  ];
  return (
    <nav aria-label={t("nav.label")} className="crypto-nav">
      <ul>
        {items.map(([to, key]) => (
          <li key={to}>
            <Link to={to} aria-current={current === to ? "page" : undefined}>
              {t(key)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
