-- Payments (src/payments): merchant balance and platform fee accounts, fee schedules, payments, one-time payment
-- codes, refunds, payouts and payout schedules. Money itself lives in the ledger; these rows say what it was for,
-- and each changes state in the same transaction as its ledger transfers and its outbox event (docs/payments.md).
-- Times are written by the application from its clock, so the test clock moves them too.

-- One ledger account per merchant, mode and currency (code `merchant`, never overdrawn), created on first need.
CREATE TABLE merchant_balance_accounts (
  merchant_id        text        NOT NULL REFERENCES merchants (id),
  livemode           boolean     NOT NULL,
  currency           text        NOT NULL,
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, livemode, currency)
);

-- The platform's fee revenue, one account per ledger and currency (code `fee`).
CREATE TABLE platform_fee_accounts (
  ledger             text        NOT NULL CHECK (ledger IN ('test', 'live')),
  currency           text        NOT NULL,
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (ledger, currency)
);

-- A merchant's processing fee: a percentage in basis points plus a fixed amount in minor units. The row for a
-- currency wins over the merchant's '*' row (percentage only), which wins over the platform default.
CREATE TABLE merchant_fee_schedules (
  merchant_id  text          NOT NULL REFERENCES merchants (id),
  currency     text          NOT NULL CHECK (currency = '*' OR currency ~ '^[A-Z][A-Z0-9]{2,9}$'),
  percent_bps  integer       NOT NULL CHECK (percent_bps BETWEEN 0 AND 10000),
  fixed        numeric(39,0) NOT NULL DEFAULT 0 CHECK (fixed >= 0),
  updated_at   timestamptz   NOT NULL,
  PRIMARY KEY (merchant_id, currency),
  CHECK (currency <> '*' OR fixed = 0)
);

CREATE TABLE payments (
  id                   text          PRIMARY KEY CHECK (id ~ '^pay_[0-9A-Za-z]{22}$'),
  merchant_id          text          NOT NULL REFERENCES merchants (id),
  livemode             boolean       NOT NULL,
  status               text          NOT NULL CHECK (status IN ('requires_payment', 'processing', 'requires_capture',
                                                              'succeeded', 'failed', 'canceled', 'expired')),
  method               text          NOT NULL CHECK (method IN ('qr', 'payment_code', 'checkout')),
  capture_method       text          NOT NULL CHECK (capture_method IN ('automatic', 'manual')),
  amount               numeric(39,0) NOT NULL CHECK (amount > 0),
  currency             text          NOT NULL,
  description          text          CHECK (length(description) <= 500),
  metadata             jsonb         NOT NULL DEFAULT '{}',
  return_url           text          CHECK (length(return_url) <= 2048),
  qr_token             text          UNIQUE CHECK (qr_token ~ '^[0-9A-Za-z]{22}$'),
  payer_id             text          REFERENCES wallet_users (id),
  amount_captured      numeric(39,0) NOT NULL DEFAULT 0,
  amount_refunded      numeric(39,0) NOT NULL DEFAULT 0,
  fee_percent_bps      integer       NOT NULL CHECK (fee_percent_bps BETWEEN 0 AND 10000),
  fee_fixed            numeric(39,0) NOT NULL CHECK (fee_fixed >= 0),
  fee_amount           numeric(39,0) NOT NULL DEFAULT 0,
  fee_refunded         numeric(39,0) NOT NULL DEFAULT 0,
  hold_transfer_id     uuid,                        -- manual capture: the ledger hold on the payer's wallet
  spend_day            text,                        -- the payer's limit periods it counted against
  spend_month          text,
  expires_at           timestamptz   NOT NULL,      -- requires_payment and processing end here
  capture_before       timestamptz,                 -- requires_capture ends here
  due_at               timestamptz,                 -- when the expiry worker acts next; null in final states
  failure_code         text,
  failure_message      text,
  cancellation_reason  text,
  created_at           timestamptz   NOT NULL,
  updated_at           timestamptz   NOT NULL,
  paid_at              timestamptz,
  CHECK (amount_captured >= 0 AND amount_captured <= amount),
  CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured),
  CHECK (fee_amount >= 0 AND fee_amount <= amount_captured),
  CHECK (fee_refunded >= 0 AND fee_refunded <= fee_amount),
  CHECK ((status IN ('failed', 'expired')) = (failure_code IS NOT NULL)),
  CHECK ((method = 'payment_code') = (qr_token IS NULL)),
  CHECK (status NOT IN ('processing', 'requires_capture', 'succeeded') OR payer_id IS NOT NULL),
  CHECK (status <> 'requires_capture' OR (hold_transfer_id IS NOT NULL AND capture_before IS NOT NULL))
);
CREATE INDEX payments_merchant ON payments (merchant_id, livemode, created_at, id);
CREATE INDEX payments_payer ON payments (payer_id, created_at, id) WHERE payer_id IS NOT NULL;
CREATE INDEX payments_due ON payments (due_at) WHERE due_at IS NOT NULL;

