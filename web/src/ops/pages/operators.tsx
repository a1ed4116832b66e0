import { type FormEvent, useState } from "react";
import { Alert, Badge, Button, Card, ErrorAlert, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type ListPage, type Operator, type OperatorRole } from "../api";
import { Loaded, Pager, useQueryParams } from "../common";
import { useT } from "../messages";
import { useOperator } from "../session";

/** Admins manage operators: create one (its one-time password shown once), change roles, disable or enable. */
const roles: OperatorRole[] = ["admin", "reviewer", "support"];

export function OperatorsPage() {
  const { t } = useT();
  const me = useOperator();
  const [params, setParams] = useQueryParams();
  const list = useAsync(
    () =>
      api.get<ListPage<Operator>>("/v1/ops/operators", {
        limit: 50,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
      }),
    [params.starting_after, params.ending_before],
  );
  const [saved, setSaved] = useState(false);
  const update = useAction(async (id: string, change: { role?: OperatorRole; disabled?: boolean }) => {
    setSaved(false);
    await api.post<Operator>(`/v1/ops/operators/${id}`, change);
    setSaved(true);
    list.reload();
  });
  return (
    <>
      <h1>{t("operators.title")}</h1>
      <CreateOperator onCreated={list.reload} />
      <Card>
        {saved ? <Alert kind="success">{t("operators.saved")}</Alert> : null}
        <ErrorAlert error={update.error} />
        <Loaded state={list}>
          {(page) => (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t("operators.email")}</th>
                      <th scope="col">{t("operators.name")}</th>
                      <th scope="col">{t("operators.role")}</th>
                      <th scope="col">{t("operators.twoFactor")}</th>
                      <th scope="col">{t("operators.state")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((operator) => {
                      const self = operator.id === me.id;
                      return (
                        <tr key={operator.id}>
                          <td>
                            {operator.email} {self ? <Badge tone="info">{t("operators.you")}</Badge> : null}
                          </td>
                          <td>{operator.name ?? t("common.none")}</td>
                          <td>
                            <select
                              aria-label={t("operators.roleOf", { email: operator.email })}
                              value={operator.role}
                              disabled={self || update.pending}
                              onChange={(event) =>
                                update.run(operator.id, { role: event.target.value as OperatorRole })
                              }
                            >
                              {roles.map((role) => (
                                <option key={role} value={role}>
                                  {t(`role.${role}`)}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td>{operator.totp_enabled ? t("common.yes") : t("common.no")}</td>
                          <td>
                            <Badge tone={operator.disabled ? "bad" : "good"}>
                              {operator.disabled ? t("operators.disabled") : t("operators.active")}
                            </Badge>{" "}
                            {self ? null : (
                              <Button
                                variant={operator.disabled ? "secondary" : "danger"}
                                pending={update.pending}
                                onClick={() => update.run(operator.id, { disabled: !operator.disabled })}
                              >
                                {operator.disabled
                                  ? t("operators.enable", { email: operator.email })
                                  : t("operators.disable", { email: operator.email })}
                              </Button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager page={page} params={params} setParams={setParams} />
            </>
          )}
        </Loaded>
      </Card>
    </>
  );
}

function CreateOperator({ onCreated }: { onCreated(): void }) {
  const { t } = useT();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<OperatorRole>("reviewer");
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const create = useAction(async () => {
    const operator = await api.post<Operator & { one_time_password: string }>("/v1/ops/operators", {
      email: email.trim(),
      role,
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    setCreated({ email: operator.email, password: operator.one_time_password });
    setEmail("");
    setName("");
    onCreated();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.run();
  };
  return (
    <Card title={t("operators.createTitle")}>
      {created ? (
        <Alert kind="success">
          <p>
            {t("operators.oneTime", { email: created.email })} <code className="ops-secret">{created.password}</code>
          </p>
          <p>{t("operators.oneTimeHint")}</p>
        </Alert>
      ) : null}
      <form className="ops-filters" onSubmit={submit}>
        <TextField
          label={t("operators.email")}
          type="email"
          required
          value={email}
          error={create.error?.param === "email" ? create.error.message : null}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField label={t("operators.name")} value={name} onChange={(event) => setName(event.target.value)} />
        <SelectField
          label={t("operators.role")}
          value={role}
          onChange={(event) => setRole(event.target.value as OperatorRole)}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </SelectField>
        <Button type="submit" pending={create.pending}>
          {t("operators.create")}
        </Button>
      </form>
      {create.error && create.error.param !== "email" ? <ErrorAlert error={create.error} /> : null}
    </Card>
  );
}
