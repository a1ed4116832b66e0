import {
  alertSuccessRateMinAttemptsDefault,
  alertSuccessRateThresholdDefault,
  alertSuccessRateWindowMinutesDefault,
} from "../limits.js";

/**
 * A merchant's email alerts, per mode (docs/alerts.md): the success rate falling below a threshold over a window,
 * a payout failing, and coffer disabling a webhook endpoint. Rates are kept as basis points (integers); the API
 * shows them as numbers from 0 to 1.
 */
export interface AlertSettings {
  merchantId: string;
  livemode: boolean;
  successRate: { enabled: boolean; thresholdBps: number; windowMinutes: number; minAttempts: number };
  payoutFailed: { enabled: boolean };
  webhookEndpointDisabled: { enabled: boolean };
  /** Team members who get the mail; empty: the owner and admins. */
  recipients: { userId: string; email: string }[];
  updatedAt: Date | null;
}

export const bpsPerUnit = 10_000;

export function defaultAlertSettings(merchantId: string, livemode: boolean): AlertSettings {
  return {
    merchantId,
    livemode,
    successRate: {
      enabled: false,
      thresholdBps: Math.round(alertSuccessRateThresholdDefault * bpsPerUnit),
      windowMinutes: alertSuccessRateWindowMinutesDefault,
      minAttempts: alertSuccessRateMinAttemptsDefault,
    },
    payoutFailed: { enabled: true },
    webhookEndpointDisabled: { enabled: true },
    recipients: [],
    updatedAt: null,
  };
}

export interface AlertSettingsRow {
  merchant_id: string;
  livemode: boolean;
  success_rate_enabled: boolean;
  success_rate_threshold_bps: number;
  success_rate_window_minutes: number;
  success_rate_min_attempts: number;
  payout_failed_enabled: boolean;
  webhook_disabled_enabled: boolean;
  recipient_user_ids: string[];
  updated_at: Date;
}

export function alertSettingsJson(settings: AlertSettings) {
  return {
    object: "alert_settings" as const,
    livemode: settings.livemode,
    success_rate: {
      enabled: settings.successRate.enabled,
      threshold: settings.successRate.thresholdBps / bpsPerUnit,
      window_minutes: settings.successRate.windowMinutes,
      min_attempts: settings.successRate.minAttempts,
    },
    payout_failed: { enabled: settings.payoutFailed.enabled },
    webhook_endpoint_disabled: { enabled: settings.webhookEndpointDisabled.enabled },
    recipients: settings.recipients.map((r) => r.email),
    updated: settings.updatedAt ? Math.floor(settings.updatedAt.getTime() / 1000) : null,
  };
}

/** What a merchant may change; every field is optional, what is left out keeps its value. */
export interface AlertSettingsUpdate {
  success_rate?: { enabled?: boolean; threshold?: number; window_minutes?: number; min_attempts?: number };
  payout_failed?: { enabled?: boolean };
  webhook_endpoint_disabled?: { enabled?: boolean };
  recipients?: string[];
}

/** The kinds of mail a merchant's alert settings govern. */
export type AlertKind = "success_rate" | "payout_failed" | "webhook_endpoint_disabled";
