-- Merchant analytics (src/analytics, docs/analytics.md, ADR 0015). Rollups are kept up to date incrementally: every
-- statement that inserts, updates or deletes payments or refunds writes, through the statement-level triggers below,
-- a signed snapshot of each changed row (−1 for what it was, +1 for what it is) into analytics_inbox, in the same
-- transaction. The analytics worker claims inbox rows and adds them into the rollups. A row's contribution to the
-- rollups is a function of its snapshot alone, so folding is a sum: the order in which batches are folded does not
-- change the result, and the rollups always equal a recomputation from the rows as they are.

-- The time zone a merchant's analytics are bucketed in by default (an IANA name PostgreSQL knows).
ALTER TABLE merchants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

-- When the payer first saw the payment: a view of its checkout page or a scan of its QR code by a wallet user.
ALTER TABLE payments ADD COLUMN opened_at timestamptz;

CREATE TABLE analytics_inbox (
  seq              bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source           text          NOT NULL CHECK (source IN ('payment', 'refund')),
  sign             smallint      NOT NULL CHECK (sign IN (-1, 1)),
  object_id        text          NOT NULL,   -- the payment's or the refund's id
  merchant_id      text          NOT NULL,
  livemode         boolean       NOT NULL,
  currency         text          NOT NULL,
  method           text          NOT NULL,   -- a refund's: its payment's
  status           text          NOT NULL,
  payer_id         text,
  amount           numeric(39,0) NOT NULL,   -- payment: amount_captured; refund: amount
  fee              numeric(39,0) NOT NULL,   -- payment: fee_amount; refund: fee_returned
  failure_code     text,
  created_at       timestamptz   NOT NULL,
  opened_at        timestamptz,
  paid_at          timestamptz,
  final_at         timestamptz               -- failed, canceled or expired: when (updated_at in that state)
);

-- 15-minute buckets (UTC-aligned, so the day, week and month edges of every real time zone fall on bucket edges),
-- one row per merchant, mode, currency and method that had something in the bucket. Counts are bigint, amounts
-- minor units. ttp_h00..ttp_h15 count succeeded payments by time to pay (paid_at − created_at) under these upper
-- bounds, in seconds: 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 21600, 86400, then everything over.
CREATE TABLE analytics_rollups (
  merchant_id          text          NOT NULL,
  livemode             boolean       NOT NULL,
  bucket_start         timestamptz   NOT NULL,
  currency             text          NOT NULL,
  method               text          NOT NULL,
  created              bigint        NOT NULL DEFAULT 0,   -- by created_at
  opened               bigint        NOT NULL DEFAULT 0,   -- by opened_at
  succeeded            bigint        NOT NULL DEFAULT 0,   -- by paid_at
  gross_amount         numeric(39,0) NOT NULL DEFAULT 0,   -- amount captured of succeeded payments, by paid_at
  fees_charged         numeric(39,0) NOT NULL DEFAULT 0,   -- fee_amount of succeeded payments, by paid_at
  failed               bigint        NOT NULL DEFAULT 0,   -- by final_at
  canceled             bigint        NOT NULL DEFAULT 0,
  expired              bigint        NOT NULL DEFAULT 0,
  refunds              bigint        NOT NULL DEFAULT 0,   -- succeeded refunds, by their created_at
  refunded_amount      numeric(39,0) NOT NULL DEFAULT 0,
  fees_returned        numeric(39,0) NOT NULL DEFAULT 0,   -- fee_returned of those refunds
  time_to_pay_ms       numeric(39,0) NOT NULL DEFAULT 0,   -- sum over succeeded payments, by paid_at
  ttp_h00 bigint NOT NULL DEFAULT 0, ttp_h01 bigint NOT NULL DEFAULT 0, ttp_h02 bigint NOT NULL DEFAULT 0,
  ttp_h03 bigint NOT NULL DEFAULT 0, ttp_h04 bigint NOT NULL DEFAULT 0, ttp_h05 bigint NOT NULL DEFAULT 0,
  ttp_h06 bigint NOT NULL DEFAULT 0, ttp_h07 bigint NOT NULL DEFAULT 0, ttp_h08 bigint NOT NULL DEFAULT 0,
  ttp_h09 bigint NOT NULL DEFAULT 0, ttp_h10 bigint NOT NULL DEFAULT 0, ttp_h11 bigint NOT NULL DEFAULT 0,
  ttp_h12 bigint NOT NULL DEFAULT 0, ttp_h13 bigint NOT NULL DEFAULT 0, ttp_h14 bigint NOT NULL DEFAULT 0,
  ttp_h15 bigint NOT NULL DEFAULT 0,
  new_payers           bigint        NOT NULL DEFAULT 0,   -- payers whose first success here is in the bucket
  returning_payments   bigint        NOT NULL DEFAULT 0,   -- successes with an earlier one by the payer ≤ 90 days before
  identified_payments  bigint        NOT NULL DEFAULT 0,   -- successes with a payer
  PRIMARY KEY (merchant_id, livemode, bucket_start, currency, method)
);

