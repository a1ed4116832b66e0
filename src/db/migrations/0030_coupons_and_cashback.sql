-- Coupons, promotion codes, discounts on payments and cashback (src/coupons, docs/coupons.md). Why a redemption is
-- counted when its discount is applied, and how platform-funded promotions are paid: docs/adr/0026-coupon-redemptions-reserved-at-application.md.

-- The platform's marketing money, per ledger and currency: the marketing account (code `marketing`, never overdrawn)
-- that platform coupons and cashback rules are funded from, and the funding account (code `marketing_funding`, no
-- flags) an operator moves money in from, whose debit balance is what the platform put into marketing.
CREATE TABLE marketing_accounts (
  purpose            text         NOT NULL CHECK (purpose IN ('marketing', 'marketing_funding')),
  ledger             text         NOT NULL CHECK (ledger IN ('test', 'live')),
  currency           text         NOT NULL,
  ledger_account_id  bigint       NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz  NOT NULL,
  PRIMARY KEY (purpose, ledger, currency)
);

-- A coupon: amount or percent off, in one currency, with its limits. A merchant's coupon discounts its own payments
-- (the merchant takes less); a platform coupon (merchant_id NULL) discounts any merchant's payment of its mode and is
-- paid to the merchant from its budget account, funded from the marketing account when it was made.
-- times_redeemed and amount_redeemed count every discount applied to a payment that is paid or still open: the
-- conditional update that applies a discount is the binding check of max_redemptions and budget.
CREATE TABLE coupons (
  id                         text          PRIMARY KEY CHECK (id ~ '^cpn_[0-9A-Za-z]{22}$'),
  merchant_id                text          REFERENCES merchants (id),   -- NULL: a platform coupon
  livemode                   boolean       NOT NULL,
  name                       text          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  currency                   text          NOT NULL,
  amount_off                 numeric(39,0) CHECK (amount_off > 0),
  percent_off_bps            integer       CHECK (percent_off_bps BETWEEN 1 AND 10000),
  min_amount                 numeric(39,0) CHECK (min_amount > 0),
  valid_from                 timestamptz,
  valid_until                timestamptz,
  max_redemptions            integer       CHECK (max_redemptions > 0),
  max_redemptions_per_payer  integer       CHECK (max_redemptions_per_payer > 0),
  budget                     numeric(39,0) CHECK (budget >= 0),
  first_time_payers_only     boolean       NOT NULL DEFAULT false,
  budget_account_id          bigint        UNIQUE REFERENCES ledger_accounts (id),
  times_redeemed             integer       NOT NULL DEFAULT 0 CHECK (times_redeemed >= 0),
  amount_redeemed            numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_redeemed >= 0),
  active                     boolean       NOT NULL,
  deactivated_at             timestamptz,
  metadata                   jsonb         NOT NULL DEFAULT '{}',
  created_at                 timestamptz   NOT NULL,
  updated_at                 timestamptz   NOT NULL,
  CHECK ((amount_off IS NULL) <> (percent_off_bps IS NULL)),
  CHECK (max_redemptions IS NULL OR times_redeemed <= max_redemptions),
  CHECK (budget IS NULL OR amount_redeemed <= budget),
  -- A platform coupon always has a budget, held in its own ledger account.
  CHECK ((merchant_id IS NULL) = (budget_account_id IS NOT NULL)),
  CHECK (merchant_id IS NOT NULL OR budget IS NOT NULL),
  CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from),
  CHECK (active = (deactivated_at IS NULL))
);
CREATE INDEX coupons_merchant ON coupons (merchant_id, livemode, created_at, id) WHERE merchant_id IS NOT NULL;
CREATE INDEX coupons_platform ON coupons (livemode, created_at, id) WHERE merchant_id IS NULL;

-- A customer-facing code for a coupon. Codes are kept upper-case and matched without regard to case; one active code
-- per text per merchant (or the platform) and mode, so a deactivated code's text may be given again.
CREATE TABLE promotion_codes (
  id               text         PRIMARY KEY CHECK (id ~ '^prc_[0-9A-Za-z]{22}$'),
  coupon_id        text         NOT NULL REFERENCES coupons (id),
  merchant_id      text         REFERENCES merchants (id),  -- the coupon's
  livemode         boolean      NOT NULL,
  code             text         NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'),
  max_redemptions  integer      CHECK (max_redemptions > 0),
  times_redeemed   integer      NOT NULL DEFAULT 0 CHECK (times_redeemed >= 0),
  expires_at       timestamptz,
  active           boolean      NOT NULL,
  deactivated_at   timestamptz,
  metadata         jsonb        NOT NULL DEFAULT '{}',
  created_at       timestamptz  NOT NULL,
  updated_at       timestamptz  NOT NULL,
  CHECK (max_redemptions IS NULL OR times_redeemed <= max_redemptions),
  CHECK (active = (deactivated_at IS NULL))
);
CREATE UNIQUE INDEX promotion_codes_active_code ON promotion_codes (coalesce(merchant_id, ''), livemode, code) WHERE active;
CREATE INDEX promotion_codes_merchant ON promotion_codes (merchant_id, livemode, created_at, id) WHERE merchant_id IS NOT NULL;
CREATE INDEX promotion_codes_platform ON promotion_codes (livemode, created_at, id) WHERE merchant_id IS NULL;
CREATE INDEX promotion_codes_coupon ON promotion_codes (coupon_id, created_at, id);

