-- metadata on every merchant-owned object (src/http/metadata.ts): payments had it; refunds, payouts, payment links,
-- stores, tills and webhook endpoints get it. Merchants set it at creation and change it by merging updates; the
-- application checks its limits (keys, lengths), the database that it is an object.
ALTER TABLE refunds ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE payouts ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE payment_links ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE stores ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE tills ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE webhook_endpoints ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'
  CHECK (jsonb_typeof(metadata) = 'object');
