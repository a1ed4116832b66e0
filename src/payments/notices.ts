import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { feedbackToken } from "../feedback/token.js";
import type { MerchantScope } from "../http/auth.js";
import { isId } from "../ids.js";
import { type CurrencyRegistry, formatMinorUnits } from "../ledger/currencies.js";
import {
  noticeContextCacheEntriesMax,
  noticeContextCacheMs,
  paymentRemindersPerPayerPerDayMax,
  paymentReminderWindowMs,
} from "../limits.js";
import type { NotificationService } from "../notifications/service.js";
import { isLocale, type Locale, type MessageTemplate } from "../notifications/templates.js";
import { receiptTemplate, reminderReasons, reminderTemplate, reminderWithoutLinkTemplate } from "./messages.js";
import { type Payment, type PaymentLinks, retryableUntil } from "./model.js";

/**
 * Receipts and payment reminders to the payer, queued in the transaction that changes the payment (called from
 * recordPaymentEvent), so a message exists exactly when its change committed; delivery follows after the commit
 * (kick(), or the message-delivery worker).
 *
 * - succeeded → a receipt (dedupe key receipt:<payment id>);
 * - failed (not payer_declined), canceled with confirmation_timeout, or expired unpaid, with a known payer → one
 *   reminder (reminder:<payment id>), at most paymentRemindersPerPayerPerDayMax per payer in 24 hours, never to a
 *   payer who opted out. A payment that may be paid again links to its checkout page (docs/adr/0028); else to the
 *   merchant's reminder_url (with payment_id added) or, without one, asks the payer for a new payment.
 *
 * Merchants turn either off per mode (GET|POST /v1/notification_settings). Email when the payer has an address,
 * else SMS; in the payer's locale.
 */

export interface NotificationSettings {
  receipts: boolean;
  reminders: boolean;
  reminderUrl: string | null;
}

const defaults: NotificationSettings = { receipts: true, reminders: true, reminderUrl: null };

export interface PaymentNoticeDeps {
  pool: Pool;
  clock: Clock;
  currencies: CurrencyRegistry;
  notifications: NotificationService;
  links: PaymentLinks;
  /** Derived from the master key: signs the unsubscribe links. */
  unsubscribeKey: Buffer;
  /** Derived from the master key: signs the receipt's feedback link (src/feedback/token.ts). */
  feedbackKey: Buffer;
  log: Logger;
}

export type PaymentNotices = ReturnType<typeof createPaymentNotices>;

/** The unsubscribe key of a deployment: HKDF of the master key, so links keep working across restarts. */
export function unsubscribeKeyFrom(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "coffer payment-reminder unsubscribe", 32));
}

/** What a payment's notice needs to know; read once, possibly before the payment's transaction. */
export interface NoticeContext {
  settings: NotificationSettings;
  payer: Payer;
  merchant: string;
}

interface Payer {
  email: string | null;
  phone: string | null;
  locale: Locale;
  optedOut: boolean;
}

