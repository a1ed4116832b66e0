-- Idempotency-Key records for POST routes (see src/http/idempotency.ts).
-- A key is scoped per caller; the fingerprint of the request is compared on reuse.
CREATE TABLE idempotency_keys (
  scope        text        NOT NULL,             -- who called: merchant+mode, wallet user, console user …
  key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint  text        NOT NULL,             -- sha256 of method, route and canonical body
  state        text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
  status_code  integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