-- Failed and expired payments by failure code (canceled ones have none), bucketed by final_at.
CREATE TABLE analytics_failures (
  merchant_id   text        NOT NULL,
  livemode      boolean     NOT NULL,
  bucket_start  timestamptz NOT NULL,
  currency      text        NOT NULL,
  method        text        NOT NULL,
  failure_code  text        NOT NULL,
  count         bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, livemode, bucket_start, currency, method, failure_code)
);

-- Every succeeded payment with a payer, per merchant and mode, for new versus returning. weight is the sum of the
-- signs folded for it (1 while it is a success, transiently 0 or −1 when its batches are folded out of order);
-- counted_* say what the rollups count for it now, so recomputing a payer's flags adds only the differences.
CREATE TABLE analytics_payer_payments (
  payment_id          text        NOT NULL,
  paid_at             timestamptz NOT NULL,
  merchant_id         text        NOT NULL,
  livemode            boolean     NOT NULL,
  payer_id            text        NOT NULL,
  currency            text        NOT NULL,
  method              text        NOT NULL,
  weight              integer     NOT NULL DEFAULT 0,
  counted_new         boolean     NOT NULL DEFAULT false,
  counted_returning   boolean     NOT NULL DEFAULT false,
  counted_identified  boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (payment_id, paid_at, payer_id)
);
CREATE INDEX analytics_payer_payments_payer ON analytics_payer_payments (merchant_id, livemode, payer_id, paid_at);

-- One row per payer, merchant and mode: locked while the payer's flags are recomputed (so two workers never
-- recompute one payer at once), with the payer's first and last success as the rollups count them.
CREATE TABLE analytics_payers (
  merchant_id     text        NOT NULL,
  livemode        boolean     NOT NULL,
  payer_id        text        NOT NULL,
  first_paid_at   timestamptz,
  last_paid_at    timestamptz,
  PRIMARY KEY (merchant_id, livemode, payer_id)
);

-- The whole platform by the hour (UTC), per mode, currency and method: the operators' summary and the method
-- comparison's platform figures (time-to-pay histogram as in analytics_rollups).
CREATE TABLE analytics_platform_hourly (
  bucket_start     timestamptz   NOT NULL,
  livemode         boolean       NOT NULL,
  currency         text          NOT NULL,
  method           text          NOT NULL,
  created          bigint        NOT NULL DEFAULT 0,
  succeeded        bigint        NOT NULL DEFAULT 0,
  gross_amount     numeric(39,0) NOT NULL DEFAULT 0,
  fees_charged     numeric(39,0) NOT NULL DEFAULT 0,
  failed           bigint        NOT NULL DEFAULT 0,
  canceled         bigint        NOT NULL DEFAULT 0,
  expired          bigint        NOT NULL DEFAULT 0,
  refunds          bigint        NOT NULL DEFAULT 0,
  refunded_amount  numeric(39,0) NOT NULL DEFAULT 0,
  fees_returned    numeric(39,0) NOT NULL DEFAULT 0,
  time_to_pay_ms   numeric(39,0) NOT NULL DEFAULT 0,
  ttp_h00 bigint NOT NULL DEFAULT 0, ttp_h01 bigint NOT NULL DEFAULT 0, ttp_h02 bigint NOT NULL DEFAULT 0,
  ttp_h03 bigint NOT NULL DEFAULT 0, ttp_h04 bigint NOT NULL DEFAULT 0, ttp_h05 bigint NOT NULL DEFAULT 0,
  ttp_h06 bigint NOT NULL DEFAULT 0, ttp_h07 bigint NOT NULL DEFAULT 0, ttp_h08 bigint NOT NULL DEFAULT 0,
  ttp_h09 bigint NOT NULL DEFAULT 0, ttp_h10 bigint NOT NULL DEFAULT 0, ttp_h11 bigint NOT NULL DEFAULT 0,
  ttp_h12 bigint NOT NULL DEFAULT 0, ttp_h13 bigint NOT NULL DEFAULT 0, ttp_h14 bigint NOT NULL DEFAULT 0,
  ttp_h15 bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket_start, livemode, currency, method)
);

