import {
  BanknoteArrowDown,
  BanknoteArrowUp,
  Bitcoin,
  Hourglass,
  IdCard,
  LifeBuoy,
  type LucideIcon,
  QrCode,
  ReceiptText,
  ScanLine,
  Send,
  Wallet,
  WalletCards,
} from "lucide-react";
import { ActionLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { Icon } from "../../shared/icons";
import { formatMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Button, Card, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { Balance, WalletPayment, WalletUser } from "../api-types";
import { Problem, pollMs, useInterval } from "../components";
import { type MessageKey, useT } from "../messages";
import { paths, useSession } from "../session";
import { WelcomeCard } from "./onboarding";

const actions: [string, MessageKey, LucideIcon][] = [
  [paths.topUp, "action.topUp", BanknoteArrowDown],
  [paths.send, "action.send", Send],
  [paths.scan, "action.scan", ScanLine],
  [paths.code, "action.code", QrCode],
  [paths.pending, "action.pending", Hourglass],
  [paths.withdraw, "action.withdraw", BanknoteArrowUp],
  [paths.history, "action.history", ReceiptText],
  [paths.crypto, "action.crypto", Bitcoin],
  [paths.identity, "action.identity", IdCard],
  [paths.card, "action.card", WalletCards],
  [paths.support, "action.support", LifeBuoy],
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
          <Empty
            icon={Wallet}
            title={t("home.noBalance")}
            action={
              // Not "Top up": the actions below have a link of that name, and two links of one name are one too many.
              <ActionLink to={paths.topUp} icon={BanknoteArrowDown}>
                {t("home.addMoney")}
              </ActionLink>
            }
          >
            {t("home.noBalance.text")}
          </Empty>
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
          {actions.map(([to, key, icon]) => (
            <li key={to}>
              <Link to={to} className="wallet-action">
                <Icon icon={icon} />
                {t(key)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}
