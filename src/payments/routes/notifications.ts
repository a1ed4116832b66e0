import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { authOf, merchantScope, requireAuth, requireMerchant } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { reminderUrlLengthMax } from "../../limits.js";
import { escapeHtml, localeFromAcceptLanguage } from "../../notifications/templates.js";
import { walletTag } from "../../wallets/schemas.js";
import { unsubscribedPage } from "../messages.js";
import type { NotificationSettings } from "../notices.js";
import type { PaymentServices } from "../service.js";

/**
 * Receipts and reminders to payers: the merchant's settings (GET|POST /v1/notification_settings), the payer's
 * opt-out (GET|POST /v1/wallet/notifications) and the unsubscribe link of a reminder (GET /v1/notifications/unsubscribe).
 */
const NotificationSettingsSchema = Type.Object(
  {
    object: Type.Literal("notification_settings"),
    livemode: Type.Boolean(),
    receipts: Type.Boolean({ description: "Payers get a receipt when a payment succeeds." }),
    reminders: Type.Boolean({
      description: "Payers get one reminder when a payment they engaged with fails, times out or expires.",
    }),
    reminder_url: Type.Union([Type.String(), Type.Null()], {
      description:
        "Where a reminder sends the payer to pay again (payment_id is added). null: the reminder asks the payer to ask you for a new payment.",
    }),
  },
  { $id: "NotificationSettings", additionalProperties: false },
);
const SettingsBody = Type.Object(
  {
    receipts: Type.Optional(Type.Boolean()),
    reminders: Type.Optional(Type.Boolean()),
    reminder_url: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: reminderUrlLengthMax }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
const WalletNotificationsSchema = Type.Object(
  {
    object: Type.Literal("wallet_notifications"),
    reminders: Type.Boolean({ description: "Payment reminders from merchants. Receipts are always sent." }),
  },
  { additionalProperties: false },
);
const WalletNotificationsBody = Type.Object({ reminders: Type.Boolean() }, { additionalProperties: false });
const UnsubscribeQuery = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

function settingsJson(livemode: boolean, settings: NotificationSettings) {
  return {
    object: "notification_settings" as const,
    livemode,
    receipts: settings.receipts,
    reminders: settings.reminders,
    reminder_url: settings.reminderUrl,
  };
}

/** An absolute http(s) URL without credentials; https only in live mode (as return_url). */
function checkReminderUrl(value: string, livemode: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ApiError("parameter_invalid", "reminder_url must be an absolute URL.", "reminder_url");
  }
  const allowed = livemode ? ["https:"] : ["https:", "http:"];
  if (!allowed.includes(url.protocol) || url.username !== "" || url.password !== "") {
    throw new ApiError(
      "parameter_invalid",
      livemode ? "reminder_url must be an https:// URL in live mode." : "reminder_url must be an http(s):// URL.",
      "reminder_url",
    );
  }
  return url.toString();
}

export const notificationRoutes: FastifyPluginAsync<{ payments: PaymentServices }> = async (app, { payments }) => {
  app.addSchema(NotificationSettingsSchema);
  const wallet = requireAuth("wallet");

  app.get(
    "/v1/notification_settings",
    {
      preHandler: requireMerchant("notification_settings", "read"),
      schema: {
        tags: ["payments"],
        summary: "What coffer sends your payers",
        description: "Receipts on success and reminders on failure; both on by default.",
        response: { 200: Type.Ref(NotificationSettingsSchema) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "notification_settings", "read");
      return settingsJson(scope.livemode, await payments.notices.settings(scope));
    },
  );

  app.post<{ Body: Static<typeof SettingsBody> }>(
    "/v1/notification_settings",
    {
      preHandler: requireMerchant("notification_settings", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Turn receipts and reminders on or off",
        description: "Fields left out keep their value. reminder_url: null removes the pay-again link.",
        body: SettingsBody,
        response: { 200: Type.Ref(NotificationSettingsSchema) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "notification_settings", "write");
      const body = request.body;
      const change: Partial<NotificationSettings> = {};
      if (body.receipts !== undefined) change.receipts = body.receipts;
      if (body.reminders !== undefined) change.reminders = body.reminders;
      if (body.reminder_url !== undefined) {
        change.reminderUrl = body.reminder_url === null ? null : checkReminderUrl(body.reminder_url, scope.livemode);
      }
      return settingsJson(scope.livemode, await payments.notices.setSettings(scope, change));
    },
  );

  app.get(
    "/v1/wallet/notifications",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Your notification choices",
        response: { 200: WalletNotificationsSchema },
      },
    },
    async (request) => ({
      object: "wallet_notifications" as const,
      reminders: await payments.notices.remindersEnabled(authOf(request, "wallet").walletUserId),
    }),
  );

  app.post<{ Body: Static<typeof WalletNotificationsBody> }>(
    "/v1/wallet/notifications",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Turn payment reminders on or off",
        body: WalletNotificationsBody,
        response: { 200: WalletNotificationsSchema },
      },
    },
    async (request) => ({
      object: "wallet_notifications" as const,
      reminders: await payments.notices.setRemindersEnabled(
        authOf(request, "wallet").walletUserId,
        request.body.reminders,
      ),
    }),
  );

  // The link in a reminder: one click opts the payer out (no login; the token is an HMAC of the wallet user id).
  app.get<{ Querystring: Static<typeof UnsubscribeQuery> }>(
    "/v1/notifications/unsubscribe",
    { schema: { hide: true, querystring: UnsubscribeQuery } },
    async (request, reply) => {
      const done = await payments.notices.unsubscribe(request.query.token);
      const locale = localeFromAcceptLanguage(request.headers["accept-language"]);
      const words = unsubscribedPage[locale];
      reply
        .code(done ? 200 : 400)
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
      return `<!doctype html><html lang="${locale}"><meta charset="utf-8"><title>${escapeHtml(words.title)}</title><body><p>${escapeHtml(done ? words.done : words.invalid)}</p></body></html>`;
    },
  );
};
