import { Users } from "lucide-react";
import { Link } from "../../shared/router";
import { Badge, Card, Empty, NoMatch } from "../../shared/ui";
import type { WalletUser } from "../api";
import { PagedTable, SearchForm, usePagedList, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** Wallet user search: by email, phone number, name or id; frozen wallets stand out. */
export function contactOf(user: WalletUser): string {
  return user.email ?? user.phone ?? user.id;
}

export function WalletUsersPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const query = params.query ?? "";
  const results = usePagedList<WalletUser>("/v1/ops/wallet_users", params, { query }, 25);
  return (
    <>
      <h1>{t("walletUsers.title")}</h1>
      <SearchForm
        key={query}
        initial={query}
        label={t("common.searchLabel")}
        hint={t("walletUsers.searchHint")}
        onSearch={(next) => setParams({ query: next })}
      />
      <Card>
        <PagedTable
          state={results}
          params={params}
          setParams={setParams}
          empty={
            query ? (
              <NoMatch
                title={t("walletUsers.noMatch", { query })}
                clearLabel={t("common.clearSearch")}
                onClear={() => setParams({})}
              >
                {t("walletUsers.noMatchText")}
              </NoMatch>
            ) : (
              <Empty icon={Users} title={t("walletUsers.none")}>
                {t("walletUsers.noneText")}
              </Empty>
            )
          }
          columns={[
            {
              header: t("walletUsers.contact"),
              render: (user) => (
                <Link
                  to={`/ops/wallet-users/${user.id}`}
                  aria-label={t("walletUsers.open", { contact: contactOf(user) })}
                >
                  {contactOf(user)}
                </Link>
              ),
            },
            {
              header: t("walletUsers.name"),
              render: (user) => user.legal_name ?? user.display_name ?? t("common.none"),
            },
            { header: t("walletUsers.mode"), render: (user) => (user.livemode ? t("common.live") : t("common.test")) },
            { header: t("walletUsers.tier"), render: (user) => user.tier },
            {
              header: t("walletUsers.state"),
              render: (user) => (
                <Badge tone={user.frozen ? "bad" : "good"}>
                  {user.frozen ? t("walletUsers.frozen") : t("walletUsers.active")}
                </Badge>
              ),
            },
            { header: t("common.created"), render: (user) => <When at={user.created} /> },
          ]}
        />
      </Card>
    </>
  );
}
