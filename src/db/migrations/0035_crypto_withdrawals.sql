-- The outgoing side of blockchain wallets (docs/crypto.md): the signer queue that sends every transaction coffer
-- makes, withdrawals to external addresses with their allowlist, and sweeps of deposit addresses into the hot wallet.
-- Amounts are NUMERIC(39,0) minor units of the asset; gas prices and fees are wei.

-- The next nonce of each sending address (the hot wallet, deposit addresses being swept), per chain. Assigning a
-- nonce locks this row, so two signers never hand out the same one. released_nonces: nonces of signed transactions
-- every node refused outright (never sent anywhere); the next assignment takes them first, so no gap is left.
CREATE TABLE crypto_signer_nonces (
  chain            text        NOT NULL CHECK (chain ~ '^[a-z][a-z0-9_-]{0,31}$'),
  address          text        NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
  livemode         boolean     NOT NULL,
  next_nonce       bigint      NOT NULL CHECK (next_nonce >= 0),
  released_nonces  bigint[]    NOT NULL DEFAULT '{}',
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (chain, address)
);

-- One outgoing transaction (a withdrawal, a gas top-up, a sweep, a refund of a crypto payment), through its states:
-- queued (no nonce yet) → signed (nonce, raw transaction and hash stored before any broadcast) → sent → confirmed or
-- failed. A replacement (same nonce, higher fees) keeps the row: the hashes it replaced stay in replaced_hashes,
-- because any of them may still be the one that is mined.
CREATE TABLE crypto_outgoing_transactions (
  id                        text          PRIMARY KEY CHECK (id ~ '^cotx_[0-9A-Za-z]{22}$'),
  -- creation order: nonces are assigned in it
  seq                       bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
  chain                     text          NOT NULL CHECK (chain ~ '^[a-z][a-z0-9_-]{0,31}$'),
  livemode                  boolean       NOT NULL,
  from_index                integer       NOT NULL CHECK (from_index >= 0),
  from_address              text          NOT NULL CHECK (from_address ~ '^0x[0-9a-f]{40}$'),
  to_address                text          NOT NULL CHECK (to_address ~ '^0x[0-9a-f]{40}$'),
  asset                     text          NOT NULL,
  amount                    numeric(39,0) NOT NULL CHECK (amount > 0),
  purpose                   text          NOT NULL
                              CHECK (purpose IN ('withdrawal', 'gas_topup', 'sweep', 'payment_refund')),
  purpose_id                text          NOT NULL,
  nonce                     bigint        CHECK (nonce >= 0),
  status                    text          NOT NULL CHECK (status IN ('queued', 'signed', 'sent', 'confirmed', 'failed')),
  raw_tx                    text          CHECK (raw_tx ~ '^0x[0-9a-f]+$'),
  tx_hash                   text          CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
  max_fee_per_gas           numeric(39,0),
  max_priority_fee_per_gas  numeric(39,0),
  gas_limit                 numeric(39,0),
  -- broadcasts of any version, resends included
  attempts                  integer       NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  replaced_hashes           text[]        NOT NULL DEFAULT '{}',
  first_sent_at             timestamptz,
  -- when the current version was first sent: the replacement timeout counts from here
  last_sent_at              timestamptz,
  block_number              bigint,
  network_fee               numeric(39,0) CHECK (network_fee >= 0),
  failure_code              text          CHECK (failure_code IN ('reverted', 'dropped', 'rejected')),
  created_at                timestamptz   NOT NULL,
  updated_at                timestamptz   NOT NULL,
  settled_at                timestamptz,
  CHECK (status <> 'queued' OR (nonce IS NULL AND raw_tx IS NULL AND tx_hash IS NULL)),
  CHECK (status NOT IN ('signed', 'sent', 'confirmed') OR (nonce IS NOT NULL AND raw_tx IS NOT NULL AND tx_hash IS NOT NULL)),
  CHECK ((status = 'failed') = (failure_code IS NOT NULL)),
  CHECK ((status IN ('confirmed', 'failed')) = (settled_at IS NOT NULL))
);
-- At most one open transaction per business object and purpose.
CREATE UNIQUE INDEX crypto_outgoing_open_purpose ON crypto_outgoing_transactions (purpose, purpose_id)
  WHERE status IN ('queued', 'signed', 'sent');
-- Nonces never collide: one transaction of ours per sender and nonce, except those refused before they were sent
-- (their nonce was given back).
CREATE UNIQUE INDEX crypto_outgoing_nonce ON crypto_outgoing_transactions (chain, from_address, nonce)
  WHERE nonce IS NOT NULL AND failure_code IS DISTINCT FROM 'rejected';
