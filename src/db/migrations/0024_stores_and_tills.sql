-- Stores and tills (src/stores, docs/stores-and-tills.md): a merchant's shops and their counters. Each till has a
-- static QR code (/t/{token}) a payer scans and pays with an amount they type; every such payment, and any payment
-- the merchant makes at a till, is an ordinary payment that names its store and till.

CREATE TABLE stores (
  id           text         PRIMARY KEY CHECK (id ~ '^sto_[0-9A-Za-z]{22}$'),
  merchant_id  text         NOT NULL REFERENCES merchants (id),
  livemode     boolean      NOT NULL,
  name         text         NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  address      text         CHECK (length(address) BETWEEN 1 AND 300),
  -- The currency the store's tills take: a till QR payment is in it, and so is every payment made at its tills.
  currency     text         NOT NULL,
  created_at   timestamptz  NOT NULL,
  updated_at   timestamptz  NOT NULL
);
CREATE INDEX stores_merchant ON stores (merchant_id, livemode, created_at, id);

CREATE TABLE tills (
  id              text         PRIMARY KEY CHECK (id ~ '^til_[0-9A-Za-z]{22}$'),
  store_id        text         NOT NULL REFERENCES stores (id),
  merchant_id     text         NOT NULL REFERENCES merchants (id),
  livemode        boolean      NOT NULL,
  name            text         NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The random part of the till's QR code /t/{token}: never the id, so an id seen in events opens nothing.
  token           text         NOT NULL UNIQUE CHECK (token ~ '^[0-9A-Za-z]{22}$'),
  active          boolean      NOT NULL,
  deactivated_at  timestamptz,
  created_at      timestamptz  NOT NULL,
  updated_at      timestamptz  NOT NULL,
  CHECK (active = (deactivated_at IS NULL))
);
CREATE INDEX tills_store ON tills (store_id, created_at, id);

-- The store and till a payment was taken at; null for every other payment.
ALTER TABLE payments ADD COLUMN store_id text REFERENCES stores (id);
ALTER TABLE payments ADD COLUMN till_id text REFERENCES tills (id);
ALTER TABLE payments ADD CONSTRAINT payments_till_has_store CHECK ((till_id IS NULL) = (store_id IS NULL));
-- The payments list filtered by store or till, newest first.
CREATE INDEX payments_store ON payments (store_id, created_at, id) WHERE store_id IS NOT NULL;
CREATE INDEX payments_till ON payments (till_id, created_at, id) WHERE till_id IS NOT NULL;
-- A till's takings of a day: its payments paid within the day.
CREATE INDEX payments_till_paid ON payments (till_id, paid_at) WHERE till_id IS NOT NULL AND paid_at IS NOT NULL;
