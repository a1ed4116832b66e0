-- Merchant analytics over long ranges (docs/analytics.md, ADR 0019). A year of 15-minute rollups is about 105,000
-- rows for a busy merchant; these daily levels hold the same figures per day, so a long range sums whole days and
-- reads the 15-minute rows only for its partial first and last days. Kept by the fold worker in the transaction that
-- writes the 15-minute rows, from the same deltas: sums, so always equal to the 15-minute rows they cover.

-- Per merchant, mode, currency and method and calendar day in the merchant's time zone (merchants.time_zone): the
-- days its dashboard asks for. A 15-minute bucket lies in exactly one local day of every real zone. Changing the
-- time zone recomputes the merchant's rows from the 15-minute ones in the same transaction (src/analytics/service.ts).
CREATE TABLE analytics_rollups_daily (LIKE analytics_rollups INCLUDING DEFAULTS);
ALTER TABLE analytics_rollups_daily DROP COLUMN bucket_start;
ALTER TABLE analytics_rollups_daily ADD COLUMN day date NOT NULL;
ALTER TABLE analytics_rollups_daily ADD PRIMARY KEY (merchant_id, livemode, day, currency, method);

CREATE TABLE analytics_failures_daily (
  merchant_id   text    NOT NULL,
  livemode      boolean NOT NULL,
  day           date    NOT NULL,   -- in the merchant's time zone, as analytics_rollups_daily
  currency      text    NOT NULL,
  method        text    NOT NULL,
  failure_code  text    NOT NULL,
  count         bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, livemode, day, currency, method, failure_code)
);

-- The whole platform per UTC day (the method comparison's platform figures and the operators' summary over long
-- ranges), beside analytics_platform_hourly.
CREATE TABLE analytics_platform_daily (LIKE analytics_platform_hourly INCLUDING DEFAULTS);
ALTER TABLE analytics_platform_daily DROP COLUMN bucket_start;
ALTER TABLE analytics_platform_daily ADD COLUMN day date NOT NULL;
ALTER TABLE analytics_platform_daily ADD PRIMARY KEY (day, livemode, currency, method);

-- The days of what is already folded.
INSERT INTO analytics_rollups_daily (merchant_id, livemode, day, currency, method, created, opened, succeeded,
  gross_amount, fees_charged, failed, canceled, expired, refunds, refunded_amount, fees_returned, time_to_pay_ms,
  ttp_h00, ttp_h01, ttp_h02, ttp_h03, ttp_h04, ttp_h05, ttp_h06, ttp_h07, ttp_h08, ttp_h09, ttp_h10, ttp_h11, ttp_h12,
  ttp_h13, ttp_h14, ttp_h15, new_payers, returning_payments, identified_payments)
SELECT r.merchant_id, r.livemode, (r.bucket_start AT TIME ZONE m.time_zone)::date, r.currency, r.method, sum(created),
       sum(opened), sum(succeeded), sum(gross_amount), sum(fees_charged), sum(failed), sum(canceled), sum(expired),
       sum(refunds), sum(refunded_amount), sum(fees_returned), sum(time_to_pay_ms), sum(ttp_h00), sum(ttp_h01),
       sum(ttp_h02), sum(ttp_h03), sum(ttp_h04), sum(ttp_h05), sum(ttp_h06), sum(ttp_h07), sum(ttp_h08), sum(ttp_h09),
       sum(ttp_h10), sum(ttp_h11), sum(ttp_h12), sum(ttp_h13), sum(ttp_h14), sum(ttp_h15), sum(new_payers),
       sum(returning_payments), sum(identified_payments)
  FROM analytics_rollups r JOIN merchants m ON m.id = r.merchant_id
 GROUP BY 1, 2, 3, 4, 5;

INSERT INTO analytics_failures_daily (merchant_id, livemode, day, currency, method, failure_code, count)
SELECT f.merchant_id, f.livemode, (f.bucket_start AT TIME ZONE m.time_zone)::date, f.currency, f.method,
       f.failure_code, sum(f.count)
  FROM analytics_failures f JOIN merchants m ON m.id = f.merchant_id
 GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO analytics_platform_daily (day, livemode, currency, method, created, succeeded, gross_amount, fees_charged,
  failed, canceled, expired, refunds, refunded_amount, fees_returned, time_to_pay_ms, ttp_h00, ttp_h01, ttp_h02,
  ttp_h03, ttp_h04, ttp_h05, ttp_h06, ttp_h07, ttp_h08, ttp_h09, ttp_h10, ttp_h11, ttp_h12, ttp_h13, ttp_h14, ttp_h15)
SELECT (bucket_start AT TIME ZONE 'UTC')::date, livemode, currency, method, sum(created), sum(succeeded),
       sum(gross_amount), sum(fees_charged), sum(failed), sum(canceled), sum(expired), sum(refunds),
       sum(refunded_amount), sum(fees_returned), sum(time_to_pay_ms), sum(ttp_h00), sum(ttp_h01), sum(ttp_h02),
       sum(ttp_h03), sum(ttp_h04), sum(ttp_h05), sum(ttp_h06), sum(ttp_h07), sum(ttp_h08), sum(ttp_h09), sum(ttp_h10),
       sum(ttp_h11), sum(ttp_h12), sum(ttp_h13), sum(ttp_h14), sum(ttp_h15)
  FROM analytics_platform_hourly
 GROUP BY 1, 2, 3, 4;
