-- Account wallets (src/wallets): wallet users and their sessions, second factors, identity verification (KYC),
-- funding sources, bank operations, top-ups, withdrawals, wallet-to-wallet transfers and outgoing-limit counters.
-- Money itself lives in the ledger: each wallet user has one ledger account per currency (wallet_accounts).
-- Times are written by the application from its clock, so the test clock and the sandbox move them too.

CREATE TABLE wallet_users (
  id               text        PRIMARY KEY CHECK (id ~ '^wal_[0-9A-Za-z]{22}$'),
  livemode         boolean     NOT NULL,      -- live ledger, or test ledger (sandbox payers)
  email            text        CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  phone            text        CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),   -- E.164
  password_hash    text        NOT NULL,      -- argon2id
  display_name     text        CHECK (length(display_name) BETWEEN 1 AND 100),
  locale           text        NOT NULL CHECK (locale IN ('en', 'zh-CN')),
  tier             smallint    NOT NULL DEFAULT 0 CHECK (tier BETWEEN 0 AND 2),
  legal_name       text,                      -- from an approved identity verification
  frozen_at        timestamptz,
  frozen_reason    text,
  failed_logins    integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until     timestamptz,
  totp_secret      text,                      -- encrypted at rest (SecretBox), enabled once totp_enabled_at is set
  totp_enabled_at  timestamptz,
  totp_last_step   bigint,                    -- time step of the last accepted code: a code is accepted once
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CHECK (email IS NOT NULL OR phone IS NOT NULL),
  CHECK ((frozen_at IS NULL) = (frozen_reason IS NULL))
);
CREATE UNIQUE INDEX wallet_users_email ON wallet_users (livemode, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX wallet_users_phone ON wallet_users (livemode, phone) WHERE phone IS NOT NULL;

ALTER TABLE events ADD CONSTRAINT events_wallet_user_id_fkey FOREIGN KEY (wallet_user_id) REFERENCES wallet_users (id);

-- A sign-up waiting for its one-time code. The wallet user is created when the code is entered. A sign-up for a
-- contact that already has an account gets a row without code_hash: nothing can complete it (no enumeration).
CREATE TABLE wallet_verifications (
  id              text        PRIMARY KEY CHECK (id ~ '^wvc_[0-9A-Za-z]{22}$'),
  livemode        boolean     NOT NULL,
  channel         text        NOT NULL CHECK (channel IN ('email', 'sms')),
  contact         text        NOT NULL CHECK (length(contact) BETWEEN 3 AND 254),
  code_hash       bytea,
  password_hash   text        NOT NULL,
  display_name    text,
  locale          text        NOT NULL CHECK (locale IN ('en', 'zh-CN')),
  attempts        integer     NOT NULL DEFAULT 0,
  expires_at      timestamptz NOT NULL,
  consumed_at     timestamptz,
  wallet_user_id  text        REFERENCES wallet_users (id),
  created_at      timestamptz NOT NULL
);
CREATE INDEX wallet_verifications_contact ON wallet_verifications (contact, created_at);

-- Bearer sessions: only the SHA-256 of the token is stored. A session is a device in the device list.
CREATE TABLE wallet_sessions (
  id              text        PRIMARY KEY CHECK (id ~ '^ws_[0-9A-Za-z]{22}$'),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  token_hash      bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  user_agent      text,
  ip              text,
  created_at      timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz
);
CREATE INDEX wallet_sessions_user ON wallet_sessions (wallet_user_id, created_at);

CREATE TABLE wallet_passkeys (
  id              text        PRIMARY KEY CHECK (id ~ '^wpk_[0-9A-Za-z]{22}$'),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  credential_id   text        NOT NULL UNIQUE,   -- base64url, as the authenticator names it
  public_key      bytea       NOT NULL,          -- COSE
  counter         bigint      NOT NULL DEFAULT 0,
  transports      text[]      NOT NULL DEFAULT '{}',
  name            text,
  created_at      timestamptz NOT NULL,
  last_used_at    timestamptz
);
CREATE INDEX wallet_passkeys_user ON wallet_passkeys (wallet_user_id);

-- WebAuthn challenges, each usable once and briefly.
CREATE TABLE wallet_challenges (
  id              text        PRIMARY KEY CHECK (id ~ '^wch_[0-9A-Za-z]{22}$'),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  purpose         text        NOT NULL CHECK (purpose IN ('passkey_registration', 'step_up')),
  challenge       text        NOT NULL,
  expires_at      timestamptz NOT NULL,
  consumed_at     timestamptz,
  created_at      timestamptz NOT NULL
);
CREATE INDEX wallet_challenges_user ON wallet_challenges (wallet_user_id, created_at);

-- Identity verification. ID and document numbers and the date of birth are encrypted at rest.
CREATE TABLE wallet_kyc_submissions (
  id               text        PRIMARY KEY CHECK (id ~ '^kyc_[0-9A-Za-z]{22}$'),
  wallet_user_id   text        NOT NULL REFERENCES wallet_users (id),
  livemode         boolean     NOT NULL,
  level            smallint    NOT NULL CHECK (level IN (1, 2)),
  provider         text        NOT NULL CHECK (provider IN ('sandbox', 'review')),
  status           text        NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected')),
  full_name        text,
  id_number        text,        -- encrypted
  id_number_last4  text,
  date_of_birth    text,        -- encrypted
  document_type    text        CHECK (document_type IN ('passport', 'id_card', 'driving_licence')),
  document_number  text,        -- encrypted
  document_country text        CHECK (document_country ~ '^[A-Z]{2}$'),
  decision_reason  text,
  reviewed_by      text,
  reviewed_at      timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CHECK ((level = 1) = (full_name IS NOT NULL AND id_number IS NOT NULL AND date_of_birth IS NOT NULL)),
  CHECK ((level = 2) = (document_type IS NOT NULL AND document_number IS NOT NULL))
);
CREATE UNIQUE INDEX wallet_kyc_one_pending ON wallet_kyc_submissions (wallet_user_id) WHERE status = 'pending_review';
CREATE INDEX wallet_kyc_user ON wallet_kyc_submissions (wallet_user_id, created_at);
CREATE INDEX wallet_kyc_queue ON wallet_kyc_submissions (created_at, id) WHERE status = 'pending_review';

-- One ledger account per wallet user and currency, created on first need.
CREATE TABLE wallet_accounts (
  wallet_user_id     text        NOT NULL REFERENCES wallet_users (id),
  currency           text        NOT NULL,
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (wallet_user_id, currency)
);

-- The bank settlement account of each ledger, currency and bank connector: the counterpart of top-ups and
-- withdrawals (what the bank owes us, or we owe it, until the bank's money arrives).
CREATE TABLE wallet_settlement_accounts (
  ledger             text        NOT NULL CHECK (ledger IN ('test', 'live')),
  currency           text        NOT NULL,
  connector          text        NOT NULL CHECK (connector IN ('sandbox', 'file')),
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (ledger, currency, connector)
);

CREATE TABLE wallet_funding_sources (
  id               text        PRIMARY KEY CHECK (id ~ '^fs_[0-9A-Za-z]{22}$'),
  wallet_user_id   text        NOT NULL REFERENCES wallet_users (id),
  livemode         boolean     NOT NULL,
  type             text        NOT NULL CHECK (type = 'bank_account'),
  connector        text        NOT NULL CHECK (connector IN ('sandbox', 'file')),
  currency         text        NOT NULL,
  holder_name      text        NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 140),
  bank_code        text        NOT NULL,
  account_number   text        NOT NULL,   -- encrypted
  last4            text        NOT NULL CHECK (last4 ~ '^[0-9A-Za-z]{4}$'),
  status           text        NOT NULL CHECK (status IN ('pending_verification', 'verified', 'verification_failed', 'removed')),
  failure_code     text,
  failure_message  text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX wallet_funding_sources_user ON wallet_funding_sources (wallet_user_id, created_at);

-- Instructions to a bank, one per business object: verify (fs_…), debit for a top-up (tu_…), credit for a
-- withdrawal (wd_…). The settlement worker submits and polls them; the file connector exports and imports them.
CREATE TABLE wallet_bank_operations (
  id                 text          PRIMARY KEY,
  kind               text          NOT NULL CHECK (kind IN ('verify', 'debit', 'credit')),
  connector          text          NOT NULL CHECK (connector IN ('sandbox', 'file')),
  livemode           boolean       NOT NULL,
  wallet_user_id     text          NOT NULL REFERENCES wallet_users (id),
  funding_source_id  text          NOT NULL REFERENCES wallet_funding_sources (id),
  amount             numeric(39,0) CHECK (amount > 0),
  currency           text          NOT NULL,
  status             text          NOT NULL CHECK (status IN ('pending', 'submitted', 'succeeded', 'failed')),
  failed_calls       integer       NOT NULL DEFAULT 0,   -- connector calls that threw (timeouts …), for backoff
  next_attempt_at    timestamptz,                        -- null: waits for an outside update (a settlement file)
  locked_until       timestamptz,
  last_error         text,
  submitted_at       timestamptz,
  exported_at        timestamptz,
  export_batch       text,
  bank_reference     text,
  failure_code       text,
  failure_message    text,
  created_at         timestamptz   NOT NULL,
  completed_at       timestamptz,
  CHECK ((kind = 'verify') = (amount IS NULL)),
  CHECK ((status IN ('succeeded', 'failed')) = (completed_at IS NOT NULL))
);
CREATE INDEX wallet_bank_operations_due ON wallet_bank_operations (next_attempt_at)
  WHERE status IN ('pending', 'submitted') AND next_attempt_at IS NOT NULL;
CREATE INDEX wallet_bank_operations_unexported ON wallet_bank_operations (connector, created_at)
  WHERE status IN ('pending', 'submitted') AND exported_at IS NULL;
CREATE INDEX wallet_bank_operations_completed ON wallet_bank_operations (connector, completed_at)
  WHERE completed_at IS NOT NULL;

-- Lines of the settlement files imported for the file connector: the bank's side, for reconciliation.
CREATE TABLE wallet_bank_settlement_lines (
  operation_id     text          PRIMARY KEY REFERENCES wallet_bank_operations (id),
  outcome          text          NOT NULL CHECK (outcome IN ('settled', 'failed')),
  amount           numeric(39,0),
  currency         text,
  bank_reference   text,
  failure_code     text,
  source_file      text          NOT NULL,
  line_number      integer       NOT NULL,
  imported_at      timestamptz   NOT NULL
);
CREATE INDEX wallet_bank_settlement_lines_imported ON wallet_bank_settlement_lines (imported_at);

CREATE TABLE wallet_top_ups (
  id                 text          PRIMARY KEY CHECK (id ~ '^tu_[0-9A-Za-z]{22}$'),
  wallet_user_id     text          NOT NULL REFERENCES wallet_users (id),
  livemode           boolean       NOT NULL,
  funding_source_id  text          NOT NULL REFERENCES wallet_funding_sources (id),
  currency           text          NOT NULL,
  amount             numeric(39,0) NOT NULL CHECK (amount > 0),
  status             text          NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  failure_code       text,
  failure_message    text,
  created_at         timestamptz   NOT NULL,
  updated_at         timestamptz   NOT NULL,
  completed_at       timestamptz,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL))
);
CREATE INDEX wallet_top_ups_user ON wallet_top_ups (wallet_user_id, created_at, id);
CREATE INDEX wallet_top_ups_pending ON wallet_top_ups (wallet_user_id, currency) WHERE status = 'pending';

