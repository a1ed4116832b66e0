-- Proof of reserves (src/crypto/reserves, docs/crypto.md): each run compares what coffer's custody addresses hold on
-- chain with what the ledger says coffer owes, per mode and asset, and publishes a Merkle sum tree of the wallet
-- users' balances so each user can check that their balance was counted.

CREATE TABLE crypto_reserves_reports (
  id           text        PRIMARY KEY CHECK (id ~ '^rsv_[0-9A-Za-z]{22}$'),
  seq          bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,  -- report order: two reports may share a created_at
  livemode     boolean     NOT NULL,
  source       text        NOT NULL CHECK (source IN ('cli', 'worker', 'operator')),
  operator_id  text,
  -- false when on-chain holdings of any asset are below its liabilities
  ok           boolean     NOT NULL,
  -- per asset: on-chain per chain, the custody account, the liabilities, the shortfall, the Merkle root and total
  assets       jsonb       NOT NULL,
  created_at   timestamptz NOT NULL,
  CHECK ((source = 'operator') = (operator_id IS NOT NULL))
);
CREATE INDEX crypto_reserves_reports_latest ON crypto_reserves_reports (livemode, seq DESC);

-- One leaf per wallet user holding the asset in the report: what an inclusion proof shows its user. The nonce is
-- random per user and report, so a leaf hash reveals nothing about whose balance it is, or how much.
CREATE TABLE crypto_reserves_leaves (
  report_id       text          NOT NULL REFERENCES crypto_reserves_reports (id),
  asset           text          NOT NULL,
  wallet_user_id  text          NOT NULL,
  position        integer       NOT NULL CHECK (position >= 0),
  balance         numeric(39,0) NOT NULL CHECK (balance > 0),
  nonce           text          NOT NULL CHECK (nonce ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (report_id, asset, wallet_user_id),
  UNIQUE (report_id, asset, position)
);

-- Every node of every tree, level 0 being the leaves: an inclusion proof reads one sibling per level by key,
-- instead of rebuilding the tree. Older reports' trees are pruned (src/crypto/reserves/service.ts); their roots stay
-- in the report.
CREATE TABLE crypto_reserves_nodes (
  report_id  text          NOT NULL REFERENCES crypto_reserves_reports (id),
  asset      text          NOT NULL,
  level      smallint      NOT NULL CHECK (level >= 0),
  position   integer       NOT NULL CHECK (position >= 0),
  hash       text          NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  sum        numeric(39,0) NOT NULL CHECK (sum >= 0),
  PRIMARY KEY (report_id, asset, level, position)
);
