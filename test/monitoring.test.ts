import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { createLogger } from "../src/logging.js";
import { startWorkers } from "../src/runtime/worker-loop.js";
import { backgroundWorkers } from "../src/runtime/workers.js";
import { scenarioCatalog } from "../src/sandbox/scenarios.js";
import { newOperator } from "./helpers/merchant-console.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "./helpers/payments.js";

/**
 * The monitoring shipped in docs/monitoring/: the Prometheus alert rules parse, and every metric and label their
 * expressions and the Grafana dashboard's panels name exists in a real /metrics scrape of coffer after traffic.
 */
const rulesFile = new URL("../docs/monitoring/coffer-alerts.yaml", import.meta.url);
const dashboardFile = new URL("../docs/monitoring/coffer-dashboard.json", import.meta.url);

/** metric name → label names seen on its samples, from the Prometheus text format. */
function samplesOf(scrape: string): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  for (const line of scrape.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? /.exec(line);
    if (!match) continue;
    const labels = metrics.get(match[1]!) ?? new Set<string>();
    for (const pair of (match[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(pair[1]!);
    metrics.set(match[1]!, labels);
  }
  return metrics;
}

const metricPrefixes = /^(coffer_|process_|nodejs_)/;

/** What a PromQL expression refers to: metric names with the labels they match on, and grouping labels. */
function referencesOf(expr: string) {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const metrics = new Map<string, string[]>();
  for (const match of withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?/g)) {
    const name = match[1]!;
    if (!metricPrefixes.test(name)) continue;
    const labels = [...(match[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]!);
    metrics.set(name, [...(metrics.get(name) ?? []), ...labels]);
  }
  const grouping = [...withoutStrings.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return { metrics, grouping };
}

function assertKnown(expr: string, where: string, scraped: Map<string, Set<string>>) {
  const { metrics, grouping } = referencesOf(expr);
  assert.ok(metrics.size > 0, `${where}: names no metric: ${expr}`);
  const labelsInExpr = new Set<string>(["le"]);
  for (const [name, labels] of metrics) {
    const known = scraped.get(name);
    assert.ok(known, `${where}: ${name} is not in a /metrics scrape`);
    for (const label of labels) assert.ok(known.has(label), `${where}: ${name} has no label ${label}`);
    for (const label of known) labelsInExpr.add(label);
  }
  for (const label of grouping) assert.ok(labelsInExpr.has(label), `${where}: groups by unknown label ${label}`);
}

describe("monitoring: alert rules and dashboard against a real scrape", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let scraped: Map<string, Set<string>>;
  let scrape: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Metrics Tea");
    const pay = (code: string, key?: string) =>
      coffer.app.inject({
        method: "POST",
        url: "/v1/payments",
        headers: {
          authorization: `Bearer ${shop.secretKey}`,
          "content-type": "application/json",
          ...(key ? { "idempotency-key": key } : {}),
        },
        payload: JSON.stringify({ amount: "1200", currency: "USD", method: "payment_code", payment_code: code }),
      });
    for (const scenario of ["success", "success", "risk_declined", "insufficient_funds"] as const) {
      assert.equal((await pay(scenarioCatalog[scenario].code)).statusCode, 201);
    }
    // The same key for another request: 409 idempotency_key_reused.
    assert.equal((await pay(scenarioCatalog.success.code, "monitoring-key")).statusCode, 201);
    const reused = await pay(scenarioCatalog.risk_declined.code, "monitoring-key");
    assert.equal(reused.json().error.code, "idempotency_key_reused");
    // Every background loop runs a few passes, as `coffer start` runs them.
    const log = createLogger({ level: "silent" });
    const workers = startWorkers(
      backgroundWorkers({ pool: coffer.db.pool, log, services: coffer.services }),
      log,
      coffer.services.workerHealth,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await workers.stop();
    await coffer.services.workerHealth.flush();
    scrape = (await coffer.app.inject({ url: "/metrics" })).body;
    scraped = samplesOf(scrape);
  });
  after(() => coffer.close());

  it("counts payments by status and method after commit, and idempotency conflicts by code", () => {
    assert.match(scrape, /coffer_payments_total\{status="succeeded",method="payment_code",mode="test"\} 3/);
    assert.match(scrape, /coffer_payments_total\{status="failed",method="payment_code",mode="test"\} 2/);
    assert.match(scrape, /coffer_idempotency_conflicts_total\{code="idempotency_key_reused"\} 1/);
    assert.match(scrape, /coffer_ledger_batch_transfers_count [1-9]/);
    assert.match(scrape, /coffer_db_pool_wait_seconds_count [1-9]/);
    assert.match(scrape, /coffer_metrics_database_up 1/);
    assert.match(scrape, /coffer_outbox_lag_seconds \d/);
  });

  it("reports each worker's passes and writes its heartbeat", async () => {
    assert.match(scrape, /coffer_worker_passes_total\{worker="webhook-dispatch",outcome="ok"\} [1-9]/);
    assert.match(scrape, /coffer_worker_last_success_timestamp_seconds\{worker="success-rate-alerts"\} \d{10}/);
    const beats = await coffer.db.pool.query<{ worker: string; passes: string }>(
      "SELECT worker, passes FROM worker_heartbeats ORDER BY worker",
    );
    assert.ok(beats.rows.some((r) => r.worker === "webhook-dispatch" && Number(r.passes) > 0));
  });

  it("shows operators the system's health: every loop's heartbeat, backlogs, pool and ledger batches", async () => {
    const support = await newOperator(coffer.app, coffer.services, "support");
    const response = await support.get("/v1/ops/system/health");
    assert.equal(response.statusCode, 200, response.body);
    const health = response.json();
    assert.equal(health.object, "system_health");
    const dispatch = health.workers.find((w: { worker: string }) => w.worker === "webhook-dispatch");
    assert.ok(dispatch.passes > 0 && dispatch.last_success_at !== null, JSON.stringify(dispatch));
    assert.deepEqual(health.stalled_workers, []);
    assert.equal(typeof health.outbox.lag_seconds, "number");
    assert.equal(typeof health.webhooks.backlog, "number");
    assert.ok(health.pool.size >= 1);
    assert.ok(health.ledger_batches.batches > 0 && health.ledger_batches.mean_transfers >= 1);
    assert.equal(health.verify, null, "verify never ran");
    // Merchants never see it.
    const merchant = await coffer.app.inject({
      url: "/v1/ops/system/health",
      headers: { authorization: `Bearer ${shop.secretKey}` },
    });
    assert.ok([401, 403].includes(merchant.statusCode), merchant.body);
  });

  it("alert rules parse, and every metric and label they name exists", async () => {
    const rules = parseYaml(await readFile(rulesFile, "utf8")) as {
      groups: { name: string; rules: { alert: string; expr: string; for?: string; labels: { severity: string } }[] }[];
    };
    const names = new Set<string>();
    for (const group of rules.groups) {
      for (const rule of group.rules) {
        assert.match(rule.alert, /^Coffer[A-Za-z0-9]+$/);
        assert.ok(!names.has(rule.alert), `${rule.alert} twice`);
        names.add(rule.alert);
        assert.ok(["page", "ticket"].includes(rule.labels.severity), rule.alert);
        if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/);
        assertKnown(rule.expr, rule.alert, scraped);
      }
    }
    for (const expected of [
      "CofferHighErrorRate",
      "CofferHighLatencyP99",
      "CofferOutboxLag",
      "CofferWebhookFailureRate",
      "CofferWorkerStalled",
      "CofferPoolSaturated",
      "CofferServerErrors",
    ]) {
      assert.ok(names.has(expected), `no ${expected} rule`);
    }
    const guide = await readFile(new URL("../docs/monitoring.md", import.meta.url), "utf8");
    for (const name of names) assert.match(guide, new RegExp(`### ${name}\\b`), `docs/monitoring.md explains ${name}`);
  });

  it("the Grafana dashboard's panels query metrics and labels that exist", async () => {
    const dashboard = JSON.parse(await readFile(dashboardFile, "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    assert.ok(dashboard.panels.length >= 15);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        assertKnown(target.expr, panel.title, scraped);
        for (const name of referencesOf(target.expr).metrics.keys()) used.add(name);
      }
    }
    // Every business metric coffer exports has a panel.
    for (const name of scraped.keys()) {
      if (!name.startsWith("coffer_")) continue;
      const base = name.replace(/_(bucket|sum|count)$/, "");
      assert.ok(
        [...used].some((u) => u === name || u.replace(/_(bucket|sum|count)$/, "") === base),
        `no panel shows ${name}`,
      );
    }
  });
});