-- Merchants with a succeeded payment per UTC day and mode (succeeded = their count that day), for "active
-- merchants" without scanning every merchant's rollups.
CREATE TABLE analytics_merchant_days (
  day          date    NOT NULL,
  livemode     boolean NOT NULL,
  merchant_id  text    NOT NULL,
  succeeded    bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (day, livemode, merchant_id)
);

-- The triggers. One INSERT … SELECT per statement whatever its number of rows, so a batch's multi-row flush stays
-- one statement; a row whose snapshot did not change (an expiry's due_at, a refund's amount_refunded on the
-- payment) writes nothing.
CREATE TYPE coffer_analytics_snapshot AS (
  status text, payer_id text, amount numeric, fee numeric, failure_code text, created_at timestamptz,
  opened_at timestamptz, paid_at timestamptz, final_at timestamptz
);

CREATE FUNCTION coffer_analytics_payment_snapshot(
  status text, payer_id text, amount_captured numeric, fee_amount numeric, failure_code text, created_at timestamptz,
  opened_at timestamptz, paid_at timestamptz, updated_at timestamptz
) RETURNS coffer_analytics_snapshot LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(status, payer_id, amount_captured, fee_amount, failure_code, created_at, opened_at, paid_at,
             CASE WHEN status IN ('failed', 'canceled', 'expired') THEN updated_at END)::coffer_analytics_snapshot
$$;

CREATE FUNCTION coffer_analytics_payments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                 amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
    SELECT 'payment', 1, n.id, n.merchant_id, n.livemode, n.currency, n.method, (s.snap).*
      FROM new_rows n
      CROSS JOIN LATERAL (SELECT coffer_analytics_payment_snapshot(n.status, n.payer_id, n.amount_captured,
               n.fee_amount, n.failure_code, n.created_at, n.opened_at, n.paid_at, n.updated_at) AS snap) s;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                 amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
    SELECT 'payment', -1, o.id, o.merchant_id, o.livemode, o.currency, o.method, (s.snap).*
      FROM old_rows o
      CROSS JOIN LATERAL (SELECT coffer_analytics_payment_snapshot(o.status, o.payer_id, o.amount_captured,
               o.fee_amount, o.failure_code, o.created_at, o.opened_at, o.paid_at, o.updated_at) AS snap) s;
  ELSE
    INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                 amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
    SELECT 'payment', v.sign, d.id, d.merchant_id, d.livemode, d.currency, d.method, (v.snap).*
      FROM (
        SELECT n.id, n.merchant_id, n.livemode, n.currency, n.method,
               coffer_analytics_payment_snapshot(o.status, o.payer_id, o.amount_captured, o.fee_amount,
                 o.failure_code, o.created_at, o.opened_at, o.paid_at, o.updated_at) AS old_snap,
               coffer_analytics_payment_snapshot(n.status, n.payer_id, n.amount_captured, n.fee_amount,
                 n.failure_code, n.created_at, n.opened_at, n.paid_at, n.updated_at) AS new_snap
          FROM old_rows o JOIN new_rows n ON n.id = o.id
      ) d
      CROSS JOIN LATERAL (VALUES (-1::smallint, d.old_snap), (1::smallint, d.new_snap)) AS v(sign, snap)
     WHERE d.old_snap IS DISTINCT FROM d.new_snap;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER analytics_payments_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_payments_changed();
CREATE TRIGGER analytics_payments_update AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_payments_changed();
CREATE TRIGGER analytics_payments_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_payments_changed();

-- Refunds are written in their final state (succeeded or failed); only succeeded ones count, at created_at.
CREATE FUNCTION coffer_analytics_refunds_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, amount, fee,
                                 created_at)
    SELECT 'refund', 1, n.id, n.merchant_id, n.livemode, n.currency, p.method, n.status, n.amount, n.fee_returned,
           n.created_at
      FROM new_rows n JOIN payments p ON p.id = n.payment_id;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, amount, fee,
                                 created_at)
    SELECT 'refund', -1, o.id, o.merchant_id, o.livemode, o.currency, coalesce(p.method, 'unknown'), o.status,
           o.amount, o.fee_returned, o.created_at
      FROM old_rows o LEFT JOIN payments p ON p.id = o.payment_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER analytics_refunds_insert AFTER INSERT ON refunds REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_refunds_changed();
CREATE TRIGGER analytics_refunds_update AFTER UPDATE ON refunds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_refunds_changed();
CREATE TRIGGER analytics_refunds_delete AFTER DELETE ON refunds REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION coffer_analytics_refunds_changed();
