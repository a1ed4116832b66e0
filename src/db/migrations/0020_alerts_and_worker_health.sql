-- Merchant alerts (src/alerts, docs/alerts.md) and the background loops' heartbeats (src/monitoring,
-- docs/monitoring.md).

-- What a merchant wants to be told by email, per mode. No row: the defaults of src/alerts/model.ts (success-rate
-- alert off, payout failures and disabled webhook endpoints on, mail to the owner and admins).
CREATE TABLE merchant_alert_settings (
  merchant_id                   text        NOT NULL REFERENCES merchants (id),
  livemode                      boolean     NOT NULL,
  success_rate_enabled          boolean     NOT NULL,
  success_rate_threshold_bps    integer     NOT NULL CHECK (success_rate_threshold_bps BETWEEN 1 AND 10000),
  success_rate_window_minutes   integer     NOT NULL CHECK (success_rate_window_minutes BETWEEN 5 AND 1440),
  success_rate_min_attempts     integer     NOT NULL CHECK (success_rate_min_attempts BETWEEN 1 AND 100000),
  payout_failed_enabled         boolean     NOT NULL,
  webhook_disabled_enabled      boolean     NOT NULL,
  -- Team members (merchant_users ids) who get the mail; empty: the owner and admins. A member who leaves the team
  -- stops getting mail, because recipients are joined with merchant_members when a mail is queued.
  recipient_user_ids            text[]      NOT NULL CHECK (cardinality(recipient_user_ids) <= 20),
  updated_at                    timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, livemode)
);
-- The evaluator walks the merchants with the success-rate alert on.
CREATE INDEX merchant_alert_settings_success_rate ON merchant_alert_settings (merchant_id, livemode)
  WHERE success_rate_enabled;

-- Where each success-rate alert stands, so a drop is mailed once per cooldown and its recovery once.
CREATE TABLE merchant_alert_states (
  merchant_id     text        NOT NULL REFERENCES merchants (id),
  livemode        boolean     NOT NULL,
  rule            text        NOT NULL CHECK (rule IN ('success_rate')),
  firing          boolean     NOT NULL,
  notified        boolean     NOT NULL,  -- this firing was mailed (so its recovery is mailed too)
  last_alert_at   timestamptz,           -- when the last "below threshold" mail was queued
  attempts        integer     NOT NULL CHECK (attempts >= 0),
  succeeded       integer     NOT NULL CHECK (succeeded >= 0 AND succeeded <= attempts),
  checked_at      timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, livemode, rule)
);

-- Each background loop of each process writes how its passes go, at most every workerHeartbeatWriteIntervalMs, so
-- the operator console shows worker health across processes (`--role worker` runs them apart from the API).
CREATE TABLE worker_heartbeats (
  worker            text        NOT NULL CHECK (length(worker) <= 64),
  instance          text        NOT NULL CHECK (length(instance) <= 128),  -- host:pid of the process
  started_at        timestamptz NOT NULL,
  last_pass_at      timestamptz,
  last_success_at   timestamptz,
  passes            bigint      NOT NULL CHECK (passes >= 0),
  failures          bigint      NOT NULL CHECK (failures >= 0),
  last_failure_at   timestamptz,
  last_error        text        CHECK (length(last_error) <= 500),
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (worker, instance)
);
CREATE INDEX worker_heartbeats_updated ON worker_heartbeats (updated_at);
