import { type FormEvent, useState } from "react";
import { Button, Card, Empty, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { type AuditRecord, api, type ListPage } from "../api";
import { Loaded, Pager, useQueryParams, When } from "../common";
import { useT } from "../messages";

/** The platform's whole audit log, newest first, filtered by action and merchant (admins). */
export function AuditLogPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const [action, setAction] = useState(params.action ?? "");
  const [merchant, setMerchant] = useState(params.merchant ?? "");
  const records = useAsync(
    () =>
      api.get<ListPage<AuditRecord>>("/v1/ops/audit_log", {
        action: params.action,
        merchant: params.merchant,
        limit: 50,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
      }),
    [params.action, params.merchant, params.starting_after, params.ending_before],
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
        <Loaded state={records}>
          {(page) =>
            page.data.length === 0 ? (
              <Empty>{t("audit.empty")}</Empty>
            ) : (
              <>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t("audit.when")}</th>
                        <th scope="col">{t("audit.action")}</th>
                        <th scope="col">{t("audit.actor")}</th>
                        <th scope="col">{t("audit.target")}</th>
                        <th scope="col">{t("audit.merchant")}</th>
                        <th scope="col">{t("audit.ip")}</th>
                        <th scope="col">{t("audit.details")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.data.map((record) => (
                        <tr key={record.id}>
                          <td>
                            <When at={record.occurred_at} />
                          </td>
                          <td>
                            <code>{record.action}</code>
                          </td>
                          <td>
                            {record.actor.type}
                            {record.actor.id ? (
                              <>
                                {" "}
                                <code>{record.actor.id}</code>
                              </>
                            ) : null}
                          </td>
                          <td>
                            {record.target ? (
                              <>
                                {record.target.type} <code>{record.target.id}</code>
                              </>
                            ) : (
                              t("common.none")
                            )}
                          </td>
                          <td>{record.merchant ? <code>{record.merchant}</code> : t("common.none")}</td>
                          <td>{record.ip ?? t("common.none")}</td>
                          <td>
                            {Object.keys(record.details).length > 0 ? (
                              <pre className="ops-details">{JSON.stringify(record.details, null, 1)}</pre>
                            ) : (
                              t("common.none")
                            )}
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