CREATE TABLE wallet_withdrawals (
  id                 text          PRIMARY KEY CHECK (id ~ '^wd_[0-9A-Za-z]{22}$'),
  wallet_user_id     text          NOT NULL REFERENCES wallet_users (id),
  livemode           boolean       NOT NULL,
  funding_source_id  text          NOT NULL REFERENCES wallet_funding_sources (id),
  currency           text          NOT NULL,
  amount             numeric(39,0) NOT NULL CHECK (amount > 0),
  status             text          NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  hold_transfer_id   uuid          NOT NULL,
  spend_day          text          NOT NULL,   -- the limit periods it counted against, released if it fails
  spend_month        text          NOT NULL,
  failure_code       text,
  failure_message    text,
  created_at         timestamptz   NOT NULL,
  updated_at         timestamptz   NOT NULL,
  completed_at       timestamptz,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL))
);
CREATE INDEX wallet_withdrawals_user ON wallet_withdrawals (wallet_user_id, created_at, id);

CREATE TABLE wallet_transfers (
  id            text          PRIMARY KEY CHECK (id ~ '^wt_[0-9A-Za-z]{22}$'),
  livemode      boolean       NOT NULL,
  sender_id     text          NOT NULL REFERENCES wallet_users (id),
  recipient_id  text          NOT NULL REFERENCES wallet_users (id),
  currency      text          NOT NULL,
  amount        numeric(39,0) NOT NULL CHECK (amount > 0),
  note          text          CHECK (length(note) <= 280),
  status        text          NOT NULL CHECK (status = 'succeeded'),
  created_at    timestamptz   NOT NULL,
  CHECK (sender_id <> recipient_id)
);
CREATE INDEX wallet_transfers_sender ON wallet_transfers (sender_id, created_at, id);
CREATE INDEX wallet_transfers_recipient ON wallet_transfers (recipient_id, created_at, id);