export function createPaymentNotices(deps: PaymentNoticeDeps) {
  function sign(walletUserId: string): string {
    return createHmac("sha256", deps.unsubscribeKey)
      .update(`reminders-unsubscribe:${walletUserId}`)
      .digest("base64url");
  }

  function unsubscribeToken(walletUserId: string): string {
    return `${walletUserId}.${sign(walletUserId)}`;
  }

  /** The wallet user an unsubscribe token names, or undefined when it is not one of ours. */
  function verifyUnsubscribeToken(token: string): string | undefined {
    const dot = token.indexOf(".");
    if (dot < 0) return undefined;
    const walletUserId = token.slice(0, dot);
    if (!isId(walletUserId, "wal")) return undefined;
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(sign(walletUserId));
    return given.length === expected.length && timingSafeEqual(given, expected) ? walletUserId : undefined;
  }

  async function settings(db: Queryable, scope: MerchantScope): Promise<NotificationSettings> {
    const found = await db.query<{ receipts: boolean; reminders: boolean; reminder_url: string | null }>(
      "SELECT receipts, reminders, reminder_url FROM merchant_notification_settings WHERE merchant_id = $1 AND livemode = $2",
      [scope.merchantId, scope.livemode],
    );
    const row = found.rows[0];
    return row ? { receipts: row.receipts, reminders: row.reminders, reminderUrl: row.reminder_url } : { ...defaults };
  }

  async function setSettings(
    scope: MerchantScope,
    change: Partial<NotificationSettings>,
  ): Promise<NotificationSettings> {
    const next = { ...(await settings(deps.pool, scope)), ...change };
    forgetContexts(`${scope.merchantId}:`);
    await deps.pool.query(
      `INSERT INTO merchant_notification_settings (merchant_id, livemode, receipts, reminders, reminder_url, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id, livemode) DO UPDATE
         SET receipts = $3, reminders = $4, reminder_url = $5, updated_at = $6`,
      [scope.merchantId, scope.livemode, next.receipts, next.reminders, next.reminderUrl, deps.clock.now()],
    );
    return next;
  }

  async function remindersEnabled(walletUserId: string): Promise<boolean> {
    const found = await deps.pool.query<{ opted_out: boolean }>(
      "SELECT reminders_opted_out_at IS NOT NULL AS opted_out FROM wallet_users WHERE id = $1",
      [walletUserId],
    );
    return !(found.rows[0]?.opted_out ?? false);
  }

  async function setRemindersEnabled(walletUserId: string, enabled: boolean): Promise<boolean> {
    for (const key of contexts.keys()) if (key.endsWith(`:${walletUserId}`)) contexts.delete(key);
    await deps.pool.query(
      `UPDATE wallet_users SET reminders_opted_out_at = CASE WHEN $2 THEN NULL ELSE COALESCE(reminders_opted_out_at, $3) END
        WHERE id = $1`,
      [walletUserId, enabled, deps.clock.now()],
    );
    return enabled;
  }

  /** The unsubscribe link's action: true when the token was valid (and the payer is now opted out). */
  async function unsubscribe(token: string): Promise<boolean> {
    const walletUserId = verifyUnsubscribeToken(token);
    if (!walletUserId) return false;
    await setRemindersEnabled(walletUserId, false);
    return true;
  }

  /**
   * What a payment's notice needs — the merchant's settings and name, the payer's address and language — in one
   * read: it runs inside the payment's transaction (often a ledger hook, which holds account locks meanwhile).
   */
  async function noticeContext(
    tx: Queryable,
    payment: Pick<Payment, "merchantId" | "livemode">,
    payerId: string,
  ): Promise<NoticeContext | undefined> {
    const found = await tx.query<{
      email: string | null;
      phone: string | null;
      locale: string;
      opted_out: boolean;
      business_name: string;
      receipts: boolean | null;
      reminders: boolean | null;
      reminder_url: string | null;
    }>(
      `SELECT u.email, u.phone, u.locale, u.reminders_opted_out_at IS NOT NULL AS opted_out, m.business_name,
              s.receipts, s.reminders, s.reminder_url
         FROM wallet_users u
         JOIN merchants m ON m.id = $2
         LEFT JOIN merchant_notification_settings s ON s.merchant_id = m.id AND s.livemode = $3
        WHERE u.id = $1`,
      [payerId, payment.merchantId, payment.livemode],
    );
    const row = found.rows[0];
    if (!row) return undefined;
    return {
      settings:
        row.receipts === null
          ? { ...defaults }
          : { receipts: row.receipts, reminders: row.reminders ?? defaults.reminders, reminderUrl: row.reminder_url },
      payer: {
        email: row.email,
        phone: row.phone,
        locale: isLocale(row.locale) ? row.locale : "en",
        optedOut: row.opted_out,
      },
      merchant: row.business_name,
    };
  }

  /**
   * Notice contexts are remembered for noticeContextCacheMs: a merchant's settings and name and a payer's address
   * change rarely, and a receipt sent by the previous ones a few seconds after a change is no harm.
   */
  const contexts = new Map<string, { context: NoticeContext | undefined; readAtMs: number }>();
  function forgetContexts(prefix: string): void {
    for (const key of contexts.keys()) if (key.startsWith(prefix)) contexts.delete(key);
  }
  async function rememberedContext(
    db: Queryable,
    payment: Pick<Payment, "merchantId" | "livemode">,
    payerId: string,
  ): Promise<NoticeContext | undefined> {
    const key = `${payment.merchantId}:${payment.livemode}:${payerId}`;
    const hit = contexts.get(key);
    const nowMs = Date.now();
    if (hit && nowMs - hit.readAtMs < noticeContextCacheMs && nowMs >= hit.readAtMs) return hit.context;
    const context = await noticeContext(db, payment, payerId);
    if (contexts.size >= noticeContextCacheEntriesMax) contexts.clear();
    contexts.set(key, { context, readAtMs: nowMs });
    return context;
  }

  function formatAmount(amount: bigint, code: string): string {
    const currency = deps.currencies.get(code);
    return `${currency ? formatMinorUnits(amount, currency) : amount.toString()} ${code}`;
  }

  function reminderReason(payment: Payment): keyof (typeof reminderReasons)["en"] | undefined {
    if (payment.status === "failed") {
      if (payment.failureCode === "payer_declined") return undefined; // the payer said no: no nagging
      return payment.failureCode && payment.failureCode in reminderReasons.en
        ? (payment.failureCode as keyof (typeof reminderReasons)["en"])
        : "other";
    }
    if (payment.status === "canceled") {
      return payment.cancellationReason === "confirmation_timeout" ? "confirmation_timeout" : undefined;
    }
    // An expired hold was paid and released by the merchant's inaction: nothing to pay again.
    if (payment.status === "expired") return payment.paidAt === null ? "expired" : undefined;
    return undefined;
  }

  async function enqueue(
    tx: Queryable,
    payment: Payment,
    payer: Payer,
    payerId: string,
    template: MessageTemplate,
    vars: Record<string, string>,
    dedupeKey: string,
  ): Promise<string | null> {
    const channel = payer.email ? "email" : "sms";
    const to = payer.email ?? payer.phone;
    if (!to) return null;
    return deps.notifications.enqueue(tx, {
      channel,
      to,
      template,
      locale: payer.locale,
      vars,
      merchantId: payment.merchantId,
      walletUserId: payerId,
      dedupeKey,
    });
  }

  /** Queues what a payment entering its current status sends its payer. In the caller's transaction. */
  /**
   * known: the notice context read before the transaction (a ledger hook runs while the batch holds account locks,
   * so a charge reads it first); merchant settings and payer addresses change rarely, and a notice is not money.
   */
  async function paymentChanged(tx: Queryable, payment: Payment, at: Date, known?: NoticeContext): Promise<void> {
    const payerId = payment.payerId;
    if (!payerId) return;
    const isReceipt = payment.status === "succeeded";
    const reason = isReceipt ? undefined : reminderReason(payment);
    if (!isReceipt && !reason) return;
    const context = known ?? (await noticeContext(tx, payment, payerId));
    if (!context) return;
    const { settings: merchantSettings, payer, merchant } = context;
    if (isReceipt ? !merchantSettings.receipts : !merchantSettings.reminders) return;
    const none = payer.locale === "zh-CN" ? "无" : "—";
    const common = {
      merchant,
      description: payment.description ?? none,
      payment_id: payment.id,
    };

    if (isReceipt) {
      const to = payer.email ?? payer.phone;
      if (!to) return;
      await deps.notifications.enqueueDeferred(tx, {
        channel: payer.email ? "email" : "sms",
        to,
        template: receiptTemplate,
        locale: payer.locale,
        vars: {
          ...common,
          amount: formatAmount(payment.amountCaptured, payment.currency),
          feedback: `${deps.links.base}/feedback/${feedbackToken(deps.feedbackKey, payment.id, payerId)}`,
        },
        merchantId: payment.merchantId,
        walletUserId: payerId,
        dedupeKey: `receipt:${payment.id}`,
      });
      return;
    }

    if (payer.optedOut || !reason) return;
    // One payer's reminders are counted one transaction at a time, so parallel failures cannot pass the cap together.
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`payment-reminders:${payerId}`]);
    const recent = await tx.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM payment_reminders WHERE wallet_user_id = $1 AND created_at > $2",
      [payerId, new Date(at.getTime() - paymentReminderWindowMs)],
    );
    if ((recent.rows[0]?.n ?? 0) >= paymentRemindersPerPayerPerDayMax) {
      deps.log.debug({ payment: payment.id }, "payment reminder not sent: the payer's daily cap is reached");
      return;
    }
    let link: string | undefined;
    if (retryableUntil(payment)) {
      // It can be paid again (docs/adr/0028): its checkout page says why it failed and takes the new attempt.
      link = `${deps.links.base}/checkout/${payment.id}`;
    } else if (merchantSettings.reminderUrl) {
      const url = new URL(merchantSettings.reminderUrl);
      url.searchParams.set("payment_id", payment.id);
      link = url.toString();
    }
    const messageId = await enqueue(
      tx,
      payment,
      payer,
      payerId,
      link ? reminderTemplate : reminderWithoutLinkTemplate,
      {
        ...common,
        amount: formatAmount(payment.amount, payment.currency),
        reason: reminderReasons[payer.locale][reason],
        unsubscribe: `${deps.links.base}/v1/notifications/unsubscribe?token=${encodeURIComponent(unsubscribeToken(payerId))}`,
        ...(link ? { link } : {}),
      },
      `reminder:${payment.id}`,
    );
    if (messageId === null) return; // reminded already
    await tx.query(
      `INSERT INTO payment_reminders (payment_id, wallet_user_id, message_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (payment_id) DO NOTHING`,
      [payment.id, payerId, messageId, at],
    );
  }

  /** Delivers what was queued, now. Call after the commit. */
  function kick(): void {
    deps.notifications.kick();
  }

  return {
    paymentChanged,
    /** The notice context of a payer and merchant (pass it to paymentChanged later); see rememberedContext. */
    context: rememberedContext,
    kick,
    settings: (scope: MerchantScope) => settings(deps.pool, scope),
    setSettings,
    remindersEnabled,
    setRemindersEnabled,
    unsubscribe,
    unsubscribeToken,
  };
}
