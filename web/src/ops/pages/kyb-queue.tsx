import { Link } from "../../shared/router";
import { Badge, Card, Empty, SelectField, statusTone } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api, type KybState, type KybSummary, type ListPage } from "../api";
import { Loaded, Pager, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** The KYB review queue: oldest change first, by state (submitted by default: what waits for a reviewer). */
const states: KybState[] = ["submitted", "in_review", "action_required", "approved", "rejected", "draft"];

export function KybQueuePage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const state = params.state ?? "submitted";
  const queue = useAsync(
    () =>
      api.get<ListPage<KybSummary>>("/v1/ops/kyb_applications", {
        state: state === "all" ? undefined : state,
        limit: 25,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
      }),
    [state, params.starting_after, params.ending_before],
  );
  return (
    <>
      <h1>{t("kyb.title")}</h1>
      <div className="ops-filters">
        <SelectField
          label={t("kyb.filter")}
          value={state}
          onChange={(event) => setParams({ state: event.target.value })}
        >
          {states.map((s) => (
            <option key={s} value={s}>
              {t(`state.${s}`)}
            </option>
          ))}
          <option value="all">{t("state.all")}</option>
        </SelectField>
      </div>
      <Card>
        <Loaded state={queue}>
          {(page) =>
            page.data.length === 0 ? (
              <Empty>{t("kyb.empty")}</Empty>
            ) : (
              <>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t("kyb.business")}</th>
                        <th scope="col">{t("kyb.legalName")}</th>
                        <th scope="col">{t("kyb.country")}</th>
                        <th scope="col">{t("common.status")}</th>
                        <th scope="col">{t("kyb.submitted")}</th>
                        <th scope="col">{t("kyb.updated")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.data.map((application) => (
                        <tr key={application.id}>
                          <td>
                            <Link
                              to={`/ops/kyb/${application.id}`}
                              aria-label={t("kyb.openApplication", { name: application.business_name })}
                            >
                              {application.business_name}
                            </Link>
                          </td>
                          <td>{application.legal_name ?? t("common.none")}</td>
                          <td>{application.country ?? t("common.none")}</td>
                          <td>
                            <Badge tone={statusTone(application.state)}>{t(`state.${application.state}`)}</Badge>
                          </td>
                          <td>
                            <When at={application.submitted_at} />
                          </td>
                          <td>
                            <When at={application.updated} />
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
