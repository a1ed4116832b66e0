-- Blockchain wallets (src/crypto): custody keys, addresses, the block follower's cursor and the deposits it finds.
-- Amounts are NUMERIC(39,0) minor units of the asset (wei for ETH, 10^-6 for USDC), as in the ledger.

-- One HD seed per mode. The BIP-39 mnemonic is encrypted under the master key envelope (src/security/encryption.ts);
-- hot_address is what the seed derives at index 0, checked at every load so a swapped seed is refused.
CREATE TABLE crypto_custody_seeds (
  livemode             boolean     PRIMARY KEY,
  mnemonic_ciphertext  text        NOT NULL,
  hot_address          text        NOT NULL CHECK (hot_address ~ '^0x[0-9a-f]{40}$'),
  created_at           timestamptz NOT NULL
);

-- Every address coffer holds the key of: the hot wallet (index 0), one per wallet user, one per crypto payment.
-- Addresses are stored lowercase; EVM addresses are the same on every EVM chain, so one row serves all chains.
CREATE TABLE crypto_addresses (
  address           text        PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  livemode          boolean     NOT NULL,
  derivation_index  integer     NOT NULL CHECK (derivation_index >= 0),
  kind              text        NOT NULL CHECK (kind IN ('hot', 'wallet', 'payment')),
  wallet_user_id    text        REFERENCES wallet_users (id),
  payment_id        text        REFERENCES payments (id),
  created_at        timestamptz NOT NULL,
  UNIQUE (livemode, derivation_index),
  CHECK ((kind = 'wallet') = (wallet_user_id IS NOT NULL)),
  CHECK ((kind = 'payment') = (payment_id IS NOT NULL)),
  CHECK ((kind = 'hot') = (derivation_index = 0))
);
CREATE UNIQUE INDEX crypto_addresses_wallet_user ON crypto_addresses (wallet_user_id) WHERE kind = 'wallet';
CREATE UNIQUE INDEX crypto_addresses_payment ON crypto_addresses (payment_id) WHERE kind = 'payment';

-- Index 0 is the hot wallet; the sequences hand out the rest, one per mode so test addresses never use up live ones.
CREATE SEQUENCE crypto_derivation_index_test START 1;
CREATE SEQUENCE crypto_derivation_index_live START 1;

-- The ledger accounts of custody, per mode, chain, asset and purpose (src/crypto/accounts.ts).
CREATE TABLE crypto_ledger_accounts (
  livemode           boolean     NOT NULL,
  chain              text        NOT NULL CHECK (chain ~ '^[a-z][a-z0-9_-]{0,31}$'),
  asset              text        NOT NULL,
  purpose            text        NOT NULL,
  ledger_account_id  bigint      NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (livemode, chain, asset, purpose)
);

-- The block follower: the last block it has taken in per chain, and the recent canonical blocks it has seen, so a
-- block whose parent hash differs from what was seen at that height reveals a reorganisation.
CREATE TABLE crypto_chain_cursors (
  chain         text        PRIMARY KEY,
  livemode      boolean     NOT NULL,
  block_number  bigint      NOT NULL CHECK (block_number >= -1),
  block_hash    text,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE crypto_chain_blocks (
  chain        text        NOT NULL,
  number       bigint      NOT NULL CHECK (number >= 0),
  hash         text        NOT NULL CHECK (hash ~ '^0x[0-9a-f]{64}$'),
  parent_hash  text        NOT NULL CHECK (parent_hash ~ '^0x[0-9a-f]{64}$'),
  seen_at      timestamptz NOT NULL,
  PRIMARY KEY (chain, number)
);

-- What operators must look at: a reorg that reversed an available credit, a hot wallet above its limit, a
-- withdrawal stuck or dropped, a reserves shortfall. Shown in the operator console until acknowledged.
CREATE TABLE crypto_alerts (
  id               text        PRIMARY KEY CHECK (id ~ '^calr_[0-9A-Za-z]{22}$'),
  livemode         boolean     NOT NULL,
  chain            text        NOT NULL,
  kind             text        NOT NULL CHECK (kind IN ('reorg_reversal', 'hot_wallet_limit', 'withdrawal_stuck',
                                                       'withdrawal_failed', 'reserves_shortfall', 'sweep_failed')),
  -- one open alert per subject: raising it again while open only updates it
  subject          text        NOT NULL,
  details          jsonb       NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text
);
CREATE UNIQUE INDEX crypto_alerts_open_subject ON crypto_alerts (kind, subject) WHERE acknowledged_at IS NULL;
CREATE INDEX crypto_alerts_created ON crypto_alerts (created_at DESC);
