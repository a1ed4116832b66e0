-- Receipts and payment reminders (src/payments/notices.ts).

-- What a merchant lets coffer send its payers, per mode. No row: both on, no pay-again link.
CREATE TABLE merchant_notification_settings (
  merchant_id    text        NOT NULL REFERENCES merchants (id),
  livemode       boolean     NOT NULL,
  receipts       boolean     NOT NULL,
  reminders      boolean     NOT NULL,
  reminder_url   text        CHECK (length(reminder_url) <= 2048),  -- where a reminder sends the payer to pay again
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, livemode)
);

-- A wallet user who said no to payment reminders (POST /v1/wallet/notifications or the link in a reminder).
ALTER TABLE wallet_users ADD COLUMN reminders_opted_out_at timestamptz;

-- One row per reminder queued: at most one per payment, and the per-payer daily count (paymentRemindersPerPayerPerDayMax).
CREATE TABLE payment_reminders (
  payment_id      text        PRIMARY KEY REFERENCES payments (id),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  message_id      text        NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX payment_reminders_payer ON payment_reminders (wallet_user_id, created_at);
