import { Plus, Send, Webhook } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import { JumpLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, HiddenHeader, Spinner } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type WebhookDelivery, type WebhookEndpoint } from "../api";
import {
  ConfirmButton,
  ConsoleError,
  type Cursor,
  LoadedTable,
  Pager,
  SecretOnce,
  StatusBadge,
  useFormat,
} from "../common";
import { useT } from "../messages";
import { canWrite, useMe } from "../session";

/** The create form comes with the form layer in a chunk of its own (react-hook-form is not in the first load). */
const WebhookEndpointForm = lazy(() => import("./webhook-endpoint-form"));

/** The new-endpoint form's card, where the empty list's action leads. */
const newEndpointCardId = "new-webhook-endpoint";

/** Webhook endpoints: create (the signing secret shown once), each endpoint's deliveries, and sending one again. */
export function WebhooksPage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const endpoints = useAsync(() => api.get<ListPage<WebhookEndpoint>>("/v1/webhook_endpoints", { limit: 100 }), []);
  const [created, setCreated] = useState<WebhookEndpoint | null>(null);
  return (
    <>
      <h1>{t("webhooks.title")}</h1>
      {canWrite(me) ? (
        <Card title={t("webhooks.add")} id={newEndpointCardId}>
          <Suspense fallback={<Spinner label={t("common.loading")} />}>
            <WebhookEndpointForm
              onSending={() => setCreated(null)}
              onCreated={(endpoint) => {
                setCreated(endpoint);
                endpoints.reload();
              }}
            />
          </Suspense>
          {created?.secret ? <SecretOnce label={t("webhooks.secret")} value={created.secret} /> : null}
        </Card>
      ) : null}
      <Card title={t("webhooks.endpoints")}>
        <LoadedTable
          state={endpoints}
          rows={(page) => page.data}
          rowKey={(e) => e.id}
          empty={
            <Empty
              icon={Webhook}
              title={t("webhooks.empty")}
              action={
                canWrite(me) ? (
                  <JumpLink to={newEndpointCardId} icon={Plus}>
                    {t("webhooks.add")}
                  </JumpLink>
                ) : undefined
              }
            >
              {t("webhooks.emptyText")}
            </Empty>
          }
          columns={[
            {
              header: t("webhooks.url"),
              render: (e) => (
                <Link to={`/webhooks/${e.id}`} aria-label={t("webhooks.open", { url: e.url })}>
                  {e.url}
                </Link>
              ),
            },
            { header: t("payments.status"), render: (e) => <StatusBadge status={e.status} /> },
            { header: t("webhooks.events"), render: (e) => e.enabled_events.join(", ") },
            { header: t("payments.created"), render: (e) => format.date(e.created) },
          ]}
        />
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
        <LoadedTable
          state={deliveries}
          rows={(page) => page.data}
          rowKey={(d) => d.id}
          caption={t("webhooks.deliveries")}
          empty={
            <Empty compact icon={Send} title={t("webhooks.noDeliveries")}>
              {t("webhooks.noDeliveriesText")}
            </Empty>
          }
          columns={[
            {
              header: t("webhooks.event"),
              render: (d) => (
                <>
                  <code>{d.event_type}</code>
                  <div className="field-hint">{d.event_id}</div>
                </>
              ),
            },
            { header: t("payments.status"), render: (d) => <StatusBadge status={d.status} /> },
            { header: t("webhooks.attempts"), render: (d) => <Attempts delivery={d} /> },
            { header: t("payments.created"), render: (d) => format.date(d.created) },
            {
              header: <HiddenHeader>{t("common.actions")}</HiddenHeader>,
              render: (d) =>
                canWrite(me) ? (
                  <Button
                    variant="secondary"
                    aria-label={t("webhooks.resendEvent", { event: d.event_type, id: d.event_id })}
                    pending={resend.pending}
                    onClick={() => resend.run(d.event_id)}
                  >
                    {t("webhooks.resend")}
                  </Button>
                ) : null,
            },
          ]}
        />
        <Pager page={deliveries.data} cursor={cursor} onChange={setCursor} />
      </Card>
    </>
  );
}

/** How many times a delivery was tried, and how the last try ended. */
function Attempts({ delivery }: { delivery: WebhookDelivery }) {
  const last = delivery.attempts[delivery.attempts.length - 1];
  return (
    <>
      {delivery.attempts.length}
      {last ? (
        <div className="field-hint">
          {last.status_code !== null ? <Badge>HTTP {last.status_code}</Badge> : null} {last.error ?? ""}
        </div>
      ) : null}
    </>
  );
}
