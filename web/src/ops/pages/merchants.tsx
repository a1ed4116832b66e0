import { Store } from "lucide-react";
import { Link } from "../../shared/router";
import { Badge, Card, Empty, NoMatch, statusTone } from "../../shared/ui";
import type { MerchantSummary } from "../api";
import { PagedTable, SearchForm, usePagedList, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** Merchant search: by name, a team member's email or the id; KYB state and whether live payments work. */
const liveTone = { active: "good", pending: "warn", inactive: "neutral" } as const;

export function MerchantsPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const query = params.query ?? "";
  const results = usePagedList<MerchantSummary>("/v1/ops/merchants", params, { query }, 25);
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
        <PagedTable
          state={results}
          params={params}
          setParams={setParams}
          empty={
            query ? (
              <NoMatch
                title={t("merchants.noMatch", { query })}
                clearLabel={t("common.clearSearch")}
                onClear={() => setParams({})}
              >
                {t("merchants.noMatchText")}
              </NoMatch>
            ) : (
              <Empty icon={Store} title={t("merchants.none")}>
                {t("merchants.noneText")}
              </Empty>
            )
          }
          columns={[
            { header: t("merchants.name"), render: (merchant) => merchant.business_name },
            { header: t("merchants.owner"), render: (merchant) => merchant.owner_email ?? t("common.none") },
            { header: t("common.id"), render: (merchant) => <code>{merchant.id}</code> },
            {
              header: t("merchants.kyb"),
              render: (merchant) =>
                merchant.kyb_application && merchant.kyb_state !== "draft" ? (
                  <Link
                    to={`/ops/kyb/${merchant.kyb_application}`}
                    aria-label={t("merchants.openKyb", {
                      name: merchant.business_name,
                      state: t(`state.${merchant.kyb_state}`),
                    })}
                  >
                    <Badge tone={statusTone(merchant.kyb_state)}>{t(`state.${merchant.kyb_state}`)}</Badge>
                  </Link>
                ) : (
                  <Badge tone={statusTone(merchant.kyb_state)}>{t(`state.${merchant.kyb_state}`)}</Badge>
                ),
            },
            {
              header: t("merchants.live"),
              render: (merchant) => (
                <Badge tone={liveTone[merchant.live_payments]}>{t(`merchants.live.${merchant.live_payments}`)}</Badge>
              ),
            },
            { header: t("merchants.liveKeys"), render: (merchant) => merchant.live_api_keys },
            { header: t("common.created"), render: (merchant) => <When at={merchant.created} /> },
          ]}
        />
      </Card>
    </>
  );
}
