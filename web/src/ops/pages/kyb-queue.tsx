import { BadgeCheck } from "lucide-react";
import { Link } from "../../shared/router";
import { Badge, Card, Empty, NoMatch, SelectField, statusTone } from "../../shared/ui";
import type { KybState, KybSummary } from "../api";
import { PagedTable, usePagedList, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** The KYB review queue: oldest change first, by state (submitted by default: what waits for a reviewer). */
const states: KybState[] = ["submitted", "in_review", "action_required", "approved", "rejected", "draft"];

export function KybQueuePage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const state = params.state ?? "submitted";
  const queue = usePagedList<KybSummary>(
    "/v1/ops/kyb_applications",
    params,
    { state: state === "all" ? undefined : state },
    25,
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
        <PagedTable
          state={queue}
          params={params}
          setParams={setParams}
          empty={
            state === "submitted" ? (
              <Empty icon={BadgeCheck} title={t("kyb.queueEmpty")}>
                {t("kyb.queueEmptyText")}
              </Empty>
            ) : state === "all" ? (
              <Empty icon={BadgeCheck} title={t("kyb.none")}>
                {t("kyb.noneText")}
              </Empty>
            ) : (
              <NoMatch title={t("kyb.empty")} clearLabel={t("kyb.showAll")} onClear={() => setParams({ state: "all" })}>
                {t("kyb.emptyText")}
              </NoMatch>
            )
          }
          columns={[
            {
              header: t("kyb.business"),
              render: (application) => (
                <Link
                  to={`/ops/kyb/${application.id}`}
                  aria-label={t("kyb.openApplication", { name: application.business_name })}
                >
                  {application.business_name}
                </Link>
              ),
            },
            { header: t("kyb.legalName"), render: (application) => application.legal_name ?? t("common.none") },
            { header: t("kyb.country"), render: (application) => application.country ?? t("common.none") },
            {
              header: t("common.status"),
              render: (application) => (
                <Badge tone={statusTone(application.state)}>{t(`state.${application.state}`)}</Badge>
              ),
            },
            { header: t("kyb.submitted"), render: (application) => <When at={application.submitted_at} /> },
            { header: t("kyb.updated"), render: (application) => <When at={application.updated} /> },
          ]}
        />
      </Card>
    </>
  );
}
