import { Link } from "../../shared/router";
import { Badge, Card, Empty, statusTone } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api, type ListPage, type MerchantSummary } from "../api";
import { Loaded, Pager, SearchForm, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** Merchant search: by name, a team member's email or the id; KYB state and whether live payments work. */
const liveTone = { active: "good", pending: "warn", inactive: "neutral" } as const;

export function MerchantsPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const query = params.query ?? "";
  const results = useAsync(
    () =>
      api.get<ListPage<MerchantSummary>>("/v1/ops/merchants", {
        query,
        limit: 25,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
      }),
    [query, params.starting_after, params.ending_before],
  );
  return (
    <>
      <h1>{t("merchants.title")}</h1>
      <SearchForm
        key={query}
        initial={query}
        label={t("common.searchLabel")}
        hint={t("merchants.searchHint")}
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
                        <th scope="col">{t("merchants.name")}</th>
                        <th scope="col">{t("merchants.owner")}</th>
                        <th scope="col">{t("common.id")}</th>
                        <th scope="col">{t("merchants.kyb")}</th>
                        <th scope="col">{t("merchants.live")}</th>
                        <th scope="col">{t("merchants.liveKeys")}</th>
                        <th scope="col">{t("common.created")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.data.map((merchant) => (
                        <tr key={merchant.id}>
                          <td>{merchant.business_name}</td>
                          <td>{merchant.owner_email ?? t("common.none")}</td>
                          <td>
                            <code>{merchant.id}</code>
                          </td>
                          <td>
                            {merchant.kyb_application && merchant.kyb_state !== "draft" ? (
                              <Link
                                to={`/ops/kyb/${merchant.kyb_application}`}
                                aria-label={t("merchants.openKyb", { name: merchant.business_name })}
                              >
                                <Badge tone={statusTone(merchant.kyb_state)}>{t(`state.${merchant.kyb_state}`)}</Badge>
                              </Link>
                            ) : (
                              <Badge tone={statusTone(merchant.kyb_state)}>{t(`state.${merchant.kyb_state}`)}</Badge>
                            )}
                          </td>
                          <td>
                            <Badge tone={liveTone[merchant.live_payments]}>
                              {t(`merchants.live.${merchant.live_payments}`)}
                            </Badge>
                          </td>
                          <td>{merchant.live_api_keys}</td>
                          <td>
                            <When at={merchant.created} />
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