-- Outgoing money per wallet user, currency and period (UTC day "d:2026-01-31", UTC month "m:2026-01"). Updated in
-- the same transaction as the ledger transfer, with a conditional UPDATE that refuses to pass the limit.
CREATE TABLE wallet_spend_counters (
  wallet_user_id  text          NOT NULL REFERENCES wallet_users (id),
  currency        text          NOT NULL,
  period          text          NOT NULL CHECK (period ~ '^(d:[0-9]{4}-[0-9]{2}-[0-9]{2}|m:[0-9]{4}-[0-9]{2})$'),
  spent           numeric(39,0) NOT NULL CHECK (spent >= 0),
  PRIMARY KEY (wallet_user_id, currency, period)
);

-- The unified transaction list of a wallet user. Payments and refunds add their branches here when they arrive.
CREATE VIEW wallet_transactions AS
  SELECT id, wallet_user_id, livemode, 'top_up'::text AS type, status, 'in'::text AS direction, amount, currency,
         funding_source_id AS counterparty_id, NULL::text AS note, failure_code, created_at
    FROM wallet_top_ups
  UNION ALL
  SELECT id, wallet_user_id, livemode, 'withdrawal', status, 'out', amount, currency,
         funding_source_id, NULL, failure_code, created_at
    FROM wallet_withdrawals
  UNION ALL
  SELECT id, sender_id, livemode, 'transfer', status, 'out', amount, currency, recipient_id, note, NULL, created_at
    FROM wallet_transfers
  UNION ALL
  SELECT id, recipient_id, livemode, 'transfer', status, 'in', amount, currency, sender_id, note, NULL, created_at
    FROM wallet_transfers;