-- A discount applied to a payment: reserved when applied (the coupon's and the code's counters taken), redeemed when
-- the payment is paid, released when it ends unpaid (the counters given back), returned when it is refunded in
-- full. amount_returned is the discount's share of what was refunded so far (budget given back).
CREATE TABLE coupon_redemptions (
  id                 text          PRIMARY KEY CHECK (id ~ '^cpr_[0-9A-Za-z]{22}$'),
  coupon_id          text          NOT NULL REFERENCES coupons (id),
  promotion_code_id  text          REFERENCES promotion_codes (id),
  payment_id         text          NOT NULL REFERENCES payments (id),
  merchant_id        text          NOT NULL REFERENCES merchants (id),  -- the payment's
  livemode           boolean       NOT NULL,
  payer_id           text          REFERENCES wallet_users (id),        -- known once paid
  -- The payer's count of this coupon was taken (coupon_payer_redemptions), so a release or return gives it back.
  payer_counted      boolean       NOT NULL DEFAULT false,
  applied_by         text          NOT NULL CHECK (applied_by IN ('merchant', 'payer')),
  funded_by          text          NOT NULL CHECK (funded_by IN ('merchant', 'platform')),
  currency           text          NOT NULL,
  amount             numeric(39,0) NOT NULL CHECK (amount > 0),
  amount_returned    numeric(39,0) NOT NULL DEFAULT 0,
  status             text          NOT NULL CHECK (status IN ('reserved', 'redeemed', 'released', 'returned')),
  created_at         timestamptz   NOT NULL,
  updated_at         timestamptz   NOT NULL,
  redeemed_at        timestamptz,
  ended_at           timestamptz,
  CHECK (amount_returned >= 0 AND amount_returned <= amount),
  CHECK ((status IN ('redeemed', 'returned')) = (redeemed_at IS NOT NULL)),
  CHECK ((status IN ('released', 'returned')) = (ended_at IS NOT NULL)),
  CHECK (NOT payer_counted OR payer_id IS NOT NULL)
);
-- One discount at a time per payment.
CREATE UNIQUE INDEX coupon_redemptions_live ON coupon_redemptions (payment_id) WHERE status IN ('reserved', 'redeemed');
CREATE INDEX coupon_redemptions_payment ON coupon_redemptions (payment_id);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions (coupon_id, created_at, id);
-- The release worker's look: discounts still reserved (payments still open, or just ended unpaid).
CREATE INDEX coupon_redemptions_reserved ON coupon_redemptions (created_at) WHERE status = 'reserved';

-- Per coupon and payer, the redemptions that count against max_redemptions_per_payer (and first_time_payers_only,
-- which allows one): taken with a conditional upsert when the payment is paid.
CREATE TABLE coupon_payer_redemptions (
  coupon_id    text     NOT NULL REFERENCES coupons (id),
  payer_id     text     NOT NULL REFERENCES wallet_users (id),
  redemptions  integer  NOT NULL CHECK (redemptions >= 0),
  PRIMARY KEY (coupon_id, payer_id)
);

-- The discount a payment carries (null: none), as the payment shows it: {redemption, coupon, promotion_code, name,
-- code, amount, funded_by, applied_by}. amount is what was taken off; the payment's amount is what the payer pays.
ALTER TABLE payments ADD COLUMN discount jsonb;
-- Cashback credited to the payer for this payment, all rules together (src/coupons/cashback.ts). A refund's
-- conditional update reads it back, so a cashback credited while a refund was planned is never missed.
ALTER TABLE payments ADD COLUMN cashback_amount numeric(39,0) NOT NULL DEFAULT 0 CHECK (cashback_amount >= 0);

