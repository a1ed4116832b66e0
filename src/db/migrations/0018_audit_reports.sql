-- `coffer audit` (src/security/audit-report): every report is kept, whether the command line or the daily worker
-- made it, so the operator console can show the latest with its findings (docs/SECURITY.md).
CREATE TABLE audit_reports (
  id          text        PRIMARY KEY CHECK (id ~ '^ar_[0-9A-Za-z]{22}$'),
  seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,  -- report order: two reports may share a checked_at
  source      text        NOT NULL CHECK (source IN ('cli', 'worker')),
  ok          boolean     NOT NULL,  -- no finding of high severity
  high        integer     NOT NULL CHECK (high >= 0),
  medium      integer     NOT NULL CHECK (medium >= 0),
  low         integer     NOT NULL CHECK (low >= 0),
  info        integer     NOT NULL CHECK (info >= 0),
  report      jsonb       NOT NULL,  -- as `coffer audit --json` prints it
  checked_at  timestamptz NOT NULL,
  CHECK (ok = (high = 0))
);

-- When a webhook endpoint's signing secret was last rotated, so the audit can tell how old the secret in use is.
-- NULL: never rotated, the secret is as old as the endpoint.
ALTER TABLE webhook_endpoints ADD COLUMN secret_rotated_at timestamptz;
