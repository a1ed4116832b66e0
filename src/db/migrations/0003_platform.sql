-- Shared platform tables: the event outbox, the audit log, data keys for encryption at rest, outbound messages.

-- Events (src/events/outbox.ts): written in the same transaction as the change they describe.
CREATE TABLE events (
  id              text        PRIMARY KEY CHECK (id ~ '^evt_[0-9A-Za-z]{22}$'),
  seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  type            text        NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' AND length(type) <= 100),
  merchant_id     text,       -- the owning merchant; the merchants migration adds the foreign key
  wallet_user_id  text,       -- for wallet-side events; the wallets migration adds the foreign key
  livemode        boolean     NOT NULL,
  api_version     text        NOT NULL,
  data            jsonb       NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX events_merchant ON events (merchant_id, livemode, seq) WHERE merchant_id IS NOT NULL;
CREATE INDEX events_wallet_user ON events (wallet_user_id, seq) WHERE wallet_user_id IS NOT NULL;
CREATE INDEX events_type ON events (type, seq);

-- The audit log (src/security/audit.ts): append-only and hash-chained.
CREATE TABLE audit_log (
  seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           text        NOT NULL UNIQUE CHECK (id ~ '^aud_[0-9A-Za-z]{22}$'),
  occurred_at  timestamptz NOT NULL,
  actor_type   text        NOT NULL CHECK (actor_type IN ('merchant_user', 'operator', 'api_key', 'wallet_user', 'system')),
  actor_id     text,
  merchant_id  text,
  action       text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  target_type  text,
  target_id    text,
  ip           text,
  details      jsonb       NOT NULL DEFAULT '{}',
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_merchant ON audit_log (merchant_id, seq) WHERE merchant_id IS NOT NULL;

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Data keys (src/security/encryption.ts), each wrapped by the master key; one active at a time.
CREATE TABLE data_keys (
  id           text        PRIMARY KEY CHECK (id ~ '^dk_[0-9A-Za-z]{22}$'),
  wrapped_key  bytea       NOT NULL CHECK (length(wrapped_key) = 60),
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys ((true)) WHERE retired_at IS NULL;

-- Outbound email and SMS (src/notifications/service.ts); rows sent by the dev transports are the dev mailbox.
CREATE TABLE outbound_messages (
  id               text        PRIMARY KEY CHECK (id ~ '^msg_[0-9A-Za-z]{22}$'),
  seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  channel          text        NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient        text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
  template         text        NOT NULL,
  locale           text        NOT NULL CHECK (locale IN ('en', 'zh-CN')),
  subject          text,
  body             text        NOT NULL,
  html             text,
  merchant_id      text,
  wallet_user_id   text,
  dedupe_key       text        UNIQUE,
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  transport        text,
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  locked_until     timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX outbound_messages_due ON outbound_messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbound_messages_dev ON outbound_messages (recipient, seq) WHERE transport = 'dev';
