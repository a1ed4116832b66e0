import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Alert, Badge, Button, Card, Empty, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { type ApiKey, api } from "../api";
import { ConfirmButton, ConsoleError, SecretOnce, StatusBadge, useFormat } from "../common";
import { type en, useT } from "../messages";
import { canWrite, useMe } from "../session";

/**
 * API keys of the console's current mode: create, reveal (the sign-up key, once), roll and revoke. A secret is on
 * screen only right after it is made; coffer cannot show it again.
 */
const keyTypes = ["secret", "restricted", "publishable"] as const;

export function ApiKeysPage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const keys = useAsync(
    () => api.get<ListPage<ApiKey>>("/v1/console/api_keys", { livemode: me.livemode, limit: 100 }),
    [me.livemode],
  );
  const [type, setType] = useState<(typeof keyTypes)[number]>("secret");
  const [name, setName] = useState("");
  const [shown, setShown] = useState<{ label: string; value: string } | null>(null);

  const create = useAction(async () => {
    const key = await api.post<ApiKey>("/v1/console/api_keys", {
      type,
      livemode: me.livemode,
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(type === "restricted" ? { scopes: { payments: "write", refunds: "write", events: "read" } } : {}),
    });
    setShown({ label: t("keys.newSecret"), value: key.secret ?? key.token ?? "" });
    setName("");
    keys.reload();
  });
  const reveal = useAction(async (id: string) => {
    const key = await api.post<ApiKey>(`/v1/console/api_keys/${id}/reveal`);
    setShown({ label: t("keys.revealedSecret"), value: key.secret ?? "" });
    keys.reload();
  });
  const roll = useAction(async (id: string) => {
    const key = await api.post<ApiKey>(`/v1/console/api_keys/${id}/roll`, { overlap_seconds: 0 });
    setShown({ label: t("keys.rolledSecret"), value: key.secret ?? key.token ?? "" });
    keys.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api.del(`/v1/console/api_keys/${id}`);
    keys.reload();
  });
  const actionError = create.error ?? reveal.error ?? roll.error ?? revoke.error;

  return (
    <>
      <h1>{t("keys.title")}</h1>
      <p className="field-hint">{me.livemode ? t("keys.introLive") : t("keys.introTest")}</p>
      {canWrite(me) ? (
        <Card title={t("keys.create")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              setShown(null);
              create.run();
            }}
          >
            <div className="form-row">
              <SelectField
                label={t("keys.type")}
                value={type}
                onChange={(e) => setType(e.target.value as (typeof keyTypes)[number])}
              >
                {keyTypes.map((k) => (
                  <option key={k} value={k}>
                    {t(`keys.type.${k}` as keyof typeof en)}
                  </option>
                ))}
              </SelectField>
              <TextField label={t("keys.name")} value={name} onChange={(e) => setName(e.target.value)} />
            </div>
            {type === "restricted" ? <p className="field-hint">{t("keys.restrictedHint")}</p> : null}
            <Button type="submit" pending={create.pending}>
              {me.livemode ? t("keys.createLive") : t("keys.createTest")}
            </Button>
          </form>
        </Card>
      ) : null}
      <ConsoleError error={actionError} />
      {shown ? <SecretOnce label={shown.label} value={shown.value} /> : null}
      <Card title={me.livemode ? t("keys.liveKeys") : t("keys.testKeys")}>
        {keys.status === "loading" && !keys.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={keys.error} />
        {keys.data && keys.data.data.length === 0 ? <Empty>{t("keys.empty")}</Empty> : null}
        {keys.data && keys.data.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("keys.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("keys.name")}</th>
                  <th scope="col">{t("keys.type")}</th>
                  <th scope="col">{t("keys.key")}</th>
                  <th scope="col">{t("payments.status")}</th>
                  <th scope="col">{t("keys.lastUsed")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.data.map((key) => {
                  const label = key.name ?? `${key.prefix}…${key.last4}`;
                  const active = key.status === "active" || key.status === "expiring";
                  return (
                    <tr key={key.id}>
                      <td>{key.name ?? "—"}</td>
                      <td>
                        <Badge tone="info">{t(`keys.type.${key.type}` as keyof typeof en)}</Badge>
                      </td>
                      <td>
                        <code>{key.token ?? `${key.prefix}…${key.last4}`}</code>
                      </td>
                      <td>
                        <StatusBadge status={key.status} />
                      </td>
                      <td>{format.date(key.last_used)}</td>
                      <td>
                        {canWrite(me) && active ? (
                          <div className="button-row">
                            {key.revealable ? (
                              <Button
                                variant="secondary"
                                aria-label={t("keys.revealNamed", { key: label })}
                                pending={reveal.pending}
                                onClick={() => {
                                  setShown(null);
                                  reveal.run(key.id);
                                }}
                              >
                                {t("keys.reveal")}
                              </Button>
                            ) : null}
                            {key.type !== "publishable" ? (
                              <Button
                                variant="secondary"
                                aria-label={t("keys.rollNamed", { key: label })}
                                pending={roll.pending}
                                onClick={() => {
                                  setShown(null);
                                  roll.run(key.id);
                                }}
                              >
                                {t("keys.roll")}
                              </Button>
                            ) : null}
                            <ConfirmButton
                              label={t("keys.revokeNamed", { key: label })}
                              confirmLabel={t("keys.revokeConfirm", { key: label })}
                              pending={revoke.pending}
                              onConfirm={() => revoke.run(key.id)}
                            />
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
      {me.livemode ? null : <Alert kind="info">{t("keys.liveHint")}</Alert>}
    </>
  );
}
