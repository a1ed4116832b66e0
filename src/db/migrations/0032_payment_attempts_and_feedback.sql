-- Paying again after a failure (src/payment-attempts, docs/payments.md "Paying again", docs/adr/0027) and the
-- payer's feedback after a payment (src/feedback, docs/feedback.md).

-- allow_retries: whether the payer may pay this payment again once it failed or ended unpaid (chosen at creation,
-- by the merchant or by the creating request's API version). attempt_count: how many attempts to pay it there were.
-- Attempts get rows in payment_attempts only from the first retry on: until then the payment row is its one attempt,
-- so the payment path writes nothing more for payments that are never paid again.
ALTER TABLE payments ADD COLUMN allow_retries boolean NOT NULL DEFAULT false;
ALTER TABLE payments ADD COLUMN attempt_count integer NOT NULL DEFAULT 1 CHECK (attempt_count >= 1);

-- One row per attempt of a payment that was paid again: the first attempt as it ended (copied from the payment row
-- by the first retry), then each retry with its outcome. payer_id has no foreign key: a retry may be made by another
-- wallet user (a prepaid card) than the payment's payer, and the sandbox reset deletes test payers by their payments.
CREATE TABLE payment_attempts (
  id               text        PRIMARY KEY CHECK (id ~ '^pat_[0-9A-Za-z]{22}$'),
  payment_id       text        NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  merchant_id      text        NOT NULL,
  livemode         boolean     NOT NULL,
  number           integer     NOT NULL CHECK (number >= 1),
  status           text        NOT NULL
                     CHECK (status IN ('succeeded', 'requires_capture', 'failed', 'canceled', 'expired')),
  payer_id         text,
  payment_method   text        CHECK (payment_method IN ('account_wallet', 'stored_value_card')),
  failure_code     text,
  failure_message  text,
  created_at       timestamptz NOT NULL,
  UNIQUE (payment_id, number),
  CHECK ((payer_id IS NULL) = (payment_method IS NULL))
);

-- A payer's rating of a payment: one per payment, ever (the unique payment_id decides races).
CREATE TABLE payment_feedback (
  id           text        PRIMARY KEY CHECK (id ~ '^fbk_[0-9A-Za-z]{22}$'),
  payment_id   text        NOT NULL UNIQUE REFERENCES payments (id) ON DELETE CASCADE,
  merchant_id  text        NOT NULL REFERENCES merchants (id),
  livemode     boolean     NOT NULL,
  payer_id     text        NOT NULL REFERENCES wallet_users (id),
  rating       smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
  tags         text[]      NOT NULL DEFAULT '{}',
  comment      text        CHECK (length(comment) <= 1000),
  source       text        NOT NULL CHECK (source IN ('receipt', 'checkout', 'wallet')),
  created_at   timestamptz NOT NULL
);
-- The console's list and the averages over time read a merchant's feedback of one mode by time.
CREATE INDEX payment_feedback_merchant_created ON payment_feedback (merchant_id, livemode, created_at DESC, id DESC);