-- The signer's pass: the open transactions of one sender, in creation order.
CREATE INDEX crypto_outgoing_open ON crypto_outgoing_transactions (chain, from_address, status, seq)
  WHERE status IN ('queued', 'signed', 'sent');
CREATE INDEX crypto_outgoing_purpose_id ON crypto_outgoing_transactions (purpose_id);

-- Withdrawals of wallet users to external addresses. The amount (to custody) and the withdrawal fee (to the fee
-- income account) are held from the wallet at creation, as a linked pair; posted when the transaction is confirmed,
-- voided when it fails.
CREATE TABLE crypto_withdrawals (
  id                    text          PRIMARY KEY CHECK (id ~ '^cwd_[0-9A-Za-z]{22}$'),
  wallet_user_id        text          NOT NULL REFERENCES wallet_users (id),
  livemode              boolean       NOT NULL,
  chain                 text          NOT NULL,
  asset                 text          NOT NULL,
  amount                numeric(39,0) NOT NULL CHECK (amount > 0),
  fee                   numeric(39,0) NOT NULL CHECK (fee >= 0),
  to_address            text          NOT NULL CHECK (to_address ~ '^0x[0-9a-f]{40}$'),
  status                text          NOT NULL CHECK (status IN ('pending', 'broadcast', 'confirmed', 'failed')),
  outgoing_id           text          NOT NULL UNIQUE REFERENCES crypto_outgoing_transactions (id),
  hold_transfer_id      uuid          NOT NULL,
  fee_hold_transfer_id  uuid,
  spend_day             text          NOT NULL,   -- the limit periods it counted against, released if it fails
  spend_month           text          NOT NULL,
  failure_code          text,
  created_at            timestamptz   NOT NULL,
  updated_at            timestamptz   NOT NULL,
  completed_at          timestamptz,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL)),
  CHECK ((fee = 0) = (fee_hold_transfer_id IS NULL))
);
CREATE INDEX crypto_withdrawals_user ON crypto_withdrawals (wallet_user_id, created_at DESC, id DESC);
CREATE INDEX crypto_withdrawals_status ON crypto_withdrawals (status, created_at DESC, id DESC);

-- A wallet user's withdrawal allowlist: addresses they added with a second factor. With allowlist_only on, their
-- withdrawals may go only there.
CREATE TABLE crypto_allowlist_entries (
  id              text        PRIMARY KEY CHECK (id ~ '^cal_[0-9A-Za-z]{22}$'),
  wallet_user_id  text        NOT NULL REFERENCES wallet_users (id),
  address         text        NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
  label           text        CHECK (length(label) <= 100),
  created_at      timestamptz NOT NULL,
  UNIQUE (wallet_user_id, address)
);
CREATE INDEX crypto_allowlist_entries_user ON crypto_allowlist_entries (wallet_user_id, created_at DESC, id DESC);

CREATE TABLE crypto_withdrawal_settings (
  wallet_user_id  text        PRIMARY KEY REFERENCES wallet_users (id),
  allowlist_only  boolean     NOT NULL,
  updated_at      timestamptz NOT NULL
);

-- Sweeps of a deposit address into the hot wallet. An ERC-20 sweep first tops the address up with gas from the hot
-- wallet (topping_up), then sends the tokens (sweeping). Money only changes address: custody stays the same in the
-- ledger; only the gas is booked.
CREATE TABLE crypto_sweeps (
  id                text          PRIMARY KEY CHECK (id ~ '^csw_[0-9A-Za-z]{22}$'),
  chain             text          NOT NULL,
  livemode          boolean       NOT NULL,
  address           text          NOT NULL REFERENCES crypto_addresses (address),
  derivation_index  integer       NOT NULL CHECK (derivation_index > 0),
  asset             text          NOT NULL,
  amount            numeric(39,0) NOT NULL CHECK (amount > 0),
  gas_topup         numeric(39,0) NOT NULL CHECK (gas_topup >= 0),
  status            text          NOT NULL CHECK (status IN ('topping_up', 'sweeping', 'swept', 'failed')),
  failure_code      text,
  created_at        timestamptz   NOT NULL,
  updated_at        timestamptz   NOT NULL,
  completed_at      timestamptz,
  CHECK ((status = 'failed') = (failure_code IS NOT NULL))
);
-- One sweep at a time per address: a token sweep needs the address's gas, a native sweep would take it.
CREATE UNIQUE INDEX crypto_sweeps_open ON crypto_sweeps (chain, address) WHERE status IN ('topping_up', 'sweeping');
CREATE INDEX crypto_sweeps_created ON crypto_sweeps (created_at DESC, id DESC);
