-- The merchant platform: merchants and their console users, sessions, emailed links, passkeys, KYB applications
-- with documents, API keys, team invites, the platform's operators, and rate-limit counters (docs/merchants.md).
-- Secrets are never stored in clear: passwords are argon2id hashes; session, link and API key tokens are SHA-256
-- hashes; bank account numbers, ID numbers, TOTP secrets and documents are SecretBox ciphertexts ("enc1.…").

CREATE TABLE merchants (
  id             text        PRIMARY KEY CHECK (id ~ '^mer_[0-9A-Za-z]{22}$'),
  business_name  text        NOT NULL CHECK (length(business_name) BETWEEN 1 AND 200),
  created_at     timestamptz NOT NULL
);

ALTER TABLE events ADD CONSTRAINT events_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES merchants (id);
ALTER TABLE outbound_messages
  ADD CONSTRAINT outbound_messages_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES merchants (id);

-- People who sign in to the merchant console. One person may belong to several merchants (merchant_members).
CREATE TABLE merchant_users (
  id                   text        PRIMARY KEY CHECK (id ~ '^usr_[0-9A-Za-z]{22}$'),
  email                text        NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  password_hash        text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  name                 text        CHECK (length(name) <= 200),
  locale               text        NOT NULL CHECK (locale IN ('en', 'zh-CN')),
  email_verified_at    timestamptz,
  totp_secret          text        CHECK (totp_secret LIKE 'enc1.%'),
  totp_enabled_at      timestamptz,
  totp_last_step       integer,    -- the time step of the last accepted code: a code is accepted once
  totp_pending_secret  text        CHECK (totp_pending_secret LIKE 'enc1.%'),
  failed_logins        integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until         timestamptz,
  created_at           timestamptz NOT NULL,
  CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL))
);

CREATE TABLE merchant_members (
  merchant_id  text        NOT NULL REFERENCES merchants (id),
  user_id      text        NOT NULL REFERENCES merchant_users (id),
  role         text        NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'support', 'viewer')),
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, user_id)
);
CREATE UNIQUE INDEX merchant_members_one_owner ON merchant_members (merchant_id) WHERE role = 'owner';
CREATE INDEX merchant_members_user ON merchant_members (user_id);

-- The owner stays the owner: the database refuses to delete or demote the owner's membership.
CREATE FUNCTION merchant_owner_is_permanent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.role = 'owner' AND (TG_OP = 'DELETE' OR NEW.role <> 'owner') THEN
    RAISE EXCEPTION 'the owner of merchant % cannot be removed or demoted', OLD.merchant_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER merchant_members_owner_permanent BEFORE UPDATE OR DELETE ON merchant_members
  FOR EACH ROW EXECUTE FUNCTION merchant_owner_is_permanent();

