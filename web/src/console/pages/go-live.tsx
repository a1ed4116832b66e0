import { Activity } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Link } from "../../shared/router";
import { Alert, Badge, Button, Card, Empty, Spinner } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type GoLiveChecklist, type GoLiveProbe } from "../api";
import { ConsoleError, useFormat } from "../common";
import { type en, useT } from "../messages";
import { canWrite, useMe } from "../session";

/**
 * The go-live checklist (GET /v1/console/go_live): each item, whether it passes, how to fix it; and the probe of the
 * merchant's test webhook handler (POST /v1/console/go_live/probe), whose latest run is one of the items.
 */
const itemLinks: Record<string, string> = {
  kyb_approved: "/verification",
  two_factor_enabled: "/security",
  webhook_endpoint_set: "/webhooks",
  test_payment_refunded: "/payments",
};

export function GoLivePage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const checklist = useAsync(() => api.get<GoLiveChecklist>("/v1/console/go_live"), []);
  const probes = useAsync(() => api.get<ListPage<GoLiveProbe>>("/v1/console/go_live/probes", { limit: 5 }), []);
  const [latest, setLatest] = useState<GoLiveProbe | null>(null);
  const probe = useAction(async () => {
    setLatest(await api.post<GoLiveProbe>("/v1/console/go_live/probe", {}));
    checklist.reload();
    probes.reload();
  });
  const shownProbe = latest ?? probes.data?.data[0] ?? null;
  return (
    <>
      <h1>{t("goLive.title")}</h1>
      <p className="field-hint">{t("goLive.intro")}</p>
      {checklist.status === "loading" && !checklist.data ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={checklist.error} />
      {checklist.data ? (
        <>
          {checklist.data.ready ? (
            <Alert kind="success">{t("goLive.ready")}</Alert>
          ) : (
            <Alert kind="info">{t("goLive.notReady")}</Alert>
          )}
          <ul className="checklist" aria-label={t("goLive.title")}>
            {checklist.data.items.map((item) => {
              const titleKey = `goLive.item.${item.id}` as keyof typeof en;
              const title = t(titleKey) === titleKey ? item.title : t(titleKey);
              return (
                <li key={item.id} className="card">
                  <div className="card-header">
                    <h2>{title}</h2>
                    <Badge tone={item.passed ? "good" : "warn"}>
                      {item.passed ? t("goLive.passed") : t("goLive.todo")}
                    </Badge>
                  </div>
                  {item.detail ? <p className="field-hint">{item.detail}</p> : null}
                  {!item.passed && item.fix ? (
                    <p>
                      <strong>{t("goLive.howToFix")}</strong> {item.fix}
                    </p>
                  ) : null}
                  {!item.passed && itemLinks[item.id] ? (
                    <Link to={itemLinks[item.id] as string}>{t("goLive.goThere")}</Link>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      <Card title={t("goLive.probeTitle")}>
        <p className="field-hint">{t("goLive.probeIntro")}</p>
        {canWrite(me) ? (
          <Button pending={probe.pending} onClick={() => probe.run()}>
            {t("goLive.runProbe")}
          </Button>
        ) : null}
        <ConsoleError error={probe.error} />
        {probes.status === "loading" && !probes.data ? <Spinner label={t("common.loading")} /> : null}
        {!shownProbe && probes.data ? (
          <Empty compact icon={Activity} title={t("goLive.noProbes")}>
            {t("goLive.noProbesText")}
          </Empty>
        ) : null}
        {shownProbe ? (
          <div role="status">
            <p>
              <Badge tone={shownProbe.passed ? "good" : "bad"}>
                {shownProbe.passed ? t("goLive.probePassed") : t("goLive.probeFailed")}
              </Badge>{" "}
              <code>{shownProbe.url}</code> · {format.date(shownProbe.created)}
            </p>
            <ul className="plain-list">
              {shownProbe.steps.map((step) => (
                <li key={step.step}>
                  <Badge tone={step.passed ? "good" : "bad"}>{step.passed ? "✓" : "✗"}</Badge>{" "}
                  {t(`goLive.step.${step.step}` as keyof typeof en)} —{" "}
                  {t("goLive.expected", { expected: step.expected })},{" "}
                  {step.status_code !== null ? `HTTP ${step.status_code}` : (step.error ?? t("goLive.noAnswer"))}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
    </>
  );
}
