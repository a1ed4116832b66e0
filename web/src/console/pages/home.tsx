import type { ListPage } from "../../shared/api";
import { Link } from "../../shared/router";
import { Alert, Card, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api, type GoLiveChecklist, type Payment } from "../api";
import { ConsoleError, StatusBadge, useFormat } from "../common";
import { NoPaymentsYet } from "../empty-states";
import { useT } from "../messages";
import { useMe } from "../session";
import { DashboardSection } from "./lazy";

/** The start page: how far the go-live checklist is, the dashboard (loaded on demand), and the latest payments. */
export function HomePage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const payments = useAsync(() => api.get<ListPage<Payment>>("/v1/payments", { limit: 5 }), []);
  const checklist = useAsync(() => api.get<GoLiveChecklist>("/v1/console/go_live"), []);
  const passed = checklist.data?.items.filter((i) => i.passed).length ?? 0;
  return (
    <>
      <h1>{t("home.title", { business: me.business_name })}</h1>
      {!me.user.two_factor.totp && me.user.two_factor.passkeys === 0 ? (
        <Alert kind="warning">
          {t("home.no2fa")} <Link to="/security">{t("home.setUp2fa")}</Link>
        </Alert>
      ) : null}
      {checklist.data && !checklist.data.ready ? (
        <Card title={t("goLive.title")}>
          <p>{t("home.checklist", { passed, total: checklist.data.items.length })}</p>
          <Link to="/go-live">{t("home.openChecklist")}</Link>
        </Card>
      ) : null}
      <DashboardSection />
      <Card title={t("home.recentPayments")}>
        {payments.status === "loading" && !payments.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={payments.error} />
        {payments.data && payments.data.data.length === 0 ? <NoPaymentsYet /> : null}
        <ul className="plain-list">
          {payments.data?.data.map((p) => (
            <li key={p.id}>
              <Link to={`/payments/${p.id}`}>{format.money(p.amount, p.currency)}</Link>{" "}
              <StatusBadge status={p.status} /> {p.description ?? ""} · {format.date(p.created)}
            </li>
          ))}
        </ul>
        <Link to="/payments">{t("home.allPayments")}</Link>
      </Card>
    </>
  );
}
