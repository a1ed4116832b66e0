import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { formatDateTime } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Button, Card, DefinitionList, Spinner } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { useVisibleInterval } from "../../shared/visible-interval";
import type { Balance } from "../api-types";
import { paths, useSession } from "../session";
import { CryptoNav, CryptoProblem, Hex, useAssetFormat, useCryptoAddress, WithAddress } from "./common";
import { useCryptoT } from "./messages";
import { assetsOf, type CryptoAddress, type CryptoDeposit, cryptoPollMs, type ReservesProof } from "./model";
import { SandboxPanel } from "./sandbox";

/**
 * The crypto overview: per asset the available balance, what is incoming (deposits waiting for their
 * confirmations) and what is held for withdrawals; the ways to receive and send; the sandbox chain in test mode;
 * and the wallet's own proof of reserves on request.
 */
export function CryptoOverviewPage() {
  const { t } = useCryptoT();
  const address = useCryptoAddress();
  return (
    <>
      <h1>{t("overview.title")}</h1>
      <CryptoNav current={paths.crypto} />
      <p>{t("overview.intro")}</p>
      <WithAddress state={address}>{(found) => <Overview address={found} />}</WithAddress>
    </>
  );
}

function Overview({ address }: { address: CryptoAddress }) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const state = useAsync(async () => {
    const [balances, deposits] = await Promise.all([
      api.get<ListPage<Balance>>("/v1/wallet/balances"),
      api.get<ListPage<CryptoDeposit>>("/v1/wallet/crypto/deposits", { limit: 100 }),
    ]);
    return { balances: balances.data, deposits: deposits.data };
  }, [api]);
  const waiting = state.data?.deposits.some((deposit) => deposit.status === "pending") ?? false;
  useVisibleInterval(state.reload, waiting ? cryptoPollMs : cryptoPollMs * 5, () => state.status === "loading");

  const assets = assetsOf(address);
  return (
    <>
      {!address.livemode ? <p className="test-banner">{t("overview.testMode")}</p> : null}
      <Card title={t("balances.title")}>
        {state.data ? (
          <ul className="balances crypto-balances" aria-label={t("balances.title")}>
            {assets.map((asset) => {
              const balance = state.data?.balances.find((b) => b.currency === asset.asset);
              // The balance's incoming counts deposits waiting for their confirmations (and bank top-ups).
              const incoming = BigInt(balance?.incoming ?? "0");
              return (
                <li key={asset.asset}>
                  <span className="big-amount">{format(balance?.available ?? "0", asset.asset)}</span>
                  <span className="visually-hidden"> {t("balances.available")}</span>
                  <span className="balance-note">
                    {t("balances.network", { asset: asset.asset, chain: asset.chain })}
                  </span>
                  {incoming > 0n ? (
                    <span className="balance-note">
                      {t("balances.incoming", { amount: format(incoming, asset.asset) })}
                    </span>
                  ) : null}
                  {balance && balance.held !== "0" ? (
                    <span className="balance-note">
                      {t("balances.held", { amount: format(balance.held, asset.asset) })}
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
        ) : state.status === "error" ? (
          <CryptoProblem error={state.error} />
        ) : (
          <Spinner label={t("loading")} />
        )}
      </Card>
      <nav aria-label={t("overview.actions")} className="crypto-actions">
        <ul className="wallet-actions">
          <li>
            <Link to={paths.cryptoReceive} className="wallet-action">
              {t("nav.receive")}
            </Link>
          </li>
          <li>
            <Link to={paths.cryptoSend} className="wallet-action">
              {t("nav.send")}
            </Link>
          </li>
        </ul>
      </nav>
      {!address.livemode ? <SandboxPanel address={address} onChanged={state.reload} /> : null}
      <ReservesProofCard address={address} />
    </>
  );
}

/** The wallet's inclusion in the latest proof of reserves, asked for by the reader (docs/crypto.md says how to check it). */
function ReservesProofCard({ address }: { address: CryptoAddress }) {
  const { t, locale } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const [proof, setProof] = useState<ReservesProof | null>(null);
  const load = useAction(async () => setProof(await api.get<ReservesProof>("/v1/wallet/reserves_proof")));
  return (
    <Card title={t("proof.title")}>
      <p>{t("proof.intro")}</p>
      {proof ? (
        <>
          <p>{t("proof.report", { id: proof.report.id, time: formatDateTime(proof.report.created_at, locale) })}</p>
          <Alert kind={proof.report.ok ? "success" : "warning"}>
            {proof.report.ok ? t("proof.ok") : t("proof.short")}
          </Alert>
          <ul className="plain-list" aria-label={t("proof.title")}>
            {proof.data.map((row) => (
              <li key={row.asset}>
                <strong>{row.asset}</strong>
                <DefinitionList
                  items={[
                    [t("proof.included"), row.leaf ? format(row.leaf.balance, row.asset) : t("proof.notIncluded")],
                    [t("proof.total"), format(row.total, row.asset)],
                    [t("proof.root"), row.root ? <Hex key="root" value={`0x${row.root}`} /> : "—"],
                    [t("proof.steps"), String(row.path.length)],
                  ]}
                />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <CryptoProblem error={load.error} />
      <Button variant="secondary" pending={load.pending} onClick={() => load.run()}>
        {t("proof.load")}
      </Button>
    </Card>
  );
}
