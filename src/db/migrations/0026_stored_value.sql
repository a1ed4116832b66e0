-- Stored-value wallets (src/stored-value, docs/stored-value.md): prepaid cards and vouchers held without an account.
-- A card is a wallet user of kind 'card' (no email, phone or password sign-in; its password_hash is the argon2id of
-- the card's secret), so its money is that wallet user's ledger wallet account and it pays through the wallet's
-- spend path. See docs/adr/0023-stored-value-cards-are-wallet-users.md.

ALTER TABLE wallet_users ADD COLUMN kind text NOT NULL DEFAULT 'account' CHECK (kind IN ('account', 'card'));
-- An account signs in with an email or a phone; a card has neither (its number and secret are its sign-in).
ALTER TABLE wallet_users DROP CONSTRAINT wallet_users_check;
ALTER TABLE wallet_users ADD CONSTRAINT wallet_users_contact
  CHECK (kind = 'card' OR email IS NOT NULL OR phone IS NOT NULL);
ALTER TABLE wallet_users ADD CONSTRAINT wallet_users_card_no_contact
  CHECK (kind = 'account' OR (email IS NULL AND phone IS NULL));

-- Cards issued together by one request (count > 1): the CSV of numbers and secrets was shown once, at issue.
CREATE TABLE stored_value_batches (
  id                  text          PRIMARY KEY CHECK (id ~ '^svb_[0-9A-Za-z]{22}$'),
  livemode            boolean       NOT NULL,
  issuer_merchant_id  text          REFERENCES merchants (id),   -- NULL: issued by the platform (ops)
  kind                text          NOT NULL CHECK (kind IN ('gift_card', 'voucher')),
  currency            text          NOT NULL,
  amount              numeric(39,0) NOT NULL CHECK (amount >= 0),
  count               integer       NOT NULL CHECK (count BETWEEN 1 AND 1000),
  created_at          timestamptz   NOT NULL
);
CREATE INDEX stored_value_batches_issuer ON stored_value_batches (issuer_merchant_id, livemode, created_at);

CREATE TABLE stored_value_cards (
  id                  text          PRIMARY KEY CHECK (id ~ '^svc_[0-9A-Za-z]{22}$'),
  wallet_user_id      text          NOT NULL UNIQUE REFERENCES wallet_users (id),
  livemode            boolean       NOT NULL,
  issuer_merchant_id  text          REFERENCES merchants (id),   -- NULL: platform card, open loop
  kind                text          NOT NULL CHECK (kind IN ('gift_card', 'voucher')),
  currency            text          NOT NULL,
  number_hash         bytea         NOT NULL CHECK (length(number_hash) = 32),  -- HMAC-SHA256 under a master-key derived key
  last4               text          NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  status              text          NOT NULL CHECK (status IN ('active', 'frozen', 'expired', 'closed')),
  initial_value       numeric(39,0) NOT NULL CHECK (initial_value >= 0),
  expires_at          timestamptz,
  batch_id            text          REFERENCES stored_value_batches (id),
  metadata            jsonb         NOT NULL DEFAULT '{}',
  frozen_by           text          CHECK (frozen_by IN ('merchant', 'operator')),
  claimed_by          text          REFERENCES wallet_users (id),  -- the account wallet its balance moved into
  expired_at          timestamptz,
  breakage_amount     numeric(39,0) CHECK (breakage_amount >= 0), -- what moved to the breakage account at expiry
  breakage_refunded_at timestamptz,
  sandbox_magic       boolean       NOT NULL DEFAULT false,        -- a test-mode magic number (docs/sandbox.md)
  created_at          timestamptz   NOT NULL,
  updated_at          timestamptz   NOT NULL,
  CHECK ((status = 'frozen') = (frozen_by IS NOT NULL)),
  CHECK ((status = 'expired') = (expired_at IS NOT NULL) OR breakage_refunded_at IS NOT NULL),
  CHECK (NOT sandbox_magic OR NOT livemode)
);
-- A number is unique per mode (magic sandbox numbers exist once per test-mode wallet that adds them).
CREATE UNIQUE INDEX stored_value_cards_number ON stored_value_cards (livemode, number_hash) WHERE NOT sandbox_magic;
CREATE INDEX stored_value_cards_issuer ON stored_value_cards (issuer_merchant_id, livemode, created_at, id);
CREATE INDEX stored_value_cards_platform ON stored_value_cards (livemode, created_at, id) WHERE issuer_merchant_id IS NULL;
CREATE INDEX stored_value_cards_batch ON stored_value_cards (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX stored_value_cards_expiring ON stored_value_cards (expires_at) WHERE status IN ('active', 'frozen') AND expires_at IS NOT NULL;

-- The issuers' ledger accounts: per ledger and currency the platform's float account (it funds platform cards), and
-- per issuer (merchant, or NULL for the platform) and currency a breakage account (what was left on expired cards).
CREATE TABLE stored_value_accounts (
  purpose             text          NOT NULL CHECK (purpose IN ('float', 'breakage')),
  ledger              text          NOT NULL CHECK (ledger IN ('test', 'live')),
  issuer_merchant_id  text          REFERENCES merchants (id),
  currency            text          NOT NULL,
  ledger_account_id   bigint        NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at          timestamptz   NOT NULL,
  CHECK (purpose = 'breakage' OR issuer_merchant_id IS NULL)
);
CREATE UNIQUE INDEX stored_value_accounts_key
  ON stored_value_accounts (purpose, ledger, coalesce(issuer_merchant_id, ''), currency);

-- Loads per card and UTC day, counted in the load's ledger hook with a conditional upsert (like spend counters).
CREATE TABLE stored_value_load_counters (
  card_id  text     NOT NULL REFERENCES stored_value_cards (id),
  day      date     NOT NULL,
  loads    integer  NOT NULL CHECK (loads >= 0),
  PRIMARY KEY (card_id, day)
);
