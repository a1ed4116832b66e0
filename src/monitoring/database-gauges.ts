import { Gauge, type Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { metricsScrapeCacheMs, metricsScrapeQueryTimeoutMs } from "../limits.js";
import { type Backlog, readBacklog } from "./backlog.js";

/**
 * Gauges read from the database when /metrics is scraped: the outbox lag and the webhook backlog. A scrape reads at
 * most once per metricsScrapeCacheMs (several scrapers, one query) and never waits more than
 * metricsScrapeQueryTimeoutMs: past that, or when the read fails, the last figures are shown and
 * coffer_metrics_database_up says 0, so a slow or saturated database never makes /metrics slow.
 */
export function registerDatabaseGauges(registry: Registry, pool: Pool, clock: Clock): void {
  let last: Backlog | undefined;
  let readAt = 0;
  let up = 0;
  let reading: Promise<void> | undefined;

  let waiting: Promise<void> | undefined;

  /** One read per cache period; the collects of one scrape run together and share one bounded wait. */
  const refresh = (): Promise<void> => {
    if (Date.now() - readAt < metricsScrapeCacheMs) return Promise.resolve();
    reading ??= readBacklog(pool, clock.now())
      .then((backlog) => {
        last = backlog;
        up = 1;
      })
      .catch(() => {
        up = 0;
      })
      .finally(() => {
        readAt = Date.now();
        reading = undefined;
      });
    const read = reading;
    waiting ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        up = 0;
        resolve();
      }, metricsScrapeQueryTimeoutMs);
      void read.then(() => {
        clearTimeout(timer);
        resolve();
      });
    }).finally(() => {
      waiting = undefined;
    });
    return waiting;
  };

  const gauge = (name: string, help: string, pick: (b: Backlog) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        await refresh();
        if (last) this.set(pick(last));
      },
    });
  gauge(
    "coffer_outbox_lag_seconds",
    "Age of the oldest event not yet fanned out to webhook deliveries, in seconds (0: the outbox is empty).",
    (b) => b.outboxLagSeconds,
  );
  gauge(
    "coffer_outbox_events",
    "Events not yet fanned out to webhook deliveries (counted up to 100000).",
    (b) => b.outboxEvents,
  );
  gauge(
    "coffer_webhook_backlog_deliveries",
    "Webhook deliveries due and not yet delivered (counted up to 100000).",
    (b) => b.webhookBacklog,
  );
  gauge(
    "coffer_webhook_oldest_due_seconds",
    "How long the oldest due webhook delivery has waited to be sent, in seconds.",
    (b) => b.webhookOldestDueSeconds,
  );
  new Gauge({
    name: "coffer_metrics_database_up",
    help: "1 when the last database read of a scrape succeeded in time; 0 when it failed or timed out.",
    registers: [registry],
    async collect() {
      await refresh();
      this.set(up);
    },
  });
}
