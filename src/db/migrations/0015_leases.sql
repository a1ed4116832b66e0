-- Named leases: work that must run one at a time across processes and spans several transactions (a sandbox
-- reset) takes a lease row instead of a session advisory lock, which would hold a pool connection the whole time
-- while the work asks the pool for others (docs/adr/0012-one-connection-per-request.md). A lease that outlives its
-- holder (a crash) expires by itself.
CREATE TABLE leases (
  name        text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
  holder      text        NOT NULL,
  expires_at  timestamptz NOT NULL
);