-- Cashback rules: a percent of what the payer paid, credited to the payer's wallet from the rule's budget account
-- after the payment succeeds. The budget moved into that account when the rule was made (from the merchant's balance,
-- or the platform's marketing account); amount_credited counts what it paid out, less what refunds reversed.
CREATE TABLE cashback_rules (
  id                       text          PRIMARY KEY CHECK (id ~ '^cbr_[0-9A-Za-z]{22}$'),
  merchant_id              text          REFERENCES merchants (id),   -- NULL: a platform rule
  livemode                 boolean       NOT NULL,
  name                     text          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  currency                 text          NOT NULL,
  percent_bps              integer       NOT NULL CHECK (percent_bps BETWEEN 1 AND 10000),
  max_per_payment          numeric(39,0) CHECK (max_per_payment > 0),
  max_per_payer_per_month  numeric(39,0) CHECK (max_per_payer_per_month > 0),
  budget                   numeric(39,0) NOT NULL CHECK (budget >= 0),
  amount_credited          numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_credited >= 0),
  valid_from               timestamptz,
  valid_until              timestamptz,
  methods                  text[]        NOT NULL CHECK (cardinality(methods) > 0),
  wallet_types             text[]        NOT NULL CHECK (cardinality(wallet_types) > 0),
  budget_account_id        bigint        NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  active                   boolean       NOT NULL,
  deactivated_at           timestamptz,
  metadata                 jsonb         NOT NULL DEFAULT '{}',
  created_at               timestamptz   NOT NULL,
  updated_at               timestamptz   NOT NULL,
  CHECK (amount_credited <= budget),
  CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from),
  CHECK (active = (deactivated_at IS NULL))
);
CREATE INDEX cashback_rules_merchant ON cashback_rules (merchant_id, livemode, created_at, id) WHERE merchant_id IS NOT NULL;
CREATE INDEX cashback_rules_platform ON cashback_rules (livemode, created_at, id) WHERE merchant_id IS NULL;
CREATE INDEX cashback_rules_active ON cashback_rules (livemode) WHERE active;

-- What each payer was credited per rule and UTC month, against max_per_payer_per_month (a conditional upsert).
CREATE TABLE cashback_payer_months (
  rule_id   text          NOT NULL REFERENCES cashback_rules (id),
  payer_id  text          NOT NULL REFERENCES wallet_users (id),
  month     text          NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
  amount    numeric(39,0) NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (rule_id, payer_id, month)
);

-- One cashback per rule and payment.
CREATE TABLE cashbacks (
  id               text          PRIMARY KEY CHECK (id ~ '^cb_[0-9A-Za-z]{22}$'),
  rule_id          text          NOT NULL REFERENCES cashback_rules (id),
  payment_id       text          NOT NULL REFERENCES payments (id),
  merchant_id      text          NOT NULL REFERENCES merchants (id),  -- the payment's
  livemode         boolean       NOT NULL,
  payer_id         text          NOT NULL REFERENCES wallet_users (id),
  currency         text          NOT NULL,
  amount           numeric(39,0) NOT NULL CHECK (amount > 0),
  amount_reversed  numeric(39,0) NOT NULL DEFAULT 0,
  created_at       timestamptz   NOT NULL,
  updated_at       timestamptz   NOT NULL,
  CHECK (amount_reversed >= 0 AND amount_reversed <= amount),
  UNIQUE (rule_id, payment_id)
);
CREATE INDEX cashbacks_payment ON cashbacks (payment_id);
CREATE INDEX cashbacks_rule ON cashbacks (rule_id, created_at, id);
CREATE INDEX cashbacks_merchant ON cashbacks (merchant_id, livemode, created_at, id);
CREATE INDEX cashbacks_payer ON cashbacks (payer_id, created_at, id);

-- A refund's share of a cashback, taken back from the payer's wallet in the refund's own ledger chain.
CREATE TABLE cashback_reversals (
  id           text          PRIMARY KEY CHECK (id ~ '^cbv_[0-9A-Za-z]{22}$'),
  cashback_id  text          NOT NULL REFERENCES cashbacks (id),
  refund_id    text          NOT NULL UNIQUE REFERENCES refunds (id),
  amount       numeric(39,0) NOT NULL CHECK (amount > 0),
  created_at   timestamptz   NOT NULL
);
CREATE INDEX cashback_reversals_cashback ON cashback_reversals (cashback_id);

-- Succeeded payments a cashback rule may cover, queued in the payment's own transaction (with its event) when a rule
-- of its merchant or the platform was active; the cashback worker leases them, credits, and deletes them.
-- Written with the payment's gathered rows (no foreign key: the payment row may be in the same statement).
CREATE TABLE cashback_queue (
  id            bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id    text         NOT NULL,
  queued_at     timestamptz  NOT NULL,
  leased_until  timestamptz,
  attempts      integer      NOT NULL DEFAULT 0
);
CREATE INDEX cashback_queue_due ON cashback_queue (leased_until NULLS FIRST, id);

-- Cashback in the wallet's history: credits in, a refund's reversal out. Read beside wallet_transactions (same
-- columns), so that view is left as it is.
CREATE VIEW wallet_cashback_transactions AS
  SELECT c.id, c.payer_id AS wallet_user_id, c.livemode, 'cashback'::text AS type, 'succeeded'::text AS status,
         'in'::text AS direction, c.amount, c.currency, c.merchant_id AS counterparty_id, NULL::text AS note,
         NULL::text AS failure_code, c.created_at, NULL::numeric(39,0) AS amount_refunded
    FROM cashbacks c
  UNION ALL
  SELECT v.id, c.payer_id, c.livemode, 'cashback_reversal', 'succeeded', 'out', v.amount, c.currency, c.merchant_id,
         NULL, NULL, v.created_at, NULL
    FROM cashback_reversals v JOIN cashbacks c ON c.id = v.cashback_id;
