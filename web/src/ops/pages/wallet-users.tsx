import { Link } from "../../shared/router";
import { Badge, Card, Empty } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api, type ListPage, type WalletUser } from "../api";
import { Loaded, Pager, SearchForm, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** Wallet user search: by email, phone number, name or id; frozen wallets stand out. */
export function contactOf(user: WalletUser): string {
  return user.email ?? user.phone ?? user.id;
}

export function WalletUsersPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const query = params.query ?? "";
  const results = useAsync(
    () =>
      api.get<ListPage<WalletUser>>("/v1/ops/wallet_users", {
        query,
        limit: 25,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
      }),
    [query, params.starting_after, params.ending_before],
  );
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
        <Loaded state={results}>
          {(page) =>
            page.data.length === 0 ? (
              <Empty>{t("common.noResults")}</Empty>
            ) : (
              <>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t("walletUsers.contact")}</th>
                        <th scope="col">{t("walletUsers.name")}</th>
                        <th scope="col">{t("walletUsers.mode")}</th>
                        <th scope="col">{t("walletUsers.tier")}</th>
                        <th scope="col">{t("walletUsers.state")}</th>
                        <th scope="col">{t("common.created")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.data.map((user) => (
                        <tr key={user.id}>
                          <td>
                            <Link
                              to={`/ops/wallet-users/${user.id}`}
                              aria-label={t("walletUsers.open", { contact: contactOf(user) })}
                            >
                              {contactOf(user)}
                            </Link>
                          </td>
                          <td>{user.legal_name ?? user.display_name ?? t("common.none")}</td>
                          <td>{user.livemode ? t("common.live") : t("common.test")}</td>
                          <td>{user.tier}</td>
                          <td>
                            <Badge tone={user.frozen ? "bad" : "good"}>
                              {user.frozen ? t("walletUsers.frozen") : t("walletUsers.active")}
                            </Badge>
                          </td>
                          <td>
                            <When at={user.created} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager page={page} params={params} setParams={setParams} />
              </>
            )
          }
        </Loaded>
      </Card>
    </>
  );
}
