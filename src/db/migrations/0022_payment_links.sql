-- Payment links (src/payment-links, docs/payment-links.md): a reusable, shareable request for money at
-- /pay/{slug}. Every use makes an ordinary checkout payment that names its link.

CREATE TABLE payment_links (
  id              text          PRIMARY KEY CHECK (id ~ '^plk_[0-9A-Za-z]{22}$'),
  merchant_id     text          NOT NULL REFERENCES merchants (id),
  livemode        boolean       NOT NULL,
  -- The random part of /pay/{slug}: never the id, so knowing a link's id (in events, logs) does not open its page.
  slug            text          NOT NULL UNIQUE CHECK (slug ~ '^[0-9A-Za-z]{16}$'),
  active          boolean       NOT NULL,
  currency        text          NOT NULL,
  -- fixed: unit_amount times a quantity (1, or 1 to quantity_max chosen by the payer);
  -- customer_chooses: the payer types an amount from amount_min to amount_max.
  amount_type     text          NOT NULL CHECK (amount_type IN ('fixed', 'customer_chooses')),
  unit_amount     numeric(39,0) CHECK (unit_amount > 0),
  quantity_max    integer       CHECK (quantity_max BETWEEN 2 AND 1000),
  amount_min      numeric(39,0) CHECK (amount_min > 0),
  amount_max      numeric(39,0),
  description     text          CHECK (length(description) <= 500),
  return_url      text          CHECK (length(return_url) <= 2048),
  max_uses        integer       CHECK (max_uses BETWEEN 1 AND 1000000),
  expires_at      timestamptz,
  deactivated_at  timestamptz,
  created_at      timestamptz   NOT NULL,
  updated_at      timestamptz   NOT NULL,
  CHECK ((amount_type = 'fixed') = (unit_amount IS NOT NULL)),
  CHECK (amount_type = 'fixed' OR quantity_max IS NULL),
  CHECK ((amount_type = 'customer_chooses') = (amount_min IS NOT NULL AND amount_max IS NOT NULL)),
  CHECK (amount_max IS NULL OR amount_max >= amount_min),
  CHECK (active = (deactivated_at IS NULL))
);
CREATE INDEX payment_links_merchant ON payment_links (merchant_id, livemode, created_at, id);

-- The link a payment was made from; null for every other payment. Uses and totals are read through this index.
ALTER TABLE payments ADD COLUMN payment_link_id text REFERENCES payment_links (id);
CREATE INDEX payments_payment_link ON payments (payment_link_id, created_at, id) WHERE payment_link_id IS NOT NULL;
