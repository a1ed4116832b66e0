-- Webhook endpoints, deliveries and their attempts (src/webhooks).

CREATE TABLE webhook_endpoints (
  id                          text        PRIMARY KEY CHECK (id ~ '^we_[0-9A-Za-z]{22}$'),
  merchant_id                 text        NOT NULL,
  livemode                    boolean     NOT NULL,
  url                         text        NOT NULL CHECK (length(url) <= 2048),
  description                 text        CHECK (length(description) <= 500),
  enabled_events              text[]      NOT NULL CHECK (cardinality(enabled_events) BETWEEN 1 AND 100),
  status                      text        NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason             text        CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
  secret_enc                  text        NOT NULL,
  previous_secret_enc         text,
  previous_secret_expires_at  timestamptz,
  failing_since               timestamptz,
  deleted_at                  timestamptz,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL,
  CHECK ((status = 'disabled') = (disabled_reason IS NOT NULL)),
  CHECK ((previous_secret_enc IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, livemode, created_at) WHERE deleted_at IS NULL;

-- Events are fanned out to deliveries by the dispatcher; this marks the ones it has done.
ALTER TABLE events ADD COLUMN dispatched_at timestamptz;
CREATE INDEX events_undispatched ON events (seq) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_deliveries (
  id               text        PRIMARY KEY CHECK (id ~ '^whd_[0-9A-Za-z]{22}$'),
  seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  event_id         text        NOT NULL REFERENCES events (id),
  endpoint_id      text        NOT NULL REFERENCES webhook_endpoints (id),
  merchant_id      text        NOT NULL,
  livemode         boolean     NOT NULL,
  status           text        NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed', 'abandoned')),
  attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- the retry schedule restarts here after a manual redelivery: step = attempts - schedule_base
  schedule_base    integer     NOT NULL DEFAULT 0 CHECK (schedule_base >= 0),
  next_attempt_at  timestamptz,
  locked_until     timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);

CREATE TABLE webhook_attempts (
  seq               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id       text        NOT NULL REFERENCES webhook_deliveries (id),
  attempt           integer     NOT NULL CHECK (attempt >= 1),
  attempted_at      timestamptz NOT NULL,
  status_code       integer,
  latency_ms        integer     NOT NULL CHECK (latency_ms >= 0),
  error             text,
  response_excerpt  text,
  UNIQUE (delivery_id, attempt)
);
