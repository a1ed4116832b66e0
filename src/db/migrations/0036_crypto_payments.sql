-- Crypto payments (src/crypto/payments, docs/crypto-payments.md): POST /v1/payments with method "crypto" is paid by sending
-- an asset to an address of the payment's own. Amounts are NUMERIC(39,0) minor units of the asset.

-- The payment method, and a payer only for wallet payments: money sent on chain names no coffer wallet user.
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check
  CHECK (method IN ('qr', 'payment_code', 'checkout', 'crypto'));
ALTER TABLE payments DROP CONSTRAINT payments_check6;
ALTER TABLE payments ADD CONSTRAINT payments_paid_has_payer
  CHECK (status NOT IN ('processing', 'requires_capture', 'succeeded') OR payer_id IS NOT NULL OR method = 'crypto');

-- The crypto details as the payment's JSON shows them, rewritten by the same statement that changes
-- crypto_payment_details (syncSnapshot in src/crypto/payments/store.ts), so every read of a payment row (API,
-- events, lists) carries them without a join. crypto_payment_details stays the record.
ALTER TABLE payments ADD COLUMN crypto jsonb;

CREATE TABLE crypto_payment_details (
  payment_id              text          PRIMARY KEY REFERENCES payments (id),
  livemode                boolean       NOT NULL,
  chain                   text          NOT NULL,
  chain_id                integer       NOT NULL CHECK (chain_id > 0),
  asset                   text          NOT NULL,
  -- the ERC-20 contract (lowercase), null for the chain's native coin
  contract                text          CHECK (contract ~ '^0x[0-9a-f]{40}$'),
  decimals                integer       NOT NULL CHECK (decimals BETWEEN 0 AND 36),
  address                 text          NOT NULL UNIQUE CHECK (address ~ '^0x[0-9a-f]{40}$'),
  amount_crypto           numeric(39,0) NOT NULL CHECK (amount_crypto > 0),
  -- a fiat-priced payment: the price asked for and the rate locked at creation (fiat per whole asset)
  price_amount            numeric(39,0) CHECK (price_amount > 0),
  price_currency          text,
  rate                    text          CHECK (rate ~ '^[0-9]+(\.[0-9]+)?$'),
  rate_source             text          NOT NULL CHECK (rate_source IN ('asset', 'fixed', 'configured')),
  confirmations_required  integer       NOT NULL CHECK (confirmations_required >= 1),
  -- seen on chain (pending or confirmed), less what reorganisations took away
  amount_received         numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
  amount_confirmed        numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_confirmed >= 0),
  -- what went to the merchant from the chain (the payment's amount once paid on chain)
  amount_paid             numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
  -- the payment's share of the payment_held account now: confirmed money not the merchant's and not refunded
  amount_held             numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_held >= 0),
  amount_refunded         numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
  outcome                 text          CHECK (outcome IN ('paid', 'underpaid', 'overpaid', 'paid_late')),
  -- money that vanished in a reorganisation after it had paid the merchant (coffer's loss, raised to operators)
  reorg_shortfall         numeric(39,0) NOT NULL DEFAULT 0 CHECK (reorg_shortfall >= 0),
  refund_address          text          CHECK (refund_address ~ '^0x[0-9a-f]{40}$'),
  refund_status           text          CHECK (refund_status IN ('pending', 'sent', 'failed')),
  -- refunds so far: each one's ledger holds and outgoing transaction are keyed by (payment, number)
  refund_number           integer       NOT NULL DEFAULT 0 CHECK (refund_number >= 0),
  refund_amount           numeric(39,0) CHECK (refund_amount > 0),
  refund_network_fee      numeric(39,0) CHECK (refund_network_fee >= 0),
  refund_tx_hash          text          CHECK (refund_tx_hash ~ '^0x[0-9a-f]{64}$'),
  refund_requested_at     timestamptz,
  refund_sent_at          timestamptz,
  created_at              timestamptz   NOT NULL,
  updated_at              timestamptz   NOT NULL,
  CHECK ((price_amount IS NULL) = (price_currency IS NULL) AND (price_amount IS NULL) = (rate IS NULL)),
  CHECK (amount_confirmed <= amount_received),
  CHECK ((refund_status IS NULL) = (refund_number = 0))
);

-- Every deposit to a payment's address as the payment took it in: whether it came while the payment could still
-- be paid (on_time: it counts toward the amount) and where it stands. One row per inclusion in a block, so a deposit
-- orphaned and mined again is a new row.
CREATE TABLE crypto_payment_deposits (
  deposit_id   text          NOT NULL,
  inclusion    integer       NOT NULL CHECK (inclusion >= 0),
  payment_id   text          NOT NULL REFERENCES crypto_payment_details (payment_id),
  amount       numeric(39,0) NOT NULL CHECK (amount > 0),
  on_time      boolean       NOT NULL,
  state        text          NOT NULL CHECK (state IN ('pending', 'confirmed', 'orphaned', 'reversed')),
  created_at   timestamptz   NOT NULL,
  updated_at   timestamptz   NOT NULL,
  PRIMARY KEY (deposit_id, inclusion)
);
CREATE INDEX crypto_payment_deposits_payment ON crypto_payment_deposits (payment_id);
