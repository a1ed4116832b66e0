import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import type { MerchantScope } from "../http/auth.js";
import {
  alertRecipientsMax,
  alertSuccessRateMinAttemptsMax,
  alertSuccessRateWindowMinutesMax,
  alertSuccessRateWindowMinutesMin,
} from "../limits.js";
import { merchantContacts } from "../merchants/users.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import type { Payout } from "../payments/payouts/model.js";
import { merchantName } from "../payments/store.js";
import { alertErrors } from "./errors.js";
import { modeName, payoutFailedTemplate } from "./messages.js";
import {
  type AlertKind,
  type AlertSettings,
  type AlertSettingsRow,
  type AlertSettingsUpdate,
  bpsPerUnit,
  defaultAlertSettings,
} from "./model.js";

export interface AlertDeps {
  pool: Pool;
  clock: Clock;
  notifications: NotificationService;
}

export interface AlertContact {
  userId: string;
  email: string;
  locale: Locale;
}

export type AlertService = ReturnType<typeof createAlertService>;

export function createAlertService(deps: AlertDeps) {
  async function get(scope: MerchantScope, db: Queryable = deps.pool): Promise<AlertSettings> {
    const found = await db.query<AlertSettingsRow & { emails: (string | null)[] }>(
      `SELECT s.*, ARRAY(SELECT u.email FROM unnest(s.recipient_user_ids) WITH ORDINALITY r(id, n)
                          JOIN merchant_users u ON u.id = r.id ORDER BY r.n) AS emails
         FROM merchant_alert_settings s WHERE s.merchant_id = $1 AND s.livemode = $2`,
      [scope.merchantId, scope.livemode],
    );
    const row = found.rows[0];
    if (!row) return defaultAlertSettings(scope.merchantId, scope.livemode);
    return {
      merchantId: row.merchant_id,
      livemode: row.livemode,
      successRate: {
        enabled: row.success_rate_enabled,
        thresholdBps: row.success_rate_threshold_bps,
        windowMinutes: row.success_rate_window_minutes,
        minAttempts: row.success_rate_min_attempts,
      },
      payoutFailed: { enabled: row.payout_failed_enabled },
      webhookEndpointDisabled: { enabled: row.webhook_disabled_enabled },
      recipients: row.recipient_user_ids.map((userId, i) => ({ userId, email: row.emails[i] ?? "" })),
      updatedAt: row.updated_at,
    };
  }

  /** Checks every field first: a refused update writes nothing. */
  async function update(scope: MerchantScope, input: AlertSettingsUpdate): Promise<AlertSettings> {
    const current = await get(scope);
    const next: AlertSettings = structuredClone(current);
    const rate = input.success_rate;
    if (rate?.enabled !== undefined) next.successRate.enabled = rate.enabled;
    if (rate?.threshold !== undefined) next.successRate.thresholdBps = thresholdBps(rate.threshold);
    if (rate?.window_minutes !== undefined) {
      const minutes = rate.window_minutes;
      if (
        !Number.isInteger(minutes) ||
        minutes < alertSuccessRateWindowMinutesMin ||
        minutes > alertSuccessRateWindowMinutesMax
      ) {
        throw alertErrors.toApiError("alert_window_invalid", undefined, "success_rate.window_minutes");
      }
      next.successRate.windowMinutes = minutes;
    }
    if (rate?.min_attempts !== undefined) {
      const attempts = rate.min_attempts;
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > alertSuccessRateMinAttemptsMax) {
        throw alertErrors.toApiError("alert_min_attempts_invalid", undefined, "success_rate.min_attempts");
      }
      next.successRate.minAttempts = attempts;
    }
    if (input.payout_failed?.enabled !== undefined) next.payoutFailed.enabled = input.payout_failed.enabled;
    if (input.webhook_endpoint_disabled?.enabled !== undefined) {
      next.webhookEndpointDisabled.enabled = input.webhook_endpoint_disabled.enabled;
    }
    if (input.recipients !== undefined) next.recipients = await teamRecipients(scope.merchantId, input.recipients);

    const now = deps.clock.now();
    await deps.pool.query(
      `INSERT INTO merchant_alert_settings (merchant_id, livemode, success_rate_enabled, success_rate_threshold_bps,
         success_rate_window_minutes, success_rate_min_attempts, payout_failed_enabled, webhook_disabled_enabled,
         recipient_user_ids, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (merchant_id, livemode) DO UPDATE SET success_rate_enabled = excluded.success_rate_enabled,
         success_rate_threshold_bps = excluded.success_rate_threshold_bps,
         success_rate_window_minutes = excluded.success_rate_window_minutes,
         success_rate_min_attempts = excluded.success_rate_min_attempts,
         payout_failed_enabled = excluded.payout_failed_enabled,
         webhook_disabled_enabled = excluded.webhook_disabled_enabled,
         recipient_user_ids = excluded.recipient_user_ids, updated_at = excluded.updated_at`,
      [
        scope.merchantId,
        scope.livemode,
        next.successRate.enabled,
        next.successRate.thresholdBps,
        next.successRate.windowMinutes,
        next.successRate.minAttempts,
        next.payoutFailed.enabled,
        next.webhookEndpointDisabled.enabled,
        next.recipients.map((r) => r.userId),
        now,
      ],
    );
    return { ...next, updatedAt: now };
  }

  /** Emails of this team's members with a verified email, in the order given; anything else is refused. */
  async function teamRecipients(merchantId: string, emails: string[]): Promise<AlertSettings["recipients"]> {
    const wanted = emails.map((e) => e.trim().toLowerCase());
    if (wanted.length > alertRecipientsMax || new Set(wanted).size !== wanted.length) {
      throw alertErrors.toApiError("alert_recipients_invalid", undefined, "recipients");
    }
    if (wanted.length === 0) return [];
    const members = await deps.pool.query<{ id: string; email: string }>(
      `SELECT u.id, u.email FROM merchant_members m JOIN merchant_users u ON u.id = m.user_id
        WHERE m.merchant_id = $1 AND lower(u.email) = ANY($2::text[]) AND u.email_verified_at IS NOT NULL`,
      [merchantId, wanted],
    );
    const byEmail = new Map(members.rows.map((r) => [r.email.toLowerCase(), r]));
    return wanted.map((email, i) => {
      const member = byEmail.get(email);
      if (!member) throw alertErrors.toApiError("alert_recipients_invalid", undefined, `recipients[${i}]`);
      return { userId: member.id, email: member.email };
    });
  }

  /**
   * Who gets an alert of this kind, read in the caller's transaction: nobody when the merchant turned it off, the
   * chosen members still on the team with a verified email, else the owner and admins.
   */
  async function recipientsFor(
    db: Queryable,
    merchantId: string,
    livemode: boolean,
    kind: AlertKind,
  ): Promise<AlertContact[]> {
    const found = await db.query<{ enabled: boolean; recipient_user_ids: string[] }>(
      `SELECT CASE $3 WHEN 'success_rate' THEN success_rate_enabled WHEN 'payout_failed' THEN payout_failed_enabled
                      ELSE webhook_disabled_enabled END AS enabled, recipient_user_ids
         FROM merchant_alert_settings WHERE merchant_id = $1 AND livemode = $2`,
      [merchantId, livemode, kind],
    );
    const settings = found.rows[0] ?? defaultsAsRow(merchantId, livemode, kind);
    if (!settings.enabled) return [];
    if (settings.recipient_user_ids.length === 0) return merchantContacts(db, merchantId);
    const chosen = await db.query<{ id: string; email: string; locale: Locale }>(
      `SELECT u.id, u.email, u.locale FROM unnest($2::text[]) WITH ORDINALITY r(id, n)
         JOIN merchant_members m ON m.user_id = r.id AND m.merchant_id = $1
         JOIN merchant_users u ON u.id = r.id
        WHERE u.email_verified_at IS NOT NULL ORDER BY r.n`,
      [merchantId, settings.recipient_user_ids],
    );
    return chosen.rows.map((r) => ({ userId: r.id, email: r.email, locale: r.locale }));
  }

  /**
   * Queues the "payout failed" mail in the transaction that fails the payout (its ledger hook): the mail exists
   * exactly when the failure committed, and is sent after the commit.
   */
  async function payoutFailed(tx: Queryable, payout: Payout): Promise<void> {
    const contacts = await recipientsFor(tx, payout.merchantId, payout.livemode, "payout_failed");
    if (contacts.length === 0) return;
    const businessName = await merchantName(tx, payout.merchantId);
    for (const contact of contacts) {
      await deps.notifications.enqueueDeferred(tx, {
        channel: "email",
        to: contact.email,
        template: payoutFailedTemplate,
        locale: contact.locale,
        vars: {
          business: businessName,
          mode: modeName(payout.livemode, contact.locale),
          payout_id: payout.id,
          amount: String(payout.amount),
          currency: payout.currency,
          failure_code: payout.failureCode ?? "unknown",
          reason: payout.failureMessage ?? "",
        },
        merchantId: payout.merchantId,
        dedupeKey: `alert:payout_failed:${payout.id}:${contact.userId}`,
      });
    }
  }

  return { get, update, recipientsFor, payoutFailed };
}

/** A threshold from 0 (exclusive) to 1, with at most four decimals, as basis points. */
function thresholdBps(threshold: number): number {
  const bps = Math.round(threshold * bpsPerUnit);
  const exact = Math.abs(bps - threshold * bpsPerUnit) <= 1e-6;
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1 || bps < 1 || !exact) {
    throw alertErrors.toApiError("alert_threshold_invalid", undefined, "success_rate.threshold");
  }
  return bps;
}

function defaultsAsRow(merchantId: string, livemode: boolean, kind: AlertKind) {
  const defaults = defaultAlertSettings(merchantId, livemode);
  const enabled = {
    success_rate: defaults.successRate.enabled,
    payout_failed: defaults.payoutFailed.enabled,
    webhook_endpoint_disabled: defaults.webhookEndpointDisabled.enabled,
  }[kind];
  return { enabled, recipient_user_ids: [] as string[] };
}
