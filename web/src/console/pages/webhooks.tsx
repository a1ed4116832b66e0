import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type WebhookDelivery, type WebhookEndpoint } from "../api";
import { ConfirmButton, ConsoleError, type Cursor, Pager, SecretOnce, StatusBadge, useFormat } from "../common";
import { useT } from "../messages";
import { canWrite, useMe } from "../session";

/** Webhook endpoints: create (the signing secret shown once), each endpoint's deliveries, and sending one again. */
export function WebhooksPage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const endpoints = useAsync(() => api.get<ListPage<WebhookEndpoint>>("/v1/webhook_endpoints", { limit: 100 }), []);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState<WebhookEndpoint | null>(null);
  const create = useAction(async () => {
    const enabled = events
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    setCreated(
      await api.post<WebhookEndpoint>("/v1/webhook_endpoints", {
        url: url.trim(),
        enabled_events: enabled,
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    );
    setUrl("");
    setDescription("");
    endpoints.reload();
  });
  return (
    <>
      <h1>{t("webhooks.title")}</h1>
      {canWrite(me) ? (
        <Card title={t("webhooks.add")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              setCreated(null);
              create.run();
            }}
            noValidate
          >
            <TextField
              label={t("webhooks.url")}
              type="url"
              hint={me.livemode ? t("webhooks.urlHintLive") : t("webhooks.urlHint")}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
            <TextField
              label={t("webhooks.events")}
              hint={t("webhooks.eventsHint")}
              value={events}
              onChange={(e) => setEvents(e.target.value)}
            />
            <TextField
              label={t("webhooks.description")}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
            <ConsoleError error={create.error} />
            <Button type="submit" pending={create.pending}>
              {t("webhooks.create")}
            </Button>
          </form>
          {created?.secret ? <SecretOnce label={t("webhooks.secret")} value={created.secret} /> : null}
        </Card>
      ) : null}
      <Card title={t("webhooks.endpoints")}>
        {endpoints.status === "loading" && !endpoints.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={endpoints.error} />
        {endpoints.data && endpoints.data.data.length === 0 ? <Empty>{t("webhooks.empty")}</Empty> : null}
        {endpoints.data && endpoints.data.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("webhooks.url")}</th>
                  <th scope="col">{t("payments.status")}</th>
                  <th scope="col">{t("webhooks.events")}</th>
                  <th scope="col">{t("payments.created")}</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.data.data.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/webhooks/${e.id}`} aria-label={t("webhooks.open", { url: e.url })}>
                        {e.url}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={e.status} />
                    </td>
                    <td>{e.enabled_events.join(", ")}</td>
                    <td>{format.date(e.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
    </>
  );
}

export function WebhookDetailPage({ id }: { id: string }) {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const path = `/v1/webhook_endpoints/${encodeURIComponent(id)}`;
  const endpoint = useAsync(() => api.get<WebhookEndpoint>(path), [id]);
  const [cursor, setCursor] = useState<Cursor>({});
  const deliveries = useAsync(
    () => api.get<ListPage<WebhookDelivery>>(`${path}/deliveries`, { limit: 20, ...cursor }),
    [id, cursor],
  );
  const [resent, setResent] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const resend = useAction(async (eventId: string) => {
    await api.post(`/v1/events/${encodeURIComponent(eventId)}/redeliver`, { endpoint_id: id });
    setResent(eventId);
    deliveries.reload();
  });
  const toggle = useAction(async (disabled: boolean) => {
    await api.post(path, { disabled });
    endpoint.reload();
  });
  const rotate = useAction(async () => {
    setSecret((await api.post<WebhookEndpoint>(`${path}/rotate_secret`, {})).secret ?? null);
  });
  const remove = useAction(async () => {
    await api.del(path);
    navigate("/webhooks");
  });
  const e = endpoint.data;
  return (
    <>
      <p>
        <Link to="/webhooks">{t("webhooks.back")}</Link>
      </p>
      <h1>{t("webhooks.detailTitle")}</h1>
      {endpoint.status === "loading" && !e ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={endpoint.error} />
      {e ? (
        <Card title={<code>{e.url}</code>} actions={<StatusBadge status={e.status} />}>
          <DefinitionList
            items={[
              [t("webhooks.events"), e.enabled_events.join(", ")],
              [t("webhooks.description"), e.description ?? "—"],
              [
                t("webhooks.disabledReason"),
                e.disabled_reason ? t(`webhooks.reason.${e.disabled_reason}` as "webhooks.reason.manual") : "—",
              ],
              [t("payments.created"), format.date(e.created)],
            ]}
          />
          {canWrite(me) ? (
            <div className="button-row">
              <Button variant="secondary" pending={toggle.pending} onClick={() => toggle.run(e.status === "enabled")}>
                {e.status === "enabled" ? t("webhooks.disable") : t("webhooks.enable")}
              </Button>
              <ConfirmButton
                label={t("webhooks.rotate")}
                confirmLabel={t("webhooks.rotateConfirm")}
                pending={rotate.pending}
                onConfirm={() => rotate.run()}
              />
              <ConfirmButton
                label={t("webhooks.delete")}
                confirmLabel={t("webhooks.deleteConfirm")}
                pending={remove.pending}
                onConfirm={() => remove.run()}
              />
            </div>
          ) : null}
          <ConsoleError error={toggle.error ?? rotate.error ?? remove.error} />
          {secret ? <SecretOnce label={t("webhooks.secret")} value={secret} /> : null}
        </Card>
      ) : null}
      <Card title={t("webhooks.deliveries")}>
        {resent ? <Alert kind="success">{t("webhooks.resent", { event: resent })}</Alert> : null}
        <ConsoleError error={resend.error} />
        {deliveries.status === "loading" && !deliveries.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={deliveries.error} />
        {deliveries.data && deliveries.data.data.length === 0 ? <Empty>{t("webhooks.noDeliveries")}</Empty> : null}
        {deliveries.data && deliveries.data.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("webhooks.deliveries")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("webhooks.event")}</th>
                  <th scope="col">{t("payments.status")}</th>
                  <th scope="col">{t("webhooks.attempts")}</th>
                  <th scope="col">{t("payments.created")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.data.map((d) => {
                  const last = d.attempts[d.attempts.length - 1];
                  return (
                    <tr key={d.id}>
                      <td>
                        <code>{d.event_type}</code>
                        <div className="field-hint">{d.event_id}</div>
                      </td>
                      <td>
                        <StatusBadge status={d.status} />
                      </td>
                      <td>
                        {d.attempts.length}
                        {last ? (
                          <div className="field-hint">
                            {last.status_code !== null ? <Badge>HTTP {last.status_code}</Badge> : null}{" "}
                            {last.error ?? ""}
                          </div>
                        ) : null}
                      </td>
                      <td>{format.date(d.created)}</td>
                      <td>
                        {canWrite(me) ? (
                          <Button
                            variant="secondary"
                            aria-label={t("webhooks.resendEvent", { event: d.event_type, id: d.event_id })}
                            pending={resend.pending}
                            onClick={() => resend.run(d.event_id)}
                          >
                            {t("webhooks.resend")}
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager page={deliveries.data} cursor={cursor} onChange={setCursor} />
      </Card>
    </>
  );
}
