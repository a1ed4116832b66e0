import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { JumpLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { Alert, Badge, Button, Card, Empty, HiddenHeader, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { type ApiKey, api } from "../api";
import { ConfirmButton, ConsoleError, LoadedTable, SecretOnce, StatusBadge, useFormat } from "../common";
import { type en, useT } from "../messages";
import { canWrite, useMe } from "../session";
import { ApiVersionCard } from "./api-version";

/**
 * API keys of the console's current mode: create, reveal (the sign-up key, once), roll and revoke. A secret is on
 * screen only right after it is made; coffer cannot show it again.
 */
const keyTypes = ["secret", "restricted", "publishable"] as const;

/** The new-key form's card, where the empty list's action leads. */
const newKeyCardId = "new-api-key";

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
  const actionsFor = (key: ApiKey) => {
    const label = key.name ?? `${key.prefix}…${key.last4}`;
    const active = key.status === "active" || key.status === "expiring";
    if (!canWrite(me) || !active) return null;
    return (
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
    );
  };

  return (
    <>
      <h1>{t("keys.title")}</h1>
      <p className="field-hint">{me.livemode ? t("keys.introLive") : t("keys.introTest")}</p>
      {canWrite(me) ? (
        <Card title={t("keys.create")} id={newKeyCardId}>
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
            <Button type="submit" icon={Plus} pending={create.pending}>
              {me.livemode ? t("keys.createLive") : t("keys.createTest")}
            </Button>
          </form>
        </Card>
      ) : null}
      <ConsoleError error={actionError} />
      {shown ? <SecretOnce label={shown.label} value={shown.value} /> : null}
      <Card title={me.livemode ? t("keys.liveKeys") : t("keys.testKeys")}>
        <LoadedTable
          state={keys}
          rows={(page) => page.data}
          rowKey={(key) => key.id}
          caption={t("keys.title")}
          empty={
            <Empty
              icon={KeyRound}
              title={t("keys.emptyTitle")}
              action={
                canWrite(me) ? (
                  <JumpLink to={newKeyCardId} icon={Plus}>
                    {t("keys.create")}
                  </JumpLink>
                ) : undefined
              }
            >
              {t("keys.empty")}
            </Empty>
          }
          columns={[
            { header: t("keys.name"), render: (key) => key.name ?? "—" },
            {
              header: t("keys.type"),
              render: (key) => <Badge tone="info">{t(`keys.type.${key.type}` as keyof typeof en)}</Badge>,
            },
            { header: t("keys.key"), render: (key) => <code>{key.token ?? `${key.prefix}…${key.last4}`}</code> },
            { header: t("payments.status"), render: (key) => <StatusBadge status={key.status} /> },
            { header: t("keys.lastUsed"), render: (key) => format.date(key.last_used) },
            { header: <HiddenHeader>{t("common.actions")}</HiddenHeader>, render: actionsFor },
          ]}
        />
      </Card>
      {me.livemode ? null : <Alert kind="info">{t("keys.liveHint")}</Alert>}
      <ApiVersionCard />
    </>
  );
}
