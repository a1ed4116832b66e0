-- Offline-verifiable payment codes (docs/offline-codes.md, ADR 0024).

-- coffer's ES256 keys that sign offline certificates. The private key is a SecretBox token (AES-256-GCM under a data
-- key wrapped by the master key). One key signs at a time (retired_at IS NULL); a retired key stays published in
-- GET /v1/offline_keys until publish_until, when every certificate it signed has expired.
CREATE TABLE offline_signing_keys (
  kid            text        PRIMARY KEY CHECK (kid ~ '^ofk_[0-9A-Za-z]{22}$'),
  public_jwk     jsonb       NOT NULL,
  private_key    text        NOT NULL,
  created_at     timestamptz NOT NULL,
  retired_at     timestamptz,
  publish_until  timestamptz,
  CHECK ((retired_at IS NULL) = (publish_until IS NULL))
);
CREATE UNIQUE INDEX offline_signing_keys_one_signing ON offline_signing_keys ((true)) WHERE retired_at IS NULL;

-- Per ledger and currency, the account on the credit side of offline holds (wallet → offline_hold, pending). Holds
-- are only ever voided against it, so it never holds posted money.
CREATE TABLE offline_hold_accounts (
  ledger             text        NOT NULL CHECK (ledger IN ('test', 'live')),
  currency           text        NOT NULL,
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (ledger, currency)
);

-- A device's certificate. remaining is what the current hold (hold_transfer_id) holds; each settled code replaces
-- the hold by a smaller one in the same linked ledger chain, so remaining, the hold and the payments always agree.
CREATE TABLE offline_certificates (
  id                text          PRIMARY KEY CHECK (id ~ '^ofc_[0-9A-Za-z]{22}$'),
  wallet_user_id    text          NOT NULL REFERENCES wallet_users (id),
  livemode          boolean       NOT NULL,
  kid               text          NOT NULL REFERENCES offline_signing_keys (kid),
  currency          text          NOT NULL,
  cap               numeric(39,0) NOT NULL CHECK (cap > 0),
  remaining         numeric(39,0) NOT NULL CHECK (remaining >= 0 AND remaining <= cap),
  device_key        bytea         NOT NULL CHECK (length(device_key) = 65),
  certificate       bytea         NOT NULL,
  hold_transfer_id  uuid,
  status            text          NOT NULL CHECK (status IN ('active', 'released')),
  spend_day         text          NOT NULL,
  spend_month       text          NOT NULL,
  issued_at         timestamptz   NOT NULL,
  expires_at        timestamptz   NOT NULL,
  settle_before     timestamptz   NOT NULL,
  due_at            timestamptz,
  released_at       timestamptz,
  released_amount   numeric(39,0),
  CHECK (expires_at > issued_at AND settle_before >= expires_at),
  CHECK ((hold_transfer_id IS NULL) = (remaining = 0) OR status = 'released'),
  CHECK ((status = 'released') = (released_at IS NOT NULL)),
  CHECK ((status = 'active') = (due_at IS NOT NULL))
);
CREATE INDEX offline_certificates_user ON offline_certificates (wallet_user_id, status, expires_at);
CREATE INDEX offline_certificates_due ON offline_certificates (due_at) WHERE due_at IS NOT NULL;

-- One row per settled code: the counter is unique per certificate, so a code settles once.
CREATE TABLE offline_code_uses (
  certificate_id  text          NOT NULL REFERENCES offline_certificates (id),
  counter         bigint        NOT NULL CHECK (counter > 0),
  payment_id      text          NOT NULL UNIQUE REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
  merchant_id     text          NOT NULL,
  livemode        boolean       NOT NULL,
  amount          numeric(39,0) NOT NULL CHECK (amount > 0),
  code_window     timestamptz   NOT NULL,
  created_at      timestamptz   NOT NULL,
  PRIMARY KEY (certificate_id, counter)
);