-- Customer-presented payment codes: only the SHA-256 of the code is kept. A code is valid until expires_at and
-- for one payment (used_at): the claim is one conditional UPDATE, so two uses can never both succeed.
CREATE TABLE wallet_payment_codes (
  code_hash       bytea       PRIMARY KEY CHECK (length(code_hash) = 32),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  livemode        boolean     NOT NULL,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  payment_id      text        REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
  CHECK ((used_at IS NULL) = (payment_id IS NULL))
);
CREATE INDEX wallet_payment_codes_user ON wallet_payment_codes (wallet_user_id, created_at);
CREATE INDEX wallet_payment_codes_expires ON wallet_payment_codes (expires_at);

CREATE TABLE refunds (
  id               text          PRIMARY KEY CHECK (id ~ '^re_[0-9A-Za-z]{22}$'),
  payment_id       text          NOT NULL REFERENCES payments (id),
  merchant_id      text          NOT NULL REFERENCES merchants (id),
  livemode         boolean       NOT NULL,
  amount           numeric(39,0) NOT NULL CHECK (amount > 0),
  currency         text          NOT NULL,
  fee_returned     numeric(39,0) NOT NULL DEFAULT 0 CHECK (fee_returned >= 0),
  status           text          NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  reason           text          NOT NULL CHECK (reason IN ('requested_by_customer', 'duplicate', 'fraudulent', 'other')),
  description      text          CHECK (length(description) <= 500),
  failure_code     text,
  failure_message  text,
  created_at       timestamptz   NOT NULL,
  updated_at       timestamptz   NOT NULL,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL))
);
CREATE INDEX refunds_merchant ON refunds (merchant_id, livemode, created_at, id);
CREATE INDEX refunds_payment ON refunds (payment_id, created_at, id);

CREATE TABLE payouts (
  id                       text          PRIMARY KEY CHECK (id ~ '^po_[0-9A-Za-z]{22}$'),
  merchant_id              text          NOT NULL REFERENCES merchants (id),
  livemode                 boolean       NOT NULL,
  amount                   numeric(39,0) NOT NULL CHECK (amount > 0),
  currency                 text          NOT NULL,
  status                   text          NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
  automatic                boolean       NOT NULL,    -- made by the daily schedule
  scheduled_for            date,                      -- the UTC day of an automatic payout
  description              text          CHECK (length(description) <= 500),
  connector                text          NOT NULL CHECK (connector IN ('sandbox', 'file')),
  hold_transfer_id         uuid          NOT NULL,
  -- the settlement bank account as it was when the payout was made (the number encrypted at rest)
  destination_holder       text          NOT NULL,
  destination_bank         text          NOT NULL,
  destination_account_enc  text          NOT NULL CHECK (destination_account_enc LIKE 'enc1.%'),
  destination_last4        text          NOT NULL,
  failed_calls             integer       NOT NULL DEFAULT 0,
  next_attempt_at          timestamptz,               -- null: final, or waiting for an outside answer
  locked_until             timestamptz,
  last_error               text,
  submitted_at             timestamptz,
  bank_reference           text,
  failure_code             text,
  failure_message          text,
  created_at               timestamptz   NOT NULL,
  updated_at               timestamptz   NOT NULL,
  completed_at             timestamptz,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL)),
  CHECK ((status = 'pending') = (completed_at IS NULL)),
  CHECK (automatic = (scheduled_for IS NOT NULL))
);
CREATE INDEX payouts_merchant ON payouts (merchant_id, livemode, created_at, id);
CREATE INDEX payouts_due ON payouts (next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX payouts_one_scheduled_per_day ON payouts (merchant_id, livemode, currency, scheduled_for)
  WHERE scheduled_for IS NOT NULL;

-- How a merchant's balance leaves: on request only (manual), or all of it once a UTC day (daily).
CREATE TABLE payout_schedules (
  merchant_id  text        NOT NULL REFERENCES merchants (id),
  livemode     boolean     NOT NULL,
  schedule     text        NOT NULL CHECK (schedule IN ('manual', 'daily')),
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, livemode)
);
CREATE INDEX payout_schedules_daily ON payout_schedules (merchant_id) WHERE schedule = 'daily';
