import { withTransaction } from "../db/tx.js";
import { alertCooldownMs, alertEvaluationBatchMax } from "../limits.js";
import { merchantName } from "../payments/store.js";
import { testOffsetSql } from "../sandbox/test-clock.js";
import { modeName, percent, successRateLowTemplate, successRateRecoveredTemplate } from "./messages.js";
import { bpsPerUnit } from "./model.js";
import type { AlertDeps, AlertService } from "./service.js";

/**
 * The success-rate alert, judged every alertEvaluationIntervalMs for each merchant and mode that turned it on.
 * Success rate = succeeded / (succeeded + failed + canceled + expired) among the payments created in the window
 * that have reached a final state (docs/alerts.md). The window is at most a day, so it is read from raw payments
 * through payments_merchant (merchant_id, livemode, created_at, id), one bounded index range per merchant, all
 * merchants of a batch in one statement. Test mode is judged on the merchant's test clock.
 *
 * A drop is mailed once, and again only if the rate is still low a cooldown (alertCooldownMs) later; its recovery is
 * mailed once. Several processes may judge at once: each change of the state row is conditional on the state it
 * was judged from, so exactly one of them queues the mail.
 */
interface Judged {
  merchant_id: string;
  livemode: boolean;
  threshold_bps: number;
  window_minutes: number;
  min_attempts: number;
  attempts: string | bigint;
  succeeded: string | bigint;
  now_at: Date;
  state_exists: boolean;
  firing: boolean | null;
  notified: boolean | null;
  last_alert_at: Date | null;
}

type Decision =
  | { kind: "none" }
  | { kind: "fire"; notify: boolean }
  | { kind: "remind" }
  | { kind: "recover"; notify: boolean };

export function decide(row: Judged): Decision {
  const attempts = Number(row.attempts);
  const succeeded = Number(row.succeeded);
  // Too few finished payments to judge: nothing changes, whatever state the alert is in.
  if (attempts < row.min_attempts) return { kind: "none" };
  const low = succeeded * bpsPerUnit < row.threshold_bps * attempts;
  const cooledDown =
    row.last_alert_at === null || row.now_at.getTime() - row.last_alert_at.getTime() >= alertCooldownMs;
  if (low && !row.firing) return { kind: "fire", notify: cooledDown };
  if (low && row.firing) return cooledDown ? { kind: "remind" } : { kind: "none" };
  if (!low && row.firing) return { kind: "recover", notify: row.notified === true };
  return { kind: "none" };
}

export type SuccessRateEvaluator = ReturnType<typeof createSuccessRateEvaluator>;

