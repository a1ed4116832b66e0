-- Idempotency-Key records for POST routes (see src/http/idempotency-store.ts).
-- A key is scoped per caller; the fingerprint of the request is compared on reuse. The response is kept as the
-- exact bytes that were sent (text, not jsonb: jsonb reorders keys), so a replay is byte-for-byte the same.
CREATE TABLE idempotency_keys (
  scope          text        NOT NULL,          -- who called: "public", merchant+mode, wallet user, console user …
  key            text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint    text        NOT NULL,          -- sha256 of method, route, path parameters, query and canonical body
  state          text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
  status_code    integer     CHECK (status_code BETWEEN 100 AND 499),
  content_type   text,
  response_body  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  lease          text        NOT NULL,          -- a random token of the current holder; only it may finish the key
  locked_at      timestamptz NOT NULL DEFAULT now(), -- when the current holder claimed it (see stale takeover)
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (scope, key),
  CHECK (state = 'in_progress' OR (status_code IS NOT NULL AND response_body IS NOT NULL))
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
