-- Go-live probe runs (src/sandbox/endpoint-probe.ts): three requests to a merchant's test-mode webhook endpoint and
-- what each answered. The go-live checklist reads the newest run of a merchant.

CREATE TABLE go_live_probes (
  id                   text        PRIMARY KEY CHECK (id ~ '^glp_[0-9A-Za-z]{22}$'),
  seq                  bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,  -- run order: two runs may share a created_at
  merchant_id          text        NOT NULL REFERENCES merchants (id),
  webhook_endpoint_id  text        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  url                  text        NOT NULL CHECK (length(url) <= 2048),  -- the URL probed: a changed URL needs a new run
  event_id             text        NOT NULL,                              -- the webhook-id sent (the event is not stored)
  passed               boolean     NOT NULL,
  steps                jsonb       NOT NULL,  -- [{step, expected, status_code, latency_ms, error, passed}]
  created_by           text        REFERENCES merchant_users (id),
  created_at           timestamptz NOT NULL
);
CREATE INDEX go_live_probes_merchant ON go_live_probes (merchant_id, seq);
