import { Plus } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Alert, Badge, Button, Card, ErrorAlert, SelectField, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api, type Operator, type OperatorRole } from "../api";
import { PagedTable, usePagedList, useQueryParams } from "../common";
import { useT } from "../messages";
import { useOperator } from "../session";

/** Admins manage operators: create one (its one-time password shown once), change roles, disable or enable. */
const roles: OperatorRole[] = ["admin", "reviewer", "support"];

export function OperatorsPage() {
  const { t } = useT();
  const me = useOperator();
  const [params, setParams] = useQueryParams();
  const list = usePagedList<Operator>("/v1/ops/operators", params, {}, 50);
  const isMe = (operator: Operator) => operator.id === me.id;
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
        <PagedTable
          state={list}
          params={params}
          setParams={setParams}
          columns={[
            {
              header: t("operators.email"),
              render: (operator) => (
                <>
                  {operator.email} {isMe(operator) ? <Badge tone="info">{t("operators.you")}</Badge> : null}
                </>
              ),
            },
            { header: t("operators.name"), render: (operator) => operator.name ?? t("common.none") },
            {
              header: t("operators.role"),
              render: (operator) => (
                <select
                  aria-label={t("operators.roleOf", { email: operator.email })}
                  value={operator.role}
                  disabled={isMe(operator) || update.pending}
                  onChange={(event) => update.run(operator.id, { role: event.target.value as OperatorRole })}
                >
                  {roles.map((role) => (
                    <option key={role} value={role}>
                      {t(`role.${role}`)}
                    </option>
                  ))}
                </select>
              ),
            },
            {
              header: t("operators.twoFactor"),
              render: (operator) => (operator.totp_enabled ? t("common.yes") : t("common.no")),
            },
            {
              header: t("operators.state"),
              render: (operator) => (
                <>
                  <Badge tone={operator.disabled ? "bad" : "good"}>
                    {operator.disabled ? t("operators.disabled") : t("operators.active")}
                  </Badge>{" "}
                  {isMe(operator) ? null : (
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
                </>
              ),
            },
          ]}
        />
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
        <Button type="submit" icon={Plus} pending={create.pending}>
          {t("operators.create")}
        </Button>
      </form>
      {create.error && create.error.param !== "email" ? <ErrorAlert error={create.error} /> : null}
    </Card>
  );
}
