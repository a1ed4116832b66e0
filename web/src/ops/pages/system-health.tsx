import type { ReactNode } from "react";
import { Link } from "../../shared/router";
import { Alert, Badge, Card, DefinitionList } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { usePolling } from "../../shared/use-polling";
import { api, type SystemHealth } from "../api";
import { Loaded, When } from "../common";
import { useT } from "../messages";
import { can, useOperator } from "../session";

/**
 * GET /v1/ops/system/health while the page is open: every background loop of every process (stalled ones first and
 * marked), the outbox and webhook backlog, this process's pool and ledger batches, and the last verify and audit.
 * It asks again every few seconds while the tab is visible, never while hidden.
 */
const refreshIntervalMs = 5_000;
// The shipped alert rules' thresholds (docs/monitoring.md): CofferOutboxLag and CofferWebhookBacklog.
const outboxLagWarnSeconds = 60;
const webhookWaitWarnSeconds = 300;
// The API stops counting queued rows here (docs/monitoring.md), so a count at the cap means "at least".
const backlogCountCap = 100_000;

type Worker = SystemHealth["workers"][number];
type LoopState = "stalled" | "failing" | "passing";

function loopState(worker: Worker, stalled: ReadonlySet<string>): LoopState {
  if (stalled.has(worker.worker)) return "stalled";
  const failedLast =
    worker.last_failure_at !== null &&
    (worker.last_success_at === null || worker.last_failure_at >= worker.last_success_at);
  return failedLast ? "failing" : "passing";
}

const stateTone = { stalled: "bad", failing: "warn", passing: "good" } as const;
const stateOrder = { stalled: 0, failing: 1, passing: 2 } as const;

export function SystemHealthPage() {
  const { t } = useT();
  const health = useAsync(() => api.get<SystemHealth>("/v1/ops/system/health"), []);
  usePolling(health.reload, refreshIntervalMs, () => health.status === "loading");
  // A role without system_health.read: say so once instead of an error that repeats every few seconds.
  if (health.status === "error" && health.error.code === "permission_denied") {
    return (
      <>
        <h1>{t("health.title")}</h1>
        <Alert kind="info">{t("health.forbidden")}</Alert>
      </>
    );
  }
  return (
    <>
      <h1>{t("health.title")}</h1>
      <p>{t("health.intro")}</p>
      <Loaded state={health}>{(data) => <Health health={data} />}</Loaded>
    </>
  );
}

function Health({ health }: { health: SystemHealth }) {
  const { t } = useT();
  const stalled = new Set(health.stalled_workers);
  return (
    <>
      <p className="field-hint">
        {t("health.checkedAt")} <ClockTime at={health.checked_at} /> · {t("health.refreshes")}
      </p>
      <Overall health={health} stalled={stalled} />
      <Checks health={health} />
      <Workers health={health} stalled={stalled} />
      <div className="ops-health-grid">
        <Queues health={health} />
        <Pool pool={health.pool} />
        <LedgerBatches batches={health.ledger_batches} />
      </div>
    </>
  );
}

function Overall({ health, stalled }: { health: SystemHealth; stalled: ReadonlySet<string> }) {
  const { t } = useT();
  if (health.workers.length === 0) return <Alert kind="warning">{t("health.noWorkers")}</Alert>;
  if (stalled.size > 0) {
    return (
      <Alert kind="error">{t("health.stalledSummary", { count: stalled.size, loops: [...stalled].join(", ") })}</Alert>
    );
  }
  const failing = new Set(health.workers.filter((w) => loopState(w, stalled) === "failing").map((w) => w.worker));
  if (failing.size > 0) {
    return (
      <Alert kind="warning">
        {t("health.failingSummary", { count: failing.size, loops: [...failing].join(", ") })}
      </Alert>
    );
  }
  return (
    <Alert kind="success">{t("health.allPassing", { count: new Set(health.workers.map((w) => w.worker)).size })}</Alert>
  );
}

