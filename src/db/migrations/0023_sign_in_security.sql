-- Sign-in security for people (src/security/sign-ins, docs/security-centre.md): the devices wallet and console users
-- sign in from, the sign-ins themselves, and the single-use "this wasn't me" links of new-device alerts.

-- A device is a long-lived random token the browser or app keeps (the console's in an HttpOnly cookie, the wallet
-- app's beside its session), never an IP address. Only the token's SHA-256 is stored, with a coarse summary of the
-- user agent ("iPhone · Safari") and the last address seen. Devices unused for 180 days are deleted.
CREATE TABLE sign_in_devices (
  id                  text        PRIMARY KEY,
  subject_type        text        NOT NULL CHECK (subject_type IN ('wallet_user', 'merchant_user')),
  subject_id          text        NOT NULL,
  token_hash          bytea       NOT NULL CHECK (octet_length(token_hash) = 32),
  agent_summary       text        NOT NULL,
  last_ip             text,
  created_at          timestamptz NOT NULL,
  last_sign_in_at     timestamptz NOT NULL
);
-- One browser's token may name a device of several accounts (two people share a computer).
CREATE UNIQUE INDEX sign_in_devices_token ON sign_in_devices (subject_type, subject_id, token_hash);
CREATE INDEX sign_in_devices_subject ON sign_in_devices (subject_type, subject_id, last_sign_in_at DESC);
CREATE INDEX sign_in_devices_last_sign_in ON sign_in_devices (last_sign_in_at);

-- Every successful sign-in, kept 90 days: when, from which device and address, and whether an alert was sent.
CREATE TABLE sign_ins (
  id                  text        PRIMARY KEY,
  subject_type        text        NOT NULL CHECK (subject_type IN ('wallet_user', 'merchant_user')),
  subject_id          text        NOT NULL,
  device_id           text        NOT NULL REFERENCES sign_in_devices (id) ON DELETE CASCADE,
  session_id          text        NOT NULL,
  method              text        NOT NULL,
  new_device          boolean     NOT NULL,
  alerted             boolean     NOT NULL,
  agent_summary       text        NOT NULL,
  ip                  text,
  created_at          timestamptz NOT NULL
);
CREATE INDEX sign_ins_subject ON sign_ins (subject_type, subject_id, created_at DESC, id DESC);
CREATE INDEX sign_ins_created ON sign_ins (created_at);

-- The "this wasn't me" link of an alert: its token's SHA-256, single use, expiring. Used links are kept until
-- a day after their expiry, so a second click answers "already used" rather than "unknown".
CREATE TABLE sign_in_reports (
  token_hash          bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  sign_in_id          text        NOT NULL REFERENCES sign_ins (id) ON DELETE CASCADE,
  subject_type        text        NOT NULL CHECK (subject_type IN ('wallet_user', 'merchant_user')),
  subject_id          text        NOT NULL,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz
);
CREATE INDEX sign_in_reports_expires ON sign_in_reports (expires_at);

ALTER TABLE wallet_sessions ADD COLUMN device_id text;
ALTER TABLE console_sessions ADD COLUMN device_id text;
CREATE INDEX wallet_sessions_device ON wallet_sessions (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX console_sessions_device ON console_sessions (device_id) WHERE device_id IS NOT NULL;

-- A freeze its owner asked for by reporting a sign-in: their password reset lifts it (an operator's freeze it does
-- not). An operator freezing such a wallet makes the freeze theirs.
ALTER TABLE wallet_users ADD COLUMN frozen_by_owner boolean NOT NULL DEFAULT false;

-- A console user who reported a sign-in must set a new password before signing in again.
ALTER TABLE merchant_users ADD COLUMN password_reset_required_at timestamptz;

-- Wallet password resets: a six-digit code sent to the wallet's email or phone, like sign-up's.
CREATE TABLE wallet_password_resets (
  id                  text        PRIMARY KEY,
  wallet_user_id      text        REFERENCES wallet_users (id),
  contact             text        NOT NULL,
  code_hash           bytea,
  attempts            integer     NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  consumed_at         timestamptz
);
CREATE INDEX wallet_password_resets_contact ON wallet_password_resets (contact, created_at);
