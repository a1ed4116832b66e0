-- Deposits to custody addresses, as the block follower finds them (src/crypto/deposits, docs/crypto.md).
-- One row per transfer on chain: a native transfer (log_index -1) or an ERC-20 Transfer log. A reorganisation that
-- drops its block marks it orphaned (never credited for good) or reversed (it had been available); the same transfer
-- mined again in a new block takes the same row back to pending with inclusion + 1, so the ledger's transfer ids of
-- each inclusion differ and the row stays unique per (chain, tx_hash, log_index).
CREATE TABLE crypto_deposits (
  id                      text          PRIMARY KEY CHECK (id ~ '^cdep_[0-9A-Za-z]{22}$'),
  chain                   text          NOT NULL CHECK (chain ~ '^[a-z][a-z0-9_-]{0,31}$'),
  livemode                boolean       NOT NULL,
  tx_hash                 text          NOT NULL CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
  log_index               integer       NOT NULL CHECK (log_index >= -1),
  block_number            bigint        NOT NULL CHECK (block_number >= 0),
  block_hash              text          NOT NULL CHECK (block_hash ~ '^0x[0-9a-f]{64}$'),
  from_address            text          NOT NULL CHECK (from_address ~ '^0x[0-9a-f]{40}$'),
  address                 text          NOT NULL REFERENCES crypto_addresses (address),
  asset                   text          NOT NULL,
  amount                  numeric(39,0) NOT NULL CHECK (amount > 0),
  address_kind            text          NOT NULL CHECK (address_kind IN ('hot', 'wallet', 'payment')),
  wallet_user_id          text          REFERENCES wallet_users (id),
  payment_id              text          REFERENCES payments (id),
  -- pending: credited as a hold, waiting for confirmations; available: posted; orphaned: its block left the chain
  -- before that (hold voided); reversed: its block left the chain after that (credit taken back, operators alerted);
  -- dust: below the asset's dust threshold, recorded and never credited.
  status                  text          NOT NULL CHECK (status IN ('pending', 'available', 'orphaned', 'reversed', 'dust')),
  inclusion               integer       NOT NULL CHECK (inclusion >= 1),
  -- false while the handler's `seen` plan has not run (a payment deposit found before the payments handler was
  -- registered); the confirmation pass runs it first.
  seen_applied            boolean       NOT NULL,
  confirmations_required  integer       NOT NULL CHECK (confirmations_required >= 1),
  -- What coffer paid for this deposit when a reorg reversed it after the user had spent it (reorg_loss), not yet
  -- recovered: if the same transfer is mined again, that much goes back to reorg_loss and only the rest to the
  -- wallet, so the user is credited once in all.
  reorg_loss_outstanding  numeric(39,0) NOT NULL DEFAULT 0 CHECK (reorg_loss_outstanding >= 0),
  created_at              timestamptz   NOT NULL,
  updated_at              timestamptz   NOT NULL,
  available_at            timestamptz,
  orphaned_at             timestamptz,
  reversed_at             timestamptz,
  UNIQUE (chain, tx_hash, log_index),
  CHECK ((address_kind = 'wallet') = (wallet_user_id IS NOT NULL)),
  CHECK ((address_kind = 'payment') = (payment_id IS NOT NULL))
);
-- A wallet user's deposits, newest first (GET /v1/wallet/crypto/deposits).
CREATE INDEX crypto_deposits_wallet_user ON crypto_deposits (wallet_user_id, created_at DESC, id DESC)
  WHERE wallet_user_id IS NOT NULL;
-- The follower's confirmation pass and the operators' pending list.
CREATE INDEX crypto_deposits_pending ON crypto_deposits (chain, block_number) WHERE status = 'pending';
-- What a reorganisation drops: every deposit above the common ancestor that still counts.
CREATE INDEX crypto_deposits_counted ON crypto_deposits (chain, block_number)
  WHERE status IN ('pending', 'available', 'dust');
CREATE INDEX crypto_deposits_status_created ON crypto_deposits (status, created_at DESC, id DESC);
CREATE INDEX crypto_deposits_payment ON crypto_deposits (payment_id) WHERE payment_id IS NOT NULL;