function Workers({ health, stalled }: { health: SystemHealth; stalled: ReadonlySet<string> }) {
  const { t } = useT();
  const rows = health.workers
    .map((worker) => ({ worker, state: loopState(worker, stalled) }))
    .sort((a, b) => stateOrder[a.state] - stateOrder[b.state]);
  if (rows.length === 0) return null;
  return (
    <Card title={t("health.loops")}>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("health.loop")}</th>
              <th scope="col">{t("health.state")}</th>
              <th scope="col">{t("health.lastPass")}</th>
              <th scope="col">{t("health.lastSuccess")}</th>
              <th scope="col" className="amount">
                {t("health.passes")}
              </th>
              <th scope="col" className="amount">
                {t("health.failures")}
              </th>
              <th scope="col">{t("health.lastError")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ worker, state }) => (
              <tr key={`${worker.worker} ${worker.instance}`} className={`ops-health-${state}`}>
                <th scope="row" className="ops-health-loop">
                  <code>{worker.worker}</code>
                  <p className="field-hint">{t("health.instance", { instance: worker.instance })}</p>
                </th>
                <td>
                  <Badge tone={stateTone[state]}>{t(`health.state.${state}`)}</Badge>
                </td>
                <td>
                  <Ago at={worker.last_pass_at} now={health.checked_at} />
                </td>
                <td>
                  <Ago at={worker.last_success_at} now={health.checked_at} />
                </td>
                <td className="amount">
                  <Count value={worker.passes} />
                </td>
                <td className="amount">
                  <Count value={worker.failures} />
                </td>
                <td>
                  {worker.last_error ? (
                    <>
                      <span className="ops-health-error">{worker.last_error}</span>
                      <p className="field-hint">
                        <Ago at={worker.last_failure_at} now={health.checked_at} />
                      </p>
                    </>
                  ) : (
                    t("common.none")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function Queues({ health }: { health: SystemHealth }) {
  const { t } = useT();
  const { outbox, webhooks } = health;
  return (
    <Card title={t("health.queues")}>
      <DefinitionList
        items={[
          [
            t("health.outboxLag"),
            <Flagged key="l" late={outbox.lag_seconds > outboxLagWarnSeconds}>
              <Duration seconds={outbox.lag_seconds} />
            </Flagged>,
          ],
          [t("health.outboxEvents"), <Count key="e" value={outbox.events} capped />],
          [t("health.webhookBacklog"), <Count key="b" value={webhooks.backlog} capped />],
          [
            t("health.webhookOldest"),
            <Flagged key="o" late={webhooks.oldest_due_seconds > webhookWaitWarnSeconds}>
              <Duration seconds={webhooks.oldest_due_seconds} />
            </Flagged>,
          ],
        ]}
      />
    </Card>
  );
}

function Pool({ pool }: { pool: SystemHealth["pool"] }) {
  const { t } = useT();
  return (
    <Card title={t("health.pool")}>
      <DefinitionList
        items={[
          [t("health.poolSize"), <Count key="s" value={pool.size} />],
          [t("health.poolOpen"), <Count key="o" value={pool.total} />],
          [t("health.poolInUse"), <Count key="u" value={pool.total - pool.idle} />],
          [t("health.poolIdle"), <Count key="i" value={pool.idle} />],
          [
            t("health.poolWaiting"),
            <Flagged key="w" late={pool.waiting > 0}>
              <Count value={pool.waiting} />
            </Flagged>,
          ],
        ]}
      />
      <p className="field-hint">{t("health.thisProcess")}</p>
    </Card>
  );
}

function LedgerBatches({ batches }: { batches: SystemHealth["ledger_batches"] }) {
  const { t, locale } = useT();
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const ms = (seconds: number | null) =>
    seconds === null ? t("common.none") : t("health.milliseconds", { value: decimal.format(seconds * 1000) });
  return (
    <Card title={t("health.ledgerBatches")}>
      <DefinitionList
        items={[
          [t("health.batches"), <Count key="b" value={batches.batches} />],
          [t("health.transfers"), <Count key="t" value={batches.transfers} />],
          [
            t("health.meanTransfers"),
            batches.mean_transfers === null ? t("common.none") : decimal.format(batches.mean_transfers),
          ],
          [t("health.meanTime"), ms(batches.mean_seconds)],
          [t("health.retries"), <Count key="r" value={batches.retries} />],
        ]}
      />
      <p className="field-hint">{t("health.sinceStart")}</p>
    </Card>
  );
}

function Checks({ health }: { health: SystemHealth }) {
  const { t } = useT();
  const operator = useOperator();
  const { verify, audit_report: audit } = health;
  const verifyLink = <Link to="/ops/verify">{t("health.openVerify")}</Link>;
  const auditLink = can(operator, "audit_report.read") ? (
    <Link to="/ops/security-audit">{t("health.openAudit")}</Link>
  ) : null;
  return (
    <Card title={t("health.checks")}>
      <DefinitionList
        items={[
          [
            t("health.lastVerify"),
            <CheckResult key="v" link={verifyLink}>
              {verify ? (
                <>
                  <Badge tone={verify.ok ? "good" : "bad"}>{verify.ok ? t("verify.passed") : t("verify.failed")}</Badge>{" "}
                  {t(`verify.ledger.${verify.ledger}`)} · <When at={verify.checked_at} />
                </>
              ) : (
                t("verify.never")
              )}
            </CheckResult>,
          ],
          [
            t("health.lastAudit"),
            <CheckResult key="a" link={auditLink}>
              {audit ? (
                <>
                  <Badge tone={audit.ok ? "good" : "bad"}>
                    {audit.ok ? t("securityAudit.summaryOk") : t("health.auditHigh", { count: audit.high })}
                  </Badge>{" "}
                  <When at={audit.checked_at} />
                </>
              ) : (
                t("securityAudit.never")
              )}
            </CheckResult>,
          ],
        ]}
      />
    </Card>
  );
}

function CheckResult({ link, children }: { link: ReactNode; children: ReactNode }) {
  return (
    <>
      <div>{children}</div>
      {link ? <div>{link}</div> : null}
    </>
  );
}

/** A figure past its alert threshold, marked in words as well as colour. */
function Flagged({ late, children }: { late: boolean; children: ReactNode }) {
  const { t } = useT();
  if (!late) return <>{children}</>;
  return (
    <>
      {children} <Badge tone="warn">{t("health.high")}</Badge>
    </>
  );
}

function Count({ value, capped = false }: { value: number; capped?: boolean }) {
  const { locale } = useT();
  const text = new Intl.NumberFormat(locale).format(value);
  return <>{capped && value >= backlogCountCap ? `${text}+` : text}</>;
}

/** Seconds as the largest whole unit that reads well: 42 seconds, 3.5 minutes, 2 hours. */
function Duration({ seconds }: { seconds: number }) {
  const { locale } = useT();
  const [value, unit] =
    seconds < 60 ? [seconds, "second"] : seconds < 3600 ? [seconds / 60, "minute"] : [seconds / 3600, "hour"];
  const format = new Intl.NumberFormat(locale, {
    style: "unit",
    unit,
    unitDisplay: "long",
    maximumFractionDigits: seconds < 60 ? 0 : 1,
  });
  return <>{format.format(value)}</>;
}

/** The time of day with seconds: the page changes every few seconds. */
function ClockTime({ at }: { at: number }) {
  const { locale } = useT();
  const date = new Date(at * 1000);
  return (
    <time dateTime={date.toISOString()}>{new Intl.DateTimeFormat(locale, { timeStyle: "medium" }).format(date)}</time>
  );
}

/** A moment relative to the health check ("12 seconds ago"), the full date in its tooltip. */
function Ago({ at, now }: { at: number | null; now: number }) {
  const { t, locale } = useT();
  if (at === null) return <>{t("health.never")}</>;
  const past = Math.max(0, now - at);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    past < 60
      ? [past, "second"]
      : past < 3600
        ? [Math.floor(past / 60), "minute"]
        : past < 86_400
          ? [Math.floor(past / 3600), "hour"]
          : [Math.floor(past / 86_400), "day"];
  const date = new Date(at * 1000);
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString(locale)}>
      {new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(-value, unit)}
    </time>
  );
}
