import { ArrowDownToLine, Bitcoin } from "lucide-react";
import { ActionLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { formatDateTime } from "../../shared/money";
import { Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { useVisibleInterval } from "../../shared/visible-interval";
import { paths, useSession } from "../session";
import {
  CryptoNav,
  CryptoProblem,
  DepositBadge,
  failureReason,
  Hex,
  useAssetFormat,
  useCryptoAddress,
  WithAddress,
  WithdrawalBadge,
} from "./common";
import { useCryptoT } from "./messages";
import { type CryptoAddress, type CryptoDeposit, type CryptoWithdrawal, cryptoPollMs } from "./model";

const historyPageSize = 50;

type Row = { kind: "deposit"; item: CryptoDeposit } | { kind: "withdrawal"; item: CryptoWithdrawal };

/**
 * Crypto in and out, newest first: deposits with their confirmations ("2 of 3 confirmations") until available,
 * withdrawals from queued to confirmed, each with its transaction. The page asks again while something waits for
 * blocks.
 */
export function CryptoHistoryPage() {
  const { t } = useCryptoT();
  const address = useCryptoAddress();
  return (
    <>
      <h1>{t("history.title")}</h1>
      <CryptoNav current={paths.cryptoHistory} />
      <WithAddress state={address}>{(found) => <History address={found} />}</WithAddress>
    </>
  );
}

function History({ address }: { address: CryptoAddress }) {
  const { t, locale } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const state = useAsync(async () => {
    const [deposits, withdrawals] = await Promise.all([
      api.get<ListPage<CryptoDeposit>>("/v1/wallet/crypto/deposits", { limit: historyPageSize }),
      api.get<ListPage<CryptoWithdrawal>>("/v1/wallet/crypto/withdrawals", { limit: historyPageSize }),
    ]);
    const rows: Row[] = [
      ...deposits.data.map((item) => ({ kind: "deposit" as const, item })),
      ...withdrawals.data.map((item) => ({ kind: "withdrawal" as const, item })),
    ];
    return rows.sort((a, b) => b.item.created - a.item.created || b.item.id.localeCompare(a.item.id));
  }, [api]);
  const waiting = (state.data ?? []).some((row) =>
    row.kind === "deposit" ? row.item.status === "pending" : ["pending", "broadcast"].includes(row.item.status),
  );
  useVisibleInterval(state.reload, waiting ? cryptoPollMs : cryptoPollMs * 5, () => state.status === "loading");

  if (!state.data) {
    return state.status === "error" ? <CryptoProblem error={state.error} /> : <Spinner label={t("loading")} />;
  }
  if (state.data.length === 0) {
    return (
      <Empty
        icon={Bitcoin}
        title={t("history.empty")}
        action={
          <ActionLink to={paths.cryptoReceive} icon={ArrowDownToLine}>
            {t("receive.title")}
          </ActionLink>
        }
      >
        {t("history.empty.text")}
      </Empty>
    );
  }
  const requiredFor = (asset: string, chain: string) =>
    address.assets.find((candidate) => candidate.asset === asset && candidate.chain === chain)?.confirmations_required;
  return (
    <>
      <CryptoProblem error={state.error} />
      <ul className="plain-list crypto-history" aria-label={t("history.title")}>
        {state.data.map((row) =>
          row.kind === "deposit" ? (
            <li key={row.item.id}>
              <div className="crypto-row">
                <strong>{t("history.received", { amount: format(row.item.amount, row.item.asset) })}</strong>
                <DepositBadge status={row.item.status} />
              </div>
              {row.item.status === "pending" ? (
                <div className="crypto-confirmations">
                  {t("history.confirmations", {
                    count: row.item.confirmations,
                    required: row.item.confirmations_required,
                  })}
                </div>
              ) : null}
              <div className="balance-note">
                {t("history.from")} <Hex value={row.item.from_address} /> · {t("history.tx")}{" "}
                <Hex value={row.item.tx_hash} /> · {formatDateTime(row.item.created, locale)}
              </div>
            </li>
          ) : (
            <li key={row.item.id}>
              <div className="crypto-row">
                <strong>{t("history.sent", { amount: format(row.item.amount, row.item.asset) })}</strong>
                <WithdrawalBadge status={row.item.status} />
              </div>
              {row.item.status === "broadcast" && row.item.confirmations !== null ? (
                <div className="crypto-confirmations">
                  {t("history.confirmations", {
                    count: row.item.confirmations,
                    required: requiredFor(row.item.asset, row.item.chain) ?? "?",
                  })}
                </div>
              ) : null}
              {row.item.status === "failed" ? (
                <div className="balance-note">
                  {t("history.failure", { reason: failureReason(t, row.item.failure_code) })}
                </div>
              ) : null}
              <div className="balance-note">
                {t("history.sentTo")} <Hex value={row.item.to_address} /> ·{" "}
                {t("history.fee", { amount: format(row.item.fee, row.item.asset) })} · {t("history.tx")}{" "}
                {row.item.tx_hash ? <Hex value={row.item.tx_hash} /> : t("history.noTx")} ·{" "}
                {formatDateTime(row.item.created, locale)}
              </div>
            </li>
          ),
        )}
      </ul>
    </>
  );
}
