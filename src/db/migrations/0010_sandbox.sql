-- The sandbox's test payers and their scripted answers (src/sandbox).

-- Test-mode wallet users made by a merchant: through POST /v1/test_helpers/wallet_users (kind 'payer'), or lazily
-- for a magic payment code (kind 'scenario', one per merchant, scenario and currency). ready is set once the payer's
-- opening balance is in the test ledger; a scenario payer is used only when ready.
CREATE TABLE sandbox_payers (
  wallet_user_id       text          PRIMARY KEY REFERENCES wallet_users (id),
  merchant_id          text          NOT NULL REFERENCES merchants (id),
  kind                 text          NOT NULL CHECK (kind IN ('payer', 'scenario')),
  scenario             text          CHECK (scenario ~ '^[a-z_]{1,40}$'),
  currency             text          NOT NULL,
  opening_balance      numeric(39,0) NOT NULL CHECK (opening_balance >= 0),
  password_free_limit  numeric(39,0) CHECK (password_free_limit >= 0),
  ready                boolean       NOT NULL DEFAULT false,
  created_at           timestamptz   NOT NULL,
  CHECK (kind = 'payer' OR scenario IS NOT NULL)
);
CREATE INDEX sandbox_payers_merchant ON sandbox_payers (merchant_id);
CREATE UNIQUE INDEX sandbox_payers_one_per_scenario ON sandbox_payers (merchant_id, scenario, currency)
  WHERE kind = 'scenario';

-- A scripted payer's answer to a payment waiting for it (payer_declines, succeeds_after_delay): due on the
-- merchant's test clock, run by the sandbox worker or by advance_time. Claimed with a lease like other due work.
CREATE TABLE sandbox_payer_actions (
  payment_id      text        PRIMARY KEY REFERENCES payments (id),
  merchant_id     text        NOT NULL REFERENCES merchants (id),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  action          text        NOT NULL CHECK (action IN ('approve', 'decline')),
  due_at          timestamptz NOT NULL,
  locked_until    timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL
);
CREATE INDEX sandbox_payer_actions_due ON sandbox_payer_actions (due_at);
CREATE INDEX sandbox_payer_actions_merchant ON sandbox_payer_actions (merchant_id);
