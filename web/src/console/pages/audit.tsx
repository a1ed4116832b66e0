import { ScrollText } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Button, Empty, NoMatch, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { type AuditRecord, api } from "../api";
import { ConsoleError, type Cursor, Pager, useFormat } from "../common";
import { useT } from "../messages";

/** The merchant's audit log: who did what, when, from where (GET /v1/console/audit_log), filterable by action. */
export function AuditPage() {
  const { t } = useT();
  const format = useFormat();
  const [action, setAction] = useState("");
  const [filter, setFilter] = useState("");
  const [cursor, setCursor] = useState<Cursor>({});
  const records = useAsync(
    () =>
      api.get<ListPage<AuditRecord>>("/v1/console/audit_log", { action: filter || undefined, limit: 25, ...cursor }),
    [filter, cursor],
  );
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <form
        className="form-row"
        aria-label={t("audit.filter")}
        onSubmit={(event) => {
          event.preventDefault();
          setCursor({});
          setFilter(action.trim());
        }}
      >
        <TextField
          label={t("audit.action")}
          hint={t("audit.actionHint")}
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
        <div className="button-row">
          <Button type="submit">{t("audit.filter")}</Button>
        </div>
      </form>
      {records.status === "loading" && !records.data ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={records.error} />
      {records.data && records.data.data.length === 0 ? (
        filter ? (
          <NoMatch
            title={t("audit.noMatch")}
            clearLabel={t("common.clearFilters")}
            onClear={() => {
              setAction("");
              setCursor({});
              setFilter("");
            }}
          >
            {t("audit.noMatchText")}
          </NoMatch>
        ) : (
          <Empty icon={ScrollText} title={t("audit.empty")}>
            {t("audit.emptyText")}
          </Empty>
        )
      ) : null}
      {records.data && records.data.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t("audit.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.target")}</th>
                <th scope="col">{t("audit.ip")}</th>
              </tr>
            </thead>
            <tbody>
              {records.data.data.map((r) => (
                <tr key={r.id}>
                  <td>{format.date(r.occurred_at)}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>
                    {r.actor.type} <span className="field-hint">{r.actor.id ?? ""}</span>
                  </td>
                  <td>{r.target ? `${r.target.type} ${r.target.id}` : "—"}</td>
                  <td>{r.ip ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager page={records.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}