-- Single-use links sent by email (verify the address, reset the password); only the token's hash is kept.
CREATE TABLE email_links (
  token_hash  bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
  purpose     text        NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
  user_id     text        NOT NULL REFERENCES merchant_users (id),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX email_links_user ON email_links (user_id, purpose);
CREATE INDEX email_links_expires ON email_links (expires_at);

-- Console sessions: the cookie holds a random token, the table its SHA-256. One session is one user in one merchant.
CREATE TABLE console_sessions (
  id            text        PRIMARY KEY CHECK (id ~ '^cs_[0-9A-Za-z]{22}$'),
  token_hash    bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  user_id       text        NOT NULL REFERENCES merchant_users (id),
  merchant_id   text        NOT NULL REFERENCES merchants (id),
  livemode      boolean     NOT NULL DEFAULT false,
  method        text        NOT NULL CHECK (method IN ('password', 'password_totp', 'passkey')),
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX console_sessions_user ON console_sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- Passkeys (WebAuthn credentials) of console users. The id is the credential id the authenticator chose.
CREATE TABLE webauthn_credentials (
  id            text        PRIMARY KEY CHECK (length(id) BETWEEN 16 AND 1400),
  user_id       text        NOT NULL REFERENCES merchant_users (id),
  public_key    bytea       NOT NULL,
  sign_count    bigint      NOT NULL CHECK (sign_count >= 0),
  transports    text[]      NOT NULL DEFAULT '{}',
  device_type   text        NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up     boolean     NOT NULL,
  name          text        CHECK (length(name) <= 100),
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

-- Outstanding WebAuthn challenges; a challenge is deleted when it is answered, so it is used at most once.
CREATE TABLE webauthn_challenges (
  challenge   text        PRIMARY KEY CHECK (length(challenge) BETWEEN 16 AND 128),
  purpose     text        NOT NULL CHECK (purpose IN ('registration', 'authentication')),
  user_id     text        REFERENCES merchant_users (id),
  expires_at  timestamptz NOT NULL,
  CHECK (purpose = 'authentication' OR user_id IS NOT NULL)
);
CREATE INDEX webauthn_challenges_expires ON webauthn_challenges (expires_at);

-- KYB: one application per merchant, edited in draft and action_required, decided by operators.
CREATE TABLE kyb_applications (
  id                                text        PRIMARY KEY CHECK (id ~ '^kyb_[0-9A-Za-z]{22}$'),
  merchant_id                       text        NOT NULL UNIQUE REFERENCES merchants (id),
  state                             text        NOT NULL CHECK (state IN ('draft', 'submitted', 'in_review', 'approved',
                                                                          'rejected', 'action_required')),
  legal_name                        text,
  registration_number               text,
  country                           text        CHECK (country ~ '^[A-Z]{2}$'),
  registered_address                jsonb,
  business_category                 text,
  website                           text,
  representative_name               text,
  representative_id_number_enc      text        CHECK (representative_id_number_enc LIKE 'enc1.%'),
  representative_id_number_last4    text        CHECK (length(representative_id_number_last4) <= 4),
  bank_account_holder               text,
  bank_name                         text,
  bank_account_number_enc           text        CHECK (bank_account_number_enc LIKE 'enc1.%'),
  bank_account_number_last4         text        CHECK (length(bank_account_number_last4) <= 4),
  created_at                        timestamptz NOT NULL,
  updated_at                        timestamptz NOT NULL,
  submitted_at                      timestamptz,
  decided_at                        timestamptz
);
CREATE INDEX kyb_applications_state ON kyb_applications (state, updated_at, id);

CREATE TABLE kyb_documents (
  id              text        PRIMARY KEY CHECK (id ~ '^doc_[0-9A-Za-z]{22}$'),
  application_id  text        NOT NULL REFERENCES kyb_applications (id),
  merchant_id     text        NOT NULL REFERENCES merchants (id),
  type            text        NOT NULL CHECK (type IN ('business_licence', 'representative_id', 'bank_account_proof',
                                                       'other')),
  content_type    text        NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes      integer     NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
  filename        text        CHECK (length(filename) <= 255),
  content_enc     text        CHECK (content_enc LIKE 'enc1.%'), -- dropped when the document is deleted
  uploaded_by     text        NOT NULL REFERENCES merchant_users (id),
  created_at      timestamptz NOT NULL,
  deleted_at      timestamptz,
  CHECK (deleted_at IS NOT NULL OR content_enc IS NOT NULL)
);
CREATE INDEX kyb_documents_application ON kyb_documents (application_id, created_at) WHERE deleted_at IS NULL;

-- Every state change of an application: who (a console user or an operator), when, and why.
CREATE TABLE kyb_state_changes (
  seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id  text        NOT NULL REFERENCES kyb_applications (id),
  from_state      text        NOT NULL,
  to_state        text        NOT NULL,
  actor_type      text        NOT NULL CHECK (actor_type IN ('merchant_user', 'operator')),
  actor_id        text        NOT NULL,
  reasons         jsonb       NOT NULL DEFAULT '[]',
  created_at      timestamptz NOT NULL
);
CREATE INDEX kyb_state_changes_application ON kyb_state_changes (application_id, seq);

-- API keys. The key itself is shown once; the table keeps its SHA-256, a visible prefix and the last four
-- characters. Publishable keys are public by design and kept whole so the console can show them.
CREATE TABLE api_keys (
  id                 text        PRIMARY KEY CHECK (id ~ '^key_[0-9A-Za-z]{22}$'),
  merchant_id        text        NOT NULL REFERENCES merchants (id),
  livemode           boolean     NOT NULL,
  type               text        NOT NULL CHECK (type IN ('secret', 'restricted', 'publishable')),
  name               text        CHECK (length(name) <= 100),
  token_hash         bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  token_prefix       text        NOT NULL,
  last4              text        NOT NULL CHECK (length(last4) = 4),
  publishable_token  text,
  scopes             jsonb,
  secret_reveal_enc  text        CHECK (secret_reveal_enc LIKE 'enc1.%'), -- a sign-up test key until shown once
  created_by         text        REFERENCES merchant_users (id),
  rolled_from        text        REFERENCES api_keys (id),
  created_at         timestamptz NOT NULL,
  expires_at         timestamptz,
  revoked_at         timestamptz,
  last_used_at       timestamptz,
  CHECK ((type = 'restricted') = (scopes IS NOT NULL)),
  CHECK ((type = 'publishable') = (publishable_token IS NOT NULL)),
  CHECK (secret_reveal_enc IS NULL OR (type = 'secret' AND NOT livemode))
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id, created_at, id);

CREATE TABLE team_invites (
  id           text        PRIMARY KEY CHECK (id ~ '^inv_[0-9A-Za-z]{22}$'),
  merchant_id  text        NOT NULL REFERENCES merchants (id),
  email        text        NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  role         text        NOT NULL CHECK (role IN ('admin', 'developer', 'support', 'viewer')),
  locale       text        NOT NULL CHECK (locale IN ('en', 'zh-CN')),
  token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  invited_by   text        NOT NULL REFERENCES merchant_users (id),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  accepted_by  text        REFERENCES merchant_users (id),
  revoked_at   timestamptz
);
CREATE INDEX team_invites_merchant ON team_invites (merchant_id, created_at, id);
CREATE UNIQUE INDEX team_invites_one_open ON team_invites (merchant_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- The platform's own staff.
CREATE TABLE operators (
  id                    text        PRIMARY KEY CHECK (id ~ '^op_[0-9A-Za-z]{22}$'),
  email                 text        NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  name                  text        CHECK (length(name) <= 200),
  role                  text        NOT NULL CHECK (role IN ('admin', 'reviewer', 'support')),
  password_hash         text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  must_change_password  boolean     NOT NULL,
  totp_secret           text        CHECK (totp_secret LIKE 'enc1.%'),
  totp_enabled_at       timestamptz,
  totp_last_step        integer,
  totp_pending_secret   text        CHECK (totp_pending_secret LIKE 'enc1.%'),
  failed_logins         integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until          timestamptz,
  disabled_at           timestamptz,
  created_by            text        REFERENCES operators (id),
  created_at            timestamptz NOT NULL,
  CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL))
);

CREATE TABLE operator_sessions (
  id            text        PRIMARY KEY CHECK (id ~ '^os_[0-9A-Za-z]{22}$'),
  token_hash    bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  operator_id   text        NOT NULL REFERENCES operators (id),
  method        text        NOT NULL CHECK (method IN ('password', 'password_totp')),
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id) WHERE revoked_at IS NULL;
CREATE INDEX operator_sessions_expires ON operator_sessions (expires_at);

-- Fixed-window counters for rate limits that must hold across coffer processes (sign-ups per address, failed
-- logins per address, mails per recipient).
CREATE TABLE console_rate_limits (
  bucket        text        NOT NULL CHECK (length(bucket) <= 400),
  window_start  timestamptz NOT NULL,
  hits          integer     NOT NULL CHECK (hits > 0),
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX console_rate_limits_window ON console_rate_limits (window_start);
