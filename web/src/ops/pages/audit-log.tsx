import { ScrollText } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Button, Card, Empty, NoMatch, TextField } from "../../shared/ui";
import type { AuditRecord } from "../api";
import { PagedTable, usePagedList, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** The platform's whole audit log, newest first, filtered by action and merchant (admins). */
export function AuditLogPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const [action, setAction] = useState(params.action ?? "");
  const [merchant, setMerchant] = useState(params.merchant ?? "");
  const records = usePagedList<AuditRecord>(
    "/v1/ops/audit_log",
    params,
    { action: params.action, merchant: params.merchant },
    50,
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams({ action: action.trim(), merchant: merchant.trim() });
  };
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <form className="ops-filters" onSubmit={submit}>
        <TextField
          label={t("audit.action")}
          hint={t("audit.actionHint")}
          maxLength={100}
          value={action}
          onChange={(event) => setAction(event.target.value)}
        />
        <TextField
          label={t("audit.merchant")}
          maxLength={64}
          value={merchant}
          onChange={(event) => setMerchant(event.target.value)}
        />
        <Button type="submit">{t("audit.filter")}</Button>
      </form>
      <Card>
        <PagedTable
          state={records}
          params={params}
          setParams={setParams}
          empty={
            params.action || params.merchant ? (
              <NoMatch
                title={t("audit.empty")}
                clearLabel={t("common.clearFilters")}
                onClear={() => {
                  setAction("");
                  setMerchant("");
                  setParams({});
                }}
              >
                {t("audit.emptyText")}
              </NoMatch>
            ) : (
              <Empty icon={ScrollText} title={t("audit.none")}>
                {t("audit.noneText")}
              </Empty>
            )
          }
          columns={[
            { header: t("audit.when"), render: (record) => <When at={record.occurred_at} /> },
            { header: t("audit.action"), render: (record) => <code>{record.action}</code> },
            {
              header: t("audit.actor"),
              render: (record) => (
                <>
                  {record.actor.type}
                  {record.actor.id ? (
                    <>
                      {" "}
                      <code>{record.actor.id}</code>
                    </>
                  ) : null}
                </>
              ),
            },
            {
              header: t("audit.target"),
              render: (record) =>
                record.target ? (
                  <>
                    {record.target.type} <code>{record.target.id}</code>
                  </>
                ) : (
                  t("common.none")
                ),
            },
            {
              header: t("audit.merchant"),
              render: (record) => (record.merchant ? <code>{record.merchant}</code> : t("common.none")),
            },
            { header: t("audit.ip"), render: (record) => record.ip ?? t("common.none") },
            {
              header: t("audit.details"),
              render: (record) =>
                Object.keys(record.details).length > 0 ? (
                  <pre className="ops-details">{JSON.stringify(record.details, null, 1)}</pre>
                ) : (
                  t("common.none")
                ),
            },
          ]}
        />
      </Card>
    </>
  );
}