export function createSuccessRateEvaluator(deps: AlertDeps & { alerts: AlertService }) {
  /** One batch of merchants with the alert on, after the key given; their figures and their alert's state. */
  async function judgeBatch(after: { merchantId: string; livemode: boolean } | null): Promise<Judged[]> {
    const result = await deps.pool.query<Judged>(
      `SELECT s.merchant_id, s.livemode, s.success_rate_threshold_bps AS threshold_bps,
              s.success_rate_window_minutes AS window_minutes, s.success_rate_min_attempts AS min_attempts,
              w.attempts, w.succeeded, t.now_at, st.merchant_id IS NOT NULL AS state_exists, st.firing, st.notified,
              st.last_alert_at
         FROM merchant_alert_settings s
         CROSS JOIN LATERAL (SELECT $1::timestamptz + ${testOffsetSql("s.merchant_id", "s.livemode")} AS now_at) t
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE p.status IN ('succeeded', 'failed', 'canceled', 'expired')) AS attempts,
                  count(*) FILTER (WHERE p.status = 'succeeded') AS succeeded
             FROM payments p
            WHERE p.merchant_id = s.merchant_id AND p.livemode = s.livemode
              AND p.created_at > t.now_at - make_interval(mins => s.success_rate_window_minutes)
              AND p.created_at <= t.now_at) w
         LEFT JOIN merchant_alert_states st
           ON st.merchant_id = s.merchant_id AND st.livemode = s.livemode AND st.rule = 'success_rate'
        WHERE s.success_rate_enabled AND ($2::text IS NULL OR (s.merchant_id, s.livemode) > ($2, $3))
        ORDER BY s.merchant_id, s.livemode
        LIMIT $4`,
      [deps.clock.now(), after?.merchantId ?? null, after?.livemode ?? false, alertEvaluationBatchMax],
    );
    return result.rows;
  }

  /** Applies a decision: the state change (if still as judged) and its mail, in one transaction. */
  async function act(row: Judged, decision: Exclude<Decision, { kind: "none" }>): Promise<boolean> {
    const notify = decision.kind === "remind" || decision.notify;
    const firing = decision.kind !== "recover";
    const lastAlertAt = notify && firing ? row.now_at : row.last_alert_at;
    const notified = firing ? notify || row.notified === true : false;
    return withTransaction(deps.pool, async (tx) => {
      const params = [
        row.merchant_id,
        row.livemode,
        firing,
        notified,
        lastAlertAt,
        Number(row.attempts),
        Number(row.succeeded),
        row.now_at,
      ];
      const changed = row.state_exists
        ? await tx.query(
            `UPDATE merchant_alert_states SET firing = $3, notified = $4, last_alert_at = $5, attempts = $6,
                    succeeded = $7, checked_at = $8
              WHERE merchant_id = $1 AND livemode = $2 AND rule = 'success_rate'
                AND firing = $9 AND last_alert_at IS NOT DISTINCT FROM $10`,
            [...params, row.firing, row.last_alert_at],
          )
        : await tx.query(
            `INSERT INTO merchant_alert_states (merchant_id, livemode, rule, firing, notified, last_alert_at, attempts,
                                                succeeded, checked_at)
             VALUES ($1, $2, 'success_rate', $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
            params,
          );
      if (changed.rowCount !== 1 || !notify) return false;
      await queueMail(tx, row, firing ? "low" : "recovered");
      return true;
    });
  }

  async function queueMail(
    tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
    row: Judged,
    kind: "low" | "recovered",
  ): Promise<void> {
    const contacts = await deps.alerts.recipientsFor(tx, row.merchant_id, row.livemode, "success_rate");
    if (contacts.length === 0) return;
    const business = await merchantName(tx, row.merchant_id);
    const attempts = Number(row.attempts);
    const succeeded = Number(row.succeeded);
    for (const contact of contacts) {
      await deps.notifications.enqueueDeferred(tx, {
        channel: "email",
        to: contact.email,
        template: kind === "low" ? successRateLowTemplate : successRateRecoveredTemplate,
        locale: contact.locale,
        vars: {
          business,
          mode: modeName(row.livemode, contact.locale),
          rate: percent(succeeded / attempts),
          threshold: percent(row.threshold_bps / bpsPerUnit),
          window: String(row.window_minutes),
          attempts: String(attempts),
          succeeded: String(succeeded),
          cooldown: String(alertCooldownMs / 60_000),
        },
        merchantId: row.merchant_id,
        dedupeKey: `alert:success_rate:${kind}:${row.merchant_id}:${row.livemode}:${row.now_at.getTime()}:${contact.userId}`,
      });
    }
  }

  /** One pass over every merchant with the alert on; returns how many mails' worth of changes it made. */
  async function runPass(signal?: AbortSignal): Promise<number> {
    let after: { merchantId: string; livemode: boolean } | null = null;
    let mailed = 0;
    while (!signal?.aborted) {
      const batch = await judgeBatch(after);
      for (const row of batch) {
        const decision = decide(row);
        if (decision.kind !== "none" && (await act(row, decision))) mailed++;
      }
      if (batch.length < alertEvaluationBatchMax) break;
      const last = batch.at(-1)!;
      after = { merchantId: last.merchant_id, livemode: last.livemode };
    }
    if (mailed > 0) deps.notifications.kick();
    return mailed;
  }

  return { runPass };
}
