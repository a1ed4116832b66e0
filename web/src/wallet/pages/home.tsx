import type { ListPage } from "../../shared/api";
import { formatMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Button, Card, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { Balance, WalletPayment, WalletUser } from "../api-types";
import { Problem, pollMs, useInterval } from "../components";
import { type MessageKey, useT } from "../messages";
import { paths, useSession } from "../session";
import { WelcomeCard } from "./onboarding";

const actions: [string, MessageKey][] = [
  [paths.topUp, "action.topUp"],
  [paths.send, "action.send"],
  [paths.scan, "action.scan"],
  [paths.code, "action.code"],
  [paths.pending, "action.pending"],
  [paths.withdraw, "action.withdraw"],
  [paths.history, "action.history"],
  [paths.crypto, "action.crypto"],
  [paths.identity, "action.identity"],
  [paths.card, "action.card"],
  [paths.support, "action.support"],
];

export function HomePage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const state = useAsync(async () => {
    const [me, balances, pending] = await Promise.all([
      api.get<WalletUser>("/v1/wallet/me"),
      api.get<ListPage<Balance>>("/v1/wallet/balances"),
      api.get<ListPage<WalletPayment>>("/v1/wallet/payments", { status: "processing", limit: 20 }),
    ]);
    return { me, balances: balances.data, pending: pending.data };
  }, [api]);
  // Top-ups arrive when the bank confirms them; payments may start waiting at a till: keep the page current.
  useInterval(state.reload, pollMs * 2);

  if (!state.data) {
    return state.status === "error" ? (
      <>
        <Problem error={state.error} />
        <Button onClick={state.reload}>{t("retry")}</Button>
      </>
    ) : (
      <Spinner label={t("loading")} />
    );
  }
  const { me, balances, pending } = state.data;
  const name = me.display_name ?? me.email ?? me.phone ?? me.id;
  return (
    <>
      <h1>{t("home.hello", { name })}</h1>
      {!me.livemode ? <p className="test-banner">{t("testMode")}</p> : null}
      {me.frozen ? <Alert kind="error">{t("home.frozen")}</Alert> : null}
      <WelcomeCard />
      {pending.length > 0 ? (
        <Alert kind="warning">
          {t("home.pending", { count: pending.length })} <Link to={paths.pending}>{t("home.pending.open")}</Link>
        </Alert>
      ) : null}
      <Card title={t("home.balances")}>
        {balances.length === 0 ? (
          <Empty>{t("home.noBalance")}</Empty>
        ) : (
          <ul className="balances" aria-label={t("home.balances")}>
            {balances.map((balance) => (
              <li key={balance.currency}>
                <span className="big-amount">{formatMoney(balance.available, balance.currency, locale)}</span>
                <span className="visually-hidden"> {t("home.available")}</span>
                {balance.incoming !== "0" ? (
                  <span className="balance-note">
                    {t("home.incoming")}: {formatMoney(balance.incoming, balance.currency, locale)}
                  </span>
                ) : null}
                {balance.held !== "0" ? (
                  <span className="balance-note">
                    {t("home.held")}: {formatMoney(balance.held, balance.currency, locale)}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <nav aria-label={t("home.actions")}>
        <ul className="wallet-actions">
          {actions.map(([to, key]) => (
            <li key={to}>
              <Link to={to} className="wallet-action">
                {t(key)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}
